// On the busy Monday the default policy lets no more citizens pass the limit
// than eligible first-come-first-served (the tail criterion), keeps
// within the 1.10× of the pooled bound, and beats dedicated windows by
// far. Measured: default 1.063× pooled over these 10 seeds (1.074× over the
// bench's 40, 1.108× over the first 6 alone: a 6-day sample is too noisy to
// hold to 1.10×); guard off within 1 % of the default.
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../firmware/sim/scenario.ts';
import { simulate } from '../../firmware/sim/run.ts';
import { benchFile } from './fixtures.ts';

describe('routing on hospital-monday', () => {
  const monday = loadScenario(benchFile('hospital-monday.json'));

  it('default: no more over the limit than eligible-FCFS, mean within 1.10× pooled, far ahead of dedicated (10 seeds)', () => {
    const run = (p: string, seeds: number, s = monday) => simulate(s, p, { seeds });
    const pooled = run('pooled', 10), def = run('default', 10), ef = run('eligible-fcfs', 10), dedicated = run('dedicated', 2);
    const unguarded = run('default', 10, { ...monday, routing: { serviceGuard: 100_000 } });
    expect(def.citizens).toBeGreaterThan(5000);
    expect(def.overLimitShare).toBeLessThanOrEqual(ef.overLimitShare + 0.0025);
    expect(def.meanWaitS).toBeLessThan(ef.meanWaitS);
    expect(def.meanWaitS).toBeLessThanOrEqual(pooled.meanWaitS * 1.1);
    expect(unguarded.meanWaitS).toBeLessThanOrEqual(pooled.meanWaitS * 1.15);
    expect(unguarded.meanWaitS).toBeLessThanOrEqual(def.meanWaitS * 1.01);
    expect(unguarded.overLimitShare).toBeLessThanOrEqual(ef.overLimitShare + 0.0025);
    expect(dedicated.meanWaitS).toBeGreaterThan(def.meanWaitS * 3);
    expect(dedicated.overLimitShare).toBeGreaterThan(def.overLimitShare + 0.1);
    // The same citizens are served whatever the policy: the same work is done.
    expect(def.utilisation).toBeCloseTo(pooled.utilisation, 6);
  }, 240_000);
});
