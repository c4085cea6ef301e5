// The city link, measured on this machine (`npm run bench -- --only city`):
// 1. ingest rate into PostgreSQL (durable commits) with one and with two `manyi city`
//    instances, many halls' logs arriving at once (forwarders in this process);
// 2. catch-up after a one-hour outage of a busy hall (5,000 tickets a day, its
//    busiest hour), and after a whole day's outage;
// 3. the alternative, a Mosquitto bridge from the hall's broker: what arrives after
//    the same outage with its default queue, with an unlimited queue, and when the
//    hall's broker restarts during the outage.
// Options: --halls N (20) --tickets N (2000 a hall) --busy N (5000) --rounds N (3) --skip-bridge
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { CityForwarder } from '../../firmware/city/forwarder.ts';
import { loadHallConfig, type HallConfig } from '../../firmware/config/hall.ts';
import { SqliteStore, writeEvents } from '../../firmware/eventlog/sqlite-store.ts';
import type { HallEvent } from '../../firmware/eventlog/schema.ts';
import { hhmmToS, localSecondOfDay, localToMs } from '../../firmware/lib/time.ts';
import { CityQueries } from '../../firmware/city/query.ts';
import pg from 'pg';
import { synthesizeDay } from '../../firmware/stats/synthetic.ts';
import { startCityProcess, type CityProcess } from '../city/city-process.ts';
import { startLink, until } from '../city/helpers.ts';
import { startMosquitto } from '../setup/mosquitto.ts';
import { startPostgres, type RunningPostgres } from '../setup/postgres.ts';

const quiet = pino({ level: 'silent' });
const arg = (args: string[], name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const DAY = '2026-11-16';
const clock = { now: () => Date.parse('2026-11-17T04:00:00Z') };

function hallNamed(base: HallConfig, id: string): HallConfig {
  return { ...base, hall: { ...base.hall, id } };
}

function logOf(events: HallEvent[]): SqliteStore {
  const s = new SqliteStore(':memory:', { clock });
  writeEvents(s.db, events);
  return s;
}

async function instances(pgs: RunningPostgres, db: string, broker: string, n: number): Promise<CityProcess[]> {
  void pgs;
  return Promise.all(Array.from({ length: n }, (_, i) => startCityProcess(['--db', db, '--broker', broker, '--no-pages', '--instance', `bench-${i}`])));
}

/** Every forwarder caught up: the city acknowledged each log's last seq. */
const allCaughtUp = (fwds: CityForwarder[]) => fwds.every((f) => { const s = f.status(); return s.synced && s.behind === 0; });

async function ingestRate(pgs: RunningPostgres, broker: string, base: HallConfig, logs: SqliteStore[], n: number): Promise<{ events: number; s: number; db: string }> {
  const db = await pgs.createDatabase(`ingest_${n}_${Date.now() % 100000}`);
  const procs = await instances(pgs, db, broker, n);
  const total = logs.reduce((k, l) => k + (l.db.prepare('SELECT count(*) AS c FROM events').get() as { c: number }).c, 0);
  const t0 = performance.now();
  const fwds = logs.map((events, i) => new CityForwarder({
    hall: hallNamed(base, `bench-${i}`), events, clock, log: quiet,
    link: { url: broker, batch: 500, window: 4, ackTimeoutS: 30, reportDays: 0 }, pollMs: 50,
  }));
  for (const f of fwds) f.start();
  await until('ingest done', () => allCaughtUp(fwds), 900_000, 20);
  const s = (performance.now() - t0) / 1000;
  await Promise.all(fwds.map((f) => f.stop()));
  await Promise.all(procs.map((p) => p.stop()));
  return { events: total, s, db };
}

/** What the city's store costs on disk per event, and how long the supervising office's questions take. */
async function storeAndQueries(db: string, day: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: db, max: 4 });
  try {
    const r = await pool.query(`SELECT (SELECT count(*) FROM city_events) AS n,
      (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'city_events'::regclass) AS bytes`);
    const n = Number(r.rows[0].n), bytes = Number(r.rows[0].bytes);
    console.log(`city store: ${n} events take ${(bytes / 1048576).toFixed(1)} MB with their indexes = ${Math.round(bytes / n)} B an event`);
    const q = new CityQueries(pool, clock, 'Asia/Shanghai');
    const time = async (what: string, fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      console.log(`query: ${what}: ${Math.round(performance.now() - t0)} ms`);
    };
    const halls = (await q.halls()).length;
    await pool.query('DELETE FROM city_days');
    await time(`${halls} halls ranked over a day, nothing folded yet (every hall's day folded from its events)`, () => q.rankHalls(day, day, 'wait'));
    await time(`the same again (day summaries cached in city_days, as the instances' background folding leaves them)`, () => q.rankHalls(day, day, 'wait'));
    await time('one hall\'s services, windows and staff for the day', async () => q.hallStats((await q.halls())[0], day, day));
    await time('alerts open in every hall', () => q.openAlerts());
  } finally {
    await pool.end();
  }
}

