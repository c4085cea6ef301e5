// Every window action in every state it can meet: what it does, or the code and
// the words staff read on their page when it is refused (and that nothing
// changed). One fresh engine per case.
import { describe, expect, it } from 'vitest';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { MemoryStore } from '../../firmware/eventlog/store.ts';
import type { WindowCommand } from '../../firmware/protocol/messages.ts';
import { at, DAY, hall } from './helpers.ts';

type State = 'closed' | 'open' | 'paused' | 'called' | 'serving';

/** An engine with window 1 in `state` (A001 called or being served there; A002 waiting). */
function windowIn(state: State) {
  const store = new MemoryStore();
  const e = new HallEngine({ hall, store, policy: 'dedicated' });
  let n = 0;
  const run = (cmd: Omit<WindowCommand, 'id'>, s: number) => e.window('1', { id: `set-${++n}`, ...cmd } as WindowCommand, at(s));
  e.kiosk('k1', { op: 'ticket', id: 't1', service: 'registration' }, at(0));
  e.kiosk('k1', { op: 'ticket', id: 't2', service: 'registration' }, at(1));
  if (state !== 'closed') run({ action: 'open', staff: 's001' }, 2);
  if (state === 'paused') run({ action: 'pause' }, 3);
  if (state === 'called' || state === 'serving') run({ action: 'call-next' }, 3);
  if (state === 'serving') run({ action: 'start' }, 4);
  return { e, store, events: () => store.events.length };
}

const cases: Array<[State, Omit<WindowCommand, 'id'>, string, string]> = [
  ['open', { action: 'open' }, 'wrong-state', 'window 1 is already open'],
  ['paused', { action: 'open' }, 'wrong-state', 'window 1 is already paused'],
  ['closed', { action: 'close' }, 'wrong-state', 'window 1 is already closed'],
  ['called', { action: 'close' }, 'wrong-state', 'finish A001 first (complete, no-show, park or transfer)'],
  ['closed', { action: 'pause' }, 'wrong-state', 'window 1 is closed, not open'],
  ['paused', { action: 'pause' }, 'wrong-state', 'window 1 is paused, not open'],
  ['open', { action: 'resume' }, 'wrong-state', 'window 1 is open, not paused'],
  ['closed', { action: 'call-next' }, 'window-closed', 'window 1 is closed'],
  ['paused', { action: 'call' , ticket: 'A002' }, 'window-closed', 'window 1 is paused'],
  ['called', { action: 'call-next' }, 'wrong-state', 'window 1 still has A001'],
  ['serving', { action: 'call', ticket: 'A002' }, 'wrong-state', 'window 1 still has A001'],
  ['open', { action: 'call', ticket: 'A404' }, 'unknown-ticket', 'no ticket A404 today'],
  ['open', { action: 'recall' }, 'wrong-state', 'nothing called to recall'],
  ['serving', { action: 'recall' }, 'wrong-state', 'nothing called to recall'],
  ['open', { action: 'start' }, 'wrong-state', 'nothing called to start'],
  ['serving', { action: 'start' }, 'wrong-state', 'A001 is already being served'],
  ['open', { action: 'complete' }, 'wrong-state', 'nothing being served'],
  ['called', { action: 'complete' }, 'wrong-state', 'start A001 first'],
  ['open', { action: 'no-show' }, 'wrong-state', 'nothing called'],
  ['serving', { action: 'no-show' }, 'wrong-state', 'A001 came: it is being served'],
  ['open', { action: 'park' }, 'wrong-state', 'nothing to park'],
  ['open', { action: 'transfer', service: 'payment' }, 'wrong-state', 'nothing to transfer'],
  ['called', { action: 'transfer', service: 'x-ray' }, 'unknown-service', 'no service x-ray in this hall'],
  ['called', { action: 'transfer', service: 'registration' }, 'wrong-state', 'A001 is already in registration'],
  ['open', { action: 'sign-in', staff: 's002', pin: '1234' }, 'not-allowed', 'window 1 is open for s001: they close it first'],
  ['paused', { action: 'sign-in', staff: 's002', pin: '1234' }, 'not-allowed', 'window 1 is open for s001: they close it first'],
];

describe('window actions refused, with the words staff read', () => {
  it.each(cases)('%s: %o → %s', (state, cmd, code, message) => {
    const { e, events } = windowIn(state);
    const before = events();
    const w = e.windowState('1', at(9));
    expect(e.window('1', { id: 'x', ...cmd } as WindowCommand, at(10))).toEqual({ id: 'x', ok: false, error: { code, message } });
    expect(events()).toBe(before);
    expect(e.windowState('1', at(9))).toEqual(w);
  });

  it('refuses a ticket the window does not serve, naming the service', () => {
    const { e } = windowIn('closed');
    e.kiosk('k1', { op: 'ticket', id: 'd1', service: 'discharge' }, at(5));
    e.window('1', { id: 'o', action: 'open' }, at(6));
    expect(e.window('1', { id: 'x', action: 'call', ticket: 'C001' }, at(7))).toEqual({ id: 'x', ok: false, error: { code: 'not-allowed', message: 'window 1 does not serve discharge' } });
  });
});

