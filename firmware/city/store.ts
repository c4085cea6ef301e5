// The city store on PostgreSQL (node-postgres `pg`; schema by node-pg-migrate from
// ./migrations). Every hall's events keyed by (hall, seq) in a table partitioned
// by month of the service day; a batch is stored only when it follows what the
// city holds for that hall, under a per-hall advisory lock, so the stored log of a
// hall is always its prefix 1…acked: no gap, no duplicate, in order, however many
// city instances take batches at once.
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';
import { eventColumns, INSERT_COLUMNS } from '../eventlog/rows.ts';
import type { DayReport, DeviceList, EventBatch, Hello, HallInfo, OpenAlerts } from './protocol.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Applies the city's migrations (waits for another instance doing the same). */
export async function migrate(url: string, log?: Logger): Promise<void> {
  await runner({
    databaseUrl: url, dir: MIGRATIONS_DIR, direction: 'up', migrationsTable: 'city_migrations',
    advisoryLockMode: 'wait', checkOrder: true,
    log: (msg: string) => log?.debug({ migrate: msg }),
    logger: log ? { debug: (m: string) => log.debug(m), info: (m: string) => log.debug(m), warn: (m: string) => log.warn(m), error: (m: string) => log.error(m) } : undefined,
  });
}

export interface IngestResult {
  /** Every event up to this seq is stored. */
  acked: number;
  /** Events this batch added (0 for a full repeat). */
  stored: number;
  /** The batch followed a seq the city does not hold: nothing was stored. */
  refused: boolean;
}

/** PostgreSQL types of the event log's columns (firmware/eventlog/rows.ts INSERT_COLUMNS). */
const PG_TYPES: Record<(typeof INSERT_COLUMNS)[number], string> = {
  at: 'bigint', day: 'date', kind: 'text', ticket: 'text', service: 'text', '"window"': 'text', staff: 'text', recall: 'smallint',
  arrived_at: 'bigint', priority: 'smallint', kiosk: 'text', from_service: 'text', score: 'text', reason: 'text', status: 'text', data: 'jsonb',
};

const monthOf = (day: string) => day.slice(0, 7);
function monthBounds(month: string): [string, string, string] {
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return [`city_events_y${y}m${String(m).padStart(2, '0')}`, `${month}-01`, `${next}-01`];
}

export class CityStore {
  readonly pool: pg.Pool;
  private months = new Set<string>();

  constructor(url: string, opts: { max?: number } = {}) {
    this.pool = new pg.Pool({ connectionString: url, max: opts.max ?? 8 });
    // An idle client that dies (server restart) must not crash the process.
    this.pool.on('error', () => undefined);
  }

