import { describe, expect, it } from 'vitest';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { MemoryStore } from '../../firmware/eventlog/store.ts';
import type { Alert, CallEvent, KioskReply, WindowCommand } from '../../firmware/protocol/messages.ts';
import { VirtualClock, localToMs } from '../../firmware/lib/time.ts';
import { hall, at, DAY, TZ } from './helpers.ts';

let n = 0;
const id = () => `r${++n}`;
const cmd = (action: WindowCommand['action'], extra: Partial<WindowCommand> = {}): WindowCommand => ({ id: id(), action, ...extra });
function ticket(e: HallEngine, service = 'registration', s = 0, priority = false): string {
  const r = e.kiosk('k1', { op: 'ticket', id: id(), service, ...(priority ? { priority: 'priority' as const } : {}) }, at(s));
  if (!r.ok || !r.ticket) throw new Error(JSON.stringify(r));
  return r.ticket.no;
}
const code = (r: { ok: boolean }) => (r.ok ? 'ok' : (r as unknown as { error: { code: string } }).error.code);

describe('HallEngine life cycle', () => {
  it('issues per-service numbers and walks a ticket waiting → called → serving → done', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    const calls: CallEvent[] = [];
    e.onCall((c) => calls.push(c));
    expect(ticket(e, 'registration')).toBe('A001');
    expect(ticket(e, 'registration')).toBe('A002');
    expect(ticket(e, 'payment')).toBe('B001');
    expect(code(e.window('2', cmd('open', { staff: 's001' }), at(1)))).toBe('ok');
    expect(e.window('2', cmd('call-next'), at(2))).toMatchObject({ ok: true, ticket: { no: 'A001', service: 'registration' } });
    expect(calls[0]).toMatchObject({ no: 'A001', window: '2', recall: false, text: { zh: '请A001号到1楼2号窗口', en: 'Ticket A001, please go to window 2, 1F' } });
    expect(e.ticketStatus(DAY, 'A001')).toMatchObject({ state: 'called', window: '2', floor: '1F' });
    expect(e.ticketStatus(DAY, 'A002')).toMatchObject({ state: 'waiting', ahead: 0 });
    expect(code(e.window('2', cmd('recall'), at(20)))).toBe('ok');
    expect(calls[1]).toMatchObject({ no: 'A001', recall: true });
    expect(code(e.window('2', cmd('start'), at(30)))).toBe('ok');
    expect(e.windowState('2', at(31))).toMatchObject({ status: 'open', serving: { no: 'A001' }, staff: { id: 's001', name: '王芳' }, rating: 'idle' });
    expect(code(e.window('2', cmd('complete'), at(60)))).toBe('ok');
    expect(e.windowState('2', at(61))).toMatchObject({ serving: null, rating: 'waiting', ratingFor: 'A001' });
    expect(e.ticketStatus(DAY, 'A001')).toMatchObject({ state: 'done' });
    const hs = e.hallState(at(62));
    expect(hs.services.find((s) => s.id === 'registration')).toMatchObject({ waiting: 1, letter: 'A', open: true });
    expect(hs.recentCalls?.[0]).toMatchObject({ no: 'A001', window: '2' });
  });

  it('refuses out-of-order commands with the contract codes and changes nothing', () => {
    const store = new MemoryStore();
    const e = new HallEngine({ hall, store });
    ticket(e);
    const before = store.events.length;
    expect(code(e.window('1', cmd('call-next'), at(1)))).toBe('window-closed');
    expect(code(e.window('1', cmd('start'), at(1)))).toBe('wrong-state');
    expect(code(e.window('99', cmd('open'), at(1)))).toBe('unknown-window');
    expect(code(e.window('1', cmd('pause'), at(1)))).toBe('wrong-state');
    expect(code(e.window('1', cmd('resume'), at(1)))).toBe('wrong-state');
    expect(code(e.window('1', cmd('close'), at(1)))).toBe('wrong-state');
    expect(store.events.length).toBe(before);
    e.window('1', cmd('open'), at(2));
    expect(code(e.window('1', cmd('open'), at(2)))).toBe('wrong-state');
    expect(code(e.window('1', cmd('complete'), at(3)))).toBe('wrong-state');
    expect(code(e.window('1', cmd('call', { ticket: 'A999' }), at(3)))).toBe('unknown-ticket');
    expect(code(e.window('1', cmd('call', { ticket: 'C001' }), at(3)))).toBe('unknown-ticket');
    e.window('1', cmd('call-next'), at(4));
    expect(code(e.window('1', cmd('call-next'), at(5)))).toBe('wrong-state');
    expect(code(e.window('1', cmd('complete'), at(5)))).toBe('wrong-state');
    expect(code(e.window('1', cmd('close'), at(5)))).toBe('wrong-state');
    expect(code(e.window('1', cmd('transfer', { service: 'nope' }), at(5)))).toBe('unknown-service');
    expect(code(e.window('1', cmd('transfer', { service: 'registration' }), at(5)))).toBe('wrong-state');
    expect(e.ticketStatus(DAY, 'A001')?.state).toBe('called');
    expect(e.window('1', cmd('call-next'), at(6))).toMatchObject({ ok: false });
    // an empty queue answers ok with ticket null
    e.window('1', cmd('no-show'), at(7));
    expect(e.window('1', cmd('call-next'), at(8))).toEqual(expect.objectContaining({ ok: true, ticket: null }));
    expect(e.ticketStatus(DAY, 'A001')?.state).toBe('no-show');
  });

  it('pauses and resumes; a paused window calls nobody', () => {
    const e = new HallEngine({ hall });
    ticket(e);
    e.window('3', cmd('open'), at(1));
    expect(code(e.window('3', cmd('pause'), at(2)))).toBe('ok');
    expect(e.windowState('3', at(3)).status).toBe('paused');
    expect(code(e.window('3', cmd('call-next'), at(3)))).toBe('window-closed');
    expect(code(e.window('3', cmd('resume'), at(4)))).toBe('ok');
    expect(e.window('3', cmd('call-next'), at(5))).toMatchObject({ ticket: { no: 'A001' } });
  });

  it('parks a ticket and calls it later by name; calls out of order by name', () => {
    const e = new HallEngine({ hall });
    ticket(e); ticket(e); ticket(e);
    e.window('1', cmd('open'), at(1));
    e.window('1', cmd('call-next'), at(2));
    e.window('1', cmd('start'), at(3));
    expect(e.window('1', cmd('park'), at(4))).toMatchObject({ ok: true, ticket: { no: 'A001' } });
    expect(e.ticketStatus(DAY, 'A001')?.state).toBe('parked');
    expect(e.window('1', cmd('call', { ticket: 'A003' }), at(5))).toMatchObject({ ok: true, ticket: { no: 'A003' } });
    e.window('1', cmd('no-show'), at(6));
    expect(e.window('1', cmd('call', { ticket: 'A001' }), at(7))).toMatchObject({ ok: true, ticket: { no: 'A001' } });
    expect(code(e.window('6', cmd('open'), at(8)))).toBe('ok');
    expect(code(e.window('6', cmd('call', { ticket: 'A003' }), at(8)))).toBe('wrong-state');
    // window 11 takes discharge and payment only
    e.window('11', cmd('open'), at(8));
    expect(code(e.window('11', cmd('call', { ticket: 'A002' }), at(9)))).toBe('not-allowed');
  });

  it('transfers a ticket to another service keeping its place by issue time', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    const a = ticket(e, 'registration', 0);
    ticket(e, 'payment', 10); ticket(e, 'payment', 20);
    e.window('1', cmd('open'), at(30));
    e.window('1', cmd('call-next'), at(31));
    expect(e.window('1', cmd('transfer', { service: 'payment' }), at(32))).toMatchObject({ ok: true, ticket: { no: a, service: 'payment' } });
    expect(e.ticketStatus(DAY, a)).toMatchObject({ state: 'waiting', service: 'payment', ahead: 0 });
    expect(e.ticketStatus(DAY, 'B001')).toMatchObject({ ahead: 1 });
    e.window('6', cmd('open'), at(33));
    expect(e.window('6', cmd('call-next'), at(34))).toMatchObject({ ticket: { no: a, service: 'payment' } });
  });

  it('serves priority tickets in the hall ratio (two ordinary, then one priority)', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    for (let i = 0; i < 4; i++) ticket(e, 'registration', i);
    for (let i = 0; i < 2; i++) ticket(e, 'registration', 10 + i, true);
    e.window('1', cmd('open'), at(20));
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = e.window('1', cmd('call-next'), at(21 + i * 3));
      order.push((r as { ticket: { no: string } }).ticket.no);
      e.window('1', cmd('start'), at(22 + i * 3));
      e.window('1', cmd('complete'), at(23 + i * 3));
    }
    expect(order).toEqual(['A001', 'A002', 'A005', 'A003', 'A004', 'A006']);
  });

  it('refuses tickets outside the service hours and unknown services', () => {
    const e = new HallEngine({ hall });
    const early = localToMs(DAY, 7 * 3600, TZ);
    expect(code(e.kiosk('k1', { op: 'ticket', id: id(), service: 'registration' }, early))).toBe('service-closed');
    expect(code(e.kiosk('k1', { op: 'ticket', id: id(), service: 'discharge' }, localToMs(DAY, 7 * 3600 + 45 * 60, TZ)))).toBe('service-closed');
    expect(code(e.kiosk('k1', { op: 'ticket', id: id(), service: 'nope' }, at()))).toBe('unknown-service');
  });
});