/** The hour (from a whole hour) with the most events: a busy hall's worst hour to lose. */
function busiestHour(events: HallEvent[], tz: string): [string, string] {
  const by = new Map<number, number>();
  for (const e of events) { const h = Math.floor(localSecondOfDay(e.at, tz) / 3600); by.set(h, (by.get(h) ?? 0) + 1); }
  const h = [...by].sort((a, b) => b[1] - a[1])[0][0];
  const hh = (x: number) => `${String(x).padStart(2, '0')}:00`;
  return [hh(h), hh(h + 1)];
}

async function catchUp(pgs: RunningPostgres, broker: { port: number; url: string }, hall: HallConfig, day: HallEvent[], outage: [string, string]): Promise<{ events: number; fromRestore: number; fromSync: number }> {
  const db = await pgs.createDatabase(`catchup_${Date.now() % 1000000}`);
  const [p] = await instances(pgs, db, broker.url, 1);
  const tz = hall.hall.timezone;
  const from = localToMs(DAY, hhmmToS(outage[0]), tz);
  const to = localToMs(DAY, hhmmToS(outage[1]), tz);
  const before = day.filter((e) => e.at < from);
  const during = day.filter((e) => e.at >= from && e.at < to);
  const log = logOf(before);
  const link = await startLink(broker.port);
  const fwd = new CityForwarder({
    hall, events: log, clock, log: quiet, link: { url: link.url, batch: 500, window: 4, ackTimeoutS: 30, reportDays: 0, reconnectMaxS: 30 }, pollMs: 50,
  });
  fwd.start();
  await until('in sync before the outage', () => allCaughtUp([fwd]), 120_000, 20);
  link.cut();
  await until('link down', () => !fwd.status().connected, 10_000, 10);
  writeEvents(log.db, during);
  link.restore();
  const t0 = performance.now();
  await until('synced again', () => fwd.status().synced, 120_000, 5);
  const t1 = performance.now();
  await until('caught up', () => allCaughtUp([fwd]), 600_000, 5);
  const t2 = performance.now();
  await fwd.stop();
  await link.close();
  await p.stop();
  log.close();
  return { events: during.length, fromRestore: (t2 - t0) / 1000, fromSync: (t2 - t1) / 1000 };
}

