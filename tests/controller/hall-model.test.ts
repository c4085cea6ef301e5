// Rules of the hall model and engine that the routing and the screens rely on:
// turns owed to a citizen at risk who was passed over, service-time priors from
// the hall's recorded days, service hours to the second, numbers never given
// twice, the day following the clock, ticks that change nothing notify nobody,
// a wait alert stored before it counts, the overflow windows' wait in the advice,
// and a routing policy's pick checked before it is called. One engine per case.
import { describe, expect, it } from 'vitest';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { HallModel } from '../../firmware/controller/state.ts';
import { MemoryStore } from '../../firmware/eventlog/store.ts';
import type { HallEvent } from '../../firmware/eventlog/schema.ts';
import { isoLocal, localToMs } from '../../firmware/lib/time.ts';
import { registerPolicy, type QueuedTicket, type RoutingWindow } from '../../firmware/routing/index.ts';
import type { KioskRequest, WindowCommand } from '../../firmware/protocol/messages.ts';
import { at, DAY, hall, TZ } from './helpers.ts';

let n = 0;
const id = () => `r${++n}`;
function engine(opts: Partial<Omit<ConstructorParameters<typeof HallEngine>[0], 'store'>> = {}) {
  const store = new MemoryStore();
  const e = new HallEngine({ hall, policy: 'dedicated', ...opts, store });
  const ticket = (service: string, s: number, more: Partial<KioskRequest> = {}) => {
    const r = e.kiosk('k1', { op: 'ticket', id: id(), service, ...more } as KioskRequest, at(s));
    if (!r.ok) throw new Error(`${service}: ${r.error.message}`);
    return r.ticket!.no;
  };
  const cmd = (w: string, action: WindowCommand['action'], s: number, more: Partial<WindowCommand> = {}) => {
    const r = e.window(w, { id: id(), action, ...more } as WindowCommand, at(s));
    if (!r.ok) throw new Error(`${w} ${action}: ${r.error.message}`);
    return r;
  };
  return { e, store, ticket, cmd, owed: () => Object.fromEntries(e.model.passedOver) };
}

/** Window 15 opens at 0, `tickets` are issued in order (service, second), then it calls the `called`-th at `callAtS`: the turns owed after. */
function owedAfterCall(tickets: Array<[service: string, atS: number]>, called: number, callAtS = 600) {
  const h = engine();
  h.cmd('15', 'open', 0);
  const nos = tickets.map(([service, s]) => h.ticket(service, s));
  h.cmd('15', 'call', callAtS, { ticket: nos[called] });
  return h.owed();
}

describe('turns owed to a service whose citizen at risk was passed over', () => {
  // Window 15 owns payment and takes discharge and enquiry as overflow; all limits are 900 s (at risk from 450 s).
  const limit = hall.services.find((s) => s.id === 'enquiry')!.waitLimitS;
  it('counts from half the wait limit up to the limit itself, not before, not after', () => {
    expect(hall.windows.find((w) => w.id === '15')).toMatchObject({ own: ['payment'], overflow: ['discharge', 'enquiry'] });
    expect(limit).toBe(900);
    const passedAt = (s: number) => owedAfterCall([['enquiry', 0], ['payment', 10]], 1, s);
    expect(passedAt(449)).toEqual({});
    expect(passedAt(450)).toEqual({ enquiry: 1 });
    expect(passedAt(900)).toEqual({ enquiry: 1 });
    expect(passedAt(901)).toEqual({});
  });

  it('counts only the longest-waiting such citizen, of another service, who came earlier', () => {
    expect(owedAfterCall([['enquiry', 0], ['discharge', 5], ['payment', 10]], 2)).toEqual({ enquiry: 1 });
    // of two who came at the same moment, the first service the window lists (discharge before enquiry)
    expect(owedAfterCall([['enquiry', 0], ['discharge', 0], ['payment', 10]], 2)).toEqual({ discharge: 1 });
    // one who came later, or at the same moment, was not passed over
    expect(owedAfterCall([['payment', 0], ['enquiry', 0], ['discharge', 1]], 0)).toEqual({});
    // the same service's own earlier citizen is the queue's business, not a service's turn
    expect(owedAfterCall([['payment', 0], ['payment', 10]], 1)).toEqual({});
  });

  it('gives a turn back when the owed service is called in first-come order, never below zero', () => {
    const h = engine();
    h.cmd('15', 'open', 0);
    h.cmd('16', 'open', 0);
    h.cmd('13', 'open', 0);
    h.ticket('enquiry', 0); // D001
    h.ticket('enquiry', 1); // D002
    const b = h.ticket('payment', 10);
    h.cmd('15', 'call', 600, { ticket: b });
    expect(h.owed()).toEqual({ enquiry: 1 });
    h.cmd('16', 'call', 601, { ticket: 'D001' }); // the owed one, first come: the turn is given back
    expect(h.owed()).toEqual({ enquiry: 0 });
    h.cmd('13', 'call-next', 602); // D002 in order, nothing owed: stays at zero
    expect(h.owed()).toEqual({ enquiry: 0 });
  });

  it('does not count a recall, nor a parked ticket called again', () => {
    const h = engine();
    h.cmd('15', 'open', 0);
    h.ticket('enquiry', 0);
    const b = h.ticket('payment', 10);
    h.cmd('15', 'call', 100, { ticket: b });
    h.cmd('15', 'park', 101);
    h.cmd('15', 'call', 600, { ticket: b }); // parked, called by number while D001 is at risk
    h.cmd('15', 'recall', 601);
    expect(h.owed()).toEqual({});
  });
});

