// What the hall recorded, read from a controller database's `events` table
// (read only): service times for the live estimates, arrivals for staffing.
import type BetterSqlite3 from 'better-sqlite3';
import { migrateEventLog } from '../eventlog/table.ts';
import { RecordedServiceTimes, samplesFromEvents, type ServiceTimeSample } from './service-times.ts';
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

const SAMPLE_KINDS = `('ticket-started', 'ticket-completed', 'ticket-no-show', 'ticket-parked', 'ticket-transferred')`;
type SampleRow = { kind: string; at: number; day: string; ticket: string | null; service: string | null };

/** One service day's service-time samples (by the day index: one day's rows, in order). */
export function daySamples(db: Database, day: string): ServiceTimeSample[] {
  const rows = db.prepare(`SELECT kind, at, day, ticket, service FROM events WHERE day = ? AND kind IN ${SAMPLE_KINDS} ORDER BY seq`).iterate(day) as Iterable<SampleRow>;
  return [...samplesFromEvents(rows)];
}

/**
 * The recorded mean service times of the `days` service days before `today`
 * (today's own observations are the engine's to blend in). Synchronous: for
 * commands and tests; the live controller uses `liveServiceTimes`.
 */
export function recordedServiceTimes(db: Database, timezone: string, today: string, days = RECORDED_DAYS): RecordedServiceTimes {
  const table = new RecordedServiceTimes([], timezone);
  if (!hasEvents(db)) return table;
  for (let i = days; i >= 1; i--) table.addDay(dayBefore(today, i), daySamples(db, dayBefore(today, i)));
  return table;
}

/**
 * The table the live controller gives its engine: the `days` service days before
 * today, read one day per turn of the event loop (a year-long log must not hold
 * up the hall: eight weeks of a busy hall take seconds to read), kept up to date
 * as days pass: each new day adds the one just closed and drops the oldest. Until
 * a day is read the engine keeps what it has (at first, the configured guess).
 * `ready` resolves when the days wanted now are all read.
 */
export function liveServiceTimes(db: Database, timezone: string, now: () => number, days = RECORDED_DAYS): RecordedServiceTimes & { ready(): Promise<void> } {
  const table = new RecordedServiceTimes([], timezone);
  let day = '';
  let loading: Promise<void> = Promise.resolve();
  const sync = () => {
    const today = localDay(now(), timezone);
    if (today === day) return;
    day = today;
    const wanted = Array.from({ length: days }, (_, i) => dayBefore(today, days - i));
    for (const d of table.dayList()) if (!wanted.includes(d)) table.dropDay(d);
    const have = new Set(table.dayList());
    const todo = wanted.filter((d) => !have.has(d));
    loading = loading.then(async () => {
      if (!db.open || !hasEvents(db)) return;
      // Newest first: the recent days matter most if the hall is asked early.
      for (const d of todo.reverse()) {
        await new Promise<void>((r) => setImmediate(r));
        if (!db.open) return;
        table.addDay(d, daySamples(db, d));
      }
    });
  };
  const meanS = table.meanS.bind(table);
  return Object.assign(table, {
    meanS(service: string, weekday: number, hour: number) { sync(); return meanS(service, weekday, hour); },
    ready() { sync(); return loading; },
  });
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

/** Every service-time sample between two service days (inclusive), read day by day. */
export function recordedSamples(db: Database, from: string, to: string): ServiceTimeSample[] {
  if (!hasEvents(db)) return [];
  const out: ServiceTimeSample[] = [];
  for (let d = from; d <= to; d = dayBefore(d, -1)) for (const x of daySamples(db, d)) out.push(x);
  return out;
}

/** First and last service day with events, or null for an empty log. */
export function recordedSpan(db: Database): { from: string; to: string } | null {
  if (!hasEvents(db)) return null;
  const r = db.prepare('SELECT MIN(day) AS a, MAX(day) AS b FROM events').get() as { a: string | null; b: string | null };
  return r.a && r.b ? { from: r.a, to: r.b } : null;
}
