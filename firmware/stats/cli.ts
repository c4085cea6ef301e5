// `manyi stats --db FILE --from DAY --to DAY [--json]`: the manager's figures from
// a controller database, as a table, JSON or CSV.
import type { Command } from 'commander';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { loadHallConfig } from '../config/hall.ts';
import { figuresCsv } from './csv.ts';
import type { Figures } from './figures.ts';
import { rangeStats, staffRanking, type RangeStats } from './range.ts';
import { nextDay, prevDay, StatsStore } from './store.ts';
import { localDay, systemClock } from '../lib/time.ts';
import { HallEngine } from '../controller/engine.ts';
import { SqliteStore } from '../eventlog/sqlite-store.ts';
import { driveWeek } from './demo-week.ts';

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
  program.command('stats-seed')
    .description('create a controller database holding simulated days driven through the engine (the demo\'s week)')
    .requiredOption('--db <file>', 'a new SQLite database')
    .option('--hall <file>', 'hall configuration (default: the demo hospital)')
    .option('--days <n>', 'how many days', '7')
    .option('--end <day>', 'the last day, YYYY-MM-DD (default: yesterday)')
    .option('--tickets <n>', 'tickets a day', '700')
    .option('--seed <n>', 'random seed', '1')
    .action((o: Parameters<typeof seed>[0], cmd: Command) => {
      try { seed(o); } catch (e) { cmd.error(`manyi stats-seed: ${(e as Error).message}`); }
    });

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

/** `manyi stats-seed`: a new controller database filled with simulated days driven through the engine. */
function seed(o: { db: string; hall?: string; days: string; end?: string; tickets: string; seed: string }): void {
  const hall = loadHallConfig(o.hall);
  const days = Number(o.days), tickets = Number(o.tickets), seedN = Number(o.seed);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error('--days must be 1–366');
  if (!Number.isInteger(tickets) || tickets < 1 || tickets > 20000) throw new Error('--tickets must be 1–20000');
  const end = o.end ?? prevDay(localDay(systemClock.now(), hall.hall.timezone));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(end)) throw new Error('--end must be YYYY-MM-DD');
  let first = end;
  for (let i = 1; i < days; i++) first = prevDay(first);
  const list: string[] = [];
  for (let d = first; d <= end; d = nextDay(d)) list.push(d);
  const store = new SqliteStore(o.db, { clock: systemClock });
  try {
    const n = (store.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    if (n > 0) throw new Error(`${o.db} already holds ${n} events: seed a new database`);
    // A new file of simulated days: no need to sync every command to disk.
    store.db.pragma('synchronous = OFF');
    // Two windows of each service open; the rest stay closed, as on a quiet weekday.
    const open = hall.services.flatMap((s) => hall.windows.filter((w) => w.own.includes(s.id)).slice(0, 2).map((w) => w.id));
    const { refused } = driveWeek(new HallEngine({ hall, store }), { days: list, ticketsPerDay: tickets, seed: seedN, windows: [...new Set(open)] });
    const total = (store.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    console.log(`${o.db}: ${list.length} day(s) ${first} – ${end}, ${total} events (${refused} tickets refused outside service hours)`);
  } finally {
    store.close();
  }
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
