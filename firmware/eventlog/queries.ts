// The questions statistics ask of the event log, answered from its columns. A
// read-only copy still at schema 1 (not migrated: nobody may write it) is read
// through the same questions with the columns computed from the JSON.
import type BetterSqlite3 from 'better-sqlite3';
import { ROW_SELECT, type EventRow } from './rows.ts';
import { EVENTLOG_VERSION, eventLogVersion, migrateEventLog } from './table.ts';

type Database = BetterSqlite3.Database;
type Stmt = BetterSqlite3.Statement<unknown[]>;

/** Schema-1 columns, computed from the JSON (only for read-only copies). */
const V1_SELECT = `seq, at, day, kind, ticket, service, "window" AS window, staff,
  CASE WHEN kind = 'ticket-called' THEN json_extract(data, '$.recall') END AS recall,
  CASE WHEN kind = 'ticket-issued' THEN json_extract(data, '$.arrivedAt') END AS arrivedAt,
  CASE WHEN kind = 'ticket-transferred' THEN json_extract(data, '$.from') END AS fromService,
  CASE WHEN kind = 'rating' THEN json_extract(data, '$.score') END AS score,
  CASE WHEN kind = 'window-status' THEN json_extract(data, '$.status') END AS status`;

export interface CarriedWindow { window: string; status: 'open' | 'paused' | 'closed'; staff: string | null }

export class EventQueries {
  private q: { day: Stmt; lastSeq: Stmt; hasDay: Stmt; firstDay: Stmt; carried: Stmt };

  /** Migrates a writable database first; a read-only one is read as it is. */
  constructor(readonly db: Database) {
    if (!db.readonly) migrateEventLog(db);
    const current = eventLogVersion(db) >= EVENTLOG_VERSION;
    const cols = current ? ROW_SELECT : V1_SELECT;
    const status = current ? 'status' : "json_extract(data, '$.status')";
    this.q = {
      day: db.prepare(`SELECT ${cols} FROM events WHERE day = ? AND seq > ? ORDER BY seq`),
      lastSeq: db.prepare('SELECT MAX(seq) AS s FROM events WHERE day = ?'),
      hasDay: db.prepare('SELECT 1 FROM events WHERE day = ? LIMIT 1'),
      firstDay: db.prepare('SELECT MIN(day) AS d FROM events'),
      // Each window's last status before the day (windows the engine carried over).
      carried: db.prepare(`SELECT e."window" AS window, ${status} AS status, e.staff AS staff FROM events e
        WHERE e.seq IN (SELECT MAX(seq) FROM events WHERE kind = 'window-status' AND day < ? GROUP BY "window")`),
    };
  }

  /** The day's events after `afterSeq`, in store order. */
  dayRows(day: string, afterSeq = 0): EventRow[] {
    return this.q.day.all(day, afterSeq) as EventRow[];
  }

  /** The newest seq of the day, or null when it has no events. */
  lastSeq(day: string): number | null {
    return (this.q.lastSeq.get(day) as { s: number | null }).s;
  }

  hasDay(day: string): boolean {
    return !!this.q.hasDay.get(day);
  }

  /** The first service day with events, or null. */
  firstDay(): string | null {
    return (this.q.firstDay.get() as { d: string | null }).d;
  }

  /** Each window's last status before `day`. */
  carried(day: string): CarriedWindow[] {
    return this.q.carried.all(day) as CarriedWindow[];
  }
}
