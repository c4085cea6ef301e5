// The rules of the default policy (firmware/routing/tail-index.ts), each pinned
// on a hand-built hall state: the index's four factors, own first under
// pressure, the service guard, first come first served within a service, and
// where a new ticket goes.
import { describe, expect, it } from 'vitest';
import { defaultPolicy, getPolicy, tailIndexPolicy, type QueuedTicket, type RoutingContext, type RoutingWindow } from '../../firmware/routing/index.ts';
import { helpers, queueSlackS, serviceIndex, urgency, OVERFLOW_WEIGHT, URGENCY_POWER, MEAN_EXPONENT } from '../../firmware/routing/tail-index.ts';
import { countCall, AT_RISK } from '../../firmware/routing/guard-ledger.ts';

const NOW = 2_000_000_000;
const win = (id: string, own: string[], overflow: string[] = [], busy = true, status: RoutingWindow['status'] = 'open'): RoutingWindow =>
  ({ id, floor: '1F', own, overflow, status, busy });
const t = (no: string, service: string, waitedS: number, priority = false): QueuedTicket =>
  ({ no, service, priority, queuedAtMs: NOW - waitedS * 1000, arrivedAtMs: NOW - waitedS * 1000 });

function ctx(window: RoutingWindow, windows: RoutingWindow[], tickets: QueuedTicket[], means: Record<string, number> = {},
  extra: Partial<RoutingContext> = {}): RoutingContext {
  const services = new Map(['A', 'B', 'C'].map((id) => [id, { id, waitLimitS: 900, meanServiceS: means[id] ?? 60 }]));
  const queues = new Map<string, QueuedTicket[]>([...services.keys()].map((k) => [k, []]));
  for (const x of [...tickets].sort((a, b) => a.queuedAtMs - b.queuedAtMs)) queues.get(x.service)!.push(x);
  return { nowMs: NOW, window, windows, queues, services, ordinaryPerPriority: 2, ordinarySincePriority: new Map(), ...extra };
}
const P = { overflowWeight: OVERFLOW_WEIGHT, urgencyPower: URGENCY_POWER, meanExponent: MEAN_EXPONENT };
const many = (service: string, n: number, waitedS: number) => Array.from({ length: n }, (_, i) => t(`${service}${String(i).padStart(3, '0')}`, service, waitedS - i));

