// The controller's durable store: SQLite through better-sqlite3 (synchronous, so a
// command's events and its reply go into one transaction with no interleaving).
//
// Journal: WAL with synchronous=FULL. In WAL mode NORMAL skips the fsync at each
// commit, so a power cut can lose the last acknowledged transactions (without
// corrupting the file) — an acknowledged ticket number could then be given again.
// The contract says nothing is acknowledged that a crash could lose, so every
// commit is synced; at the hall's rate (a few commands a second) that costs nothing
// (see tests/bench/messaging.bench.ts for the measured latency).
//
// Tables and migrations: table.ts. Numbering, blocks and tickets are rebuilt on
// start by replaying the current service day's events.
import Database from 'better-sqlite3';
import type { Clock } from '../lib/time.ts';
import { eventColumns, eventFromData, INSERT_COLUMNS } from './rows.ts';
import type { HallEvent } from './schema.ts';
import type { HallStore, StoredReply } from './store.ts';
import { migrateEventLog } from './table.ts';

/** Replies older than this are dropped on open: clients retry within seconds, not days. */
const REPLY_KEEP_MS = 2 * 86_400_000;

const INSERT_EVENT = `INSERT INTO events(${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`;

/** Creates or migrates the event log's tables in `db` (tests, benchmarks, the synthetic generator). */
export function openEventTables(db: Database.Database): void {
  migrateEventLog(db);
}

/** Appends events straight into `db`, in one transaction, in the order given (bulk writers: the generator, benches). */
export function writeEvents(db: Database.Database, events: readonly HallEvent[]): void {
  const ins = db.prepare(INSERT_EVENT);
  db.transaction((list: readonly HallEvent[]) => { for (const e of list) ins.run(...eventColumns(e)); })(events);
}

export class SqliteStore implements HallStore {
  readonly db: Database.Database;
  /** Migration steps run when this store opened the database (empty when it was current). */
  readonly migrated: string[];
  private insertEvent: Database.Statement;
  private insertReply: Database.Statement;
  private selectReply: Database.Statement;
  private tx: (events: readonly HallEvent[], reply?: StoredReply) => void;

  /**
   * `clock` is the controller's own (virtual in the simulator, shifted in the demo):
   * stored replies are pruned against it, never against the wall clock.
   * `synchronous` NORMAL is for measuring what the fsync costs (the bench), not for halls.
   */
  constructor(path: string, opts: { clock: Clock; synchronous?: 'FULL' | 'NORMAL' }) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 2000');
    this.migrated = migrateEventLog(this.db);
    this.db.prepare('DELETE FROM replies WHERE at < ?').run(opts.clock.now() - REPLY_KEEP_MS);
    this.insertEvent = this.db.prepare(INSERT_EVENT);
    this.insertReply = this.db.prepare('INSERT INTO replies(sender, id, topic, payload, at) VALUES (?, ?, ?, ?, ?)');
    this.selectReply = this.db.prepare('SELECT sender, id, topic, payload FROM replies WHERE sender = ? AND id = ?');
    this.tx = this.db.transaction((events: readonly HallEvent[], reply?: StoredReply) => {
      for (const e of events) this.insertEvent.run(...eventColumns(e));
      if (reply) this.insertReply.run(reply.sender, reply.id, reply.topic, reply.payload, events[0]?.at ?? opts.clock.now());
    });
  }

  append(events: readonly HallEvent[], reply?: StoredReply): void {
    this.tx(events, reply);
  }

  reply(sender: string, id: string): StoredReply | undefined {
    return this.selectReply.get(sender, id) as StoredReply | undefined;
  }

  resumeEvents(): HallEvent[] {
    const last = (this.db.prepare('SELECT max(day) AS day FROM events').get() as { day: string | null }).day;
    if (!last) return [];
    const rows = this.db.prepare(`
      SELECT seq, data FROM events WHERE seq IN (
        SELECT max(seq) FROM events WHERE kind = 'window-status' AND day < ? GROUP BY "window")
      ORDER BY seq`).all(last) as Array<{ seq: number; data: string }>;
    const today = this.db.prepare('SELECT seq, data FROM events WHERE day = ? ORDER BY seq').all(last) as Array<{ seq: number; data: string }>;
    return [...rows, ...today].map((r) => eventFromData(r.data, r.seq));
  }

  /** Events with `seq` above `afterSeq`, oldest first, at most `limit` (the forwarder's outbox, a replay). */
  after(afterSeq: number, limit = 1000): Array<{ seq: number; event: HallEvent }> {
    const rows = this.db.prepare('SELECT seq, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Array<{ seq: number; data: string }>;
    return rows.map((r) => ({ seq: r.seq, event: eventFromData(r.data, r.seq) }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
