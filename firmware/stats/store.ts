// Reads the controller's event log through its queries (firmware/eventlog: columns,
// never the JSON) and keeps one summary per closed service day in `stats_day`, so a
// year's range merges 365 rows instead of re-reading ten million events. Today is
// always folded live.
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

type Database = BetterSqlite3.Database;
type Stmt = BetterSqlite3.Statement<unknown[]>;
import type { HallConfig } from '../config/hall.ts';
import { localDay } from '../lib/time.ts';
import { EventQueries } from '../eventlog/queries.ts';
import { DayFolder, closingMs, openingMs, type DaySummary } from './day.ts';

/** Bumped whenever DaySummary's meaning changes: older cached days are recomputed. */
export const SUMMARY_VERSION = 1;

/** Our own addition to the controller's database: the summary table. */
export function ensureStatsSchema(db: Database): boolean {
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS stats_day (day TEXT PRIMARY KEY, version INTEGER NOT NULL, config TEXT NOT NULL,
        last_seq INTEGER NOT NULL, events INTEGER NOT NULL, computed_at INTEGER NOT NULL, data TEXT NOT NULL);`);
    return true;
  } catch (e) {
    if (/readonly/i.test((e as Error).message)) return false; // a read-only copy: compute, do not cache
    throw e;
  }
}

/** The parts of the hall configuration a summary depends on. */
export function configFingerprint(hall: HallConfig): string {
  return createHash('sha1').update(JSON.stringify([hall.hall.timezone, hall.hours, hall.services.map((s) => [s.id, s.waitLimitS, s.serviceLimitS])])).digest('hex').slice(0, 16);
}

export class StatsStore {
  private cacheable: boolean;
  private readonly fingerprint: string;
  private liveFolder?: DayFolder;
  private readonly events: EventQueries;
  private q: {
    cached: Stmt;
    save?: Stmt;
  };

  constructor(readonly db: Database, readonly hall: HallConfig, private now: () => number = Date.now) {
    this.events = new EventQueries(db);
    this.cacheable = ensureStatsSchema(db) && !db.readonly;
    this.fingerprint = configFingerprint(hall);
    const hasCache = this.cacheable || !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'stats_day'").get();
    this.q = {
      cached: hasCache ? db.prepare('SELECT version, config, last_seq, events, data FROM stats_day WHERE day = ?')
        : db.prepare('SELECT NULL AS version, NULL AS config, NULL AS last_seq, NULL AS events, NULL AS data WHERE 0 AND ? IS NULL'),
      save: this.cacheable ? db.prepare('INSERT OR REPLACE INTO stats_day (day, version, config, last_seq, events, computed_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)') : undefined,
    };
  }

  today(): string { return localDay(this.now(), this.hall.hall.timezone); }

  /**
   * Days before this one had their events purged (firmware/safekeeping/retention.ts):
   * their summaries in `stats_day` are their record. Null when nothing was purged.
   */
  purgedBefore(): string | null {
    const hasMeta = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    if (!hasMeta) return null;
    const r = this.db.prepare("SELECT value FROM meta WHERE key = 'purged_before'").get() as { value: string } | undefined;
    return r?.value ?? null;
  }

  /** Service days with events (or, before the purge line, a kept summary) between `from` and `to` (inclusive). */
  daysWithEvents(from: string, to: string): string[] {
    // One index probe per calendar day: DISTINCT over a year's index would read ten million entries.
    const purged = this.purgedBefore();
    const out: string[] = [];
    for (let d = from; d <= to; d = nextDay(d)) {
      if (purged && d < purged ? this.q.cached.get(d) !== undefined : this.events.hasDay(d)) out.push(d);
    }
    return out;
  }

  private newFolder(day: string): DayFolder {
    const folder = new DayFolder(this.hall, day);
    const carried = this.events.carried(day).map((w) => ({ window: w.window, status: w.status, staff: w.staff ?? undefined }));
    folder.carryOver(carried, openingMs(this.hall, day));
    return folder;
  }

  /** Folds one day from its raw events. */
  computeDay(day: string): DaySummary {
    const folder = this.newFolder(day);
    for (const row of this.events.dayRows(day)) folder.add(row);
    const isToday = day >= this.today();
    const end = isToday ? this.now() : Math.max(closingMs(this.hall, day), folder.summary.lastAt);
    return folder.finish(end);
  }

  /** Today: kept folded in memory, fed only the events stored since the last call. */
  private liveDay(day: string): DaySummary {
    if (!this.liveFolder || this.liveFolder.summary.day !== day) this.liveFolder = this.newFolder(day);
    const f = this.liveFolder;
    for (const row of this.events.dayRows(day, f.summary.lastSeq)) f.add(row);
    return f.snapshot(Math.max(this.now(), f.summary.lastAt));
  }

  /**
   * One day's summary: from `stats_day` when it is a closed day whose events have
   * not changed since (same last seq and count, same limits), otherwise folded and,
   * for a closed day, saved.
   */
  day(day: string): DaySummary {
    if (day === this.today()) return this.liveDay(day);
    if (day > this.today()) return this.computeDay(day); // events filed ahead of the clock (tests, replays)
    const hit = this.q.cached.get(day) as { version: number; config: string; last_seq: number; data: string } | undefined;
    if (hit && this.fresh(day, hit)) return JSON.parse(hit.data) as DaySummary;
    // A purged day's summary is all there is: never refolded from what is left.
    const purged = this.purgedBefore();
    if (hit && purged && day < purged) return JSON.parse(hit.data) as DaySummary;
    const sum = this.computeDay(day);
    this.q.save?.run(day, SUMMARY_VERSION, this.fingerprint, sum.lastSeq, sum.events, this.now(), JSON.stringify(sum));
    return sum;
  }

  /**
   * A summary holds while the day's newest event is the one it saw (events are
   * only appended; a late one gets a higher seq) and the limits are unchanged.
   * Events purged later leave the summary standing: it is the day's record.
   */
  private fresh(day: string, hit: { version: number; config: string; last_seq: number }): boolean {
    if (hit.version !== SUMMARY_VERSION || hit.config !== this.fingerprint) return false;
    const cur = this.events.lastSeq(day);
    return cur === null || cur === hit.last_seq;
  }

  /**
   * Summarises every closed day not yet summarised; returns how many it folded.
   * The controller may call it once after closing (about 0.1 s a busy day);
   * otherwise the first query over those days does the work.
   */
  closeDays(from?: string, to?: string): number {
    if (!this.cacheable) return 0;
    const first = from ?? this.events.firstDay();
    if (!first) return 0;
    const last = to ?? prevDay(this.today());
    let n = 0;
    const check = this.db.prepare('SELECT version, config, last_seq FROM stats_day WHERE day = ?');
    for (const d of this.daysWithEvents(first, last)) {
      const hit = check.get(d) as { version: number; config: string; last_seq: number } | undefined;
      if (hit && this.fresh(d, hit)) continue;
      this.day(d); // one day per statement: the controller's writes interleave
      n++;
    }
    return n;
  }
}

export function prevDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}
export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