describe('the default policy: tail-first index', () => {
  const w = win('1', ['A'], ['B']);

  it('is the registered default', () => {
    expect(getPolicy('default')).toBe(defaultPolicy);
  });

  it('urgency rises steeply towards the limit and keeps rising past it', () => {
    expect(urgency(0, 2)).toBe(1);
    expect(urgency(0.5, 2)).toBeCloseTo(4, 9);
    expect(urgency(0.9, 2)).toBeCloseTo(100, 6);
    expect(urgency(0.95, 2)).toBeCloseTo(400, 6);
    expect(urgency(1.2, 2)).toBeGreaterThan(urgency(1, 2));
    expect(urgency(1, 2)).toBeGreaterThan(urgency(0.95, 2));
    // Continuous at the knee, and past it a straight line with the curve's slope there (2 × 400 ÷ 0.05).
    expect(urgency(0.95 + 1e-9, 2)).toBeCloseTo(urgency(0.95 - 1e-9, 2), 3);
    expect(urgency(0.97, 2)).toBeCloseTo(400 + 16_000 * 0.02, 6);
    expect(urgency(1.2, 2)).toBeCloseTo(400 + 16_000 * 0.25, 6);
  });

  it('scores a queue by the longest wait among its first eight places (a late handover may have arrived earlier)', () => {
    // Place order is issue order; a ticket handed over from another service keeps its arrival.
    const queue = (olderAt: number) => {
      const q = many('A', 10, 100);
      q[olderAt] = { ...q[olderAt]!, arrivedAtMs: NOW - 800_000 }; // queued in its place, arrived long before
      return ctx(w, [w], q);
    };
    const u = (waitedS: number) => (10 * urgency(waitedS / 900, 2)) / (1 * 60 ** 1.5);
    expect(serviceIndex(queue(7), 'A', P)).toBeCloseTo(u(800), 12); // 8th place: counted
    expect(serviceIndex(queue(8), 'A', P)).toBeCloseTo(u(100), 12); // 9th: not looked at
    expect(serviceIndex(queue(0), 'A', P)).toBeCloseTo(u(800), 12);
  });

  it('counts own windows fully and overflow windows at half, open ones only', () => {
    const ws = [win('1', ['A'], ['B']), win('2', ['B']), win('3', ['C'], ['B'], true, 'paused'), win('4', ['B'], [], true, 'closed')];
    expect(helpers(ws, 'B', OVERFLOW_WEIGHT)).toBe(1.5);
    expect(helpers(ws, 'C', OVERFLOW_WEIGHT)).toBe(0);
  });

  it('scores a service by queue length × urgency ÷ (helpers × mean service time^1.5)', () => {
    expect(MEAN_EXPONENT).toBe(1.5);
    const c = ctx(w, [w, win('2', ['B'])], [...many('A', 4, 450), t('B001', 'B', 0)], { A: 60, B: 120 });
    expect(serviceIndex(c, 'A', P)).toBeCloseTo((4 * urgency(0.5, 2)) / (1 * 60 ** 1.5), 12);
    expect(serviceIndex(c, 'B', P)).toBeCloseTo((1 * 1) / (1.5 * 120 ** 1.5), 12);
    // Max-weight's exponent 1 (the bench's reference) gives the plain ratio.
    expect(serviceIndex(c, 'B', { ...P, meanExponent: 1 })).toBeCloseTo(1 / (1.5 * 120), 12);
    expect(serviceIndex(c, 'C', P)).toBe(-Infinity);
  });

  it('takes the longer queue, the shorter errand, the service with fewer helpers, the more urgent one', () => {
    // Longer queue (same errand, same wait).
    expect(defaultPolicy.pick(ctx(w, [w], [...many('A', 2, 60), ...many('B', 3, 60)]))?.service).toBe('B');
    // Shorter errand.
    expect(defaultPolicy.pick(ctx(w, [w], [t('A1', 'A', 60), t('B1', 'B', 60)], { A: 200, B: 50 }))?.no).toBe('B1');
    // Fewer windows able to serve it: B has a second, own, window.
    const two = [w, win('2', ['B'])];
    expect(defaultPolicy.pick(ctx(w, two, [t('A1', 'A', 60), t('B1', 'B', 60)]))?.no).toBe('A1');
    // Urgency: the long errand's citizen near the limit overtakes a queue of short ones.
    const c = ctx(w, [w], [...many('A', 5, 120), t('B1', 'B', 870)], { A: 30, B: 300 });
    expect(defaultPolicy.pick(c)?.no).toBe('B1');
    expect(defaultPolicy.pick(ctx(w, [w], [...many('A', 5, 120), t('B1', 'B', 300)], { A: 30, B: 300 }))?.service).toBe('A');
    // The errand's length weighs more than max-weight's: 2 of 32 s go before 4 of 60 s (max-weight: 4/60 > 2/32).
    const both = win('1', ['A', 'B']);
    const shortPair = ctx(both, [both], [...many('A', 4, 60), ...many('B', 2, 60)], { A: 60, B: 32 });
    expect(defaultPolicy.pick(shortPair)?.service).toBe('B');
    expect(getPolicy('max-weight').pick(shortPair)?.service).toBe('A');
  });

  it('serves first come first served within a service, and priority in its ratio', () => {
    expect(defaultPolicy.pick(ctx(w, [w], [t('A2', 'A', 10), t('A1', 'A', 20)]))?.no).toBe('A1');
    const q = [t('A1', 'A', 100), t('A2', 'A', 90), t('A3', 'A', 10, true)];
    expect(defaultPolicy.pick(ctx(w, [w], q, {}, { ordinarySincePriority: new Map([['A', 2]]) }))?.no).toBe('A3');
  });

  it('keeps to its own queue under pressure: an overflow errand only while the own queue has the slack for it', () => {
    // Own queue A: 3 citizens who waited 700 s, one window: slack 900 − 700 − 3 × 60 = 20 s < B's 120 s errand.
    const tight = ctx(w, [w], [...many('A', 3, 700), ...many('B', 8, 800)], { A: 60, B: 120 });
    expect(queueSlackS(tight, 'A', OVERFLOW_WEIGHT)).toBeCloseTo(900 - 698 - 3 * 60, 6);
    expect(defaultPolicy.pick(tight)?.service).toBe('A');
    // Plenty of slack: the overflow queue's index wins.
    const calm = ctx(w, [w], [t('A1', 'A', 10), ...many('B', 8, 800)], { A: 60, B: 120 });
    expect(defaultPolicy.pick(calm)?.service).toBe('B');
    // Nothing of its own waiting: it helps.
    expect(defaultPolicy.pick(ctx(w, [w], [t('B1', 'B', 5)]))?.no).toBe('B1');
  });

  it('never idles with someone it may serve waiting, never calls what it may not serve', () => {
    expect(defaultPolicy.pick(ctx(w, [w], [t('C1', 'C', 880)]))).toBeNull();
    expect(defaultPolicy.pick(ctx(w, [w], [t('C1', 'C', 880), t('B1', 'B', 1)]))?.no).toBe('B1');
  });

  it('the service guard: a service owed at least the guard\'s turns makes the window first come first served', () => {
    const tickets = [...many('A', 6, 100), t('B1', 'B', 300)];
    const base = ctx(w, [w], tickets, { A: 30, B: 300 });
    expect(defaultPolicy.pick(base)?.service).toBe('A');
    const owed = (n: number, guard: number) => ctx(w, [w], tickets, { A: 30, B: 300 }, { passedOver: new Map([['B', n]]), settings: { serviceGuard: guard } });
    expect(defaultPolicy.pick(owed(29, 30))?.service).toBe('A'); // below the guard: not yet
    expect(defaultPolicy.pick(owed(30, 30))?.no).toBe('B1'); // at it: the oldest goes first
    expect(defaultPolicy.pick(owed(1, 1))?.no).toBe('B1');
    // The guard only counts where the owed service waits at this window.
    const elsewhere = ctx(w, [w], tickets, { A: 30, B: 300 }, { passedOver: new Map([['C', 99]]), settings: { serviceGuard: 50 } });
    expect(defaultPolicy.pick(elsewhere)?.service).toBe('A');
    // Nor where it has nobody waiting: here the index takes fresh A over C's older, long errand.
    const w2 = win('2', ['A', 'C'], ['B']);
    const emptyOwed = ctx(w2, [w2], [...many('A', 6, 100), t('C1', 'C', 200)], { A: 30, C: 300 }, { passedOver: new Map([['B', 99]]), settings: { serviceGuard: 50 } });
    expect(defaultPolicy.pick(emptyOwed)?.service).toBe('A');
    // A service the hall's queues do not list counts as nobody waiting.
    const w3 = win('3', ['A', 'D'], ['C']);
    expect(defaultPolicy.pick(ctx(w3, [w3], [...many('A', 6, 100), t('C1', 'C', 200)], { A: 30, C: 300 }, { passedOver: new Map([['D', 99]]), settings: { serviceGuard: 50 } }))?.service).toBe('A');
    // Without a ledger (no history) there is no guard, whatever the setting.
    expect(defaultPolicy.pick(ctx(w, [w], tickets, { A: 30, B: 300 }, { settings: { serviceGuard: 0 } }))?.service).toBe('A');
    // A fixed guard in the parameters wins over the hall's setting.
    const fixed = tailIndexPolicy({ name: 'x', ...P, serviceGuard: 100 });
    expect(fixed.pick(owed(31, 30))?.service).toBe('A');
    expect(fixed.pick(owed(100, 30))?.no).toBe('B1');
  });

  it('the service guard\'s strict end: at 0 the default picks what eligible-FCFS picks, priority ratio included', () => {
    const ef = getPolicy('eligible-fcfs');
    const w2 = win('2', ['A', 'C'], ['B']);
    const states: QueuedTicket[][] = [
      [...many('A', 6, 100), t('B1', 'B', 300)],
      [...many('A', 6, 800), t('B1', 'B', 300), t('C1', 'C', 50)],
      [t('C1', 'C', 10), t('C2', 'C', 5, true), t('A1', 'A', 8), t('B1', 'B', 2)],
      [t('A1', 'A', 600), t('A2', 'A', 700, true), t('B1', 'B', 650)],
    ];
    for (const [i, q] of states.entries()) {
      for (const since of [0, 5]) {
        const c = ctx(w2, [w2, w], q, { A: 30, B: 300, C: 120 }, { passedOver: new Map(), settings: { serviceGuard: 0 }, ordinarySincePriority: new Map([['A', since], ['C', since]]) });
        const free = { ...c, settings: { serviceGuard: 100_000 } };
        expect(defaultPolicy.pick(c)?.no, `state ${i}, ${since}`).toBe(ef.pick(c)?.no);
        if (i === 0) expect(defaultPolicy.pick(free)?.service, 'without the guard the index differs here').toBe('A');
      }
    }
    // A new ticket goes to the idle windows in the order given, as under eligible-FCFS (not the least flexible first).
    const wide = win('3', ['A', 'B', 'C']);
    const narrow = win('4', ['A']);
    expect(defaultPolicy.dispatchOrder!([wide, narrow], 'A', { serviceGuard: 0 }).map((x) => x.id)).toEqual(['3', '4']);
    expect(defaultPolicy.dispatchOrder!([wide, narrow], 'A', { serviceGuard: 1 }).map((x) => x.id)).toEqual(['4', '3']);
  });

  it('sends a new ticket to the least flexible idle window that may serve it, owners before helpers on a tie', () => {
    const ws = [win('1', ['A'], ['B', 'C'], false), win('2', ['B'], ['A'], false), win('3', ['A'], [], false), win('4', ['C'], [], false)];
    expect(defaultPolicy.dispatchOrder!(ws, 'A').map((x) => x.id)).toEqual(['3', '2', '1']);
    expect(defaultPolicy.dispatchOrder!(ws, 'C').map((x) => x.id)).toEqual(['4', '1']);
  });
});

