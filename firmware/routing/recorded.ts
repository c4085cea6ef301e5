// What the hall recorded, read from a controller database's `events` table
// (read only): service times for the live estimates, arrivals for staffing.
import type BetterSqlite3 from 'better-sqlite3';
import { migrateEventLog } from '../eventlog/table.ts';
import { RecordedServiceTimes, samplesFromEvents, type ServiceTimeTable } from './service-times.ts';
import { localDay } from '../lib/time.ts';

type Database = BetterSqlite3.Database;

/** How far back the live estimates look: eight weeks give each weekday eight days. */
export const RECORDED_DAYS = 56;

function dayBefore(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

/** Whether `db` has the controller's events table (a new or foreign file may not). */
export function hasEvents(db: Database): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
}

/**
 * The recorded mean service times of the `days` service days before `today`
 * (today's own observations are the engine's to blend in).
 */
export function recordedServiceTimes(db: Database, timezone: string, today: string, days = RECORDED_DAYS): RecordedServiceTimes {
  if (!hasEvents(db)) return new RecordedServiceTimes([], timezone);
  const rows = db.prepare(`SELECT kind, at, day, ticket, service FROM events
    WHERE kind IN ('ticket-started', 'ticket-completed', 'ticket-no-show', 'ticket-parked', 'ticket-transferred')
      AND day >= ? AND day < ? ORDER BY seq`).iterate(dayBefore(today, days), today) as Iterable<{ kind: string; at: number; day: string; ticket: string | null; service: string | null }>;
  return new RecordedServiceTimes(samplesFromEvents(rows), timezone);
}

/**
 * The table the live controller gives its engine: read on first use and again
 * when the service day changes, so a controller running for weeks keeps
 * learning from the days it records.
 */
export function liveServiceTimes(db: Database, timezone: string, now: () => number, days = RECORDED_DAYS): ServiceTimeTable & { readonly day: string } {
  let day = '';
  let table: RecordedServiceTimes | null = null;
  return {
    get day() { return day; },
    meanS(service, weekday, hour) {
      const today = localDay(now(), timezone);
      if (!table || today !== day) { day = today; table = recordedServiceTimes(db, timezone, today, days); }
      return table.meanS(service, weekday, hour);
    },
  };
}

/** A recorded arrival: a `ticket-issued` event's columns. */
export interface RecordedArrival { kind: 'ticket-issued'; day: string; service: string; arrivedAt: number }

/** Every arrival (ticket issued) between two service days (inclusive), in order. */
export function recordedArrivals(db: Database, from: string, to: string): RecordedArrival[] {
  if (!hasEvents(db)) return [];
  return db.prepare(`SELECT 'ticket-issued' AS kind, day, service, COALESCE(arrived_at, at) AS arrivedAt FROM events
    WHERE kind = 'ticket-issued' AND day >= ? AND day <= ? ORDER BY seq`).all(from, to) as RecordedArrival[];
}

/** Opens a controller database for reading what it recorded (an older one is migrated first, as the controller would). */
export function openRecorded(db: Database): Database {
  if (!db.readonly && hasEvents(db)) migrateEventLog(db);
  return db;
}

/** Every service-time sample between two service days (inclusive). */
export function recordedSamples(db: Database, from: string, to: string) {
  if (!hasEvents(db)) return [];
  const rows = db.prepare(`SELECT kind, at, day, ticket, service FROM events
    WHERE kind IN ('ticket-started', 'ticket-completed', 'ticket-no-show', 'ticket-parked', 'ticket-transferred')
      AND day >= ? AND day <= ? ORDER BY seq`).iterate(from, to) as Iterable<{ kind: string; at: number; day: string; ticket: string | null; service: string | null }>;
  return [...samplesFromEvents(rows)];
}

/** First and last service day with events, or null for an empty log. */
export function recordedSpan(db: Database): { from: string; to: string } | null {
  if (!hasEvents(db)) return null;
  const r = db.prepare('SELECT MIN(day) AS a, MAX(day) AS b FROM events').get() as { a: string | null; b: string | null };
  return r.a && r.b ? { from: r.a, to: r.b } : null;
}
