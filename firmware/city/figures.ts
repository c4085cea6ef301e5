// A hall's statistics computed from the city's copy of its events, by the hall's
// own code: the same `DayFolder` folds each day, the same `rangeStats` and
// `staffRanking` merge them, so the city's figures for a day are the hall's
// figures for that day (tests/city compare them). Closed days are kept folded in
// `city_days` while their events are unchanged (same last seq, same limits, same
// summary version); today is folded from its events on each request.
import type pg from 'pg';
import { HallConfig } from '../config/hall.ts';
import { localDay, type Clock } from '../lib/time.ts';
import type { EventRow } from '../eventlog/rows.ts';
import { closingMs, DayFolder, openingMs, type DaySummary } from '../stats/day.ts';
import type { DaySource } from '../stats/range.ts';
import { configFingerprint, SUMMARY_VERSION } from '../stats/store.ts';

/** A hall as the city knows it: its id, configuration (if it sent one) and link state. */
export interface CityHall {
  hall: string;
  config: HallConfig | null;
  acked: number;
  logLast: number | null;
  lastSeen: string;
  version: string | null;
}

export async function listHalls(pool: pg.Pool): Promise<CityHall[]> {
  const r = await pool.query(`SELECT hall, config, acked_seq, log_last, version, last_seen FROM city_halls ORDER BY hall`);
  return r.rows.map((x: { hall: string; config: unknown; acked_seq: string; log_last: string | null; version: string | null; last_seen: Date }) => {
    // Stored after validation; checked again so a bad row cannot break a page.
    const cfg = x.config ? HallConfig.safeParse(x.config) : null;
    return {
      hall: x.hall, config: cfg?.success ? cfg.data : null, acked: Number(x.acked_seq),
      logLast: x.log_last === null ? null : Number(x.log_last), lastSeen: x.last_seen.toISOString(), version: x.version,
    };
  });
}

/** The days of one hall, loaded from PostgreSQL, served synchronously to `rangeStats`. */
export class CityDaySource implements DaySource {
  constructor(readonly hall: HallConfig, private readonly days: Map<string, DaySummary>) {}
  daysWithEvents(from: string, to: string): string[] {
    return [...this.days.keys()].filter((d) => d >= from && d <= to).sort();
  }
  day(day: string): DaySummary {
    const s = this.days.get(day);
    if (!s) throw new Error(`day ${day} was not loaded`);
    return s;
  }
}

async function foldDay(pool: pg.Pool, hallId: string, hall: HallConfig, day: string, endMs: (s: DaySummary) => number): Promise<DaySummary> {
  const folder = new DayFolder(hall, day);
  // Each window's last status before the day, as the hall's EventQueries.carried has it.
  const carried = await pool.query(
    `SELECT DISTINCT ON ("window") "window" AS window, status, staff FROM city_events
     WHERE hall = $1 AND kind = 'window-status' AND day < $2 ORDER BY "window", seq DESC`, [hallId, day]);
  folder.carryOver(carried.rows.map((w: { window: string; status: 'open' | 'paused' | 'closed'; staff: string | null }) =>
    ({ window: w.window, status: w.status, staff: w.staff ?? undefined })), openingMs(hall, day));
  // The columns statistics read (never the JSON), as the hall's ROW_SELECT gives them.
  const rows = await pool.query(
    `SELECT seq, at, day::text AS day, kind, ticket, service, "window" AS window, staff, recall, arrived_at AS "arrivedAt",
       from_service AS "fromService", score, status
     FROM city_events WHERE hall = $1 AND day = $2 ORDER BY seq`, [hallId, day]);
  for (const r of rows.rows as Array<EventRow & { seq: string; at: string; arrivedAt: string | null }>) {
    folder.add({ ...r, seq: Number(r.seq), at: Number(r.at), arrivedAt: r.arrivedAt === null ? null : Number(r.arrivedAt) });
  }
  return folder.finish(endMs(folder.summary));
}

/**
 * The hall's days between `from` and `to` that have events: closed days from the
 * cache when fresh (else folded and cached), today folded up to now.
 */
export async function loadHallDays(pool: pg.Pool, hallId: string, hall: HallConfig, from: string, to: string, clock: Clock): Promise<CityDaySource> {
  const now = clock.now();
  const today = localDay(now, hall.hall.timezone);
  const fp = configFingerprint(hall);
  const present = await pool.query(
    `SELECT day::text AS day, last_seq AS last FROM city_day_index WHERE hall = $1 AND day BETWEEN $2 AND $3 ORDER BY day`, [hallId, from, to]);
  const cached = await pool.query(
    `SELECT day::text AS day, version, config, last_seq, data FROM city_days WHERE hall = $1 AND day BETWEEN $2 AND $3`, [hallId, from, to]);
  const cache = new Map(cached.rows.map((r: { day: string; version: number; config: string; last_seq: string; data: DaySummary }) => [r.day, r]));
  const days = new Map<string, DaySummary>();
  for (const { day, last } of present.rows as Array<{ day: string; last: string }>) {
    const hit = cache.get(day);
    if (day < today && hit && hit.version === SUMMARY_VERSION && hit.config === fp && Number(hit.last_seq) === Number(last)) {
      days.set(day, hit.data);
      continue;
    }
    days.set(day, await foldAndKeep(pool, hallId, hall, day, today, now, fp));
  }
  return new CityDaySource(hall, days);
}

/** Folds one day of a hall; a closed day's summary is kept in `city_days`. */
async function foldAndKeep(pool: pg.Pool, hallId: string, hall: HallConfig, day: string, today: string, now: number, fp: string): Promise<DaySummary> {
  {
    const closed = day < today;
    // Where window time stops, as the hall's StatsStore has it: closing time for a
    // closed day, now for today (or its last event, if later), now for a day ahead.
    const sum = await foldDay(pool, hallId, hall, day, (s) => (closed ? Math.max(closingMs(hall, day), s.lastAt) : day === today ? Math.max(now, s.lastAt) : now));
    if (closed) {
      await pool.query(
        `INSERT INTO city_days (hall, day, version, config, last_seq, events, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (hall, day) DO UPDATE SET version = $3, config = $4, last_seq = $5, events = $6, data = $7, computed_at = now()`,
        [hallId, day, SUMMARY_VERSION, fp, sum.lastSeq, sum.events, JSON.stringify(sum)]);
    }
    return sum;
  }
}

/**
 * Folds closed days whose summary is missing or stale (new events, other limits),
 * at most `limit` of them, so that the pages find them ready. Returns how many.
 */
export async function foldClosedDays(pool: pg.Pool, clock: Clock, limit = 50): Promise<number> {
  const halls = new Map((await listHalls(pool)).filter((h) => h.config).map((h) => [h.hall, h.config!]));
  const stale = await pool.query(
    `SELECT i.hall, i.day::text AS day FROM city_day_index i LEFT JOIN city_days d USING (hall, day)
     WHERE d.hall IS NULL OR d.last_seq <> i.last_seq OR d.version <> $1
     ORDER BY i.day DESC LIMIT $2`, [SUMMARY_VERSION, limit * 4]);
  const now = clock.now();
  let n = 0;
  for (const r of stale.rows as Array<{ hall: string; day: string }>) {
    const hall = halls.get(r.hall);
    if (!hall) continue;
    const today = localDay(now, hall.hall.timezone);
    if (r.day >= today) continue;
    await foldAndKeep(pool, r.hall, hall, r.day, today, now, configFingerprint(hall));
    if (++n >= limit) break;
  }
  return n;
}