describe('the mean-first references of the bench (blind to the limit)', () => {
  const w = win('1', ['A'], ['B']);
  it('short-first: the shortest errand the window may serve, first come first served within it, whatever the waits', () => {
    const sf = getPolicy('short-first');
    expect(sf.pick(ctx(w, [w], [t('A1', 'A', 880), t('B2', 'B', 5), t('B1', 'B', 10)], { A: 200, B: 50 }))?.no).toBe('B1');
    expect(sf.pick(ctx(w, [w], [t('A1', 'A', 5), t('B1', 'B', 880)], { A: 50, B: 200 }))?.no).toBe('A1');
    expect(sf.pick(ctx(w, [w], [t('C1', 'C', 880)]))).toBeNull();
    expect(sf.dispatchOrder!([win('1', ['A'], ['B'], false), win('2', ['A'], [], false)], 'A').map((x) => x.id)).toEqual(['2', '1']);
  });
  it('max-weight: the default\'s index without urgency, own-first or guard', () => {
    const mw = getPolicy('max-weight');
    // Own queue under pressure (see own-first above): max-weight still helps the longer overflow queue.
    const tight = ctx(w, [w], [...many('A', 3, 700), ...many('B', 8, 800)], { A: 60, B: 120 });
    expect(defaultPolicy.pick(tight)?.service).toBe('A');
    expect(mw.pick(tight)?.service).toBe('B');
    // No urgency: a long errand about to pass the limit does not overtake a queue of short ones.
    expect(mw.pick(ctx(w, [w], [...many('A', 5, 120), t('B1', 'B', 870)], { A: 30, B: 300 }))?.service).toBe('A');
    // No guard, even at 0.
    const owed = ctx(w, [w], [...many('A', 6, 100), t('B1', 'B', 300)], { A: 30, B: 300 }, { passedOver: new Map([['B', 50]]), settings: { serviceGuard: 0 } });
    expect(mw.pick(owed)?.service).toBe('A');
  });
});

