// On the busy Monday the default policy lets no more citizens pass the limit
// than eligible first-come-first-served (the tail criterion), keeps
// close to the pooled bound, and beats dedicated windows by far. Measured over
// these 6 seeds (the bench's): default 1.14× pooled, guard off 1.14× (the issue
// aimed at 1.10×: not met here, see the bench and issue #13's note); the bounds
// below catch a regression, they are not the target.
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../firmware/sim/scenario.ts';
import { simulate } from '../../firmware/sim/run.ts';
import { benchFile } from './fixtures.ts';

describe('routing on hospital-monday', () => {
  const monday = loadScenario(benchFile('hospital-monday.json'));

  it('default: no more over the limit than eligible-FCFS, mean near pooled, far ahead of dedicated (6 seeds)', () => {
    const run = (p: string, seeds: number, s = monday) => simulate(s, p, { seeds });
    const pooled = run('pooled', 6), def = run('default', 6), ef = run('eligible-fcfs', 6), dedicated = run('dedicated', 2);
    const unguarded = run('default', 6, { ...monday, routing: { serviceGuard: 100_000 } });
    expect(def.citizens).toBeGreaterThan(5000);
    expect(def.overLimitShare).toBeLessThanOrEqual(ef.overLimitShare + 0.0025);
    expect(def.meanWaitS).toBeLessThan(ef.meanWaitS);
    expect(def.meanWaitS).toBeLessThanOrEqual(pooled.meanWaitS * 1.2);
    expect(unguarded.meanWaitS).toBeLessThanOrEqual(pooled.meanWaitS * 1.15);
    expect(unguarded.meanWaitS).toBeLessThanOrEqual(def.meanWaitS * 1.01);
    expect(unguarded.overLimitShare).toBeLessThanOrEqual(ef.overLimitShare + 0.0025);
    expect(dedicated.meanWaitS).toBeGreaterThan(def.meanWaitS * 3);
    expect(dedicated.overLimitShare).toBeGreaterThan(def.overLimitShare + 0.1);
    // The same citizens are served whatever the policy: the same work is done.
    expect(def.utilisation).toBeCloseTo(pooled.utilisation, 6);
  }, 240_000);
});
