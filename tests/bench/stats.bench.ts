// A year of a busy hall (~5,000 tickets a day) in a temp SQLite file: how long the
// main statistics queries take over it and what it costs on disk.
// `npm run bench -- --only stats [--days 365] [--tickets 5000] [--keep | --reuse FILE]`
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { localToMs, systemClock } from '../../firmware/lib/time.ts';
import { rangeStats, staffRanking } from '../../firmware/stats/range.ts';
import { ensureStatsSchema, nextDay, StatsStore } from '../../firmware/stats/store.ts';
import { SqliteStore } from '../../firmware/eventlog/sqlite-store.ts';
import { synthesizeDay } from '../../firmware/stats/synthetic.ts';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const fileSize = (f: string) => ['', '-wal', '-shm'].reduce((n, s) => n + (existsSync(f + s) ? statSync(f + s).size : 0), 0);

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
}

/** Bytes of each table and index (SQLite's dbstat), or null where it is not compiled in. */
function objectSizes(db: SqliteStore['db']): Map<string, number> | null {
  try {
    const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as Array<{ name: string; bytes: number }>;
    return new Map(rows.map((r) => [r.name, r.bytes]));
  } catch {
    return null;
  }
}

export default async function run(args: string[]): Promise<void> {
  const tickets = arg(args, 'tickets', 5000);
  const hall = loadHallConfig();
  const reuseAt = args.indexOf('--reuse');
  const reuse = reuseAt >= 0 ? args[reuseAt + 1] : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'manyi-stats-bench-'));
  const file = reuse ?? join(dir, 'controller.db');
  // The controller's own store (schema, indexes, WAL, synchronous=FULL); one append (= one transaction) a day.
  const sqlite = new SqliteStore(file, { clock: systemClock });
  const db = sqlite.db;
  const rows: Array<[string, string]> = [];
  const dayList: string[] = [];
  if (reuse && existsSync(reuse)) {
    // A year written by an earlier run (--keep): measure the statistics from scratch on it.
    db.exec('DROP TABLE IF EXISTS stats_day;');
    const r = db.prepare('SELECT MIN(day) AS a, MAX(day) AS b FROM events').get() as { a: string; b: string };
    for (let d = r.a; d <= r.b; d = nextDay(d)) dayList.push(d);
    rows.push(['reused store', `${reuse}: ${dayList.length} days ${r.a} – ${r.b}`]);
  } else {
    const days = arg(args, 'days', 365);
    for (let d = '2025-11-27', i = 0; i < days; i++, d = nextDay(d)) dayList.push(d);
    let events = 0;
    let genMs = 0;
    const [, writeMs] = time(() => {
      dayList.forEach((day, i) => {
        const [evs, g] = time(() => synthesizeDay(hall, day, { tickets, seed: i }));
        genMs += g;
        events += evs.length;
        sqlite.append(evs);
      });
    });
    rows.push(['days × tickets/day', `${days} × ${tickets} = ${(days * tickets).toLocaleString('en')} tickets`]);
    rows.push(['events written', `${events.toLocaleString('en')} in ${(writeMs / 1000).toFixed(1)} s (${Math.round(events / ((writeMs - genMs) / 1000)).toLocaleString('en')} rows/s to SQLite; generation ${(genMs / 1000).toFixed(1)} s)`]);
  }
  const days = dayList.length;
  const events = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  db.pragma('wal_checkpoint(TRUNCATE)');

  const [, idxMs] = time(() => ensureStatsSchema(db));
  rows.push(['stats_day table: create', `${(idxMs / 1000).toFixed(1)} s`]);
  const lastDay = dayList[dayList.length - 1];
  // "Now" is the last day at 15:00: the year before it is closed, that day is live.
  const now = localToMs(lastDay, 15 * 3600, hall.hall.timezone);
  const store = new StatsStore(db, hall, () => now);

  const [, foldMs] = time(() => store.computeDay(dayList[0]));
  rows.push(['fold one busy day from raw events', `${foldMs.toFixed(0)} ms`]);
  const [closed, closeMs] = time(() => store.closeDays());
  db.pragma('wal_checkpoint(TRUNCATE)');
  rows.push(['close every past day (summaries)', `${closed} days in ${(closeMs / 1000).toFixed(1)} s (${(closeMs / Math.max(1, closed)).toFixed(0)} ms a day)`]);

  const q = (label: string, from: string, to: string) => {
    rangeStats(store, from, to); // warm the statement cache once
    const [st, ms] = time(() => rangeStats(store, from, to));
    rows.push([label, `${ms.toFixed(0)} ms (${st.days} days, ${st.total.issued.toLocaleString('en')} tickets)`]);
  };
  const prev = dayList[dayList.length - 2] ?? dayList[0];
  q('query: yesterday (closed day)', prev, prev);
  {
    // A fresh store: no memo of today from an earlier call.
    const fresh = new StatsStore(db, hall, () => now);
    const [st, ms] = time(() => rangeStats(fresh, lastDay, lastDay));
    rows.push(['query: today live, first call (folds the day)', `${ms.toFixed(0)} ms (${st.total.issued.toLocaleString('en')} tickets)`]);
    const [, ms2] = time(() => rangeStats(fresh, lastDay, lastDay));
    rows.push(['query: today live, next calls (new events only)', `${ms2.toFixed(0)} ms`]);
  }
  q('query: last 7 days', dayList[Math.max(0, dayList.length - 7)], lastDay);
  q('query: last 31 days', dayList[Math.max(0, dayList.length - 31)], lastDay);
  q('query: whole year', dayList[0], lastDay);
  const month = prev.slice(0, 7);
  const [, rankMs] = time(() => staffRanking(store, month));
  rows.push([`monthly staff ranking ${month}`, `${rankMs.toFixed(0)} ms`]);

  const total = fileSize(file);
  const sizes = objectSizes(db);
  if (sizes) {
    const of = (names: string[]) => names.reduce((n, k) => n + (sizes.get(k) ?? 0), 0);
    const ev = of(['events']);
    rows.push(['disk: events table', `${mb(ev)} (${Math.round(ev / events)} B an event, ${mb(ev / days)} a day)`]);
    rows.push(['disk: event log indexes (events_day, events_kind_day)', mb(of(['events_day', 'events_kind_day']))]);
    rows.push(['disk: event log index (events_window_status, partial)', mb(of(['events_window_status']))]);
    rows.push(['disk: stats_day summaries', `${mb(of(['stats_day', 'sqlite_autoindex_stats_day_1']))} (${(of(['stats_day', 'sqlite_autoindex_stats_day_1']) / days / 1024).toFixed(0)} KB a day)`]);
  }
  rows.push(['store on disk, total', `${mb(total)} for ${events.toLocaleString('en')} events (${mb(total / days)} a day; a year at this rate ${(total / days * 365 / 1024 ** 3).toFixed(2)} GB)`]);
  sqlite.close();

  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  if (reuse || args.includes('--keep')) console.log(`kept: ${file}`);
  if (reuse || !args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