describe('service-time priors from the hall\'s recorded days', () => {
  /** A table of recorded means: `by[service]` per hour, or none; records each question. */
  function table(by: Record<string, (hour: number) => number | undefined>) {
    const asked: Array<[string, number, number]> = [];
    const t = {
      version: 1 as number | undefined,
      meanS(service: string, weekday: number, hour: number) { asked.push([service, weekday, hour]); return by[service]?.(hour); },
    };
    return { t, asked };
  }
  const mean = (e: HallEngine, s: string) => e.model.routingServices.get(s)!.meanServiceS;

  it('takes the recorded mean of this weekday and hour as the prior, the configured time where none is recorded', () => {
    const { t, asked } = table({ registration: (h) => 40 + h });
    const { e } = engine({ serviceTimes: t });
    e.tick(at(0)); // Thursday 08:00
    expect(new Date(at(0)).getUTCDay()).toBe(4);
    expect(asked).toEqual(hall.services.map((s) => [s.id, 4, 8]));
    expect(mean(e, 'registration')).toBe(48);
    expect(mean(e, 'payment')).toBe(hall.services[1]!.expectedServiceS);
  });

  it('asks again when the hour or the table changes, not on every tick', () => {
    const { t, asked } = table({ registration: (h) => 40 + h });
    const { e } = engine({ serviceTimes: t });
    e.tick(at(0));
    e.tick(at(1800)); // 08:30: the same hour
    expect(asked).toHaveLength(hall.services.length);
    t.version = 2; // the table was refilled
    e.tick(at(1801));
    expect(asked).toHaveLength(2 * hall.services.length);
    e.tick(at(3600)); // 09:00
    expect(asked.slice(-hall.services.length).map((a) => a[2])).toEqual(hall.services.map(() => 9));
    expect(mean(e, 'registration')).toBe(49);
    // a table without a version is asked once an hour
    const plain = table({ registration: () => 60 });
    delete plain.t.version;
    const p = engine({ serviceTimes: plain.t });
    p.e.tick(at(0));
    p.e.tick(at(10));
    expect(plain.asked).toHaveLength(hall.services.length);
    expect(mean(p.e, 'registration')).toBe(60);
  });

  it('uses the recorded mean in the hour after midnight too (hour 0)', () => {
    const { t, asked } = table({ registration: (h) => (h === 0 ? 70 : undefined) });
    const m = new HallModel(hall, t);
    m.startDay(DAY);
    m.refreshPriors(localToMs(DAY, 1800, TZ)); // 00:30
    expect(asked[0]).toEqual(['registration', 4, 0]);
    expect(m.routingServices.get('registration')!.meanServiceS).toBe(70);
    expect(m.priorServiceS('registration')).toBe(70);
  });

  it('on a new day asks for that weekday, even at the hour it last asked', () => {
    const { t, asked } = table({ registration: () => 50 });
    const { e } = engine({ serviceTimes: t });
    e.tick(localToMs(DAY, 3600, TZ)); // Thursday 01:00
    e.tick(localToMs('2026-11-27', 3600, TZ)); // Friday 01:00
    expect(asked.slice(-hall.services.length)).toEqual(hall.services.map((s) => [s.id, 5, 1]));
  });

  it('blends today\'s services with the prior (worth three); events replayed before any hour is set use the configured time', () => {
    const { t } = table({ registration: () => 100 });
    const { e, cmd, ticket } = engine({ serviceTimes: t });
    ticket('registration', 0);
    cmd('1', 'open', 1);
    cmd('1', 'call-next', 2);
    cmd('1', 'start', 3);
    cmd('1', 'complete', 23);
    expect(mean(e, 'registration')).toBe((100 * 3 + 20) / 4);
    // a model fed the same events without a clock (a replay) has no hour yet: the configured prior
    const m = new HallModel(hall, t);
    for (const ev of e.store.resumeEvents()) m.apply(ev);
    expect(m.routingServices.get('registration')!.meanServiceS).toBe((32 * 3 + 20) / 4);
  });

  it('reports a service nobody served as none, and an unknown one as none', () => {
    const m = new HallModel(hall);
    m.startDay(DAY);
    expect(m.servedToday('payment')).toEqual({ count: 0, meanS: 0 });
    expect(m.servedToday('x-ray')).toEqual({ count: 0, meanS: 0 });
  });
});

