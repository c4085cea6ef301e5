// The city, tested as a city: one city Mosquitto (accounts and ACL), two city
// instances, PostgreSQL, and three hall controllers running simulated days through
// their own engines. Each hall's link is cut for a while mid-day, one hall
// restarts between days, the city broker restarts and a city instance dies during
// the second day. Afterwards the city holds every event of every hall exactly once
// and in order, and its figures are the halls' own.
import { copyFileSync, mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import pg from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountCityPages } from '../../firmware/city/api.ts';
import { cityTopic } from '../../firmware/city/protocol.ts';
import { CityQueries } from '../../firmware/city/query.ts';
import { hhmmToS, localToMs } from '../../firmware/lib/time.ts';
import { weekSteps } from '../../firmware/stats/demo-week.ts';
import { rangeStats } from '../../firmware/stats/range.ts';
import { StatsStore } from '../../firmware/stats/store.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { ARTIFACTS } from '../setup/global.ts';
import { cityLog, hallLog, sameLog, until } from './helpers.ts';
import { startCityStack, startHall, TestClock, type City, type TestHall } from './harness.ts';

/**
 * The README's picture of the city page is this test's English screenshot, committed:
 * `npm run screenshot:city` runs this file with MANYI_README_SCREENSHOT=1 to refresh it.
 */
const README_SCREENSHOT = new URL('./img/city-page-en.png', import.meta.url).pathname;

const TZ = 'Asia/Shanghai';
const DAYS = ['2026-11-16', '2026-11-17'];
/** The third day stops here, mid-morning: its queues and alerts are open when the city is read. */
const NEXT_MORNING = localToMs('2026-11-18', hhmmToS('10:00'), TZ);
const HALLS = [
  { id: 'east', name: { zh: '东城区政务服务中心', en: 'East District Service Centre' }, tickets: 110 },
  { id: 'west', name: { zh: '西城区政务服务中心', en: 'West District Service Centre' }, tickets: 170 },
  { id: 'north', name: { zh: '北区市民之家', en: 'North District Citizens\' Hall' }, tickets: 240 },
];

let city: City;
let halls: TestHall[] = [];
let web: WebApp;
let base: string;
let browser: Browser | undefined;

/**
 * Runs each hall's day one step at a time, all three interleaved (until `until`,
 * if given); `at(step)` acts between steps.
 */
