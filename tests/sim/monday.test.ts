// On the busy Monday the default policy comes close to the pooled bound and
// beats dedicated windows by far (the acceptance figures).
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../firmware/sim/scenario.ts';
import { simulate } from '../../firmware/sim/run.ts';
import { benchFile } from './fixtures.ts';

describe('routing on hospital-monday', () => {
  const monday = loadScenario(benchFile('hospital-monday.json'));

  it('on hospital-monday (10 seeds; the bench runs 20+) default is within 10% of pooled, no more over the limit, and far ahead of dedicated', () => {
    const run = (p: string, seeds: number) => simulate(monday, p, { seeds });
    // dedicated is worse by a factor; two days show it (the bench runs it on 20+).
    const pooled = run('pooled', 10), def = run('default', 10), dedicated = run('dedicated', 2);
    expect(def.citizens).toBeGreaterThan(5000);
    // Seeds 1–10 hold the worst day of the first thirty for every policy: the hardest set.
    expect(def.meanWaitS).toBeLessThanOrEqual(pooled.meanWaitS * 1.1);
    expect(def.overLimitShare).toBeLessThanOrEqual(pooled.overLimitShare + 0.005);
    expect(dedicated.meanWaitS).toBeGreaterThan(def.meanWaitS * 3);
    expect(dedicated.overLimitShare).toBeGreaterThan(def.overLimitShare + 0.1);
    // The same citizens are served whatever the policy: the same work is done.
    expect(def.utilisation).toBeCloseTo(pooled.utilisation, 6);
  }, 120_000);

});