describe('hours, numbers and days', () => {
  const sec = (h: number, m = 0, s = 0) => h * 3600 + m * 60 + s;
  it('a service takes tickets from its opening minute until just before its closing one; others follow the hall\'s hours', () => {
    const m = new HallModel(hall);
    expect(m.isOpen('registration', sec(7, 29, 59))).toBe(false);
    expect(m.isOpen('registration', sec(7, 30))).toBe(true);
    expect(m.isOpen('registration', sec(16, 59, 59))).toBe(true);
    expect(m.isOpen('registration', sec(17))).toBe(false);
    expect(m.isOpen('enquiry', sec(11, 59, 59))).toBe(true);
    expect(m.isOpen('enquiry', sec(12))).toBe(false);
    expect(m.isOpen('enquiry', sec(13, 29))).toBe(false);
    expect(m.isOpen('enquiry', sec(13, 30))).toBe(true);
    expect(m.isOpen('x-ray', sec(7, 30))).toBe(true); // not one of the hall's: the hall's hours
  });

  it('never gives a number twice: a handover below the counter does not lower it', () => {
    const { e, ticket } = engine();
    const blk = e.kiosk('k1', { op: 'reserve', id: id(), service: 'registration', count: 3 }, at(0));
    expect(blk).toMatchObject({ ok: true, block: { numbers: ['A001', 'A002', 'A003'] } });
    expect(ticket('registration', 1)).toBe('A004');
    expect(e.kiosk('k1', { op: 'handover', id: id(), service: 'registration', offline: { no: 'A002', issuedAt: isoLocal(at(0), TZ) } }, at(2)).ok).toBe(true);
    expect(ticket('registration', 3)).toBe('A005');
    // an online ticket is not a handed-over one: its number cannot be handed over
    expect(e.kiosk('k1', { op: 'handover', id: 'h-again', service: 'registration', offline: { no: 'A004', issuedAt: isoLocal(at(1), TZ) } }, at(4)))
      .toEqual({ id: 'h-again', ok: false, error: { code: 'not-allowed', message: 'A004 is already another ticket today' } });
  });

  it('keeps equal places in arrival order when a handover is filed among them', () => {
    const { e, ticket } = engine();
    e.kiosk('k1', { op: 'reserve', id: id(), service: 'payment', count: 2 }, at(0)); // B001, B002
    ticket('payment', 10); // B003
    ticket('payment', 10); // B004, the same moment
    ticket('payment', 20); // B005
    e.kiosk('k1', { op: 'handover', id: id(), service: 'payment', offline: { no: 'B001', issuedAt: isoLocal(at(10), TZ) } }, at(30));
    expect(e.model.queues.get('payment')!.map((t) => t.no)).toEqual(['B003', 'B004', 'B001', 'B005']);
  });

  it('starts the next day at midnight exactly, and follows a clock set back', () => {
    const { e, ticket } = engine();
    ticket('registration', 0);
    const midnight = localToMs('2026-11-27', 0, TZ);
    e.tick(midnight - 1);
    expect(e.day).toBe(DAY);
    e.tick(midnight);
    expect(e.day).toBe('2026-11-27');
    e.tick(midnight - 1000); // the clock corrected back a second
    expect(e.day).toBe(DAY);
  });

  it('a new day tells every window and the listeners; the first day of a fresh engine is no change', () => {
    const { e, ticket } = engine();
    const windows: string[] = [];
    let changes = 0;
    e.onWindow((w) => windows.push(w));
    e.onChange(() => { changes++; });
    const v0 = e.version;
    ticket('registration', 0);
    expect(windows).toEqual([]);
    expect(changes).toBe(1);
    const v1 = e.version;
    expect(v1).toBeGreaterThan(v0);
    e.tick(localToMs('2026-11-27', 8 * 3600, TZ));
    expect(windows).toEqual(hall.windows.map((w) => w.id));
    expect(changes).toBe(2);
    expect(e.version).toBeGreaterThan(v1);
  });

  it('writes its local times with the zone\'s offset, +00:00 for UTC', () => {
    const london = new HallModel({ ...hall, hall: { ...hall.hall, timezone: 'Europe/London' } });
    london.startDay(DAY);
    expect(london.iso(localToMs(DAY, 9 * 3600, 'Europe/London'))).toBe(`${DAY}T09:00:00.000+00:00`);
  });

  it('writes an instant of another day with that day\'s offset, not today\'s (a clock change in between)', () => {
    const berlin = new HallModel({ ...hall, hall: { ...hall.hall, timezone: 'Europe/Berlin' } });
    berlin.startDay('2026-03-28'); // +01:00; from the 29th at 03:00, +02:00
    expect(berlin.iso(localToMs('2026-03-30', 12 * 3600, 'Europe/Berlin'))).toBe('2026-03-30T12:00:00.000+02:00');
    expect(berlin.iso(localToMs('2026-03-28', 12 * 3600, 'Europe/Berlin'))).toBe('2026-03-28T12:00:00.000+01:00');
    berlin.startDay('2026-03-31'); // +02:00
    expect(berlin.iso(localToMs('2026-03-27', 12 * 3600, 'Europe/Berlin'))).toBe('2026-03-27T12:00:00.000+01:00');
    expect(berlin.secondOfDay(localToMs('2026-03-27', 12 * 3600, 'Europe/Berlin'))).toBe(12 * 3600);
  });
});