describe('ratings', () => {
  function served(e: HallEngine): void {
    ticket(e);
    e.window('1', cmd('open', { staff: 's002' }), at(1));
    e.window('1', cmd('call-next'), at(2));
    e.window('1', cmd('start'), at(3));
  }
  it('accepts one rating, from the serving window, within the rating window', () => {
    const store = new MemoryStore();
    const e = new HallEngine({ hall, store });
    served(e);
    expect(code(e.rate('1', { id: id(), ticket: 'A001', score: 'satisfied' }, at(4)))).toBe('not-allowed'); // not complete yet
    e.window('1', cmd('complete'), at(10));
    e.window('2', cmd('open'), at(10));
    expect(code(e.rate('2', { id: id(), ticket: 'A001', score: 'satisfied' }, at(11)))).toBe('not-allowed');
    expect(code(e.rate('1', { id: id(), ticket: 'A404', score: 'satisfied' }, at(11)))).toBe('unknown-ticket');
    expect(code(e.rate('1', { id: id(), ticket: 'A001', score: 'unsatisfied', reason: 'rude' }, at(11)))).toBe('bad-request');
    expect(code(e.rate('1', { id: id(), ticket: 'A001', score: 'unsatisfied', reason: 'slow' }, at(12)))).toBe('ok');
    expect(code(e.rate('1', { id: id(), ticket: 'A001', score: 'satisfied' }, at(13)))).toBe('rating-closed');
    const r = store.events.filter((x) => x.kind === 'rating');
    expect(r).toEqual([expect.objectContaining({ ticket: 'A001', window: '1', staff: 's002', score: 'unsatisfied', reason: 'slow' })]);
    expect(e.windowState('1', at(14)).rating).toBe('idle');
  });
  it('accepts a low score without a reason, and closes after rating.windowS', () => {
    const e = new HallEngine({ hall });
    served(e);
    e.window('1', cmd('complete'), at(10));
    expect(code(e.rate('1', { id: id(), ticket: 'A001', score: 'very-unsatisfied' }, at(11)))).toBe('ok');
    const e2 = new HallEngine({ hall });
    served(e2);
    e2.window('1', cmd('complete'), at(10));
    expect(code(e2.rate('1', { id: id(), ticket: 'A001', score: 'basic' }, at(10 + hall.rating.windowS + 1)))).toBe('rating-closed');
    const changed: string[] = [];
    e2.onWindow((w) => changed.push(w));
    e2.tick(at(10 + hall.rating.windowS + 1));
    expect(changed).toEqual(['1']);
    expect(e2.windowState('1', at(10 + hall.rating.windowS + 1)).rating).toBe('idle');
  });
});

