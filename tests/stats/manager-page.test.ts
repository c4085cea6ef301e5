// The manager's page and the statistics API over HTTP, on a week driven through
// the engine; headless Chromium loads the page and its charts (screenshots kept).
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { localToMs } from '../../firmware/lib/time.ts';
import { rangeStats } from '../../firmware/stats/range.ts';
import { StatsStore } from '../../firmware/stats/store.ts';
import { DeviceWatch, RecentRatings, Supervisor, supervisionInput } from '../../firmware/supervision/index.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { mountManagerPages } from '../../firmware/stats/manager/index.ts';
import { ARTIFACTS } from '../setup/global.ts';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { SqliteStore } from '../../firmware/eventlog/sqlite-store.ts';
import { driveWeek } from '../../firmware/stats/demo-week.ts';

const hall = loadHallConfig();
const DAYS = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
const NOW = localToMs('2026-11-20', 17 * 3600 + 30 * 60, hall.hall.timezone); // Friday after closing: "today" is the 20th
let db: Database.Database;
let web: WebApp;
let base: string;
let engine: HallEngine;
let browser: Browser;
const supervisor = new Supervisor(hall);

beforeAll(async () => {
  const sqlite = new SqliteStore(':memory:', { clock: { now: () => NOW } });
  db = sqlite.db;
  engine = new HallEngine({ hall, store: sqlite });
  driveWeek(engine, { days: DAYS, ticketsPerDay: 160, seed: 3, windows: ['1', '2', '6', '7', '11', '13'] });
  // Live alerts as the controller would raise them: a kiosk out of paper, a silent counter.
  const devices = new DeviceWatch();
  devices.status('kiosk-1', { state: 'online', role: 'kiosk', version: '1', at: '2026-11-20T17:29:00+08:00' }, NOW - 5_000);
  devices.health('kiosk-1', { at: '2026-11-20T17:29:00+08:00', uptimeS: 100, rssMB: 50, printer: 'paper-out' }, NOW - 5_000);
  devices.status('counter-7', { state: 'offline', role: 'counter', version: '1', at: '2026-11-20T17:00:00+08:00' }, NOW - 60_000);
  supervisor.tick(supervisionInput(engine.model, NOW, devices, new RecentRatings()));
  web = new WebApp();
  mountManagerPages(web, { db, hall, now: () => NOW, live: () => engine.hallState(NOW), alerts: () => supervisor.active() });
  base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'], // playwright gives each launch a fresh profile
  });
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const get = (path: string) => fetch(base + path);