describe('the overflow windows\' wait in the advice', () => {
  it('is the soonest an open overflow window clears its own queue, shared among that queue\'s open owners, plus the citizen it serves', () => {
    const { e, cmd, ticket } = engine();
    for (const w of ['1', '6', '7', '11']) cmd(w, 'open', 0); // 6 and 7 own payment and help registration; 11 does not help it
    for (let i = 0; i < 7; i++) ticket('payment', 1);
    cmd('6', 'call-next', 2);
    cmd('7', 'call-next', 2);
    for (let i = 0; i < 30; i++) ticket('registration', 3);
    // 6 and 7 each: the payment being served (75 s) + 5 waiting × 75 s ÷ 2 open owners = 262.5 s ≈ 4 min
    const adv = e.hallState(at(10)).advice.find((a) => a.service === 'registration')!;
    expect(adv.windows).toEqual(['6', '7']);
    expect(adv.text.en).toMatch(/^Registration: 30 waiting, about \d+ min; 1F windows 6, 7 also take registration, about 4 min$/);
    expect(Number(/about (\d+) min;/.exec(adv.text.en)![1])).toBeGreaterThan(4);
  });
});

describe('ticks', () => {
  it('change nothing and tell nobody when nothing is due', () => {
    const { e, ticket } = engine();
    ticket('registration', 0);
    let changes = 0;
    const windows: string[] = [];
    e.onChange(() => { changes++; });
    e.onWindow((w) => windows.push(w));
    const v = e.version;
    e.tick(at(5));
    e.tick(at(6));
    expect([changes, windows, e.version]).toEqual([0, [], v]);
  });

  it('stores a wait alert before it counts: a failed write is retried on the next tick', () => {
    const { e, store, ticket } = engine();
    ticket('registration', 0);
    const over = (hall.services[0]!.waitLimitS + 1);
    const alerts: unknown[] = [];
    e.onAlert((a) => alerts.push(a));
    store.failNext = true;
    e.tick(at(over));
    expect(store.events.filter((x) => x.kind === 'alert')).toEqual([]);
    expect(alerts).toEqual([]);
    expect(e.model.tickets.get('A001')!.alerted).toBe(false);
    e.tick(at(over + 1));
    expect(store.events.filter((x) => x.kind === 'alert')).toEqual([{
      at: at(over + 1), day: DAY, kind: 'alert', alert: `wait-over-limit/${DAY}/A001`, alertKind: 'wait-over-limit', state: 'raised', ticket: 'A001', service: 'registration',
    }]);
    expect(alerts).toHaveLength(1);
    const v = e.version;
    e.tick(at(over + 2));
    expect(alerts).toHaveLength(1);
    expect(e.version).toBe(v);
  });

  it('ends a pad\'s wait for a rating at rating.windowS exactly, telling the window and the listeners', () => {
    const { e, cmd, ticket } = engine();
    ticket('registration', 0);
    cmd('1', 'open', 1);
    cmd('1', 'call-next', 2);
    cmd('1', 'start', 3);
    cmd('1', 'complete', 4);
    const until = at(4) + hall.rating.windowS * 1000;
    const windows: string[] = [];
    let changes = 0;
    e.onWindow((w) => windows.push(w));
    e.onChange(() => { changes++; });
    e.tick(until - 1);
    expect(e.model.windows.get('1')!.ratingFor?.no).toBe('A001');
    expect([windows, changes]).toEqual([[], 0]);
    const v = e.version;
    e.tick(until);
    expect(e.model.windows.get('1')!.ratingFor).toBeNull();
    expect([windows, changes]).toEqual([['1'], 1]);
    expect(e.version).toBeGreaterThan(v);
  });
});