describe('turns owed by first come first served (the guard\'s count, kept by the engine from its events)', () => {
  it('the ledger: the oldest earlier head at risk of another service is owed a turn; no credit is banked', () => {
    const limits: Record<string, number> = { A: 900, B: 900, C: 600 };
    const at = (service: string, waitedS: number) => ({ service, arrivedAtMs: NOW - waitedS * 1000 });
    const owed = new Map<string, number>();
    const call = (heads: Record<string, number>, called: { service: string; arrivedAtMs: number }) =>
      countCall(owed, Object.keys(limits), (s) => (heads[s] === undefined ? undefined : at(s, heads[s]!)), (s) => limits[s]!, called, NOW);
    // B's head came earlier and is at risk (500 s of 900): passed over for a later A.
    call({ A: 100, B: 500 }, at('A', 100));
    expect(owed.get('B')).toBe(1);
    expect(owed.get('A') ?? 0).toBe(0); // A went ahead but banks no credit
    // Not at risk yet (449 s < 450 s), already late (901 s > 900 s), later than the called one, or the called service itself: nothing owed.
    for (const heads of <Array<Record<string, number>>>[{ A: 100, B: 449 }, { A: 100, B: 901 }, { A: 100, B: 50 }, { A: 700 }]) call(heads, at('A', 100));
    expect(owed.get('B')).toBe(1);
    // Among several at risk, the oldest is owed (C's limit is 600 s: 400 s is at risk for it).
    call({ A: 100, B: 460, C: 400 }, at('A', 100));
    expect(owed.get('B')).toBe(2);
    call({ A: 100, B: 300, C: 400 }, at('A', 100));
    expect(owed.get('C')).toBe(1);
    // A head that came after the called citizen (or at the same moment) is not passed over, even at risk.
    call({ A: 800, B: 500 }, at('A', 800));
    call({ A: 500, B: 500 }, at('A', 500));
    expect(owed.get('B')).toBe(2);
    // The called service's own older head (a priority ticket went first) is not passed over by another service.
    owed.set('A', 2);
    call({ A: 700 }, at('A', 100));
    expect(owed.get('A')).toBe(1);
    owed.delete('A');
    // Called while owed (in first-come order or not): one turn given back, never below 0.
    call({ B: 500 }, at('B', 500));
    call({ C: 10 }, at('C', 10));
    call({ C: 10 }, at('C', 10));
    expect([owed.get('B'), owed.get('C')]).toEqual([1, 0]);
    expect(AT_RISK).toBe(0.5);
  });

  it('counts a citizen at risk passed over for a later one of another service, and gives turns back', async () => {
    const { HallEngine } = await import('../../firmware/controller/engine.ts');
    const { loadHallConfig } = await import('../../firmware/config/hall.ts');
    const { localToMs } = await import('../../firmware/lib/time.ts');
    const hall = loadHallConfig();
    const at = (s: number) => localToMs('2026-11-23', 8 * 3600 + s, hall.hall.timezone);
    const e = new HallEngine({ hall, policy: 'eligible-fcfs' });
    let id = 0;
    const ticket = (service: string, s: number) => e.kiosk('k', { op: 'ticket', id: `t${++id}`, service, priority: 'normal' }, at(s));
    const cmd = (w: string, action: 'open' | 'call' | 'call-next' | 'start' | 'complete', s: number, no?: string) =>
      e.window(w, { id: `c${++id}`, action, ...(no ? { ticket: no } : {}) }, at(s));
    // Window 6 owns payment and may take registration (the demo hall's wiring).
    expect(hall.windows.find((w) => w.id === '6')).toMatchObject({ own: ['payment'], overflow: ['registration'] });
    cmd('6', 'open', 0);
    const r1 = ticket('registration', 0); // arrives first
    const p1 = ticket('payment', 10);
    const p2 = ticket('payment', 20);
    if (!r1.ok || !p1.ok || !p2.ok) throw new Error('refused');
    // Called by number at 300 s: the registration citizen waited 300 s (under half the 900 s limit): not at risk yet.
    expect(cmd('6', 'call', 300, p1.ticket!.no).ok).toBe(true);
    expect(e.model.passedOver.get('registration') ?? 0).toBe(0);
    cmd('6', 'start', 301); cmd('6', 'complete', 302);
    // At 600 s they are at risk: passing them over counts one turn owed; payment banks no credit for going ahead.
    expect(cmd('6', 'call', 600, p2.ticket!.no).ok).toBe(true);
    expect(e.model.passedOver.get('registration')).toBe(1);
    expect(e.model.passedOver.get('payment') ?? 0).toBe(0);
    cmd('6', 'start', 601); cmd('6', 'complete', 602);
    // Called in first-come order while owed: the turn is given back.
    expect(cmd('6', 'call-next', 603).ok).toBe(true);
    expect(e.model.passedOver.get('registration')).toBe(0);
  });
});