describe('statistics API', () => {
  it('serves the same figures as the library, as JSON', async () => {
    const res = await get(`/api/stats/summary?from=${DAYS[0]}&to=${DAYS[4]}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    const direct = rangeStats(new StatsStore(db, hall, () => NOW), DAYS[0], DAYS[4]);
    expect(body).toEqual(JSON.parse(JSON.stringify(direct)));
    const windows = await (await get(`/api/stats/windows?from=${DAYS[0]}&to=${DAYS[4]}`)).json();
    expect(windows.windows).toEqual(JSON.parse(JSON.stringify(direct.windows)));
  });

  it('exports CSV with a header, one row per window, readable Chinese names', async () => {
    const res = await get(`/api/stats/windows?from=${DAYS[0]}&to=${DAYS[4]}&format=csv`);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".*windows\.csv"/);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    const head = lines[0].split(',');
    expect(head.slice(0, 3)).toEqual(['id', 'issued', 'served']);
    expect(lines).toHaveLength(1 + hall.windows.length);
    const json = await (await get(`/api/stats/windows?from=${DAYS[0]}&to=${DAYS[4]}`)).json();
    const w1 = lines.find((l) => l.startsWith('1,'))!.split(',');
    expect(+w1[head.indexOf('served')]).toBe(json.windows.find((w: { id: string }) => w.id === '1').served);
    const staff = await (await get(`/api/stats/staff?from=${DAYS[0]}&to=${DAYS[4]}&format=csv`)).text();
    expect(staff).toContain('王芳');
  });

  it('ranks staff for a month, as JSON and CSV', async () => {
    const r = await (await get('/api/stats/ranking?month=2026-11')).json();
    expect(r.ranking[0].rank).toBe(1);
    expect(r.ranking[0].score).toBeGreaterThanOrEqual(r.ranking[1].score);
    const csv = await (await get('/api/stats/ranking?month=2026-11&format=csv')).text();
    expect(csv.split('\r\n')[1]).toMatch(new RegExp(`^1,${r.ranking[0].id},`));
  });

  it('refuses bad parameters with 400 and a message, unknown groups with 404', async () => {
    const bad = await get('/api/stats/summary?from=2026-13-01');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/^from: /);
    expect((await get('/api/stats/services?from=2026-11-20&to=2026-11-01')).status).toBe(400);
    expect((await get('/api/stats/services?format=xml')).status).toBe(400);
    expect((await get('/api/stats/ranking?month=2026-13')).status).toBe(400);
    expect((await get('/api/stats/queues')).status).toBe(404);
    expect((await get('/manager?from=yesterday')).status).toBe(400);
  });

  it('gives the live hall state and the raised alerts', async () => {
    const live = await (await get('/api/stats/live')).json();
    expect(live.today).toBe('2026-11-20');
    expect(live.state.windows).toHaveLength(hall.windows.length);
    const kinds = live.alerts.map((a: { kind: string }) => a.kind);
    expect(kinds).toContain('printer-paper-out');
    expect(kinds).toContain('device-offline');
  });
});

describe('manager page in Chromium', () => {
  it('shows a past range with its charts and tables, in Chinese', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/manager?from=${DAYS[0]}&to=${DAYS[3]}&lang=zh`);
    expect(await page.title()).toContain('管理看板');
    expect(await page.locator('.live').count()).toBe(0); // not today: no live panel
    expect(await page.locator('svg.chart').count()).toBe(4); // arrivals, waits, satisfaction, per day
    const st = rangeStats(new StatsStore(db, hall, () => NOW), DAYS[0], DAYS[3]);
    const hoursWithArrivals = st.hours.filter((h) => h.issued > 0 || h.windowsOpen > 0 || h.served > 0).length;
    expect(await page.locator('svg.arrivals rect.bar').count()).toBe(st.hours.filter((h) => h.issued > 0 || h.windowsOpen > 0 || h.served > 0).length);
    expect(hoursWithArrivals).toBeGreaterThan(8);
    expect(await page.locator('svg.arrivals polyline.line').count()).toBeGreaterThan(0);
    expect(await page.locator('svg.waits polyline.line').count()).toBeGreaterThanOrEqual(2);
    // One satisfaction row per opened window, each with its rate.
    const rated = st.windows.filter((w) => w.satisfaction.rated > 0);
    expect(await page.locator('svg.satisfaction rect.seg.r0').count()).toBe(rated.filter((w) => w.satisfaction.counts['very-satisfied'] > 0).length);
    expect(await page.locator('#windows tbody tr').count()).toBe(hall.windows.length);
    expect(await page.locator('.kpi b').first().textContent()).toBe(String(st.total.issued));
    expect(await page.locator('#ranking tr.star').count()).toBe(1);
    const box = await page.locator('svg.arrivals').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    await page.screenshot({ path: join(ARTIFACTS, 'manager-week-zh.png'), fullPage: true });
    await page.close();
  });

  it('shows today live with alerts, in English, and switches range from the form', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/manager?lang=en`);
    expect(await page.locator('h1').textContent()).toContain('Demo Hospital Outpatient Hall');
    expect(await page.locator('.live').count()).toBe(1);
    expect(await page.locator('.live .win').count()).toBe(hall.windows.length);
    await expect.poll(() => page.locator('.alerts li').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/kiosk-1.*printer out of paper/), expect.stringMatching(/counter-7.*offline/)]),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'manager-today-en.png'), fullPage: true });
    await page.fill('input[name=from]', DAYS[1]);
    await page.fill('input[name=to]', DAYS[2]);
    await Promise.all([page.waitForURL(/from=2026-11-17&to=2026-11-18/), page.click('button[type=submit]')]);
    expect(await page.locator('.range').textContent()).toContain('2026-11-17 – 2026-11-18 (2 days)');
    expect(await page.locator('.live').count()).toBe(0);
    await page.close();
  });
});
