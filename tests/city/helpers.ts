// Test parts for the city: a TCP proxy that plays the hall's link to the city
// (cut it, restore it), waiting with deadlines, and reading back what the city
// stored for a hall.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';

export const quiet = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

export interface Link {
  url: string;
  port: number;
  /** Drops every connection through the link and refuses new ones until `restore`. */
  cut(): void;
  restore(): void;
  /** Points the link at another port (a broker restarted elsewhere). */
  retarget(port: number): void;
  close(): Promise<void>;
}

export async function startLink(targetPort: number): Promise<Link> {
  let target = targetPort;
  let down = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (inbound) => {
    if (down) { inbound.destroy(); return; }
    const outbound = connect({ port: target, host: '127.0.0.1', noDelay: true });
    sockets.add(inbound); sockets.add(outbound);
    const end = () => { inbound.destroy(); outbound.destroy(); sockets.delete(inbound); sockets.delete(outbound); };
    inbound.on('error', end); outbound.on('error', end);
    inbound.on('close', end); outbound.on('close', end);
    inbound.pipe(outbound); outbound.pipe(inbound);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://127.0.0.1:${port}`, port,
    cut() { down = true; for (const s of sockets) s.destroy(); sockets.clear(); },
    restore() { down = false; },
    retarget(p) { target = p; },
    async close() {
      down = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The hall's own log: seq and event JSON, in order. */
export function hallLog(db: BetterSqlite3.Database): Array<{ seq: number; data: string }> {
  return db.prepare('SELECT seq, data FROM events ORDER BY seq').all() as Array<{ seq: number; data: string }>;
}

/** What the city holds of a hall: seq and event, in seq order, and in the order it was stored. */
export async function cityLog(url: string, hall: string): Promise<{ rows: Array<{ seq: number; data: unknown }>; acked: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const rows = (await c.query('SELECT seq, data FROM city_events WHERE hall = $1 ORDER BY seq', [hall])).rows
      .map((r: { seq: string; data: unknown }) => ({ seq: Number(r.seq), data: r.data }));
    const a = await c.query('SELECT acked_seq FROM city_halls WHERE hall = $1', [hall]);
    return { rows, acked: a.rowCount ? Number(a.rows[0].acked_seq) : 0 };
  } finally {
    await c.end();
  }
}

/** Exactly once and in order: the city's rows of the hall are the hall's log, event for event. */
export function sameLog(hall: Array<{ seq: number; data: string }>, city: Array<{ seq: number; data: unknown }>): string | null {
  if (hall.length !== city.length) return `hall has ${hall.length} events, city ${city.length}`;
  for (let i = 0; i < hall.length; i++) {
    if (hall[i].seq !== city[i].seq) return `position ${i}: hall seq ${hall[i].seq}, city seq ${city[i].seq}`;
    const h = JSON.parse(hall[i].data);
    if (JSON.stringify(sortKeys(h)) !== JSON.stringify(sortKeys(city[i].data))) return `seq ${hall[i].seq} differs`;
  }
  return null;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)]));
  return v;
}