describe('numbering, days and alerts', () => {
  it('restarts numbering each service day in the hall time zone', () => {
    const clock = new VirtualClock(localToMs(DAY, 16 * 3600, TZ));
    const e = new HallEngine({ hall, clock });
    const issue = () => (e.kiosk('k1', { op: 'ticket', id: id(), service: 'registration' }) as { ticket: { no: string; day: string } }).ticket;
    expect(issue()).toMatchObject({ no: 'A001', day: DAY });
    expect(issue().no).toBe('A002');
    // 23:59 local is still the same day; 00:00 local (16:00 UTC) the next
    clock.set(localToMs(DAY, 23 * 3600 + 59 * 60, TZ));
    expect(code(e.kiosk('k1', { op: 'ticket', id: id(), service: 'registration' }))).toBe('service-closed');
    const changed: string[] = [];
    e.onWindow((w) => changed.push(w));
    clock.set(localToMs('2026-11-27', 8 * 3600, TZ));
    e.tick();
    expect(changed.length).toBe(hall.windows.length); // every window's state is republished on a new day
    expect(issue()).toMatchObject({ no: 'A001', day: '2026-11-27' });
    expect(e.ticketStatus(DAY, 'A001')).toBeNull();
    expect(e.ticketStatus('2026-11-27', 'A001')).toMatchObject({ state: 'waiting' });
  });

  it('raises a wait-over-limit alert once per ticket and clears it when called', () => {
    const e = new HallEngine({ hall });
    const alerts: Alert[] = [];
    e.onAlert((a) => alerts.push(a));
    ticket(e, 'registration', 0);
    e.tick(at(hall.services[0]!.waitLimitS - 1));
    expect(alerts).toEqual([]);
    e.tick(at(hall.services[0]!.waitLimitS + 1));
    e.tick(at(hall.services[0]!.waitLimitS + 2));
    expect(alerts).toEqual([expect.objectContaining({ kind: 'wait-over-limit', state: 'raised', subject: 'A001', service: 'registration' })]);
    e.window('4', cmd('open'), at(1000));
    e.window('4', cmd('call-next'), at(1001));
    expect(alerts[1]).toMatchObject({ id: alerts[0]!.id, state: 'cleared', window: '4' });
  });
});

