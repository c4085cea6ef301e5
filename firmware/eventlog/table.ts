// The event log's tables and their migrations. A database is at one schema
// version (`meta.schema`); opening it writable brings it to the current one, in one
// transaction, so a controller updated in place keeps every day it recorded.
//
//  1  events(seq, at, day, kind, ticket, service, window, staff, data JSON),
//     replies (idempotency), meta — what manyi wrote before #12.
//  2  typed columns for what statistics and the forwarder read, so nothing depends
//     on the JSON's byte layout: recall, arrived_at, priority, kiosk, from_service,
//     score, reason, status; backfilled from `data`. An index for each window's
//     last status (the days statistics carry windows over).
import type BetterSqlite3 from 'better-sqlite3';

type Database = BetterSqlite3.Database;

export const EVENTLOG_VERSION = 2;

interface Migration { to: number; why: string; up(db: Database): void }

const MIGRATIONS: Migration[] = [
  {
    to: 1,
    why: 'events, replies and meta',
    up: (db) => db.exec(`
      CREATE TABLE IF NOT EXISTS events(
        seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL,
        ticket TEXT, service TEXT, "window" TEXT, staff TEXT, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS events_day ON events(day);
      CREATE INDEX IF NOT EXISTS events_kind_day ON events(kind, day);
      CREATE TABLE IF NOT EXISTS replies(
        sender TEXT NOT NULL, id TEXT NOT NULL, topic TEXT NOT NULL, payload TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY(sender, id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`),
  },
  {
    to: 2,
    why: 'typed columns for statistics, backfilled from the JSON',
    up: (db) => db.exec(`
      ALTER TABLE events ADD COLUMN recall INTEGER;
      ALTER TABLE events ADD COLUMN arrived_at INTEGER;
      ALTER TABLE events ADD COLUMN priority INTEGER;
      ALTER TABLE events ADD COLUMN kiosk TEXT;
      ALTER TABLE events ADD COLUMN from_service TEXT;
      ALTER TABLE events ADD COLUMN score TEXT;
      ALTER TABLE events ADD COLUMN reason TEXT;
      ALTER TABLE events ADD COLUMN status TEXT;
      UPDATE events SET recall = json_extract(data, '$.recall') WHERE kind = 'ticket-called';
      UPDATE events SET arrived_at = json_extract(data, '$.arrivedAt'), priority = json_extract(data, '$.priority'),
        kiosk = json_extract(data, '$.kiosk') WHERE kind = 'ticket-issued';
      UPDATE events SET kiosk = json_extract(data, '$.kiosk') WHERE kind = 'block-reserved';
      UPDATE events SET from_service = json_extract(data, '$.from') WHERE kind = 'ticket-transferred';
      UPDATE events SET score = json_extract(data, '$.score'), reason = json_extract(data, '$.reason') WHERE kind = 'rating';
      UPDATE events SET status = json_extract(data, '$.status') WHERE kind = 'window-status';
      DROP INDEX IF EXISTS stats_events_window_status;
      CREATE INDEX IF NOT EXISTS events_window_status ON events("window", seq) WHERE kind = 'window-status';`),
  },
];

/** The schema version of `db`: 0 for an empty database, 1 for an events table without `meta` (older test tables). */
export function eventLogVersion(db: Database): number {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (hasMeta) {
    const v = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
    if (v) return Number(v.value);
  }
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() ? 1 : 0;
}

/**
 * Brings `db` to the current schema (creating it if empty); returns the steps run.
 * Throws on a database written by a newer manyi: downgrading would lose columns.
 */
export function migrateEventLog(db: Database): string[] {
  const run: string[] = [];
  db.transaction(() => {
    const from = eventLogVersion(db);
    if (from > EVENTLOG_VERSION) {
      throw new Error(`the event log is schema ${from}, newer than this manyi knows (${EVENTLOG_VERSION}): update manyi`);
    }
    // Version 1 is idempotent (IF NOT EXISTS): it also completes a bare events table.
    for (const m of MIGRATIONS) {
      if (m.to > from || (m.to === 1 && from === 1)) { m.up(db); run.push(`${m.to}: ${m.why}`); }
    }
    db.prepare("INSERT INTO meta(key, value) VALUES ('schema', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(EVENTLOG_VERSION));
  }).immediate();
  return run;
}