describe('replaying stored events', () => {
  it('takes a transfer stored without a window (the event log allows it): the ticket waits in its new service', () => {
    const m = new HallModel(hall);
    const base = { day: DAY, at: at(0) };
    m.apply({ ...base, kind: 'ticket-issued', ticket: 'A001', service: 'registration', priority: false, kiosk: 'k1', arrivedAt: at(0) } as HallEvent);
    m.apply({ ...base, at: at(5), kind: 'ticket-transferred', ticket: 'A001', from: 'registration', to: 'payment' } as HallEvent);
    expect(m.queues.get('payment')!.map((t) => t.no)).toEqual(['A001']);
    expect(m.tickets.get('A001')).toMatchObject({ service: 'payment', state: 'waiting' });
  });
});

describe('a rating', () => {
  it('ends the pad\'s wait at once: nothing more to tell the window when the rating time runs out', () => {
    const { e, cmd, ticket } = engine();
    ticket('registration', 0);
    for (const [i, a] of (['open', 'call-next', 'start', 'complete'] as const).entries()) cmd('1', a, 1 + i);
    expect(e.rate('1', { id: 'r', ticket: 'A001', score: 'satisfied' }, at(10)).ok).toBe(true);
    expect(e.model.windows.get('1')!.ratingFor).toBeNull();
    const windows: string[] = [];
    e.onWindow((w) => windows.push(w));
    e.tick(at(4) + hall.rating.windowS * 1000);
    expect(windows).toEqual([]);
  });
});

describe('the engine\'s answers', () => {
  it('names an unknown window, and answers ok without a ticket key when there is none', () => {
    const { e } = engine();
    expect(e.window('99', { id: 'x', action: 'open' }, at(0))).toEqual({ id: 'x', ok: false, error: { code: 'unknown-window', message: 'no window 99 in this hall' } });
    expect(e.window('1', { id: 'o', action: 'open' }, at(1))).toStrictEqual({ id: 'o', ok: true });
    expect(e.window('1', { id: 'c', action: 'call-next' }, at(2))).toStrictEqual({ id: 'c', ok: true, ticket: null });
  });

  it('says why a change could not be stored; a refusal, which stores nothing, is answered even then', () => {
    const { e, store } = engine();
    store.failNext = true;
    expect(e.kiosk('k1', { op: 'ticket', id: 'f', service: 'registration' }, at(0)))
      .toEqual({ id: 'f', ok: false, error: { code: 'internal', message: 'the controller could not store the change: simulated store failure' } });
    store.failNext = true;
    expect(e.kiosk('k1', { op: 'ticket', id: 'g', service: 'x-ray' }, at(1))).toMatchObject({ ok: false, error: { code: 'unknown-service' } });
    expect(store.failNext).toBe(true); // nothing was written
  });

  it('files a handed-over ticket as ordinary unless it was priority', () => {
    const { e } = engine();
    e.kiosk('k1', { op: 'reserve', id: id(), service: 'registration', count: 2 }, at(0));
    e.kiosk('k1', { op: 'handover', id: id(), service: 'registration', offline: { no: 'A001', issuedAt: isoLocal(at(0), TZ) } }, at(1));
    e.kiosk('k1', { op: 'handover', id: id(), service: 'registration', priority: 'priority', offline: { no: 'A002', issuedAt: isoLocal(at(0), TZ) } }, at(1));
    expect([e.model.tickets.get('A001')!.priority, e.model.tickets.get('A002')!.priority]).toEqual([false, true]);
  });

  it('shows when a ticket started only while it is being served (not once parked and called again)', () => {
    const { e, cmd, ticket } = engine();
    const a = ticket('registration', 0);
    cmd('1', 'open', 1);
    cmd('1', 'call-next', 2);
    cmd('1', 'start', 3);
    expect(e.windowState('1', at(4)).serving).toEqual({ no: a, service: 'registration', calledAt: isoLocal(at(2), TZ), startedAt: isoLocal(at(3), TZ) });
    cmd('1', 'park', 5);
    cmd('1', 'call', 6, { ticket: a });
    expect(e.windowState('1', at(7)).serving).toEqual({ no: a, service: 'registration', calledAt: isoLocal(at(6), TZ) });
  });
});

