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
// Tables: `events` (the statistics engineer reads it directly: keep its columns),
// `replies` for idempotency, `meta` for the schema version. Numbering, blocks and
// tickets are rebuilt on start by replaying the current service day's events.
import Database from 'better-sqlite3';
import type { Clock } from '../lib/time.ts';
import type { HallEvent } from './events.ts';
import type { HallStore, StoredReply } from './store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL,
  ticket TEXT, service TEXT, "window" TEXT, staff TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_day ON events(day);
CREATE INDEX IF NOT EXISTS events_kind_day ON events(kind, day);
CREATE TABLE IF NOT EXISTS replies(
  sender TEXT NOT NULL, id TEXT NOT NULL, topic TEXT NOT NULL, payload TEXT NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY(sender, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '1');
`;

/** Replies older than this are dropped on open: clients retry within seconds, not days. */
const REPLY_KEEP_MS = 2 * 86_400_000;

export class SqliteStore implements HallStore {
  readonly db: Database.Database;
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
    this.db.exec(SCHEMA);
    this.db.prepare('DELETE FROM replies WHERE at < ?').run(opts.clock.now() - REPLY_KEEP_MS);
    this.insertEvent = this.db.prepare(
      'INSERT INTO events(at, day, kind, ticket, service, "window", staff, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertReply = this.db.prepare('INSERT INTO replies(sender, id, topic, payload, at) VALUES (?, ?, ?, ?, ?)');
    this.selectReply = this.db.prepare('SELECT sender, id, topic, payload FROM replies WHERE sender = ? AND id = ?');
    this.tx = this.db.transaction((events: readonly HallEvent[], reply?: StoredReply) => {
      for (const e of events) {
        const r = e as { ticket?: string; service?: string; to?: string; window?: string; staff?: string };
        this.insertEvent.run(e.at, e.day, e.kind, r.ticket ?? null, r.service ?? r.to ?? null, r.window ?? null, r.staff ?? null, JSON.stringify(e));
      }
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
      SELECT data FROM events WHERE seq IN (
        SELECT max(seq) FROM events WHERE kind = 'window-status' AND day < ? GROUP BY "window")
      ORDER BY seq`).all(last) as Array<{ data: string }>;
    const today = this.db.prepare('SELECT data FROM events WHERE day = ? ORDER BY seq').all(last) as Array<{ data: string }>;
    return [...rows, ...today].map((r) => JSON.parse(r.data) as HallEvent);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
