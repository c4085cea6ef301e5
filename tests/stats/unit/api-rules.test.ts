// Rules of the statistics API (firmware/stats/api.ts) on a stand-in store, over
// HTTP: which day "today" is, that a failure of the store is not passed off as a
// bad parameter, the CSV download's headers, and the ranking's default month.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../../firmware/config/hall.ts';
import { groupCsv, mountStatsApi, rangeFromQuery, sendCsv } from '../../../firmware/stats/api.ts';
import { DayFolder } from '../../../firmware/stats/day.ts';
import type { DaySummary } from '../../../firmware/stats/day.ts';
import { rangeStats } from '../../../firmware/stats/range.ts';
import type { StatsStore } from '../../../firmware/stats/store.ts';
import { WebApp } from '../../../firmware/web/app.ts';

const hall = loadHallConfig();

/** A store holding one folded day, 2026-12-01 ("today"), with one ticket issued and served at window 1 by s001; `fail` makes reading a day throw. */
function fakeStore(o: { fail?: boolean } = {}) {
  // Folded on each read (not when the store is made), so the fold runs inside the tests.
  const fold = (day: string): DaySummary => {
    const f = new DayFolder(hall, day);
    f.add({ seq: 1, at: Date.parse('2026-12-01T01:00:00Z'), day, kind: 'ticket-issued', ticket: 'A001', service: 'registration', window: null, staff: 's001', recall: null, arrivedAt: null, fromService: null, score: null, status: null });
    f.add({ seq: 2, at: Date.parse('2026-12-01T01:30:00Z'), day, kind: 'ticket-completed', ticket: 'A001', service: 'registration', window: '1', staff: 's001', recall: null, arrivedAt: null, fromService: null, score: null, status: null });
    return f.finish(Date.parse('2026-12-01T09:00:00Z'));
  };
  const asked: string[][] = [];
  const store = {
    hall, asked,
    today: () => '2026-12-01',
    daysWithEvents: (from: string, to: string) => { asked.push([from, to]); return from <= '2026-12-01' && '2026-12-01' <= to ? ['2026-12-01'] : []; },
    day: (d: string) => { if (o.fail) throw new Error('disk I/O error'); return fold(d); },
  };
  return store as typeof store & StatsStore;
}

let web: WebApp;
let base = '';
let failing = '';
const store = fakeStore();

beforeAll(async () => {
  web = new WebApp();
  mountStatsApi(web, store, hall);
  base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
  const bad = new WebApp({ log: { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} } as never });
  mountStatsApi(bad, fakeStore({ fail: true }), hall);
  failing = `http://127.0.0.1:${await bad.listen(0, '127.0.0.1')}`;
  afterAll(async () => { await bad.close(); });
});
afterAll(async () => { await web?.close(); });

const get = async (url: string) => {
  const r = await fetch(url);
  return { status: r.status, headers: r.headers, text: await r.text() };
};

describe('statistics API rules', () => {
  it('takes the range from today by default, and `to` from `from`', async () => {
    expect(rangeFromQuery(new URL('http://x/'), '2026-12-01')).toEqual({ from: '2026-12-01', to: '2026-12-01' });
    expect(rangeFromQuery(new URL('http://x/?from=2026-11-20'), '2026-12-01')).toEqual({ from: '2026-11-20', to: '2026-11-20' });
    expect(rangeFromQuery(new URL('http://x/?to=2026-12-03'), '2026-12-01')).toEqual({ from: '2026-12-01', to: '2026-12-03' });
    expect(() => rangeFromQuery(new URL('http://x/?to=2026-11-30'), '2026-12-01')).toThrow('to is before from');
    store.asked.length = 0;
    const j = JSON.parse((await get(`${base}/api/stats/services`)).text);
    expect(j).toMatchObject({ from: '2026-12-01', to: '2026-12-01', days: 1 });
    expect(j.services.find((s: { id: string }) => s.id === 'registration').issued).toBe(1);
    expect(store.asked).toEqual([['2026-12-01', '2026-12-01']]);
  });

  it('answers a failure of the store with 500, not as a bad parameter', async () => {
    for (const path of ['/api/stats/summary', '/api/stats/windows', '/api/stats/ranking']) {
      const r = await get(failing + path);
      expect(`${path} ${r.status}`).toBe(`${path} 500`);
      expect(r.text).not.toContain('disk I/O error');
    }
  });

  it('sends CSV as an attachment that is never cached, named after the hall, range and group', async () => {
    const r = await get(`${base}/api/stats/staff?from=2026-11-30&to=2026-12-01&format=csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="manyi-demo-hospital-2026-11-30-2026-12-01-staff.csv"');
    expect(r.text).toBe(groupCsv(rangeStats(store, '2026-11-30', '2026-12-01'), 'staff').replace(/^\ufeff/, ''));
    expect(r.text.split('\r\n')[1]!.startsWith('s001,王芳,0,1,')).toBe(true);
    const j = await get(`${base}/api/stats/staff?from=2026-11-30&to=2026-12-01&format=json`);
    expect(j.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('ranks this month by default, and refuses a month that is not YYYY-MM', async () => {
    store.asked.length = 0;
    expect(JSON.parse((await get(`${base}/api/stats/ranking`)).text).month).toBe('2026-12');
    expect(store.asked).toEqual([['2026-12-01', '2026-12-31']]);
    const r = await get(`${base}/api/stats/ranking?month=2026-1`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ error: 'month: must be YYYY-MM' });
    const csv = await get(`${base}/api/stats/ranking?month=2026-12&format=csv`);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="manyi-demo-hospital-2026-12-ranking.csv"');
    expect(csv.text.split('\r\n')[1]).toBe(',s001,王芳,1,0,,,false'); // listed, not ranked: no ratings
  });

  it('gives the days of a range under `days` and every other group under its own name', async () => {
    const d = JSON.parse((await get(`${base}/api/stats/days?from=2026-11-30&to=2026-12-02`)).text);
    expect(d.days.map((x: { day: string }) => x.day)).toEqual(['2026-12-01']);
    const h = JSON.parse((await get(`${base}/api/stats/hours?from=2026-11-30&to=2026-12-02`)).text);
    expect(h.days).toBe(1);
    expect(h.hours.map((x: { hour: number }) => x.hour)).toEqual([9]);
  });

  it('writes a CSV body with its own file name', async () => {
    const res = { head: [] as unknown[], body: '', writeHead(...a: unknown[]) { this.head = a; }, end(b: string) { this.body = b; } };
    sendCsv(res as never, 'x-y', 'a,b\r\n');
    expect(res.head).toEqual([200, { 'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store', 'content-disposition': 'attachment; filename="x-y.csv"' }]);
    expect(res.body).toBe('a,b\r\n');
  });
});
