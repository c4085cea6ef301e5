// The manager's page and the statistics API as mounted on a role's web host
// (firmware/stats/manager/index.ts), over HTTP with no browser: the language, the
// range (today by default, a bad one refused with 400), the guard in front of both,
// the weekday of the staffing section, and that proposal worked out in the background.
import Database from 'better-sqlite3';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../../firmware/config/hall.ts';
import type { HallEvent } from '../../../firmware/eventlog/schema.ts';
import { openEventTables, writeEvents } from '../../../firmware/eventlog/sqlite-store.ts';
import { localToMs } from '../../../firmware/lib/time.ts';
import type { Guard } from '../../../firmware/stats/api.ts';
import { mountManagerPages } from '../../../firmware/stats/manager/index.ts';
import { staffingView, staffingViewReady } from '../../../firmware/stats/manager/staffing.ts';
import { WebApp } from '../../../firmware/web/app.ts';

const hall = loadHallConfig();
const tz = hall.hall.timezone;
const at = (day: string, h: number, m = 0) => localToMs(day, h * 3600 + m * 60, tz);
// Mondays 9 and 16 November, then "today" is Wednesday the 18th.
const NOW = at('2026-11-18', 10);

function day(d: string, n: number): HallEvent[] {
  const ev: HallEvent[] = [{ kind: 'window-status', at: at(d, 8), day: d, window: '1', status: 'open', staff: 's001' }];
  for (let i = 1; i <= n; i++) {
    const t = at(d, 8, i * 3);
    const ticket = `A${String(i).padStart(3, '0')}`;
    const base = { day: d, ticket, service: 'registration', window: '1', staff: 's001' };
    ev.push({ kind: 'ticket-issued', at: t, day: d, ticket, service: 'registration', priority: false, kiosk: 'k1', arrivedAt: t });
    ev.push({ ...base, kind: 'ticket-called', at: t + 30_000, recall: false });
    ev.push({ ...base, kind: 'ticket-started', at: t + 60_000 });
    ev.push({ ...base, kind: 'ticket-completed', at: t + 150_000 });
  }
  ev.push({ kind: 'window-status', at: at(d, 17), day: d, window: '1', status: 'closed', staff: 's001' });
  return ev;
}

let db: Database.Database;
let web: WebApp;
let guarded: WebApp;
let base = '';
let guardedBase = '';
const kinds: string[] = [];

beforeAll(async () => {
  db = new Database(':memory:');
  openEventTables(db);
  writeEvents(db, [...day('2026-11-09', 20), ...day('2026-11-16', 30), ...day('2026-11-18', 5)]);
  web = new WebApp();
  mountManagerPages(web, { db, hall, now: () => NOW, live: () => null, alerts: () => [] });
  base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
  // A guard that lets only requests with the right header through, and records what it guarded.
  const guard: Guard = (h, kind) => (req, res, p, url) => {
    kinds.push(`${kind} ${url.pathname}`);
    if (req.headers['x-manager'] !== 'yes') { res.writeHead(403); res.end(); return; }
    return h(req, res, p, url);
  };
  guarded = new WebApp();
  mountManagerPages(guarded, { db, hall, now: () => NOW, guard, signOutToken: (req: IncomingMessage) => `tok-${req.headers['x-manager']}` });
  guardedBase = `http://127.0.0.1:${await guarded.listen(0, '127.0.0.1')}`;
});
afterAll(async () => { await web?.close(); await guarded?.close(); db?.close(); });

