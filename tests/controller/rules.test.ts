// Rules the hall depends on, each pinned by a test that fails when the rule is
// broken by a one-line change (issue #16 found these surviving such changes).
// Every test builds its own engine, windows and numbers.
import { describe, expect, it } from 'vitest';
import { HallEngine, type ReplyTo } from '../../firmware/controller/engine.ts';
import { MemoryStore } from '../../firmware/eventlog/store.ts';
import type { WindowCommand } from '../../firmware/protocol/messages.ts';
import { hall, at, DAY } from './helpers.ts';

const code = (r: { ok: boolean }) => (r.ok ? 'ok' : (r as unknown as { error: { code: string } }).error.code);
const to = (sender: string): ReplyTo => ({ sender, topic: `test/${sender}/reply` });

function engine(): { e: HallEngine; store: MemoryStore } {
  const store = new MemoryStore();
  return { e: new HallEngine({ hall, store, policy: 'dedicated' }), store };
}

describe('a refused request is answered the same way when repeated', () => {
  it('stores a refused window command with its id, so the repeat gets the first refusal even after the window opened', () => {
    const { e, store } = engine();
    e.kiosk('k1', { op: 'ticket', id: 't1', service: 'registration' }, at(0));
    const first = e.window('1', { id: 'c1', action: 'call-next' }, at(1), to('window/1'));
    expect(code(first)).toBe('window-closed');
    const stored = e.storedReply('window/1', 'c1');
    expect(stored).toEqual({ sender: 'window/1', id: 'c1', topic: 'test/window/1/reply', payload: JSON.stringify(first) });
    expect(store.events.filter((x) => x.kind !== 'ticket-issued')).toEqual([]); // a refusal changes nothing

    // The hall changes: the same request would now succeed if it were run again.
    expect(code(e.window('1', { id: 'o1', action: 'open' }, at(2), to('window/1')))).toBe('ok');
    expect(e.storedReply('window/1', 'c1')?.payload).toBe(JSON.stringify(first));
    // The same id from another sender is another request.
    expect(e.storedReply('window/2', 'c1')).toBeUndefined();
  });

  it('stores refused kiosk requests and ratings with their ids', () => {
    const { e } = engine();
    const k = e.kiosk('k1', { op: 'ticket', id: 'k-bad', service: 'nope' }, at(0), to('kiosk/k1'));
    expect(code(k)).toBe('unknown-service');
    expect(e.storedReply('kiosk/k1', 'k-bad')?.payload).toBe(JSON.stringify(k));
    const r = e.rate('1', { id: 'r-bad', ticket: 'A404', score: 'satisfied' }, at(1), to('window/1'));
    expect(code(r)).toBe('unknown-ticket');
    expect(e.storedReply('window/1', 'r-bad')?.payload).toBe(JSON.stringify(r));
    const w = e.window('99', { id: 'w-bad', action: 'open' }, at(1), to('window/99'));
    expect(code(w)).toBe('unknown-window');
    expect(e.storedReply('window/99', 'w-bad')?.payload).toBe(JSON.stringify(w));
  });

  it('does not store a reply it could not store with its change (internal): the retry runs again', () => {
    const { e, store } = engine();
    store.failNext = true;
    const first = e.kiosk('k1', { op: 'ticket', id: 'k1', service: 'registration' }, at(0), to('kiosk/k1'));
    expect(code(first)).toBe('internal');
    expect(e.storedReply('kiosk/k1', 'k1')).toBeUndefined();
    const again = e.kiosk('k1', { op: 'ticket', id: 'k1', service: 'registration' }, at(1), to('kiosk/k1'));
    expect(again).toMatchObject({ ok: true, ticket: { no: 'A001' } });
    expect(e.storedReply('kiosk/k1', 'k1')?.payload).toBe(JSON.stringify(again));
  });
});

describe('a ticket is at one window at a time', () => {
  const cmd = (id: string, action: WindowCommand['action'], extra: Partial<WindowCommand> = {}): WindowCommand => ({ id, action, ...extra });

  it('refuses to call by number, at another window, a ticket already called or being served', () => {
    const { e } = engine();
    const no = (e.kiosk('k1', { op: 'ticket', id: 't1', service: 'registration' }, at(0)) as { ticket: { no: string } }).ticket.no;
    for (const w of ['1', '2']) expect(code(e.window(w, cmd(`open-${w}`, 'open'), at(1)))).toBe('ok');
    expect(e.window('1', cmd('c1', 'call', { ticket: no }), at(2))).toMatchObject({ ok: true, ticket: { no } });

    // Called at window 1: window 2 (same service) cannot take it by number.
    const stolen = e.window('2', cmd('c2', 'call', { ticket: no }), at(3));
    expect(stolen).toMatchObject({ ok: false, error: { code: 'wrong-state', message: `${no} is called` } });
    expect(e.ticketStatus(DAY, no)).toMatchObject({ state: 'called', window: '1' });
    expect(e.windowState('2', at(3)).serving).toBeNull();

    // Being served at window 1: still not.
    e.window('1', cmd('s1', 'start'), at(4));
    expect(e.window('2', cmd('c3', 'call', { ticket: no }), at(5))).toMatchObject({ ok: false, error: { code: 'wrong-state', message: `${no} is serving` } });
    expect(e.ticketStatus(DAY, no)).toMatchObject({ state: 'serving', window: '1' });

    // Done: not either.
    e.window('1', cmd('d1', 'complete'), at(6));
    expect(code(e.window('2', cmd('c4', 'call', { ticket: no }), at(7)))).toBe('wrong-state');
    expect(e.ticketStatus(DAY, no)).toMatchObject({ state: 'done', window: '1' });
  });

  it('calls by number a waiting or parked ticket, at a window that serves it', () => {
    const { e } = engine();
    const a = (e.kiosk('k1', { op: 'ticket', id: 't1', service: 'registration' }, at(0)) as { ticket: { no: string } }).ticket.no;
    for (const w of ['1', '2']) e.window(w, cmd(`open-${w}`, 'open'), at(1));
    e.window('1', cmd('c1', 'call', { ticket: a }), at(2));
    expect(e.window('1', cmd('p1', 'park'), at(3))).toMatchObject({ ok: true, ticket: { no: a } });
    // Parked: any window serving registration may call it back.
    expect(e.window('2', cmd('c2', 'call', { ticket: a }), at(4))).toMatchObject({ ok: true, ticket: { no: a } });
    expect(e.ticketStatus(DAY, a)).toMatchObject({ state: 'called', window: '2' });
  });
});
