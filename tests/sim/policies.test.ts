// Basic properties of each routing policy, on hand-built hall states.
import { describe, expect, it } from 'vitest';
import { getPolicy, policyNames, type QueuedTicket, type RoutingContext, type RoutingWindow } from '../../firmware/routing/index.ts';

const NOW = 1_000_000_000;
const win = (id: string, own: string[], overflow: string[] = [], busy = false): RoutingWindow =>
  ({ id, floor: '1F', own, overflow, status: 'open', busy });
const ticket = (no: string, service: string, waitedS: number, priority = false): QueuedTicket =>
  ({ no, service, priority, queuedAtMs: NOW - waitedS * 1000, arrivedAtMs: NOW - waitedS * 1000 });

function ctx(window: RoutingWindow, windows: RoutingWindow[], tickets: QueuedTicket[], since: Record<string, number> = {}): RoutingContext {
  const queues = new Map<string, QueuedTicket[]>([['R', []], ['P', []], ['D', []]]);
  for (const t of [...tickets].sort((a, b) => a.queuedAtMs - b.queuedAtMs)) queues.get(t.service)!.push(t);
  return {
    nowMs: NOW, window, windows, queues,
    services: new Map([
      ['R', { id: 'R', waitLimitS: 900, meanServiceS: 30 }],
      ['P', { id: 'P', waitLimitS: 900, meanServiceS: 75 }],
      ['D', { id: 'D', waitLimitS: 900, meanServiceS: 300 }],
    ]),
    ordinaryPerPriority: 2, ordinarySincePriority: new Map(Object.entries(since)),
  };
}

describe('routing policies', () => {
  const w1 = win('1', ['R'], ['P']);
  const w2 = win('2', ['P'], ['R'], true);
  const w3 = win('3', ['D'], [], true);
  const all = [w1, w2, w3];

  it('are all registered, and an unknown name is refused with the known ones', () => {
    expect(policyNames().sort()).toEqual(['deadline-cmu', 'dedicated', 'default', 'eligible-fcfs', 'max-weight', 'overflow', 'pooled', 'short-first']);
    expect(() => getPolicy('fastest')).toThrow(/unknown routing policy fastest.*dedicated/);
  });

  it('dedicated serves only own services, oldest first', () => {
    const c = ctx(w1, all, [ticket('B001', 'P', 600), ticket('A002', 'R', 10), ticket('A001', 'R', 20)]);
    expect(getPolicy('dedicated').pick(c)?.no).toBe('A001');
    expect(getPolicy('dedicated').pick(ctx(w1, all, [ticket('B001', 'P', 600)]))).toBeNull();
  });

  it('eligible-fcfs takes the oldest among own and overflow; overflow takes own first', () => {
    const c = ctx(w1, all, [ticket('B001', 'P', 120), ticket('A001', 'R', 20)]);
    expect(getPolicy('eligible-fcfs').pick(c)?.no).toBe('B001');
    expect(getPolicy('overflow').pick(c)?.no).toBe('A001');
    expect(getPolicy('overflow').pick(ctx(w1, all, [ticket('B001', 'P', 5)]))?.no).toBe('B001');
  });

  it('pooled takes the oldest in the hall, even of a service the window may not serve', () => {
    const c = ctx(w1, all, [ticket('C001', 'D', 300), ticket('A001', 'R', 20)]);
    expect(getPolicy('pooled').pick(c)?.no).toBe('C001');
    expect(getPolicy('default').pick(c)?.no).toBe('A001');
  });

  it('default never picks a service the window may not serve, and idles with nothing eligible', () => {
    expect(getPolicy('default').pick(ctx(w1, all, [ticket('C001', 'D', 880)]))).toBeNull();
  });

  it('default rescues an overflow citizen about to pass the limit before a fresh own one', () => {
    const c = ctx(w1, all, [ticket('B001', 'P', 880), ticket('A001', 'R', 200)]);
    expect(getPolicy('default').pick(c)?.no).toBe('B001');
    // With plenty of slack, the short service that has waited relatively longer goes first.
    const calm = ctx(w1, all, [ticket('B001', 'P', 100), ticket('A001', 'R', 60)]);
    expect(getPolicy('default').pick(calm)?.no).toBe('A001');
  });

  it('priority goes ahead in the configured ratio, never pushing ordinary past the limit', () => {
    const q = [ticket('A001', 'R', 100), ticket('A002', 'R', 90), ticket('A003', 'R', 10, true)];
    for (const name of policyNames()) {
      const p = getPolicy(name);
      expect(p.pick(ctx(w1, all, q, { R: 0 }))?.no, name).toBe('A001');
      expect(p.pick(ctx(w1, all, q, { R: 1 }))?.no, name).toBe('A001');
      expect(p.pick(ctx(w1, all, q, { R: 2 }))?.no, name).toBe('A003');
      // The oldest ordinary citizen is within one service time of the limit: they go first.
      const late = [ticket('A001', 'R', 880), ticket('A003', 'R', 10, true)];
      expect(p.pick(ctx(w1, all, late, { R: 5 }))?.no, name).toBe('A001');
    }
  });

  it('keeps an ordinary citizen from the limit only when they came first, from exactly one service time before it', () => {
    const pick = (tickets: QueuedTicket[]) => getPolicy('dedicated').pick(ctx(w1, all, tickets, { R: 5 }))?.no;
    // Exactly one service time (30 s) from the limit: the ordinary citizen goes first.
    expect(pick([ticket('A001', 'R', 870), ticket('A003', 'R', 10, true)])).toBe('A001');
    expect(pick([ticket('A001', 'R', 869), ticket('A003', 'R', 10, true)])).toBe('A003');
    // A priority citizen who came first (or at the same moment) keeps their turn.
    const samePlace = (priorityWaitedS: number): QueuedTicket[] => {
      const o = ticket('A001', 'R', 880), pr = ticket('A003', 'R', priorityWaitedS, true);
      return [{ ...o, queuedAtMs: NOW - 1000 }, { ...pr, queuedAtMs: NOW - 500 }];
    };
    expect(pick(samePlace(890))).toBe('A003');
    expect(pick(samePlace(880))).toBe('A003');
  });

  it('eligible-fcfs takes the earliest queued across services, the first listed on a tie', () => {
    const both = win('9', ['R', 'P']);
    const p = getPolicy('eligible-fcfs');
    expect(p.pick(ctx(both, [both], [ticket('A001', 'R', 50), ticket('B001', 'P', 40)]))?.no).toBe('A001');
    expect(p.pick(ctx(both, [both], [ticket('A001', 'R', 40), ticket('B001', 'P', 50)]))?.no).toBe('B001');
    expect(p.pick(ctx(both, [both], [ticket('A001', 'R', 50), ticket('B001', 'P', 50)]))?.no).toBe('A001');
  });
});
