// Routing over a family of halls (issue #13): every policy on N generated halls
// (firmware/sim/random-hall.ts) plus the reference days, the same seeded days for
// every policy. Prints, per hall and over the family: mean wait ÷ pooled FCFS,
// over-limit share − the best simple policy's (dedicated, overflow, eligible-FCFS),
// the worst single service, each service against eligible-FCFS (the guard), which
// halls the wiring keeps above 1.10 × pooled (a lower bound, and the best mean of
// every other skill-constrained rule, mean-first references included) and the
// default's mean on the others, and the guard's trade-off curve.
//
// `npm run bench -- --only routing [--halls 30] [--seeds 10] [--guard-seeds = --seeds] [--family 1] [--guards 0,1,10,30,100,100000] [--scenario FILE]…
//    [--cache DIR] [--part K/N]`
// With --cache each hall's figures (one file per policy, guard setting and the bound) are kept in DIR and reused (a run can resume);
// with --part K/N a run computes only every N-th hall from the K-th (run N of them
// side by side into one cache, then once without --part for the tables).
import { loadScenario, type Scenario } from '../../firmware/sim/scenario.ts';
import { simulate } from '../../firmware/sim/run.ts';
import { randomHalls, describeHall } from '../../firmware/sim/random-hall.ts';
import { comparison, familyRow, policyOnHall, wiringBoundS, wiringVerdict, SERVICE_CRITERION_PTS, SIMPLE_POLICIES, TAIL_CRITERION_PTS, type FamilyRow, type HallComparison } from '../../firmware/sim/family.ts';
import { DEFAULT_SERVICE_GUARD } from '../../firmware/config/hall.ts';
import { MEAN_REFERENCES } from '../../firmware/routing/policies.ts';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulationResult } from '../../firmware/sim/run.ts';

function strArg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** One policy's seeded days on a hall, from the cache or simulated (and cached). */
function cachedRun<T>(cache: string | undefined, key: string, run: () => T): T {
  // The file name holds everything the figures depend on but the code: clear the cache when the code changes.
  const file = cache ? join(cache, `${key}.json`) : '';
  if (cache && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const r = run();
  if (cache) {
    mkdirSync(cache, { recursive: true });
    writeFileSync(file, JSON.stringify(r));
  }
  return r;
}

/** A hall's comparison: every policy, the guard's curve and the wiring's lower bound, each cached on its own. */
function hallComparison(s: Scenario, seeds: number, guardSeeds: number, guards: number[], cache: string | undefined): HallComparison {
  const results = new Map<string, SimulationResult>();
  const key = (what: string, n = seeds) => `${s.name}-seeds${n}-${what}`;
  for (const p of POLICIES) {
    const what = p === 'default' ? `default-guard${DEFAULT_SERVICE_GUARD}` : p;
    results.set(p, cachedRun(cache, key(what), () => simulate(s, p, { seeds })));
  }
  for (const g of guards) {
    if (g === DEFAULT_SERVICE_GUARD && guardSeeds === seeds) continue;
    results.set(`default/guard=${g}`, cachedRun(cache, key(`default-guard${g}`, guardSeeds),
      () => simulate({ ...s, routing: { serviceGuard: g } }, 'default', { seeds: guardSeeds })));
  }
  const bound = cachedRun(cache, key('wiring-bound'), () => ({ seconds: wiringBoundS(s, seeds) }));
  return comparison(s.name, results, bound.seconds);
}

export function scenarioFiles(args: string[]): string[] {
  // Copies of the client's shared/bench/ hall days, plus one written independently of them.
  const own = new URL('../../firmware/sim/scenarios/', import.meta.url).pathname;
  const files = [`${own}hospital-day.json`, `${own}hospital-monday.json`, `${own}civic-centre.json`];
  args.forEach((a, i) => { if (a === '--scenario' && args[i + 1]) files.push(args[i + 1]!); });
  return files;
}
function intArg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const n = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}
export const seedsArg = (args: string[], fallback = 10): number => intArg(args, '--seeds', fallback);

/**
 * Policies in the family table: the simple ones, pooled (the bound), the default, the default before
 * #13, and the mean-first references (blind to the limit): how low the wiring lets the mean go.
 */
const POLICIES = ['dedicated', 'overflow', 'eligible-fcfs', 'pooled', 'default', 'deadline-cmu', ...MEAN_REFERENCES];
/** Skill-constrained rules other than the default: if none of them reaches 1.10 × pooled either, the hall counts as wiring-bound. */
const OTHER_RULES = [...SIMPLE_POLICIES, 'deadline-cmu', ...MEAN_REFERENCES];
const LIMIT_RATIO = 1.1;

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const pts = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
const cell = (s: string, w: number, left = false) => (left ? s.padEnd(w) : s.padStart(w));

