// Kiosk requests and ratings at the engine, every branch: numbers to the last one
// of a day, blocks, offline handovers (each reason a handover is refused, with
// its words), closed services naming their hours, appointments and priority on
// the stored event, and each way a rating is refused. A fresh engine per test.
import { describe, expect, it } from 'vitest';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { MemoryStore } from '../../firmware/eventlog/store.ts';
import type { HallEvent } from '../../firmware/eventlog/schema.ts';
import { localToMs } from '../../firmware/lib/time.ts';
import { at, DAY, hall, TZ } from './helpers.ts';

let n = 0;
const id = () => `q${++n}`;
const engine = () => { const store = new MemoryStore(); return { store, e: new HallEngine({ hall, store, policy: 'dedicated' }) }; };
const iso = (ms: number) => new Date(ms).toISOString();
const err = (code: string, message: string) => ({ ok: false, error: { code, message } });

describe('numbers and blocks', () => {
  it('gives numbers up to 99999 a day, blocks included, then refuses with block-exhausted', () => {
    const { e } = engine();
    for (let i = 0; i < 499; i++) expect(e.kiosk('k1', { op: 'reserve', id: id(), service: 'payment', count: 200 }, at(1)).ok).toBe(true); // B001–B99800
    expect(e.kiosk('k1', { op: 'reserve', id: 'too-many', service: 'payment', count: 200 }, at(2))).toMatchObject({ id: 'too-many', ...err('block-exhausted', 'no numbers left today for payment') });
    const last = e.kiosk('k1', { op: 'reserve', id: id(), service: 'payment', count: 199 }, at(2)) as { block: { numbers: string[] } };
    expect(last.block.numbers.at(0)).toBe('B99801');
    expect(last.block.numbers.at(-1)).toBe('B99999');
    expect(e.kiosk('k1', { op: 'ticket', id: 'one-more', service: 'payment' }, at(3))).toMatchObject(err('block-exhausted', 'no numbers left today for payment'));
    expect(e.kiosk('k1', { op: 'reserve', id: id(), service: 'payment', count: 1 }, at(3))).toMatchObject(err('block-exhausted', 'no numbers left today for payment'));
    // other services are not affected
    expect(e.kiosk('k1', { op: 'ticket', id: id(), service: 'registration' }, at(3))).toMatchObject({ ok: true, ticket: { no: 'A001' } });
  });

  it('the 99999th online ticket is given, the next is not', () => {
    const { e } = engine();
    for (let i = 0; i < 499; i++) e.kiosk('k1', { op: 'reserve', id: id(), service: 'payment', count: 200 }, at(1));
    e.kiosk('k1', { op: 'reserve', id: id(), service: 'payment', count: 198 }, at(1)); // up to B99998
    expect(e.kiosk('k1', { op: 'ticket', id: id(), service: 'payment' }, at(2))).toMatchObject({ ok: true, ticket: { no: 'B99999' } });
    expect(e.kiosk('k1', { op: 'ticket', id: id(), service: 'payment' }, at(3))).toMatchObject(err('block-exhausted', 'no numbers left today for payment'));
  });

  it('refuses an unknown service, and a closed one naming its hours', () => {
    const { e } = engine();
    expect(e.kiosk('k1', { op: 'ticket', id: 'u', service: 'x-ray' }, at(0))).toEqual({ id: 'u', ...err('unknown-service', 'no service x-ray in this hall') });
    expect(e.kiosk('k1', { op: 'reserve', id: 'u2', service: 'x-ray', count: 3 }, at(0))).toEqual({ id: 'u2', ...err('unknown-service', 'no service x-ray in this hall') });
    const lunch = localToMs(DAY, 12 * 3600 + 30 * 60, TZ);
    expect(e.kiosk('k1', { op: 'ticket', id: 'c', service: 'enquiry' }, lunch)).toEqual({ id: 'c', ...err('service-closed', 'enquiry takes tickets 08:00–12:00, 13:30–17:00') });
    const night = localToMs(DAY, 20 * 3600, TZ);
    expect(e.kiosk('k1', { op: 'ticket', id: 'c2', service: 'payment' }, night)).toEqual({ id: 'c2', ...err('service-closed', 'payment takes tickets 07:30–17:00') });
  });

  it('stores priority and the appointment with the ticket', () => {
    const { e, store } = engine();
    e.kiosk('k3', { op: 'ticket', id: id(), service: 'payment', priority: 'priority', appointment: 'AP-9' }, at(5));
    e.kiosk('k3', { op: 'ticket', id: id(), service: 'payment', priority: 'normal' }, at(6));
    e.kiosk('k3', { op: 'ticket', id: id(), service: 'payment' }, at(7));
    const issued = store.events.filter((x): x is Extract<HallEvent, { kind: 'ticket-issued' }> => x.kind === 'ticket-issued');
    expect(issued.map((x) => [x.ticket, x.priority, x.appointment, x.kiosk, x.arrivedAt])).toEqual([
      ['B001', true, 'AP-9', 'k3', at(5)], ['B002', false, undefined, 'k3', at(6)], ['B003', false, undefined, 'k3', at(7)],
    ]);
    expect('appointment' in issued[1]!).toBe(false);
    expect(e.model.tickets.get('B001')).toMatchObject({ priority: true, appointment: 'AP-9' });
  });
});