  /** Creates the month partitions a batch needs (once per month per process; serialised across instances). */
  private async ensureMonths(days: Iterable<string>): Promise<void> {
    const need = [...new Set([...days].map(monthOf))].filter((m) => !this.months.has(m));
    if (!need.length) return;
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query("SELECT pg_advisory_xact_lock(hashtextextended('manyi-city:partitions', 0))");
      for (const m of need) {
        const [name, from, to] = monthBounds(m);
        await c.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF city_events FOR VALUES FROM ('${from}') TO ('${to}')`);
      }
      await c.query('COMMIT');
      for (const m of need) this.months.add(m);
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /**
   * Stores a batch if it follows what the city holds for `hall` (`batch.after` ≤
   * acked); events at or below acked are repeats and skipped. One transaction.
   */
  async ingest(hall: string, batch: EventBatch): Promise<IngestResult> {
    await this.ensureMonths(batch.events.map((x) => x.e.day));
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query("SELECT pg_advisory_xact_lock(hashtextextended('manyi-city:hall:' || $1, 0))", [hall]);
      await c.query('INSERT INTO city_halls (hall) VALUES ($1) ON CONFLICT (hall) DO NOTHING', [hall]);
      const acked = Number((await c.query('SELECT acked_seq FROM city_halls WHERE hall = $1', [hall])).rows[0].acked_seq);
      const last = batch.events[batch.events.length - 1].seq;
      if (batch.after > acked) {
        await c.query('ROLLBACK');
        return { acked, stored: 0, refused: true };
      }
      if (last <= acked) {
        await c.query('ROLLBACK');
        return { acked, stored: 0, refused: false };
      }
      // The hall's own row mapping (the log's columns, then the JSON), one array per column.
      const cols: Array<Array<string | number | null>> = [[], ...INSERT_COLUMNS.map(() => [])];
      for (const { seq, e } of batch.events) {
        if (seq <= acked) continue;
        cols[0].push(seq);
        eventColumns(e).forEach((v, i) => cols[i + 1].push(v));
      }
      const names = ['seq', ...INSERT_COLUMNS];
      const types = ['bigint', ...INSERT_COLUMNS.map((c) => PG_TYPES[c])];
      const r = await c.query(
        `INSERT INTO city_events (hall, ${names.join(', ')})
         SELECT $1, ${names.map((_, i) => `t.c${i}`).join(', ')}
         FROM unnest(${types.map((t, i) => `$${i + 2}::${t}[]`).join(', ')}) WITH ORDINALITY AS t(${names.map((_, i) => `c${i}`).join(', ')}, n)
         ORDER BY t.n
         ON CONFLICT DO NOTHING`,
        [hall, ...cols],
      );
      // The days this batch touched: their last seq and count (what the pages' caches check against).
      const days = new Map<string, { last: number; n: number }>();
      for (const { seq, e } of batch.events) {
        if (seq <= acked) continue;
        const d = days.get(e.day) ?? { last: 0, n: 0 };
        d.last = Math.max(d.last, seq);
        d.n++;
        days.set(e.day, d);
      }
      await c.query(
        `INSERT INTO city_day_index (hall, day, last_seq, events) SELECT $1, d, l, n FROM unnest($2::date[], $3::bigint[], $4::int[]) AS t(d, l, n)
         ON CONFLICT (hall, day) DO UPDATE SET last_seq = GREATEST(city_day_index.last_seq, EXCLUDED.last_seq), events = city_day_index.events + EXCLUDED.events`,
        [hall, [...days.keys()], [...days.values()].map((d) => d.last), [...days.values()].map((d) => d.n)]);
      await c.query('UPDATE city_halls SET acked_seq = $2, log_last = GREATEST(log_last, $3, $2), last_seen = now() WHERE hall = $1', [hall, last, batch.logLast ?? last]);
      await c.query('COMMIT');
      return { acked: last, stored: r.rowCount ?? 0, refused: false };
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /** The last seq stored for `hall` (0 when the city has nothing of it); records what the hall said of its log. */
  async hello(hall: string, h: Hello): Promise<number> {
    const r = await this.pool.query(
      `INSERT INTO city_halls (hall, log_first, log_last, version) VALUES ($1, $2, $3, $4)
       ON CONFLICT (hall) DO UPDATE SET log_first = $2, log_last = $3, version = $4, last_seen = now()
       RETURNING acked_seq`, [hall, h.first, h.last, h.version]);
    return Number(r.rows[0].acked_seq);
  }

  /** The hall was heard from (any message): the pages tell a quiet hall from a cut link by this. */
  async touch(hall: string): Promise<void> {
    await this.pool.query('INSERT INTO city_halls (hall) VALUES ($1) ON CONFLICT (hall) DO UPDATE SET last_seen = now()', [hall]);
  }

  async acked(hall: string): Promise<number> {
    const r = await this.pool.query('SELECT acked_seq FROM city_halls WHERE hall = $1', [hall]);
    return r.rowCount ? Number(r.rows[0].acked_seq) : 0;
  }

  async saveHall(hall: string, info: HallInfo): Promise<void> {
    await this.pool.query(
      `INSERT INTO city_halls (hall, config, config_at) VALUES ($1, $2, $3)
       ON CONFLICT (hall) DO UPDATE SET config = $2, config_at = $3, last_seen = now()
       WHERE city_halls.config_at IS NULL OR city_halls.config_at <= $3`, [hall, info.config, info.at]);
  }

  async saveAlerts(hall: string, a: OpenAlerts): Promise<void> {
    await this.pool.query(
      `INSERT INTO city_alerts (hall, at, alerts) VALUES ($1, $2, $3)
       ON CONFLICT (hall) DO UPDATE SET at = $2, alerts = $3, received_at = now() WHERE city_alerts.at <= $2`,
      [hall, a.at, JSON.stringify(a.alerts)]);
  }

  async saveDevices(hall: string, d: DeviceList): Promise<void> {
    await this.pool.query(
      `INSERT INTO city_devices (hall, at, devices) VALUES ($1, $2, $3)
       ON CONFLICT (hall) DO UPDATE SET at = $2, devices = $3, received_at = now() WHERE city_devices.at <= $2`,
      [hall, d.at, JSON.stringify(d.devices)]);
  }

  async saveReport(hall: string, r: DayReport): Promise<void> {
    await this.pool.query(
      `INSERT INTO city_reported_days (hall, day, events, last_seq, total) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (hall, day) DO UPDATE SET events = $3, last_seq = $4, total = $5, received_at = now()`,
      [hall, r.day, r.events, r.lastSeq, JSON.stringify(r.total)]);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