async function runDay(day: string, seeds: number[], at: (step: number) => Promise<void> | void, until?: number): Promise<number> {
  for (const h of halls) h.clock.t = localToMs(day, hhmmToS('07:30'), TZ);
  const gens = halls.map((h, i) => weekSteps(h.controller.engine, { days: [day], ticketsPerDay: HALLS[i].tickets, seed: seeds[i], windows: ['1', '6', '11', '13'] }));
  const done = halls.map(() => false);
  let step = 0;
  while (!done.every(Boolean)) {
    for (let i = 0; i < halls.length; i++) {
      if (done[i]) continue;
      const r = gens[i].next();
      if (r.done || (until !== undefined && r.value >= until)) done[i] = true;
      if (!r.done) halls[i].clock.t = r.value;
    }
    step++;
    await at(step);
    // Let the forwarders, the city and the sockets run between steps, as in a hall.
    if (step % 100 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  return step;
}

const caughtUp = (h: TestHall) => {
  const s = h.city.status();
  return !!s && s.synced && s.behind === 0;
};

beforeAll(async () => {
  city = await startCityStack();
  await city.startInstance('a');
  await city.startInstance('b');
  for (const h of HALLS) {
    halls.push(await startHall(city, h.id, h.name, { clock: new TestClock(localToMs(DAYS[0], hhmmToS('07:00'), TZ)) }));
  }
  web = new WebApp();
  mountCityPages(web, new CityQueries(city.instances[0].store.pool, { now: () => NEXT_MORNING }, TZ));
  base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;

  // Day 1: each hall's link is cut for about an hour and a half of its day, at different times.
  const cuts = [[1500, 2600], [2500, 3600], [4000, 5100]];
  await runDay(DAYS[0], [11, 12, 13], async (step) => {
    halls.forEach((h, i) => {
      if (step === cuts[i][0]) h.link.cut();
      if (step === cuts[i][1]) h.link.restore();
    });
    if (step === cuts[0][0] + 300) expect(halls[0].city.status().connected).toBe(false);
  });
  // Between the days the east hall's controller restarts (same database).
  await halls[0].restart();
  // Day 2: the city broker restarts, a city instance dies and another takes its place.
  await runDay(DAYS[1], [21, 22, 23], async (step) => {
    if (step === 2000) await city.restartBroker();
    if (step === 3500) await city.instances[1].kill();
    if (step === 4500) await city.startInstance('c');
  });
  // The next morning until 10:00: every hall reports its closed days, and catches up.
  await runDay('2026-11-18', [31, 32, 33], () => undefined, NEXT_MORNING);
  for (const h of halls) h.clock.t = NEXT_MORNING;
  await until('every hall caught up', () => halls.every(caughtUp), 60_000);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  for (const h of halls) await h.stop();
  await city?.stop();
});

describe('three halls and a city through outages and restarts', () => {
  it('the city holds every event of every hall exactly once, in order', async () => {
    for (const h of halls) {
      const db = new Database(h.dbPath, { readonly: true });
      const own = hallLog(db);
      db.close();
      expect(own.length, `${h.id} has a day's worth of events`).toBeGreaterThan(800);
      const got = await cityLog(city.dbUrl, h.id);
      expect(sameLog(own, got.rows), h.id).toBeNull();
      expect(got.acked).toBe(own.at(-1)!.seq);
    }
    // Stored in seq order within each hall (a batch only follows what is stored).
    const c = new pg.Client(city.dbUrl);
    await c.connect();
    const out = await c.query(`SELECT hall, count(*) AS n FROM (
      SELECT hall, seq, lag(seq) OVER (PARTITION BY hall ORDER BY received_at, seq) AS prev FROM city_events) x
      WHERE prev IS NOT NULL AND prev >= seq GROUP BY hall`);
    await c.end();
    expect(out.rows).toEqual([]);
    // The outages were real: batches were sent again and refused or repeated.
    const total = city.instances.reduce((n, i) => n + i.counters().batches, 0);
    expect(total).toBeGreaterThan(30);
  });

  it("the city's figures for each hall are the hall's own, day by day and for the range", async () => {
    for (const h of halls) {
      const own = rangeStats(new StatsStore(h.store.db, h.config, () => NEXT_MORNING), DAYS[0], DAYS[1]);
      const res = await fetch(`${base}/api/city/halls/${h.id}/summary?from=${DAYS[0]}&to=${DAYS[1]}`);
      expect(res.status).toBe(200);
      const { hall, ...cityStats } = await res.json() as Record<string, unknown>;
      expect(hall).toBe(h.id);
      expect(cityStats).toEqual(JSON.parse(JSON.stringify(own)));
      expect(own.total.issued).toBeGreaterThan(150);
      // Each closed day checked against the totals the hall reported for it.
      await until(`${h.id} reported its days`, async () => {
        const r = await (await fetch(`${base}/api/city/halls/${h.id}/check?from=${DAYS[0]}&to=${DAYS[1]}`)).json() as { days: Array<{ agrees: boolean | null }> };
        return r.days.length === 2 && r.days.every((d) => d.agrees === true);
      });
    }
  });

  it('ranks the halls, lists every open alert, and ranks the month', async () => {
    const r = await (await fetch(`${base}/api/city/halls?from=${DAYS[0]}&to=${DAYS[1]}&sort=wait`)).json() as { halls: Array<{ rank: number; hall: string; total: { wait: { overLimitShare: number } } }> };
    expect(r.halls.map((x) => x.rank)).toEqual([1, 2, 3]);
    const shares = r.halls.map((x) => x.total.wait.overLimitShare);
    expect([...shares].sort((a, b) => a - b)).toEqual(shares);
    // fetch's text() drops the byte-order mark: read the bytes.
    const csv = Buffer.from(await (await fetch(`${base}/api/city/halls?from=${DAYS[0]}&to=${DAYS[1]}&format=csv`)).arrayBuffer()).toString('utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^\ufeffrank,hall,name,issued,served,/);
    expect(csv.trim().split('\r\n')).toHaveLength(4);

    // Open alerts: what each controller has raised now, as the city sees it.
    await until('alerts in the city match the halls', async () => {
      const a = await (await fetch(`${base}/api/city/alerts`)).json() as { alerts: Array<{ hall: string; id: string }> };
      return halls.every((h) => {
        const mine = h.controller.activeAlerts().map((x) => x.id).sort();
        return JSON.stringify(a.alerts.filter((x) => x.hall === h.id).map((x) => x.id).sort()) === JSON.stringify(mine);
      });
    });

    const m = await (await fetch(`${base}/api/city/ranking?month=2026-11`)).json() as { ranking: Array<{ rank: number | null; score: number | null; hall: string }> };
    expect(m.ranking.map((e) => e.rank)).toEqual([1, 2, 3]);
    const scores = m.ranking.map((e) => e.score!);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('drills down to services, windows and staff, with the same CSV as the hall', async () => {
    const h = halls[1];
    const st = new StatsStore(h.store.db, h.config, () => NEXT_MORNING);
    for (const g of ['services', 'windows', 'staff'] as const) {
      const j = await (await fetch(`${base}/api/city/halls/${h.id}/${g}?from=${DAYS[0]}&to=${DAYS[1]}`)).json() as Record<string, unknown>;
      expect(j[g]).toEqual(JSON.parse(JSON.stringify(rangeStats(st, DAYS[0], DAYS[1])[g])));
    }
    const staff = await (await fetch(`${base}/api/city/halls/${h.id}/ranking?month=2026-11`)).json() as { ranking: unknown[] };
    expect(staff.ranking.length).toBeGreaterThan(0);
    for (const [path, status] of [
      ['/api/city/halls/nowhere/summary', 404], ['/api/city/halls/EAST/summary', 404], [`/api/city/halls/${h.id}/bogus`, 404],
      [`/api/city/halls/${h.id}/summary?from=2026-02-30`, 400], ['/api/city/halls?sort=best', 400], ['/api/city/ranking?month=2026-13', 400],
      ['/api/city/halls?from=2026-11-18&to=2026-11-01', 400], ['/api/city/alerts?format=xml', 400], ['/city?from=%3Cscript%3E', 400],
    ] as const) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(status);
    }
  });

  it('shows the city page in Chinese and English', async () => {
    const zh = await (await fetch(`${base}/city?from=${DAYS[0]}&to=${DAYS[1]}`)).text();
    expect(zh).toContain('东城区政务服务中心');
    const en = await (await fetch(`${base}/city?from=${DAYS[0]}&to=${DAYS[1]}&lang=en&sort=satisfaction`)).text();
    expect(en).toContain('East District Service Centre');
    const hallPage = await (await fetch(`${base}/city/hall/west?from=${DAYS[0]}&to=${DAYS[1]}&lang=en`)).text();
    expect(hallPage).toContain('Checked against the hall');
    expect(hallPage).toContain('agrees');

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'] });
    // A short viewport: the full-page shot is as tall as the page, no empty space below.
    const page = await browser.newPage({ viewport: { width: 1280, height: 400 } });
    for (const lang of ['zh', 'en']) {
      await page.goto(`${base}/city?from=${DAYS[0]}&to=${DAYS[1]}&lang=${lang}`);
      expect(await page.locator('#halls tbody tr').count()).toBe(3);
      await page.screenshot({ path: `${ARTIFACTS}city-page-${lang}.png`, fullPage: true });
    }
    if (process.env.MANYI_README_SCREENSHOT === '1') {
      mkdirSync(new URL('./img/', import.meta.url).pathname, { recursive: true });
      copyFileSync(`${ARTIFACTS}city-page-en.png`, README_SCREENSHOT);
    }
  });

  it('shows markup in what a hall sends as text', async () => {
    const pw = city.addHall('markup');
    const c = await mqtt.connectAsync(city.cityLink.url, { protocolVersion: 4, username: 'markup', password: pw, reconnectPeriod: 0 });
    const cfg = { ...halls[0].config, hall: { ...halls[0].config.hall, id: 'markup', name: { zh: '北区<b>大厅</b>', en: 'North <script>alert(1)</script> Hall' } } };
    await c.publishAsync(cityTopic('markup', 'hall'), JSON.stringify({ at: '2026-11-18T10:00:00.000+08:00', config: cfg }), { qos: 1, retain: true });
    const alert = { id: 'x', kind: 'device-offline', at: '2026-11-18T09:00:00.000+08:00', subject: '<img src=x onerror=alert(2)>', message: '<i>zh</i> / <i>en</i>' };
    await c.publishAsync(cityTopic('markup', 'alerts'), JSON.stringify({ at: '2026-11-18T10:00:00.000+08:00', alerts: [alert] }), { qos: 1, retain: true });
    await c.endAsync();
    const page = async (lang: string) => (await fetch(`${base}/city?lang=${lang}`)).text();
    await until('the city learned the new hall', async () => (await page('zh')).includes('北区&lt;b&gt;大厅&lt;/b&gt;'));
    const zh = await page('zh');
    expect(zh).not.toContain('<b>大厅</b>');
    expect(zh).not.toContain('<img src=x');
    expect(zh).not.toContain('<i>zh</i>');
    const en = await page('en');
    expect(en).toContain('North &lt;script&gt;alert(1)&lt;/script&gt; Hall');
    expect(en).not.toContain('<script>alert(1)');
  });

  it('a hall publishes only under its own id; a wrong password is refused', async () => {
    const before = await cityLog(city.dbUrl, 'west');
    const pw = city.addHall('rogue');
    const rogue = await mqtt.connectAsync(city.cityLink.url, { protocolVersion: 4, username: 'rogue', password: pw, reconnectPeriod: 0 });
    const forged = JSON.stringify({ after: before.acked, events: [{ seq: before.acked + 1, e: { kind: 'ticket-issued', at: NEXT_MORNING, day: '2026-11-18', ticket: 'Z999', service: 'registration', priority: false, kiosk: 'k', arrivedAt: NEXT_MORNING } }] });
    await rogue.publishAsync(cityTopic('west', 'events'), forged, { qos: 1 });
    const fake = { id: 'forged', kind: 'device-offline', at: '2026-11-18T10:00:00.000+08:00', subject: 'x', message: 'forged / forged' };
    await rogue.publishAsync(cityTopic('west', 'alerts'), JSON.stringify({ at: '2026-11-18T11:00:00.000+08:00', alerts: [fake] }), { qos: 1 });
    // Its own topics do reach the city: once the hello is answered, the forgeries had their chance.
    const acks: string[] = [];
    rogue.on('message', (_t, p) => acks.push(p.toString()));
    await rogue.subscribeAsync(cityTopic('rogue', 'ack'), { qos: 1 });
    await rogue.publishAsync(cityTopic('rogue', 'hello'), JSON.stringify({ id: 'r1', at: '2026-11-18T10:00:00.000+08:00', first: 0, last: 0, version: 'x' }), { qos: 1 });
    await until('the city answers the rogue hall under its own id', () => acks.some((a) => a.includes('"hello":"r1"')));
    await rogue.endAsync();
    const after = await cityLog(city.dbUrl, 'west');
    expect(after.rows.length).toBe(before.rows.length);
    expect(after.acked).toBe(before.acked);
    const a = await (await fetch(`${base}/api/city/halls/west/alerts`)).json() as { alerts: Array<{ id: string }> };
    expect(a.alerts.map((x) => x.id)).not.toContain('forged');
    await expect(mqtt.connectAsync(city.cityLink.url, { protocolVersion: 4, username: 'west', password: 'not-its-password', reconnectPeriod: 0 })).rejects.toThrow(/Not authorized|Bad user name or password/);
  });
});
