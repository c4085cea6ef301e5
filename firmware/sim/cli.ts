// `manyi simulate` and `manyi staffing`.
import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, type Scenario } from './scenario.ts';
import { simulate, type SimulationResult } from './run.ts';
import { randomHalls } from './random-hall.ts';
import { policyNames } from '../routing/index.ts';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
};

interface SimulateCliOptions {
  scenario?: string; randomHalls?: number; seed: number; out?: string;
  policy: string; seeds: number; firstSeed: number; json?: boolean;
}

const min = (x: number) => `${(x / 60).toFixed(1)} min`;

function printResult(r: SimulationResult, s: Scenario): void {
  console.log(`${r.scenario} · policy ${r.policy} · ${r.seeds} seeded days (${r.msPerDay.toFixed(0)} ms/day)`);
  if (s.about && s.name.startsWith('random-')) console.log(`  ${s.about}`);
  console.log(`  citizens/day     ${r.citizens.toFixed(0)}`);
  console.log(`  mean wait        ${min(r.meanWaitS)}`);
  console.log(`  p95 wait         ${min(r.p95WaitS)}`);
  console.log(`  max wait         ${min(r.maxWaitS)}`);
  console.log(`  over the limit   ${(r.overLimitShare * 100).toFixed(2)} % (limit ${min(s.waitLimitS)})`);
  console.log(`  longest queue    ${r.maxQueue.toFixed(1)}`);
  console.log(`  utilisation      ${(r.utilisation * 100).toFixed(1)} %`);
  console.log(`  alerts raised    ${r.alerts.toFixed(1)} (wait over the limit, by the controller)`);
  console.log(`  estimate error   MAE ${r.estMaeS.toFixed(0)} s, p90 ${r.estP90ErrS.toFixed(0)} s`);
  console.log('  per service      over limit   mean     p95');
  for (const [id, f] of Object.entries(r.services)) {
    console.log(`    ${id.padEnd(14)} ${`${(f.overLimitShare * 100).toFixed(2)} %`.padStart(9)} ${min(f.meanWaitS).padStart(8)} ${min(f.p95WaitS).padStart(8)}`);
  }
}

export function register(program: Command): void {
  program.command('simulate')
    .description('simulate seeded hall days of a scenario (or of generated halls) under a routing policy and print the averages')
    .option('--scenario <file>', 'scenario JSON (format of shared/bench/hospital-day.json)')
    .option('--random-halls <n>', 'instead of --scenario: n generated halls of the family --seed (firmware/sim/random-hall.ts)', int('--random-halls'))
    .option('--seed <n>', 'family of generated halls', int('--seed'), 1)
    .option('--out <dir>', 'with --random-halls: also write each generated hall as a scenario file there')
    .option('--policy <name>', `routing policy: ${policyNames().join(', ')}`, 'default')
    .option('--seeds <n>', 'number of seeded days', int('--seeds'), 20)
    .option('--first-seed <n>', 'first seed', int('--first-seed'), 1)
    .option('--json', 'print one JSON object (an array with --random-halls)')
    .action((o: SimulateCliOptions) => {
      if ((o.scenario === undefined) === (o.randomHalls === undefined)) throw new Error('give either --scenario FILE or --random-halls N');
      const halls = o.scenario ? [loadScenario(o.scenario)] : randomHalls(o.seed, o.randomHalls!);
      if (o.out) {
        mkdirSync(o.out, { recursive: true });
        for (const h of halls) writeFileSync(join(o.out, `${h.name}.json`), `${JSON.stringify(h, null, 2)}\n`);
      }
      const results = halls.map((s) => simulate(s, o.policy, { seeds: o.seeds, firstSeed: o.firstSeed }));
      if (o.json) { console.log(JSON.stringify(o.scenario ? results[0] : results)); return; }
      results.forEach((r, i) => printResult(r, halls[i]!));
    });

  program.command('staffing')
    .description('windows per service and hour that keep P(wait > limit) under a target: Erlang C from a scenario, or from a hall\'s recorded days (--db) checked by simulating through the engine')
    .option('--scenario <file>', 'scenario JSON')
    .option('--db <file>', 'instead of --scenario: the controller database whose recorded arrivals and service times to use')
    .option('--weekday <day>', 'with --db: the weekday to staff (mon … sun, or 0–6 with 0 = Sunday)')
    .option('--hall <file>', 'with --db: hall configuration (default: the demo hospital)')
    .option('--from <day>', 'with --db: first recorded day to read (default: eight weeks before --to)')
    .option('--to <day>', 'with --db: last recorded day to read (default: the last one recorded)')
    .option('--check-seeds <n>', 'with --db: seeded days to simulate the proposal through the engine (0: Erlang C only)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 200) throw new Error(`--check-seeds must be 0–200, got ${v}`);
      return n;
    }, 10)
    .option('--target <p>', 'largest acceptable P(wait > limit)', (v) => {
      const n = Number(v);
      if (!(n > 0 && n < 1)) throw new Error(`--target must be between 0 and 1, got ${v}`);
      return n;
    }, 0.05)
    .option('--svg <file>', 'also write the table as an SVG chart')
    .option('--json', 'with --db: print the proposal and its check as JSON')
    .action(async (o: StaffingCliOptions) => {
      const { staffingPlan, formatStaffing, staffingSvg } = await import('./staffing.ts');
      if ((o.scenario === undefined) === (o.db === undefined)) throw new Error('give either --scenario FILE or --db FILE');
      if (o.scenario) {
        const s = loadScenario(o.scenario);
        const plan = staffingPlan(s, o.target);
        console.log(formatStaffing(plan));
        if (o.svg) { writeFileSync(o.svg, staffingSvg(plan)); console.log(`chart written to ${o.svg}`); }
        return;
      }
      const { staffingFromRecorded, parseWeekday, formatRecordedStaffing } = await import('./staffing-recorded.ts');
      const { loadHallConfig } = await import('../config/hall.ts');
      const { default: Database } = await import('better-sqlite3');
      if (o.weekday === undefined) throw new Error('--db needs --weekday (mon … sun)');
      const weekday = parseWeekday(o.weekday);
      if (!existsSync(o.db!)) throw new Error(`no database at ${o.db}`);
      const hall = loadHallConfig(o.hall);
      const db = new Database(o.db!, { fileMustExist: true });
      try {
        const r = staffingFromRecorded(db, hall, { weekday, target: o.target, from: o.from, to: o.to, checkSeeds: o.checkSeeds });
        if (o.json) console.log(JSON.stringify(r));
        else console.log(formatRecordedStaffing(r));
        if (o.svg) { writeFileSync(o.svg, staffingSvg(r.checked)); if (!o.json) console.log(`chart written to ${o.svg}`); }
      } finally {
        db.close();
      }
    });
}

interface StaffingCliOptions {
  scenario?: string; db?: string; weekday?: string; hall?: string; from?: string; to?: string;
  checkSeeds: number; target: number; svg?: string; json?: boolean;
}