/** A Mosquitto bridge from the hall's broker to the city's: one QoS 1 message per event, through the same kind of outage. */
async function bridge(cityPort: number, events: number, o: { queue: number | null; restartHall: boolean }): Promise<{ sent: number; delivered: number; duplicates: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'manyi-bridge-'));
  const link = await startLink(cityPort);
  const conf = [
    'user root', 'persistence true', `persistence_location ${dir}/`, 'autosave_interval 1800',
    ...(o.queue === null ? [] : [`max_queued_messages ${o.queue}`]),
    'connection city', `address 127.0.0.1:${link.port}`, 'topic manyi/v1/+/city/events out 1', 'cleansession false',
    'clientid bridge-bench-hall', 'restart_timeout 1 2', 'try_private true',
  ].join('\n');
  let hallBroker = await startMosquitto({ config: conf });
  const got = new Map<number, number>();
  const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${cityPort}`, { protocolVersion: 4 });
  sub.on('message', (_t, p) => { const s = JSON.parse(p.toString()).seq as number; got.set(s, (got.get(s) ?? 0) + 1); });
  await sub.subscribeAsync('manyi/v1/+/city/events', { qos: 1 });
  const pub = await mqtt.connectAsync(hallBroker.url, { protocolVersion: 4 });
  // Through the bridge once, so it is up; then the outage.
  await pub.publishAsync('manyi/v1/bench/city/events', JSON.stringify({ seq: 0 }), { qos: 1 });
  await until('bridge up', () => got.has(0), 20_000);
  link.cut();
  for (let seq = 1; seq <= events; seq++) await pub.publishAsync('manyi/v1/bench/city/events', JSON.stringify({ seq, pad: 'x'.repeat(180) }), { qos: 1 });
  await pub.endAsync();
  if (o.restartHall) {
    process.kill(hallBroker.pid, 'SIGKILL'); // a power cut in the hall
    await hallBroker.stop();
    hallBroker = await startMosquitto({ config: conf });
  }
  link.restore();
  // Delivered once nothing new has come for 10 s (the bridge reconnects within 2 s).
  let last = -1;
  let stable = 0;
  while (stable < 20) {
    await new Promise((r) => setTimeout(r, 500));
    const n = [...got.values()].reduce((a, b) => a + b, 0);
    stable = n === last ? stable + 1 : 0;
    last = n;
  }
  await sub.endAsync();
  await hallBroker.stop();
  await link.close();
  rmSync(dir, { recursive: true, force: true });
  let delivered = 0, duplicates = 0;
  for (const [seq, c] of got) if (seq > 0) { delivered++; duplicates += c - 1; }
  return { sent: events, delivered, duplicates };
}

export default async function run(args: string[]): Promise<void> {
  const nHalls = arg(args, 'halls', 20);
  const tickets = arg(args, 'tickets', 2000);
  const busy = arg(args, 'busy', 5000);
  const rounds = arg(args, 'rounds', 3);
  const base = loadHallConfig();
  const [pgs, broker] = await Promise.all([startPostgres({ durable: true }), startMosquitto()]);
  try {
    console.log(`PostgreSQL with durable commits (fsync on); city Mosquitto; forwarders in this process (batch 500, 4 batches ahead).`);
    const logs = Array.from({ length: nHalls }, (_, i) => logOf(synthesizeDay(hallNamed(base, `bench-${i}`), DAY, { tickets, seed: i + 1 })));
    // One and two instances in turn, three times: the machine's other load moves between runs.
    const rates: Record<number, number[]> = { 1: [], 2: [] };
    let lastDb = '';
    for (let round = 0; round < rounds; round++) {
      for (const n of [1, 2]) {
        const r = await ingestRate(pgs, broker.url, base, logs, n);
        lastDb = r.db;
        rates[n].push(r.events / r.s);
        console.log(`ingest, ${n} instance${n > 1 ? 's' : ' '} (run ${round + 1}): ${r.events} events of ${nHalls} halls in ${r.s.toFixed(1)} s = ${Math.round(r.events / r.s)} events/s`);
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`ingest, median of ${rounds}: one instance ${Math.round(med(rates[1]))} events/s, two ${Math.round(med(rates[2]))} events/s (${(med(rates[2]) / med(rates[1])).toFixed(2)}×; 2 cores shared by PostgreSQL, Mosquitto, the forwarders and the instances; load average ${loadavg()[0].toFixed(1)})`);
    await storeAndQueries(lastDb, DAY);
    for (const l of logs) l.close();

    const hall = hallNamed(base, 'busy');
    const day = synthesizeDay(hall, DAY, { tickets: busy, seed: 7 });
    const peak = busiestHour(day, hall.hall.timezone);
    const hour = await catchUp(pgs, broker, hall, day, peak);
    console.log(`catch-up, busy hall (${busy} tickets/day, ${day.length} events), one-hour outage in its busiest hour ${peak.join('–')}: ${hour.events} events in ${hour.fromRestore.toFixed(2)} s from the link's return (${hour.fromSync.toFixed(2)} s after the hello was answered)`);
    const whole = await catchUp(pgs, broker, hall, day, ['07:00', '18:00']);
    console.log(`catch-up, same hall, whole-day outage: ${whole.events} events in ${whole.fromRestore.toFixed(2)} s from the link's return (${whole.fromSync.toFixed(2)} s after the hello)`);

    if (!args.includes('--skip-bridge')) {
      const n = hour.events;
      const a = await bridge(broker.port, n, { queue: null, restartHall: false });
      console.log(`bridge, Mosquitto defaults (max_queued_messages 1000), one-hour outage: ${a.delivered} of ${a.sent} events arrived, ${a.sent - a.delivered} lost, ${a.duplicates} duplicates`);
      const b = await bridge(broker.port, n, { queue: 0, restartHall: false });
      console.log(`bridge, unlimited queue: ${b.delivered} of ${b.sent} arrived, ${b.sent - b.delivered} lost, ${b.duplicates} duplicates`);
      const c = await bridge(broker.port, n, { queue: 0, restartHall: true });
      console.log(`bridge, unlimited queue, hall broker loses power during the outage (persistence on, autosave 30 min): ${c.delivered} of ${c.sent} arrived, ${c.sent - c.delivered} lost`);
    }
  } finally {
    await broker.stop();
    await pgs.stop();
  }
}
