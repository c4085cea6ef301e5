// The simulator against queueing theory: an M/M/c hall's simulated mean wait and
// P(wait > t) fall within 99% confidence intervals (over independent seeded
// days) of the Erlang C formulas.
import { describe, expect, it } from 'vitest';
import { erlangC, meanWaitS, probWaitOver, serversFor } from '../../firmware/sim/erlang.ts';
import { simulateDay, arrivalTimes, sample } from '../../firmware/sim/day.ts';
import { createRng } from '../../firmware/sim/rng.ts';
import { createHall } from '../../firmware/sim/make-hall.ts';
import { mmc } from './fixtures.ts';

/** Mean and 99% half-width (Student t, n − 1 degrees of freedom) of per-day figures. */
function ci99(xs: number[]): { mean: number; half: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const t = 3.106; // t(0.995, 11)
  return { mean, half: (t * sd) / Math.sqrt(n) };
}

describe('Erlang C', () => {
  it('matches textbook values', () => {
    // 2 servers, 1 Erlang: C = 1/3; 10 servers at 8 Erlangs: C ≈ 0.409.
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 10);
    expect(erlangC(10, 8)).toBeCloseTo(0.4092, 3);
    expect(meanWaitS({ lambdaPerS: 1 / 60, meanServiceS: 60, servers: 2 })).toBeCloseTo(20, 6);
    expect(probWaitOver({ lambdaPerS: 1, meanServiceS: 1, servers: 1 }, 10)).toBe(1); // overloaded
    expect(serversFor(0, 60, 900, 0.05)).toBe(0);
    const c = serversFor(100 / 3600, 120, 60, 0.05);
    expect(probWaitOver({ lambdaPerS: 100 / 3600, meanServiceS: 120, servers: c }, 60)).toBeLessThanOrEqual(0.05);
    expect(probWaitOver({ lambdaPerS: 100 / 3600, meanServiceS: 120, servers: c - 1 }, 60)).toBeGreaterThan(0.05);
  });

  it('the simulated M/M/3 hall agrees with it within confidence intervals', () => {
    const perHour = 360, meanS = 20, c = 3, t = 15; // ρ = 2/3, about 4,700 citizens a day
    const s = mmc({ perHour, meanS, c, to: '13:00' });
    const q = { lambdaPerS: perHour / 3600, meanServiceS: meanS, servers: c };
    const means: number[] = [];
    const overs: number[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const d = simulateDay(s, createHall(s, 'pooled'), seed);
      const t0 = Math.min(...d.citizens.map((x) => x.arrivedAtMs));
      // Skip the first hour (the hall starts empty) and the last (arrivals stop at 13:00).
      const steady = d.citizens.filter((x) => x.arrivedAtMs - t0 > 3_600_000 && x.arrivedAtMs - t0 < 12 * 3_600_000);
      expect(steady.length).toBeGreaterThan(3500);
      means.push(steady.reduce((a, x) => a + x.waitS!, 0) / steady.length);
      overs.push(steady.filter((x) => x.waitS! > t).length / steady.length);
    }
    const m = ci99(means);
    const p = ci99(overs);
    expect(Math.abs(m.mean - meanWaitS(q))).toBeLessThan(m.half);
    expect(Math.abs(p.mean - probWaitOver(q, t))).toBeLessThan(p.half);
    // The intervals are tight enough to mean something.
    expect(m.half / meanWaitS(q)).toBeLessThan(0.15);
  }, 60_000); // CPU-bound simulated days: seconds on an idle machine, more on a shared one

  it('every simulated wait equals the Kiefer–Wolfowitz recursion for FCFS M/M/c on the same draws', () => {
    const s = mmc({ perHour: 144, meanS: 60, c: 3, to: '12:00' });
    for (const seed of [1, 2]) {
      const arrivals = arrivalTimes(s, seed);
      const draws = createRng(seed, 2001); // the simulator's service-time stream of the first service
      const free = [0, 0, 0];
      const expected = arrivals.map((a) => {
        free.sort((x, y) => x - y);
        const start = Math.max(a.atS, free[0]!);
        free[0] = start + Math.max(1, Math.round(sample(draws, s.services[0]!.serviceTime) * 1000)) / 1000;
        return start - a.atS;
      });
      const d = simulateDay(s, createHall(s, 'pooled'), seed);
      expect(d.citizens).toHaveLength(expected.length);
      d.citizens.forEach((x, i) => expect(Math.abs(x.waitS! - expected[i]!)).toBeLessThan(0.002));
    }
  });
});