describe('offline handovers', () => {
  function withBlock() {
    const { e, store } = engine();
    e.kiosk('k2', { op: 'reserve', id: id(), service: 'payment', count: 5 }, at(0)); // B001–B005
    const hand = (no: string, issued: number, over: { kiosk?: string; service?: string; priority?: 'priority'; appointment?: string; now?: number } = {}) =>
      e.kiosk(over.kiosk ?? 'k2', {
        op: 'handover', id: id(), service: over.service ?? 'payment', offline: { no, issuedAt: iso(issued) },
        ...(over.priority ? { priority: over.priority } : {}), ...(over.appointment ? { appointment: over.appointment } : {}),
      }, over.now ?? at(600));
    return { e, store, hand };
  }

  it('files a handed-over ticket by when it was issued, with its priority and appointment', () => {
    const { e, store, hand } = withBlock();
    e.kiosk('k1', { op: 'ticket', id: id(), service: 'payment' }, at(100)); // B006, online
    expect(hand('B002', at(100), { priority: 'priority', appointment: 'AP-1' })).toMatchObject({ ok: true, ticket: { no: 'B002', ahead: 1, priority: true } }); // same second as B006: after it
    expect(hand('B001', at(50))).toMatchObject({ ok: true, ticket: { no: 'B001', ahead: 0 } });
    expect(e.model.queues.get('payment')!.map((t) => t.no)).toEqual(['B001', 'B006', 'B002']);
    const ev = store.events.find((x) => x.kind === 'ticket-issued' && x.ticket === 'B002')!;
    expect(ev).toMatchObject({ offline: true, priority: true, appointment: 'AP-1', kiosk: 'k2', arrivedAt: at(100), at: at(600) });
    expect('appointment' in store.events.find((x) => x.kind === 'ticket-issued' && x.ticket === 'B001')!).toBe(false);
  });

  it('answers a repeated handover with the ticket as it is now, even after it moved on', () => {
    const { e, store, hand } = withBlock();
    hand('B003', at(10));
    e.window('6', { id: 'o', action: 'open' }, at(20));
    e.window('6', { id: 'c', action: 'call', ticket: 'B003' }, at(30));
    e.window('6', { id: 't', action: 'transfer', service: 'registration' }, at(40));
    const n = store.events.length;
    expect(hand('B003', at(10))).toMatchObject({ ok: true, ticket: { no: 'B003', service: 'registration' } });
    expect(store.events.length).toBe(n);
  });

  it('refuses each handover that is not this kiosk\'s, with its reason', () => {
    const { e, hand } = withBlock();
    e.kiosk('k1', { op: 'ticket', id: id(), service: 'payment' }, at(1)); // B006 online
    expect(hand('B006', at(1))).toMatchObject(err('not-allowed', 'B006 is already another ticket today'));
    hand('B004', at(2));
    expect(hand('B004', at(2), { kiosk: 'k9' })).toMatchObject(err('not-allowed', 'B004 is already another ticket today'));
    expect(hand('B005', at(2), { kiosk: 'k9' })).toMatchObject(err('not-allowed', 'B005 is not in a block of payment reserved by kiosk k9 today'));
    expect(hand('B005', at(2), { service: 'registration' })).toMatchObject(err('not-allowed', 'B005 is not in a block of registration reserved by kiosk k2 today'));
    expect(hand('B099', at(2))).toMatchObject(err('not-allowed', 'B099 is not in a block of payment reserved by kiosk k2 today'));
    expect(hand('B005', at(2) - 86_400_000)).toMatchObject(err('not-allowed', 'B005 was issued on another service day'));
    expect(hand('B005', at(600) + 300_001)).toMatchObject(err('bad-request', 'offline.issuedAt is in the future'));
    expect(hand('B005', at(600) + 300_000)).toMatchObject({ ok: true }); // five minutes of clock drift is allowed
  });
});

