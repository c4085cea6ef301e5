// Retention: the controller keeps each service day's events for a configured
// number of days (the hall configuration's `retentionDays`, default 400: a year and
// the same month a year ago), then keeps only the day's summary. Before a day's
// events go, its summary is written to `stats_day` (firmware/stats) and checked
// there; the purge line is recorded in `meta.purged_before`, and statistics read
// the days before it from their summaries alone. Each window's last status before
// the line stays, so the first kept day still knows which windows were open.
import type BetterSqlite3 from 'better-sqlite3';
import type { HallConfig } from '../config/hall.ts';
import { localDay } from '../lib/time.ts';
import { SUMMARY_VERSION, StatsStore } from '../stats/store.ts';

type Database = BetterSqlite3.Database;

export const DEFAULT_RETENTION_DAYS = 400;

export interface PurgeResult { cutoff: string; days: string[]; events: number }

/** The first service day whose events are kept at `nowMs`. */
export function retentionCutoff(hall: HallConfig, nowMs: number, retentionDays: number): string {
  return localDay(nowMs - retentionDays * 86_400_000, hall.hall.timezone);
}

/**
 * Summarises, then purges the events of every day before the cutoff. One
 * transaction a day. `shippedUpTo`: in a city, the last event the city has
 * acknowledged; a day with events after it keeps them until they are shipped.
 */
export function purgeOldEvents(db: Database, hall: HallConfig, nowMs: number, retentionDays = DEFAULT_RETENTION_DAYS, shippedUpTo = Infinity): PurgeResult {
  if (!(retentionDays >= 1)) throw new Error(`retention must be at least a day, got ${retentionDays}`);
  const cutoff = retentionCutoff(hall, nowMs, retentionDays);
  const stats = new StatsStore(db, hall, () => nowMs);
  const keep = `SELECT MAX(seq) FROM events WHERE kind = 'window-status' AND day < @cutoff GROUP BY "window"`;
  const days = (db.prepare(`SELECT DISTINCT day FROM events WHERE day < @cutoff AND seq NOT IN (${keep}) ORDER BY day`).all({ cutoff }) as Array<{ day: string }>).map((r) => r.day);
  const del = db.prepare(`DELETE FROM events WHERE day = @day AND seq NOT IN (${keep})`);
  const summary = db.prepare('SELECT version FROM stats_day WHERE day = ?');
  const line = db.prepare("INSERT INTO meta(key, value) VALUES ('purged_before', @cutoff) ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)");
  let events = 0;
  const purged: string[] = [];
  const lastSeq = db.prepare('SELECT MAX(seq) AS s FROM events WHERE day = ?');
  for (const day of days) {
    if ((lastSeq.get(day) as { s: number }).s > shippedUpTo) break; // the city has not got it yet
    stats.day(day); // folds and saves the summary of a closed day if it is not there yet
    const s = summary.get(day) as { version: number } | undefined;
    if (!s || s.version !== SUMMARY_VERSION) throw new Error(`no summary of ${day} could be kept: its events stay`);
    db.transaction(() => {
      events += del.run({ day, cutoff }).changes;
      line.run({ cutoff: nextDayOf(day) }); // with the deletion: a day is never half its events and not yet its summary
    }).immediate();
    purged.push(day);
  }
  if (purged.length === days.length && days.length) db.transaction(() => line.run({ cutoff })).immediate();
  return { cutoff, days: purged, events };
}

function nextDayOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The controller's part: purges once at start and then whenever the service day
 * changes (checked hourly), never while a command is being handled (the same
 * thread, between messages).
 */
export function startRetention(o: { db: Database; hall: HallConfig; now: () => number; retentionDays?: number; shippedUpTo?: () => number; log?: { info(o: object, m: string): void; error(o: object, m: string): void } }): { stop(): void; runNow(): PurgeResult | null } {
  let lastDay = '';
  const runNow = (): PurgeResult | null => {
    try {
      const r = purgeOldEvents(o.db, o.hall, o.now(), o.retentionDays ?? DEFAULT_RETENTION_DAYS, o.shippedUpTo?.() ?? Infinity);
      if (r.days.length) o.log?.info({ cutoff: r.cutoff, days: r.days.length, events: r.events }, 'retention: purged the events of days past the retention (their summaries are kept)');
      return r;
    } catch (e) {
      o.log?.error({ err: (e as Error).message }, 'retention: purge failed; nothing was deleted for the day that failed');
      return null;
    }
  };
  const tick = () => {
    const today = localDay(o.now(), o.hall.hall.timezone);
    if (today !== lastDay) { lastDay = today; runNow(); }
  };
  tick();
  const timer = setInterval(tick, 3_600_000);
  timer.unref?.();
  return { stop: () => clearInterval(timer), runNow };
}
