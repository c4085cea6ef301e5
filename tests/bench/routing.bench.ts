// Every routing policy on the shared bench halls (and any --scenario FILE given),
// 20+ seeded days each: waits, share over the limit, longest queue, utilisation,
// and the default policy's ratios to pooled (the bound) and dedicated (today).
// `npm run bench -- --only routing [--seeds N] [--scenario FILE]…`
import { loadScenario } from '../../firmware/sim/scenario.ts';
import { simulate, type SimulationResult } from '../../firmware/sim/run.ts';
import { policyNames } from '../../firmware/routing/index.ts';

export function scenarioFiles(args: string[]): string[] {
  // Copies of the client's shared/bench/ hall days, plus one written independently of them.
  const own = new URL('../../firmware/sim/scenarios/', import.meta.url).pathname;
  const files = [`${own}hospital-day.json`, `${own}hospital-monday.json`, `${own}civic-centre.json`];
  args.forEach((a, i) => { if (a === '--scenario' && args[i + 1]) files.push(args[i + 1]!); });
  return files;
}
export function seedsArg(args: string[], fallback = 20): number {
  const i = args.indexOf('--seeds');
  const n = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--seeds must be a positive integer`);
  return n;
}

const f1 = (x: number) => x.toFixed(1);
const row = (cells: string[], widths: number[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ');

export default async function (args: string[]): Promise<void> {
  const seeds = seedsArg(args);
  for (const file of scenarioFiles(args)) {
    const s = loadScenario(file);
    console.log(`\n${s.name} — ${seeds} seeded days, limit ${s.waitLimitS} s`);
    const widths = [14, 9, 9, 9, 10, 9, 7, 9];
    console.log(row(['policy', 'mean s', 'p95 s', 'max s', 'P(>limit)', 'maxQueue', 'util', 'ms/day'], widths));
    const results = new Map<string, SimulationResult>();
    for (const p of policyNames()) {
      const r = simulate(s, p, { seeds });
      results.set(p, r);
      console.log(row([p, f1(r.meanWaitS), f1(r.p95WaitS), f1(r.maxWaitS), (r.overLimitShare * 100).toFixed(2) + '%',
        f1(r.maxQueue), (r.utilisation * 100).toFixed(1) + '%', r.msPerDay.toFixed(1)], widths));
    }
    const d = results.get('default')!, pooled = results.get('pooled')!, ded = results.get('dedicated')!;
    const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1.00' : '∞') : (a / b).toFixed(2));
    console.log(`default / pooled:    mean ${ratio(d.meanWaitS, pooled.meanWaitS)}, p95 ${ratio(d.p95WaitS, pooled.p95WaitS)}, ` +
      `P(>limit) ${(d.overLimitShare * 100).toFixed(2)}% vs ${(pooled.overLimitShare * 100).toFixed(2)}% ` +
      `(${d.meanWaitS <= pooled.meanWaitS * 1.1 && d.overLimitShare <= pooled.overLimitShare + 0.005 ? 'within' : 'outside'} ` +
      `the issue's target of mean ≤ 1.10 × pooled and P(>limit) ≤ pooled + 0.5 pt, set for hospital-monday)`);
    console.log(`default / dedicated: mean ${ratio(d.meanWaitS, ded.meanWaitS)}, p95 ${ratio(d.p95WaitS, ded.p95WaitS)}, ` +
      `P(>limit) ${(d.overLimitShare * 100).toFixed(2)}% vs ${(ded.overLimitShare * 100).toFixed(2)}%`);
  }
}
