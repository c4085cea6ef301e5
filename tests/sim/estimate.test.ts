// The wait estimate printed on tickets: sensible on hand-built states, and on a
// simulated busy Monday closer to the waits citizens then had than a naive
// "people ahead × service time ÷ own windows" estimate.
import { describe, expect, it } from 'vitest';
import { estimateWaitS, type EstimateInput } from '../../firmware/routing/estimate.ts';
import type { QueuedTicket, RoutingWindow } from '../../firmware/routing/types.ts';
import { loadScenario } from '../../firmware/sim/scenario.ts';
import { simulateDay } from '../../firmware/sim/day.ts';
import { createHall } from '../../firmware/sim/make-hall.ts';
import { EngineHall } from '../../firmware/sim/engine-hall.ts';
import { benchFile } from './fixtures.ts';

const win = (id: string, own: string[], overflow: string[], busy: boolean, status: RoutingWindow['status'] = 'open'): RoutingWindow =>
  ({ id, floor: '1F', own, overflow, busy, status });
const tickets = (service: string, n: number): QueuedTicket[] =>
  Array.from({ length: n }, (_, i) => ({ no: `A${100 + i}`, service, priority: false, queuedAtMs: i, arrivedAtMs: i }));

function input(windows: RoutingWindow[], r: number, p: number): EstimateInput {
  return {
    windows, queues: new Map([['R', tickets('R', r)], ['P', tickets('P', p)]]),
    services: new Map([['R', { id: 'R', waitLimitS: 900, meanServiceS: 30 }], ['P', { id: 'P', waitLimitS: 900, meanServiceS: 90 }]]),
  };
}

describe('wait estimate', () => {
  it('is zero with a free window, grows with the people ahead, and counts overflow help', () => {
    expect(estimateWaitS(input([win('1', ['R'], [], false)], 0, 0), 'R', 0)).toBe(0);
    const one = input([win('1', ['R'], [], true)], 10, 0);
    expect(estimateWaitS(one, 'R', 10)).toBeGreaterThan(estimateWaitS(one, 'R', 5));
    expect(estimateWaitS(one, 'R', 10)).toBeCloseTo(10 * 30 + 30, 6);
    const helped = input([win('1', ['R'], [], true), win('2', ['P'], ['R'], true)], 10, 0);
    expect(estimateWaitS(helped, 'R', 10)).toBeLessThan(estimateWaitS(one, 'R', 10) * 0.6);
    // Longer errands waiting at the shared window delay a short one less than short ones do.
    const busyP = input([win('1', ['R'], [], true), win('2', ['P'], ['R'], true)], 10, 10);
    expect(estimateWaitS(busyP, 'R', 10)).toBeGreaterThan(estimateWaitS(helped, 'R', 10));
    expect(estimateWaitS(busyP, 'P', 10)).toBeGreaterThan(estimateWaitS(busyP, 'R', 10));
  });

  it('with no window open, gives a pessimistic figure rather than zero', () => {
    expect(estimateWaitS(input([win('1', ['R'], [], false, 'closed')], 3, 0), 'R', 3)).toBeGreaterThan(3 * 30);
  });

  it('on a busy Monday beats the naive estimate against the waits then had', () => {
    const s = loadScenario(benchFile('hospital-monday.json'));
    const owners = new Map(s.services.map((x) => [x.id, s.windows.filter((w) => w.own.includes(x.id)).length]));
    const mean = new Map(s.services.map((x) => [x.id, x.serviceTime.meanS]));
    let ours = 0, naive = 0, n = 0;
    for (const seed of [3, 4]) {
      const hall = createHall(s, 'default') as EngineHall;
      const ahead = new Map<string, number>();
      hall.engine.onEvent((e) => { if (e.kind === 'ticket-issued') ahead.set(e.ticket, hall.engine.model.queues.get(e.service)!.length - 1); });
      const d = simulateDay(s, hall, seed);
      for (const c of d.citizens) {
        ours += Math.abs(c.estWaitS - c.waitS!);
        naive += Math.abs((ahead.get(c.no)! * mean.get(c.service)!) / owners.get(c.service)! - c.waitS!);
        n++;
      }
    }
    expect(n).toBeGreaterThan(10_000);
    expect(ours / n).toBeLessThan((naive / n) * 0.5);
  });
});