const get = async (url: string, headers: Record<string, string> = {}) => {
  const r = await fetch(url, { headers });
  return { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control'), text: await r.text() };
};

describe('the manager\'s page over HTTP', () => {
  it('shows today in Chinese by default, and in English when asked', async () => {
    const zh = await get(`${base}/manager`);
    expect(zh.status).toBe(200);
    expect(zh.type).toBe('text/html; charset=utf-8');
    expect(zh.cache).toBe('no-store');
    expect(zh.text).toContain('<html lang="zh-CN">');
    expect(zh.text).toContain('<body data-from="2026-11-18" data-to="2026-11-18">');
    expect(zh.text).toContain('<div class="kpi"><span>取号</span><b>5</b></div>');
    expect(zh.text).toContain('class="live"');
    const en = await get(`${base}/manager?lang=en&from=2026-11-16`);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('<body data-from="2026-11-16" data-to="2026-11-16">');
    expect(en.text).toContain('<div class="kpi"><span>Issued</span><b>30</b></div>');
    expect(en.text).not.toContain('class="live"');
    expect((await get(`${base}/manager?lang=fr`)).text).toContain('<html lang="zh-CN">');
  });

  it('ranks the month of the range\'s last day', async () => {
    const r = await get(`${base}/manager?lang=en&from=2026-11-09&to=2026-11-16`);
    expect(r.text).toContain('Service star of the month · 2026-11');
    expect(r.text).toContain('<th>王芳</th>');
    expect(r.text).toContain('<div class="kpi"><span>Issued</span><b>50</b></div>');
  });

  it('refuses a bad range with 400 naming the parameter', async () => {
    const r = await get(`${base}/manager?from=2026-11-18&to=2026-11-01`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ error: 'to is before from' });
    expect(JSON.parse((await get(`${base}/manager?from=18.11.2026`)).text)).toEqual({ error: 'from: must be YYYY-MM-DD' });
  });

  it('proposes staffing for the weekday of the last day shown, or the one asked for; a bad one shows the default', async () => {
    expect((await get(`${base}/manager?lang=en&from=2026-11-16`)).text).toMatch(/· Mon<\/h2><p><a [^>]*>Sun<\/a> <b>Mon<\/b>/);
    expect((await get(`${base}/manager?lang=en&from=2026-11-16&staffing=fri`)).text).toContain('<b>Fri</b>');
    expect((await get(`${base}/manager?lang=en&from=2026-11-16&staffing=someday`)).text).toContain('<b>Mon</b>');
    expect((await get(`${base}/manager?lang=en`)).text).toContain('<b>Wed</b>');
  });

  it('puts the guard in front of the page and of every API route, and gives the page its sign-out token', async () => {
    kinds.length = 0;
    expect((await get(`${guardedBase}/manager`)).status).toBe(403);
    expect((await get(`${guardedBase}/api/stats/summary`)).status).toBe(403);
    expect((await get(`${guardedBase}/api/stats/live`)).status).toBe(403);
    expect(kinds).toEqual(['page /manager', 'api /api/stats/summary', 'api /api/stats/live']);
    const ok = await get(`${guardedBase}/manager?lang=en`, { 'x-manager': 'yes' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<input type="hidden" name="token" value="tok-yes">');
    expect((await get(`${guardedBase}/api/stats/summary`, { 'x-manager': 'yes' })).status).toBe(200);
    expect((await get(`${base}/manager`)).text).not.toContain('action="/logout"');
  });
});

describe('the staffing proposal', () => {
  it('is worked out in the background from the recorded days of that weekday before today, then kept', async () => {
    // (A day no page above asked for: proposals are kept per hall, weekday and day.)
    const first = staffingView(db, hall, 1, '2026-11-17');
    expect(first).toEqual({ weekday: 1, pending: true });
    expect(staffingView(db, hall, 1, '2026-11-17')).toEqual({ weekday: 1, pending: true }); // still one job
    const ready = await staffingViewReady(db, hall, 1, '2026-11-17');
    expect(ready).toMatchObject({ weekday: 1, days: ['2026-11-09', '2026-11-16'] });
    expect('svg' in ready && ready.svg.startsWith('<svg')).toBe(true);
    expect(staffingView(db, hall, 1, '2026-11-17')).toBe(ready);
    // Only days before today: on the 16th itself, only the 9th counts.
    expect(await staffingViewReady(db, hall, 1, '2026-11-16')).toMatchObject({ days: ['2026-11-09'] });
  });

  it('says there is nothing to propose for a weekday with no recorded days', async () => {
    const v = await staffingViewReady(db, hall, 4, '2026-11-18');
    expect(v).toMatchObject({ weekday: 4 });
    expect('error' in v).toBe(true);
  });
});