describe('window actions that change something', () => {
  const ok = (state: State, cmd: Omit<WindowCommand, 'id'>) => {
    const { e, store } = windowIn(state);
    const from = store.events.length;
    const reply = e.window('1', { id: 'x', ...cmd } as WindowCommand, at(10));
    return { e, reply, events: store.events.slice(from) };
  };
  const base = { at: at(10), day: DAY, window: '1', staff: 's001' };

  it('open (with the staff member), close, pause, resume record the window\'s status', () => {
    expect(ok('closed', { action: 'open', staff: 's002' })).toMatchObject({ reply: { id: 'x', ok: true }, events: [{ at: at(10), day: DAY, window: '1', kind: 'window-status', status: 'open', staff: 's002' }] });
    expect(ok('closed', { action: 'open' }).events).toEqual([{ at: at(10), day: DAY, window: '1', kind: 'window-status', status: 'open' }]);
    expect(ok('open', { action: 'close' }).events).toEqual([{ ...base, kind: 'window-status', status: 'closed' }]);
    expect(ok('open', { action: 'pause' }).events).toEqual([{ ...base, kind: 'window-status', status: 'paused' }]);
    expect(ok('paused', { action: 'resume' }).events).toEqual([{ ...base, kind: 'window-status', status: 'open' }]);
    expect(ok('paused', { action: 'close' }).e.windowState('1', at(11)).status).toBe('closed');
  });

  it('sign-in (the PIN checked before) changes nothing: at a closed window, one open for the same staff member, or one opened without a name', () => {
    expect(ok('closed', { action: 'sign-in', staff: 's002', pin: '1234' })).toMatchObject({ reply: { id: 'x', ok: true }, events: [] });
    expect(ok('open', { action: 'sign-in', staff: 's001', pin: '1234' })).toMatchObject({ reply: { id: 'x', ok: true }, events: [] });
    expect(ok('serving', { action: 'sign-in', staff: 's001', pin: '1234' })).toMatchObject({ reply: { id: 'x', ok: true }, events: [] });
    const { e, store } = windowIn('closed');
    e.window('1', { id: 'o', action: 'open' }, at(2));
    const n = store.events.length;
    expect(e.window('1', { id: 'x', action: 'sign-in', staff: 's002', pin: '1234' }, at(3))).toEqual({ id: 'x', ok: true });
    expect(store.events.length).toBe(n);
    expect(e.windowState('1', at(3))).toMatchObject({ status: 'open' });
  });

  it('call, recall, start, complete, no-show, park and transfer name the ticket and record one event each', () => {
    const ticket = { no: 'A001', service: 'registration' };
    expect(ok('open', { action: 'call', ticket: 'A002' })).toMatchObject({ reply: { ok: true, ticket: { no: 'A002', service: 'registration' } }, events: [{ ...base, kind: 'ticket-called', ticket: 'A002', service: 'registration', recall: false }] });
    expect(ok('called', { action: 'recall' })).toEqual(expect.objectContaining({ reply: { id: 'x', ok: true, ticket }, events: [{ ...base, kind: 'ticket-called', ticket: 'A001', service: 'registration', recall: true }] }));
    expect(ok('called', { action: 'start' }).events).toEqual([{ ...base, kind: 'ticket-started', ticket: 'A001', service: 'registration' }]);
    expect(ok('serving', { action: 'complete' }).events).toEqual([{ ...base, kind: 'ticket-completed', ticket: 'A001', service: 'registration' }]);
    expect(ok('called', { action: 'no-show' }).events).toEqual([{ ...base, kind: 'ticket-no-show', ticket: 'A001', service: 'registration' }]);
    expect(ok('called', { action: 'park' }).events).toEqual([{ ...base, kind: 'ticket-parked', ticket: 'A001', service: 'registration' }]);
    expect(ok('serving', { action: 'park' }).reply).toEqual({ id: 'x', ok: true, ticket });
    const t = ok('serving', { action: 'transfer', service: 'payment' });
    expect(t.reply).toEqual({ id: 'x', ok: true, ticket: { no: 'A001', service: 'payment' } });
    expect(t.events).toEqual([{ ...base, kind: 'ticket-transferred', ticket: 'A001', from: 'registration', to: 'payment' }]);
  });

  it('a call of a ticket past its wait limit also clears its alert; of one within it, not', () => {
    const { e, store } = windowIn('open');
    e.tick(at(hall.services[0]!.waitLimitS + 2)); // A001 and A002 (issued a second later) over the limit
    const from = store.events.length;
    e.window('1', { id: 'c', action: 'call', ticket: 'A002' }, at(1000));
    expect(store.events.slice(from)).toEqual([
      { at: at(1000), day: DAY, window: '1', staff: 's001', kind: 'ticket-called', ticket: 'A002', service: 'registration', recall: false },
      { at: at(1000), day: DAY, kind: 'alert', alert: `wait-over-limit/${DAY}/A002`, alertKind: 'wait-over-limit', state: 'cleared', ticket: 'A002', service: 'registration', window: '1' },
    ]);
    const fresh = windowIn('open');
    const n = fresh.store.events.length;
    fresh.e.window('1', { id: 'c', action: 'call-next' }, at(20));
    expect(fresh.store.events.slice(n).map((x) => x.kind)).toEqual(['ticket-called']);
  });

  it('call-next with nobody waiting answers ok with no ticket and records nothing', () => {
    const { e, store } = windowIn('closed');
    e.window('1', { id: 'o', action: 'open' }, at(2));
    e.window('1', { id: 'a', action: 'call-next' }, at(3));
    e.window('1', { id: 'b', action: 'no-show' }, at(4));
    e.window('1', { id: 'c', action: 'call-next' }, at(5));
    e.window('1', { id: 'd', action: 'no-show' }, at(6));
    const n = store.events.length;
    expect(e.window('1', { id: 'x', action: 'call-next' }, at(7))).toEqual({ id: 'x', ok: true, ticket: null });
    expect(store.events.length).toBe(n);
  });
});