export default async function (args: string[]): Promise<void> {
  const seeds = seedsArg(args);
  const guardSeeds = intArg(args, '--guard-seeds', seeds);
  const cache = strArg(args, '--cache');
  const part = strArg(args, '--part')?.split('/').map(Number);
  if (part && !(part.length === 2 && part[0]! >= 1 && part[0]! <= part[1]!)) throw new Error('--part must be K/N with 1 ≤ K ≤ N');
  const n = intArg(args, '--halls', 30);
  const family = intArg(args, '--family', 1);
  const gi = args.indexOf('--guards');
  const guards = (gi >= 0 ? args[gi + 1]! : `0,1,10,30,${DEFAULT_SERVICE_GUARD},100000`).split(',').map(Number)
    .filter((g, i, a) => a.indexOf(g) === i && Number.isInteger(g) && g >= 0);
  const halls: Array<{ s: Scenario; generated: boolean }> = [
    ...randomHalls(family, n).map((s) => ({ s, generated: true })),
    ...scenarioFiles(args).map((f) => ({ s: loadScenario(f), generated: false })),
  ];
  console.log(`Routing over ${n} generated halls (family ${family}) and ${halls.length - n} reference days; ${seeds} seeded days per hall and policy, the same for every policy (${guardSeeds} for the guard's trade-off curve).`);
  console.log(`default = tail-first index (firmware/routing/tail-index.ts), service guard ${DEFAULT_SERVICE_GUARD}; deadline-cmu = the default before issue #13.`);
  console.log(`Per hall: over-limit share and mean ÷ pooled FCFS; lower = each service alone on every window allowed to take it (a lower bound for any skill-constrained routing), ÷ pooled;`);
  console.log(`other = the best mean ÷ pooled of the other skill-constrained rules (${OTHER_RULES.join(', ')}); wiring: proved / no-rule (neither reaches ${LIMIT_RATIO}) / at-a-cost (only rules breaking the tail or service criterion reach it) / ok.\n`);

  const head = [cell('hall', 26, true), cell('shape', 44, true), cell('util', 5), cell('pooled s', 8), cell('lower', 6), cell('other', 6), cell('wiring', 10, true), cell('best simple', 22, true),
    ...POLICIES.filter((p) => !SIMPLE_POLICIES.includes(p as never) && p !== 'pooled').map((p) => cell(p, 20))];
  console.log(head.join(' '));
  const comparisons: Array<{ c: HallComparison; generated: boolean; s: Scenario }> = [];
  const t0 = performance.now();
  for (const [i, { s, generated }] of halls.entries()) {
    if (part && i % part[1]! !== part[0]! - 1) continue;
    const c = hallComparison(s, seeds, guardSeeds, guards, cache);
    comparisons.push({ c, generated, s });
    const u = c.results.get('pooled')!.utilisation;
    const w = wiringVerdict(c, OTHER_RULES, LIMIT_RATIO);
    console.log([cell(s.name, 26, true), cell(describeHall(s), 44, true), cell(u.toFixed(2), 5), cell(c.pooledMeanS.toFixed(0), 8),
      cell(w.lowerRatio.toFixed(2), 6), cell(w.bestOther.meanRatio.toFixed(2), 6), cell(w.verdict === 'reachable' ? 'ok' : w.verdict, 10, true), cell(`${c.bestSimple.policy} ${pct(c.bestSimple.overLimitShare)}`, 22, true),
      ...POLICIES.filter((p) => !SIMPLE_POLICIES.includes(p as never) && p !== 'pooled').map((p) => {
        const r = policyOnHall(c, p);
        return cell(`${pct(r.overLimitShare)} ${r.meanRatio.toFixed(2)}×`, 20);
      })].join(' '));
  }
  console.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  if (part) { console.log(`part ${part[0]}/${part[1]} done${cache ? ` (cached in ${cache})` : ''}`); return; }

  const table = (title: string, rows: FamilyRow[]) => {
    console.log(`\n${title}`);
    const w = [22, 24, 7, 24, 9, 30, 30];
    console.log([cell('policy', w[0]!, true), cell('worst mean÷pooled', w[1]!), cell('median', w[2]!), cell('worst tail pt (vs best simple)', w[3]!), cell('mean pt', w[4]!),
      cell('worst service over limit', w[5]!), cell('worst service vs eFCFS pt', w[6]!)].join(' '));
    for (const r of rows) {
      console.log([cell(r.policy, w[0]!, true),
        cell(`${r.worstMeanRatio.meanRatio.toFixed(2)} ${r.worstMeanRatio.hall}`, w[1]!), cell(r.medianMeanRatio.toFixed(2), w[2]!),
        cell(`${pts(r.worstTail.tailPts)} ${r.worstTail.hall}`, w[3]!), cell(pts(r.meanTailPts), w[4]!),
        cell(`${pct(r.worstService.worstService.overLimitShare)} ${r.worstService.hall}/${r.worstService.worstService.service}`, w[5]!),
        cell(`${pts(r.worstGuard.guardPts.pts)} ${r.worstGuard.hall}/${r.worstGuard.guardPts.service}`, w[6]!)].join(' '));
    }
  };
  const rowsFor = (p: string, which: (g: boolean) => boolean) => comparisons.filter((x) => which(x.generated)).map((x) => policyOnHall(x.c, p));
  table(`Family: ${n} generated halls and the reference days`, POLICIES.map((p) => familyRow(p, rowsFor(p, () => true))));
  table(`Generated halls only (${n})`, POLICIES.map((p) => familyRow(p, rowsFor(p, (g) => g))));

  // The mean criterion, hall by hall: which halls the wiring keeps above 1.10 × pooled, and the default on the others.
  const verdicts = comparisons.map((x) => ({ x, w: wiringVerdict(x.c, OTHER_RULES, LIMIT_RATIO), r: policyOnHall(x.c, 'default') }));
  const line = ({ x, w, r }: (typeof verdicts)[number]) => `  ${x.c.hall.padEnd(32)} default ${r.meanRatio.toFixed(2)}× (${r.meanWaitS.toFixed(0)} s vs pooled ${x.c.pooledMeanS.toFixed(0)} s); `
    + `lower bound ${w.lowerRatio.toFixed(2)}×, best other rule ${w.bestOther.meanRatio.toFixed(2)}× (${w.bestOther.policy})`;
  const of = (v: (typeof verdicts)[number], p: string) => {
    const o = policyOnHall(v.x.c, p);
    return `${p}: tail ${pts(o.tailPts)} pt, worst service ${pts(o.guardPts.pts)} pt vs eFCFS (${o.guardPts.service})`;
  };
  const bound = verdicts.filter((v) => v.w.verdict === 'proved' || v.w.verdict === 'no-rule');
  console.log(`\nMean ≤ ${LIMIT_RATIO} × pooled. Wiring-bound halls (no other skill-constrained rule reaches it; [proved]: not even the lower bound does): ${bound.length} of ${verdicts.length}; the default there:`);
  for (const v of bound) console.log(`${line(v)}${v.w.verdict === 'proved' ? ' [proved]' : ''}`);
  const free = verdicts.filter((v) => !bound.includes(v));
  const miss = free.filter((v) => v.r.meanRatio > LIMIT_RATIO);
  console.log(`Halls the wiring allows: ${free.length}; the default's mean is within ${LIMIT_RATIO} × pooled on ${free.length - miss.length}, above on ${miss.length}${miss.length ? ':' : '.'}`);
  for (const v of miss) {
    const cost = v.w.verdict === 'at-a-cost'
      ? `only rules that break the tail (≤ ${TAIL_CRITERION_PTS} pt) or service (≤ ${SERVICE_CRITERION_PTS} pt) criterion reach it — ${of(v, v.w.bestOther.policy)}`
      : `reached by ${v.w.bestFair.policy} (${v.w.bestFair.meanRatio.toFixed(2)}×) within the other criteria`;
    console.log(`${line(v)}; default: tail ${pts(v.r.tailPts)} pt; ${cost}`);
  }

  // The service criterion, hall by hall.
  const svcMiss = verdicts.filter((v) => v.r.guardPts.pts > SERVICE_CRITERION_PTS);
  console.log(`\nEach service within ${SERVICE_CRITERION_PTS} pt of eligible-FCFS: the default meets it on ${verdicts.length - svcMiss.length} of ${verdicts.length} halls; above on: `
    + (svcMiss.map((v) => `${v.x.c.hall}/${v.r.guardPts.service} ${pts(v.r.guardPts.pts)}`).join(', ') || 'none'));

  // The guard's trade-off: how much mean wait each setting of routing.serviceGuard costs, over the generated halls.
  console.log(`\nService guard trade-off (hall configuration routing.serviceGuard; default ${DEFAULT_SERVICE_GUARD}; 100000 = off), generated halls, ${guardSeeds} seeded days each:`);
  const curveKey = (g: number) => (g === DEFAULT_SERVICE_GUARD && guardSeeds === seeds ? 'default' : `default/guard=${g}`);
  const curve = guards.map((g) => familyRow(`guard ${g}`, rowsFor(curveKey(g), (x) => x)));
  console.log(['guard'.padEnd(10), 'median mean÷pooled'.padStart(19), 'worst'.padStart(7), 'worst tail pt'.padStart(14), 'mean tail pt'.padStart(13), 'worst service vs eFCFS pt'.padStart(26)].join(' '));
  guards.forEach((g, i) => {
    const r = curve[i]!;
    console.log([String(g).padEnd(10), r.medianMeanRatio.toFixed(3).padStart(19), r.worstMeanRatio.meanRatio.toFixed(2).padStart(7), pts(r.worstTail.tailPts).padStart(14),
      pts(r.meanTailPts).padStart(13), `${pts(r.worstGuard.guardPts.pts)} ${r.worstGuard.hall}/${r.worstGuard.guardPts.service}`.padStart(26)].join(' '));
  });

  // Per service on the reference days: over-limit share, mean and p95 wait.
  for (const x of comparisons.filter((y) => !y.generated)) {
    console.log(`\n${x.c.hall}: per service (over limit / mean s / p95 s)`);
    for (const p of ['eligible-fcfs', 'pooled', 'default', 'deadline-cmu']) {
      const r = x.c.results.get(p)!;
      console.log(`  ${p.padEnd(14)} ${Object.entries(r.services).map(([k, v]) => `${k} ${pct(v.overLimitShare)} / ${v.meanWaitS.toFixed(0)} / ${v.p95WaitS.toFixed(0)}`).join('   ')}`);
    }
  }
}