describe('a routing policy\'s pick is checked', () => {
  let pickNo: string | null = null;
  registerPolicy({ name: 'test-picks-what-it-is-told', pick: () => (pickNo ? { no: pickNo } as QueuedTicket : null) });
  it('calls only a waiting ticket the window serves, whatever the policy says', () => {
    const { e, cmd, ticket } = engine({ policy: 'test-picks-what-it-is-told' });
    const a = ticket('registration', 0);
    const c = ticket('discharge', 1);
    cmd('1', 'open', 2);
    cmd('2', 'open', 2);
    pickNo = 'A404'; // no such ticket
    expect(cmd('1', 'call-next', 3)).toEqual(expect.objectContaining({ ticket: null }));
    pickNo = c; // window 1 does not serve discharge
    expect(cmd('1', 'call-next', 4)).toEqual(expect.objectContaining({ ticket: null }));
    pickNo = a;
    expect(cmd('1', 'call-next', 5)).toEqual(expect.objectContaining({ ticket: { no: a, service: 'registration' } }));
    pickNo = a; // already called at window 1
    expect(cmd('2', 'call-next', 6)).toEqual(expect.objectContaining({ ticket: null }));
    expect(e.model.tickets.get(a)!.window).toBe('1');
  });

  it('asks idle windows that may serve a service in the policy\'s order, leaving out others and unknown ones', () => {
    registerPolicy({ name: 'test-reverse-order', pick: () => null, dispatchOrder: (ws: readonly RoutingWindow[]) => [...ws].reverse() });
    const plain = engine().e;
    expect(plain.dispatchOrder('registration', ['1', '11', '6', '99', '2'])).toEqual(['1', '6', '2']);
    expect(plain.dispatchOrder('discharge', ['15', '1', '11'])).toEqual(['15', '11']);
    const rev = engine({ policy: 'test-reverse-order' }).e;
    expect(rev.dispatchOrder('registration', ['1', '11', '6', '99', '2'])).toEqual(['2', '6', '1']);
  });
});

describe('advice on the ticket', () => {
  it('is given from the hall\'s queue length on (counting this ticket), not to one handed over near the front of a long queue', () => {
    const adviceAt = (issuedS: number) => {
      const { e, cmd, ticket } = engine();
      for (const w of ['1', '6', '7']) cmd(w, 'open', 0);
      e.kiosk('k1', { op: 'reserve', id: id(), service: 'registration', count: 1 }, at(0)); // A001
      for (let i = 0; i < 30; i++) ticket('registration', 100 + i);
      const r = e.kiosk('k1', { op: 'handover', id: id(), service: 'registration', offline: { no: 'A001', issuedAt: isoLocal(at(issuedS), TZ) } }, at(200));
      if (!r.ok) throw new Error(r.error.message);
      expect(r.ticket!.estWaitS).toBeLessThan(hall.thresholds.adviceWaitS);
      return [r.ticket!.ahead, r.ticket!.advice !== undefined];
    };
    expect(hall.thresholds.adviceQueueLength).toBe(25);
    expect(adviceAt(50)).toEqual([0, false]);
    expect(adviceAt(122)).toEqual([23, false]);
    expect(adviceAt(123)).toEqual([24, true]); // the 25th in the queue
    expect(adviceAt(124)).toEqual([25, true]);
  });
});
