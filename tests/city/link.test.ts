// The hall → city link on its own: a hall's event log (SQLite, the controller's
// table) shipped by the forwarder through Mosquitto into PostgreSQL, across a cut
// link, a city instance that dies, and hostile messages on the city's topics.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { CityForwarder } from '../../firmware/city/forwarder.ts';
import { cityTopic } from '../../firmware/city/protocol.ts';
import { startCity, type CityService } from '../../firmware/city/service.ts';
import { foldClosedDays } from '../../firmware/city/figures.ts';
import { SqliteStore, writeEvents } from '../../firmware/eventlog/sqlite-store.ts';
import { synthesizeDay } from '../../firmware/stats/synthetic.ts';
import { startMosquitto, type RunningMosquitto } from '../setup/mosquitto.ts';
import { startPostgres, type RunningPostgres } from '../setup/postgres.ts';
import { cityLog, hallLog, quiet, sameLog, startLink, until, type Link } from './helpers.ts';

const base = loadHallConfig();
const hall = { ...base, hall: { ...base.hall, id: 'link-hall' } };
const clock = { now: () => Date.parse('2026-11-20T04:00:00Z') };

let pgs: RunningPostgres;
let broker: RunningMosquitto;
let dbUrl: string;
let link: Link;
let cities: CityService[] = [];
let log: SqliteStore;
let db: SqliteStore['db'];
let fwd: CityForwarder;

beforeAll(async () => {
  [pgs, broker] = await Promise.all([startPostgres(), startMosquitto()]);
  dbUrl = await pgs.createDatabase('link_test');
  link = await startLink(broker.port);
  cities = await Promise.all(['a', 'b'].map((i) => startCity({ db: dbUrl, broker: { url: broker.url }, instance: i, log: quiet, gapWaitMs: 200 })));
  log = new SqliteStore(':memory:', { clock });
  db = log.db;
  writeEvents(db, synthesizeDay(hall, '2026-11-16', { tickets: 300, seed: 1 }));
  fwd = new CityForwarder({
    hall, events: log, clock, log: quiet, link: { url: link.url, batch: 100, window: 3, ackTimeoutS: 1, reportDays: 0 },
    backoff: { initialMs: 50, maxMs: 200 }, pollMs: 50,
  });
  fwd.start();
});

afterAll(async () => {
  await fwd?.stop();
  await Promise.all(cities.map((c) => c.stop()));
  await link?.close();
  await broker?.stop();
  await pgs?.stop();
});

const caughtUp = () => fwd.status().synced && fwd.status().behind === 0;

describe('the hall ships its log to the city', () => {
  it('every event arrives once, in order, with the hall\'s own JSON', async () => {
    await until('city caught up', caughtUp);
    const city = await cityLog(dbUrl, hall.hall.id);
    expect(sameLog(hallLog(db), city.rows)).toBeNull();
    expect(city.acked).toBe(hallLog(db).at(-1)!.seq);
    // Two instances shared the work.
    const got = cities.map((c) => c.counters().batches);
    expect(got.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('a cut link: the hall keeps logging, and the city catches up exactly once afterwards', async () => {
    link.cut();
    await until('forwarder sees the cut', () => !fwd.status().connected);
    writeEvents(db, synthesizeDay(hall, '2026-11-17', { tickets: 400, seed: 2 }));
    expect(fwd.status().behind).toBeGreaterThan(1000);
    link.restore();
    await until('city caught up', caughtUp);
    expect(sameLog(hallLog(db), (await cityLog(dbUrl, hall.hall.id)).rows)).toBeNull();
  });

  it('an instance that dies mid-stream loses nothing', async () => {
    writeEvents(db, synthesizeDay(hall, '2026-11-18', { tickets: 400, seed: 3 }));
    fwd.notify();
    await cities[1].kill();
    cities[1] = await startCity({ db: dbUrl, broker: { url: broker.url }, instance: 'b2', log: quiet, gapWaitMs: 200 });
    await until('city caught up', caughtUp);
    expect(sameLog(hallLog(db), (await cityLog(dbUrl, hall.hall.id)).rows)).toBeNull();
  });

  it('closed days are folded ahead of the pages, once, and again when a day gets new events', async () => {
    const pool = cities[0].store.pool;
    await until('the hall\'s configuration arrived', async () => (await pool.query('SELECT 1 FROM city_halls WHERE config IS NOT NULL')).rowCount);
    expect(await foldClosedDays(pool, clock)).toBe(3);
    expect(await foldClosedDays(pool, clock)).toBe(0);
    const days = await pool.query('SELECT d.day::text AS day, d.events, i.events AS indexed FROM city_days d JOIN city_day_index i USING (hall, day) ORDER BY 1');
    expect(days.rows.map((r: { day: string }) => r.day)).toEqual(['2026-11-16', '2026-11-17', '2026-11-18']);
    for (const r of days.rows as Array<{ events: number; indexed: number }>) expect(r.events).toBe(r.indexed);
    // A late event of a closed day (a handover filed late): that day only is folded again.
    writeEvents(db, [{ kind: 'window-status', at: Date.parse('2026-11-17T09:00:00Z'), day: '2026-11-17', window: '1', status: 'closed' }]);
    fwd.notify();
    await until('city caught up', caughtUp);
    expect(await foldClosedDays(pool, clock)).toBe(1);
  });

  it('hostile messages on the city topics change nothing and crash nothing', async () => {
    const before = await cityLog(dbUrl, hall.hall.id);
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const t = cityTopic(hall.hall.id, 'events');
    const evil = [
      'not json', '[]', '{}', '{"after":0,"events":[]}',
      JSON.stringify({ after: 0, events: [{ seq: 1, e: { kind: 'ticket-issued', at: 1, day: '9999-01-01' } }] }),
      JSON.stringify({ after: 5, events: [{ seq: 4, e: { kind: 'x', at: 1, day: '2026-11-16' } }] }),
      JSON.stringify({ after: 0, events: [{ seq: 1, e: { kind: '<script>', at: 1, day: '2026-11-16' } }] }),
      JSON.stringify({ after: 0, events: Array.from({ length: 1001 }, (_, i) => ({ seq: i + 1, e: { kind: 'x', at: 1, day: '2026-11-16' } })) }),
    ];
    for (const p of evil) await c.publishAsync(t, p, { qos: 1 });
    // A rewrite of history: follows seq 0, so the city skips every event it already holds.
    await c.publishAsync(t, JSON.stringify({ after: 0, events: [{ seq: 1, e: { kind: 'ticket-issued', at: 1, day: '2026-11-16', ticket: 'Z001', service: 'registration', priority: false, kiosk: 'k', arrivedAt: 1 } }] }), { qos: 1 });
    await c.publishAsync(cityTopic(hall.hall.id, 'hello'), '{"id":"x"}', { qos: 1 });
    await c.publishAsync(cityTopic(hall.hall.id, 'hall'), '{"at":"2026-11-16T09:00:00+08:00","config":{"hall":"<b>"}}', { qos: 1 });
    await c.publishAsync('manyi/v1/Bad_Hall/city/events', '{}', { qos: 1 });
    await until('the city read them all', () => cities.reduce((n, x) => n + x.counters().rejected, 0) >= evil.length + 1);
    await c.endAsync();
    const after = await cityLog(dbUrl, hall.hall.id);
    expect(after.rows).toEqual(before.rows);
    expect(after.acked).toBe(before.acked);
  });
});
