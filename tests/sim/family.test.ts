// The tail criterion of issue #13 on a small fixed set of generated halls (two
// seeded days each, the same for both policies): the default policy never lets
// more citizens pass the limit than eligible first-come-first-served, beyond
// 0.25 points. The bench runs the whole family with more seeds.
import { describe, expect, it } from 'vitest';
import { randomHall } from '../../firmware/sim/random-hall.ts';
import { simulate } from '../../firmware/sim/run.ts';
import { policyOnHall, compareOnHall } from '../../firmware/sim/family.ts';

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
