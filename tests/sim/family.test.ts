// The tail criterion of issue #13 on a small fixed set of generated halls (two
// seeded days each, the same for both policies): the default policy never lets
// more citizens pass the limit than eligible first-come-first-served, beyond
// 0.25 points; and the service guard's strict end (routing.serviceGuard 0) is
// eligible-FCFS itself, so no service does worse. The bench runs the whole
// family with more seeds.
import { describe, expect, it } from 'vitest';
import { randomHall } from '../../firmware/sim/random-hall.ts';
import { simulate } from '../../firmware/sim/run.ts';
import { policyOnHall, compareOnHall, comparison, wiringVerdict } from '../../firmware/sim/family.ts';
import type { SimulationResult } from '../../firmware/sim/run.ts';

// Small halls of family 1 where eligible-FCFS lets some citizens pass the limit
// (1.6%–11% of them), with 8–19 windows and 4–8 services.
const HALLS = [5, 9, 13];

describe('the default against eligible-FCFS on generated halls', () => {
  it.each(HALLS)('hall 1/%i: no more citizens past the limit (+0.25 pt at most)', (i) => {
    const h = randomHall(1, i);
    const ef = simulate(h, 'eligible-fcfs', { seeds: 2 });
    const def = simulate(h, 'default', { seeds: 2 });
    expect(ef.overLimitShare, 'the hall must be busy enough to test anything').toBeGreaterThan(0.005);
    expect((def.overLimitShare - ef.overLimitShare) * 100).toBeLessThanOrEqual(0.25);
    // The same citizens are served whatever the policy.
    expect(def.citizens).toBe(ef.citizens);
  }, 60_000);

  it.each([5, 9])('hall 1/%i: at routing.serviceGuard 0 (the knob\'s strict end) every service is within 2 pt of eligible-FCFS — it is eligible-FCFS', (i) => {
    const h = randomHall(1, i);
    const ef = simulate(h, 'eligible-fcfs', { seeds: 2 });
    const strict = simulate({ ...h, routing: { serviceGuard: 0 } }, 'default', { seeds: 2 });
    const tailFirst = simulate({ ...h, routing: { serviceGuard: 100 } }, 'default', { seeds: 2 });
    expect(ef.overLimitShare, 'the hall must be busy enough to test anything').toBeGreaterThan(0.005);
    for (const [s, f] of Object.entries(strict.services)) {
      expect((f.overLimitShare - ef.services[s]!.overLimitShare) * 100, s).toBeLessThanOrEqual(2);
      expect(f.meanWaitS, s).toBeCloseTo(ef.services[s]!.meanWaitS, 6);
    }
    // The knob matters: the tail-first default routes otherwise on the same days.
    expect(tailFirst.meanWaitS).not.toBeCloseTo(ef.meanWaitS, 3);
  }, 60_000);

  it('the family figures name the best simple policy and each service against eligible-FCFS', () => {
    const c = compareOnHall(randomHall(1, 9), { seeds: 1, policies: ['default'], noBound: true });
    expect(['dedicated', 'overflow', 'eligible-fcfs']).toContain(c.bestSimple.policy);
    const r = policyOnHall(c, 'default');
    const ef = c.results.get('eligible-fcfs')!;
    const worst = Math.max(...Object.entries(c.results.get('default')!.services).map(([s, f]) => (f.overLimitShare - ef.services[s]!.overLimitShare) * 100));
    expect(r.guardPts.pts).toBeCloseTo(worst, 9);
    expect(r.tailPts).toBeCloseTo((r.overLimitShare - c.bestSimple.overLimitShare) * 100, 9);
    expect(r.meanRatio).toBeCloseTo(r.meanWaitS / c.pooledMeanS, 9);
  }, 60_000);
});

describe('which halls the wiring keeps above 1.10 × pooled (the bench\'s verdict)', () => {
  // Figures of a made-up hall: pooled waits 100 s; services A and B.
  const res = (meanWaitS: number, overLimitShare: number, a = overLimitShare, b = overLimitShare): SimulationResult => ({
    scenario: 'h', policy: '', seeds: 1, msPerDay: 0, citizens: 100, meanWaitS, p95WaitS: 0, maxWaitS: 0, overLimitShare, maxQueue: 0,
    utilisation: 0.8, estMaeS: 0, estP90ErrS: 0, alerts: 0,
    services: { A: { served: 50, meanWaitS, p95WaitS: 0, overLimitShare: a }, B: { served: 50, meanWaitS, p95WaitS: 0, overLimitShare: b } },
  });
  const hall = (others: Record<string, SimulationResult>, boundS = 20) => comparison('h', new Map(Object.entries({
    dedicated: res(300, 0.1), overflow: res(200, 0.05), 'eligible-fcfs': res(150, 0.02), pooled: res(100, 0.01), ...others,
  })), boundS);
  const OTHERS = ['dedicated', 'overflow', 'eligible-fcfs', 'x'];

  it('proved when even the lower bound is above the ratio', () => {
    expect(wiringVerdict(hall({ x: res(90, 0.02) }, 120), OTHERS, 1.1)).toMatchObject({ verdict: 'proved', lowerRatio: 1.2 });
  });
  it('no-rule when no other rule reaches it, naming the best of them', () => {
    expect(wiringVerdict(hall({ x: res(130, 0.02) }), OTHERS, 1.1)).toMatchObject({ verdict: 'no-rule', lowerRatio: 0.2, bestOther: { policy: 'x', meanRatio: 1.3 } });
  });
  it('at-a-cost when only a rule that breaks the tail or a service\'s share reaches it', () => {
    // x: the mean, but 1 pt more citizens past the limit than the best simple policy.
    expect(wiringVerdict(hall({ x: res(90, 0.03) }), OTHERS, 1.1).verdict).toBe('at-a-cost');
    // x: the mean and the tail, but service B 3 pt worse than under eligible-FCFS.
    expect(wiringVerdict(hall({ x: res(90, 0.02, 0.005, 0.05) }), OTHERS, 1.1)).toMatchObject({ verdict: 'at-a-cost', bestFair: { policy: 'eligible-fcfs', meanRatio: 1.5 } });
  });
  it('reachable when a rule reaches it within the other criteria', () => {
    expect(wiringVerdict(hall({ x: res(105, 0.021) }), OTHERS, 1.1)).toMatchObject({ verdict: 'reachable', bestFair: { policy: 'x', meanRatio: 1.05 } });
  });
});