describe('kiosk blocks and offline handover', () => {
  it('reserves a block that online numbering skips, files handovers by issue time, idempotently', () => {
    const e = new HallEngine({ hall });
    ticket(e, 'registration', 0); // A001
    const r = e.kiosk('k2', { op: 'reserve', id: id(), service: 'registration', count: 3 }, at(1)) as KioskReply & { block: { numbers: string[] } };
    expect(r.block).toEqual({ service: 'registration', day: DAY, numbers: ['A002', 'A003', 'A004'] });
    expect(ticket(e, 'registration', 2)).toBe('A005');
    const iso = (s: number) => new Date(at(s)).toISOString();
    const h = (no: string, s: number, kiosk = 'k2') =>
      e.kiosk(kiosk, { op: 'handover', id: id(), service: 'registration', offline: { no, issuedAt: iso(s) } }, at(100));
    expect(code(h('A003', 1.5, 'k1'))).toBe('not-allowed'); // another kiosk's block
    expect(code(h('A005', 1.5))).toBe('not-allowed'); // not a block number
    expect(h('A003', 1.5)).toMatchObject({ ok: true, ticket: { no: 'A003', ahead: 1 } });
    expect(h('A003', 1.5)).toMatchObject({ ok: true, ticket: { no: 'A003' } }); // idempotent
    expect(e.model.queues.get('registration')!.map((t) => t.no)).toEqual(['A001', 'A003', 'A005']);
  });
});

describe('store failure', () => {
  it('answers internal and changes nothing when the store cannot write', () => {
    const store = new MemoryStore();
    const e = new HallEngine({ hall, store });
    store.failNext = true;
    expect(code(e.kiosk('k1', { op: 'ticket', id: id(), service: 'registration' }, at()))).toBe('internal');
    expect(ticket(e)).toBe('A001');
  });
});
