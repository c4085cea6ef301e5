// `manyi stats --db FILE --from DAY --to DAY [--json]`: the manager's figures from
// a controller database, as a table, JSON or CSV.
import type { Command } from 'commander';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { loadHallConfig } from '../config/hall.ts';
import { figuresCsv } from './csv.ts';
import type { Figures } from './figures.ts';
import { rangeStats, staffRanking, type RangeStats } from './range.ts';
import { StatsStore } from './store.ts';

const GROUPS = ['services', 'windows', 'staff', 'hours', 'days'] as const;
type Group = (typeof GROUPS)[number];

function rowsOf(st: RangeStats, g: Group): Array<{ key: string } & Figures> {
  switch (g) {
    case 'services': return st.services.map((r) => ({ ...r, key: r.id }));
    case 'windows': return st.windows.map((r) => ({ ...r, key: r.id }));
    case 'staff': return st.staff.map((r) => ({ ...r, key: r.name ? `${r.id} ${r.name}` : r.id }));
    case 'hours': return st.hours.map((r) => ({ ...r, key: `${String(r.hour).padStart(2, '0')}:00` }));
    case 'days': return st.byDay.map((r) => ({ ...r, key: r.day }));
  }
}

const fmt = (v: number | null, d = 0) => (v === null ? '–' : v.toFixed(d));
const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

export function textTable(st: RangeStats, g: Group): string {
  const head = ['', 'issued', 'served', 'no-show', 'transf', 'wait s', 'p95 s', 'over%', 'walk s', 'svc s', 'over%', 'satisf', 'rated', 'idle h', 'paused h'];
  const line = (k: string, f: Figures) => [k, String(f.issued), String(f.served), String(f.noShows), String(f.transferred),
    fmt(f.wait.meanS), fmt(f.wait.p95S), pct(f.wait.overLimitShare), fmt(f.walk.meanS), fmt(f.service.meanS), pct(f.service.overLimitShare),
    pct(f.satisfaction.rate), pct(f.satisfaction.ratedShare), fmt(f.idleS / 3600, 1), fmt(f.pausedS / 3600, 1)];
  const rows = [head, ...rowsOf(st, g).map((r) => line(r.key, r)), line('total', st.total)];
  const w = head.map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n');
}

export function register(program: Command): void {
  program.command('stats')
    .description('statistics from a controller database: per service, window, staff member, hour or day')
    .requiredOption('--db <file>', 'the controller database (SQLite)')
    .option('--hall <file>', 'hall configuration (default: the demo hospital)')
    .option('--from <day>', 'first service day, YYYY-MM-DD (default: today)')
    .option('--to <day>', 'last service day, YYYY-MM-DD (default: --from)')
    .option('--by <group>', `one of ${GROUPS.join(', ')}`, 'services')
    .option('--json', 'print every figure as JSON')
    .option('--csv', 'print the chosen group as CSV')
    .option('--ranking <month>', 'print the staff ranking of a month (YYYY-MM)')
    .action((o: StatsOptions, cmd: Command) => {
      try {
        run(o);
      } catch (e) {
        cmd.error(`manyi stats: ${(e as Error).message}`); // a one-line error, exit code 1
      }
    });
}

interface StatsOptions { db: string; hall?: string; from?: string; to?: string; by: string; json?: boolean; csv?: boolean; ranking?: string }

function run(o: StatsOptions): void {
  if (!existsSync(o.db)) throw new Error(`no database at ${o.db}`);
  if (!GROUPS.includes(o.by as Group)) throw new Error(`--by must be one of ${GROUPS.join(', ')}`);
  const hall = loadHallConfig(o.hall);
  const db = new Database(o.db, { fileMustExist: true });
  try {
    const store = new StatsStore(db, hall);
    if (o.ranking) {
      const r = staffRanking(store, o.ranking);
      if (o.json) console.log(JSON.stringify(r, null, 2));
      else for (const e of r.ranking) console.log(`${String(e.rank ?? '-').padStart(3)}  ${(e.name ?? e.id).padEnd(8)}  score ${e.score ?? '–'}  served ${e.served}  rated ${e.rated}  satisfaction ${pct(e.satisfactionRate)}`);
      return;
    }
    const from = o.from ?? store.today();
    const st = rangeStats(store, from, o.to ?? from);
    if (o.json) console.log(JSON.stringify(st, null, 2));
    else if (o.csv) process.stdout.write(figuresCsv(['key'], rowsOf(st, o.by as Group)));
    else console.log(`${hall.hall.name.en}: ${st.from} – ${st.to}, ${st.days} day(s) with events\n${textTable(st, o.by as Group)}`);
  } finally {
    db.close();
  }
}