describe('ratings refused', () => {
  it('names what is wrong: window, reason, ticket, server, already rated, too late', () => {
    const { e } = engine();
    e.kiosk('k1', { op: 'ticket', id: id(), service: 'registration' }, at(0));
    e.window('1', { id: 'o', action: 'open' }, at(1));
    e.window('1', { id: 'c', action: 'call-next' }, at(2));
    expect(e.rate('99', { id: 'r', ticket: 'A001', score: 'basic' }, at(3))).toMatchObject(err('unknown-window', 'no window 99 in this hall'));
    expect(e.rate('1', { id: 'r', ticket: 'A001', score: 'basic', reason: 'rude' }, at(3))).toMatchObject(err('bad-request', 'reason rude is not one of slow, attitude, unclear, sent-away, other'));
    expect(e.rate('1', { id: 'r', ticket: 'A404', score: 'basic' }, at(3))).toMatchObject(err('unknown-ticket', 'no ticket A404 today'));
    expect(e.rate('1', { id: 'r', ticket: 'A001', score: 'basic' }, at(3))).toMatchObject(err('not-allowed', 'window 1 did not serve A001')); // not done yet
    e.window('1', { id: 's', action: 'start' }, at(4));
    e.window('1', { id: 'd', action: 'complete' }, at(5));
    expect(e.rate('2', { id: 'r', ticket: 'A001', score: 'basic' }, at(6))).toMatchObject(err('not-allowed', 'window 2 did not serve A001'));
    expect(e.rate('1', { id: 'late', ticket: 'A001', score: 'basic' }, at(5 + hall.rating.windowS) + 1)).toMatchObject(err('rating-closed', 'the rating window for A001 is over'));
    expect(e.rate('1', { id: 'edge', ticket: 'A001', score: 'basic', reason: 'slow' }, at(5 + hall.rating.windowS))).toEqual({ id: 'edge', ok: true, ticket: { no: 'A001', service: 'registration' } });
    expect(e.rate('1', { id: 'again', ticket: 'A001', score: 'satisfied' }, at(6))).toMatchObject(err('rating-closed', 'A001 is already rated'));
  });

  it('stores the staff member who served, and the reason only when there is one', () => {
    const { e, store } = engine();
    e.kiosk('k1', { op: 'ticket', id: id(), service: 'registration' }, at(0));
    e.window('1', { id: 'o', action: 'open', staff: 's003' }, at(1));
    for (const [i, a] of (['call-next', 'start', 'complete'] as const).entries()) e.window('1', { id: `a${i}`, action: a }, at(2 + i));
    e.rate('1', { id: 'r', ticket: 'A001', score: 'very-satisfied' }, at(10));
    const r = store.events.find((x) => x.kind === 'rating')!;
    expect(r).toEqual({ at: at(10), day: DAY, kind: 'rating', ticket: 'A001', service: 'registration', window: '1', score: 'very-satisfied', staff: 's003' });
  });
});

describe('the engine\'s small API', () => {
  it('names its hall and policy, swaps the policy, and tells listeners of events and changes until they unsubscribe', () => {
    const { e } = engine();
    expect(e.hall.hall.id).toBe(hall.hall.id);
    expect(e.policyName).toBe('dedicated');
    e.setPolicy('default');
    expect(e.policyName).toBe('default');
    expect(() => e.setPolicy('coin-toss')).toThrow(/unknown routing policy coin-toss/);
    const events: string[] = [];
    let changes = 0;
    const offEvent = e.onEvent((x) => events.push(x.kind));
    const offChange = e.onChange(() => { changes++; });
    e.kiosk('k1', { op: 'ticket', id: id(), service: 'registration' }, at(0));
    expect(events).toEqual(['ticket-issued']);
    expect(changes).toBe(1);
    offEvent();
    offChange();
    e.kiosk('k1', { op: 'ticket', id: id(), service: 'registration' }, at(1));
    expect(events).toEqual(['ticket-issued']);
    expect(changes).toBe(1);
    // a reply without a ticket has no ticket field at all
    expect(e.window('1', { id: 'o', action: 'open' }, at(2))).toEqual({ id: 'o', ok: true });
  });
});
