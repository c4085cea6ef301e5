// `manyi city`: one instance of the city's ingest. Every instance subscribes to
// the halls' city topics as ONE shared subscription group, so the broker gives
// each message to one instance: more instances split the load, and a message lost
// with a dying instance is sent again by its hall (no acknowledgement came). The
// city learns halls from what they send; nothing lists them beforehand.
//
// Each message is checked against the schemas of protocol.ts; anything else is
// counted, logged and dropped, never fatal. Batches of one hall are handled one at
// a time in an instance (and serialised across instances by the store's lock).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import { isoLocal, systemClock, type Clock } from '../lib/time.ts';
import { TableLink } from '../bus/table-link.ts';
import { CITY_CONTRACT, CITY_KINDS, CITY_TOPICS, citySubscriptions, MAX_CITY_PAYLOAD, type Ack, type CityKind, type EventBatch } from './protocol.ts';
import { CityStore, migrate } from './store.ts';
import { foldClosedDays } from './figures.ts';

export interface CityBroker { url: string; username?: string; password?: string; ca?: string }

export interface CityOptions {
  /** PostgreSQL connection URL. */
  db: string;
  broker: CityBroker;
  /** Shared subscription group (every instance of one city uses the same). */
  group?: string;
  /** Name of this instance in logs and its MQTT client id. */
  instance?: string;
  clock?: Clock;
  log?: Logger;
  /** Connections to PostgreSQL (default 8). */
  poolSize?: number;
  /** How long a batch that arrived ahead of a missing one waits for it (ms) before it is refused. */
  gapWaitMs?: number;
  /** Seconds between foldings of closed days into summaries, so pages find them ready (0: only on demand). */
  foldEveryS?: number;
}

export interface CityCounters {
  batches: number;
  events: number;
  repeats: number;
  refused: number;
  rejected: number;
  failed: number;
}

