// Error of the wait estimate printed on each ticket (estWaitS) against the wait
// that citizen then had: mean absolute error and 90th percentile, per scenario
// and policy, with the mean wait for scale. `npm run bench -- --only estimates`
import { loadScenario } from '../../firmware/sim/scenario.ts';
import { simulate } from '../../firmware/sim/run.ts';
import { quantile } from '../../firmware/sim/summary.ts';
import type { DayResult } from '../../firmware/sim/day.ts';
import { scenarioFiles, seedsArg } from './routing.bench.ts';

export default async function (args: string[]): Promise<void> {
  const seeds = seedsArg(args);
  const w = [34, 14, 9, 9, 9, 9, 11];
  const row = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join(' ');
  console.log(`estWaitS vs the wait then had, ${seeds} seeded days each (all citizens pooled)`);
  console.log(row(['scenario', 'policy', 'mean s', 'MAE s', 'p90 s', 'bias s', 'within 5min']));
  for (const file of scenarioFiles(args)) {
    const s = loadScenario(file);
    for (const p of ['default', 'pooled', 'dedicated']) {
      const errs: number[] = [];
      let bias = 0, waits = 0;
      simulate(s, p, { seeds, onDay: (d: DayResult) => {
        for (const c of d.citizens) if (c.waitS !== undefined) {
          errs.push(Math.abs(c.estWaitS - c.waitS)); bias += c.estWaitS - c.waitS; waits += c.waitS;
        }
      } });
      errs.sort((a, b) => a - b);
      const n = errs.length;
      console.log(row([s.name, p, (waits / n).toFixed(1), (errs.reduce((a, b) => a + b, 0) / n).toFixed(1),
        quantile(errs, 0.9).toFixed(1), (bias / n).toFixed(1), ((errs.filter((e) => e <= 300).length / n) * 100).toFixed(1) + '%']));
    }
  }
}