export interface CityService {
  readonly store: CityStore;
  readonly instance: string;
  counters(): CityCounters;
  /** Clean stop: unsubscribes, waits for the batches in hand. */
  stop(): Promise<void>;
  /** Dies without a goodbye (tests of a crashed instance): sockets cut, nothing finished. */
  kill(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startCity(opts: CityOptions): Promise<CityService> {
  const log = opts.log ?? pino({ name: 'city' });
  const clock = opts.clock ?? systemClock;
  const instance = opts.instance ?? `city-${randomBytes(3).toString('hex')}`;
  const group = opts.group ?? 'manyi-city';
  const gapWaitMs = opts.gapWaitMs ?? 1000;
  await migrate(opts.db, log);
  const store = new CityStore(opts.db, { max: opts.poolSize });
  const counters: CityCounters = { batches: 0, events: 0, repeats: 0, refused: 0, rejected: 0, failed: 0 };
  // Acks carry the city's time; the hall reads only `seq`. UTC: a city spans halls.
  const iso = () => isoLocal(clock.now(), 'UTC');

  const mopts: IClientOptions = {
    protocolVersion: 5, clean: true, keepalive: 30, connectTimeout: 10_000, reconnectPeriod: 1000, resubscribe: true,
    clientId: `manyi-${instance}-${randomBytes(3).toString('hex')}`,
  };
  if (opts.broker.username !== undefined) mopts.username = opts.broker.username;
  if (opts.broker.password !== undefined) mopts.password = opts.broker.password;
  if (opts.broker.ca) mopts.ca = readFileSync(opts.broker.ca);
  const client: MqttClient = await mqtt.connectAsync(opts.broker.url, mopts);
  client.on('connect', () => {
    (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    log.info({ instance }, 'city broker connected');
  });
  (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  client.on('error', (e) => log.warn({ err: e.message }, 'city broker error'));

  // The session's messages, decoded once against the city link's table (firmware/bus/table-link.ts).
  const session = new TableLink(client, CITY_CONTRACT, CITY_TOPICS, {
    maxBytes: MAX_CITY_PAYLOAD, log,
    onReject: (r) => {
      if (!alive) return;
      counters.rejected++;
      if (r.reason === 'too-large') log.warn({ topic: r.topic, bytes: r.bytes }, 'city message too large');
      else if (r.reason === 'invalid') log.warn({ topic: r.topic, error: r.message }, 'bad city message');
    },
  });
  const ack = (hall: string, a: Omit<Ack, 'at'>) => { void session.publish('ack', { hall }, { ...a, at: iso() }); };

  async function onBatch(hall: string, b: EventBatch): Promise<void> {
    let r = await store.ingest(hall, b);
    // A batch ahead of one still on its way (to this or another instance): give it a moment.
    for (let wait = 25; r.refused && wait <= gapWaitMs; wait *= 2) {
      await sleep(wait);
      r = await store.ingest(hall, b);
    }
    counters.batches++;
    counters.events += r.stored;
    if (r.refused) counters.refused++;
    else counters.repeats += b.events.filter((e) => e.seq > b.after).length - r.stored;
    ack(hall, r.refused ? { seq: r.acked, refused: true } : { seq: r.acked });
  }

  async function handle(hall: string, kind: CityKind, value: unknown): Promise<void> {
    switch (kind) {
      case 'events': return onBatch(hall, value as EventBatch);
      case 'hello': {
        const seq = await store.hello(hall, value as never);
        ack(hall, { seq, hello: (value as { id: string }).id });
        return;
      }
      case 'hall': await store.saveHall(hall, value as never); return store.touch(hall);
      case 'alerts': await store.saveAlerts(hall, value as never); return store.touch(hall);
      case 'devices': await store.saveDevices(hall, value as never); return store.touch(hall);
      case 'day': await store.saveReport(hall, value as never); return store.touch(hall);
      default: return;
    }
  }

  // One chain per hall: a hall's messages are handled in the order they came.
  const chains = new Map<string, Promise<void>>();
  let alive = true;
  const receive = (hall: string, kind: CityKind, value: unknown) => {
    if (!alive) return;
    const prev = chains.get(hall) ?? Promise.resolve();
    const next = prev.then(() => (alive ? handle(hall, kind, value) : undefined)).catch((e: Error) => {
      // The database is away: no ack, so the hall sends it again later.
      counters.failed++;
      log.error({ hall, kind, err: e.message }, 'city could not store a message');
    });
    chains.set(hall, next);
    void next.then(() => { if (chains.get(hall) === next) chains.delete(hall); });
  };
  // What the city reads (the table's `read: 'city'` rows); anything else on its subscriptions is rejected.
  for (const kind of CITY_KINDS) if (CITY_CONTRACT[kind].read === 'city') session.on(kind, (value, from) => receive(from.hall, kind, value));

  // Closed days folded ahead of the pages, by one instance at a time (a session lock).
  let folding = false;
  const fold = async () => {
    if (folding || !alive) return;
    folding = true;
    const c = await store.pool.connect().catch(() => undefined);
    try {
      if (!c) return;
      const ok = (await c.query("SELECT pg_try_advisory_lock(hashtextextended('manyi-city:fold', 0)) AS ok")).rows[0].ok as boolean;
      if (!ok) return;
      try {
        const n = await foldClosedDays(store.pool, clock);
        if (n) log.debug({ days: n }, 'closed days folded');
      } finally {
        await c.query("SELECT pg_advisory_unlock(hashtextextended('manyi-city:fold', 0))");
      }
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'folding closed days failed');
    } finally {
      c?.release();
      folding = false;
    }
  };
  const foldTimer = opts.foldEveryS ? setInterval(() => void fold(), opts.foldEveryS * 1000) : undefined;
  foldTimer?.unref();

  await session.subscribe(citySubscriptions(group));
  log.info({ instance, group, broker: opts.broker.url }, 'city ingest started');

  return {
    store, instance,
    counters: () => ({ ...counters }),
    async stop() {
      if (!alive) return;
      if (foldTimer) clearInterval(foldTimer);
      await session.unsubscribe(citySubscriptions(group)).catch(() => undefined);
      await Promise.all(chains.values());
      alive = false;
      await client.endAsync().catch(() => undefined);
      await store.close();
    },
    async kill() {
      alive = false;
      if (foldTimer) clearInterval(foldTimer);
      client.stream?.destroy();
      await client.endAsync(true).catch(() => undefined);
      await store.close();
    },
  };
}
