// The statistics API over HTTP (no browser) and its CSV: every parameter checked
// with a 400 naming it, each group in JSON and CSV, the live view, and CSV cells
// that a spreadsheet cannot mistake for formulas or split wrongly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { SqliteStore } from '../../firmware/eventlog/sqlite-store.ts';
import { GROUPS, groupCsv, mountStatsApi, rangeFromQuery } from '../../firmware/stats/api.ts';
import { csvCell, figuresCsv, toCsv } from '../../firmware/stats/csv.ts';
import { driveWeek } from '../../firmware/stats/demo-week.ts';
import { checkRange, dayCount, rangeStats } from '../../firmware/stats/range.ts';
import { StatsStore } from '../../firmware/stats/store.ts';
import { WebApp } from '../../firmware/web/app.ts';
import type { HallState } from '../../firmware/protocol/messages.ts';

const hall = loadHallConfig();
const DAYS = ['2026-11-16', '2026-11-17'];
const NOW = Date.parse('2026-11-18T04:00:00Z'); // Wednesday noon in the hall
let web: WebApp;
let other: WebApp;
let base = '';
let store: StatsStore;
let noSources: string;

beforeAll(async () => {
  const sqlite = new SqliteStore(':memory:', { clock: { now: () => NOW } });
  driveWeek(new HallEngine({ hall, store: sqlite }), { days: DAYS, ticketsPerDay: 60, seed: 3, windows: ['1', '6'] });
  store = new StatsStore(sqlite.db, hall, () => NOW);
  web = new WebApp();
  const live = { at: '2026-11-18T12:00:00.000+08:00', services: [], windows: [], advice: [] } satisfies HallState;
  mountStatsApi(web, store, hall, { live: () => live, alerts: () => [] });
  other = new WebApp();
  mountStatsApi(other, store, hall);
  base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
  noSources = `http://127.0.0.1:${await other.listen(0, '127.0.0.1')}`;
});
afterAll(async () => { await web?.close(); await other?.close(); });

const get = async (path: string, at = base) => {
  const r = await fetch(at + path);
  // keep the byte-order mark (fetch's text() drops it)
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await r.arrayBuffer());
  return { status: r.status, type: r.headers.get('content-type') ?? '', disposition: r.headers.get('content-disposition'), text, json: () => JSON.parse(text) };
};

describe('statistics API', () => {
  it('gives a range\'s summary as JSON, and as CSV with a file name', async () => {
    const j = await get(`/api/stats/summary?from=${DAYS[0]}&to=${DAYS[1]}`);
    expect(j.status).toBe(200);
    expect(j.json()).toEqual(JSON.parse(JSON.stringify(rangeStats(store, DAYS[0]!, DAYS[1]!))));
    expect(j.json().total.issued).toBeGreaterThan(0);
    const c = await get(`/api/stats/summary?from=${DAYS[0]}&to=${DAYS[1]}&format=csv`);
    expect(c.status).toBe(200);
    expect(c.type).toBe('text/csv; charset=utf-8');
    expect(c.disposition).toBe(`attachment; filename="manyi-demo-hospital-${DAYS[0]}-${DAYS[1]}-total.csv"`);
    const [head, row] = c.text.replace(/^\ufeff/, '').split('\r\n');
    expect(head!.startsWith('from,to,issued,served,')).toBe(true);
    expect(row!.startsWith(`${DAYS[0]},${DAYS[1]},${j.json().total.issued},`)).toBe(true);
  });

  it('defaults to today, and `to` to `from`', async () => {
    expect((await get('/api/stats/summary')).json()).toMatchObject({ from: '2026-11-18', to: '2026-11-18' });
    expect((await get(`/api/stats/summary?from=${DAYS[1]}`)).json()).toMatchObject({ from: DAYS[1], to: DAYS[1], days: 1 });
    expect(rangeFromQuery(new URL('http://x/?from=&to='), '2026-01-02')).toEqual({ from: '2026-01-02', to: '2026-01-02' });
  });

  it('answers each group, in JSON and CSV', async () => {
    for (const g of GROUPS) {
      const j = await get(`/api/stats/${g}?from=${DAYS[0]}&to=${DAYS[1]}`);
      expect(j.status, g).toBe(200);
      const body = j.json();
      // (API.md: /days returns the list of days under `days`, in place of the count)
      expect(Object.keys(body).sort(), g).toEqual([...new Set(['days', 'from', 'to', g])].sort());
      expect(body).toMatchObject({ from: DAYS[0], to: DAYS[1] });
      if (g !== 'days') expect(body.days).toBe(2);
      const st = rangeStats(store, DAYS[0]!, DAYS[1]!);
      expect(body[g]).toEqual(JSON.parse(JSON.stringify(g === 'days' ? st.byDay : st[g])));
      const c = await get(`/api/stats/${g}?from=${DAYS[0]}&to=${DAYS[1]}&format=csv`);
      expect(c.disposition, g).toBe(`attachment; filename="manyi-demo-hospital-${DAYS[0]}-${DAYS[1]}-${g}.csv"`);
      expect(c.text).toBe(groupCsv(st, g));
    }
    const st = rangeStats(store, DAYS[0]!, DAYS[1]!);
    expect(groupCsv(st, 'services').split('\r\n')[0]).toBe('\ufeffid,issued,served,no_shows,transferred,wait_n,wait_mean_s,wait_p95_s,wait_max_s,wait_over_limit,wait_over_limit_share,walk_n,walk_mean_s,walk_p95_s,service_n,service_mean_s,service_p95_s,service_over_limit,service_over_limit_share,very_satisfied,satisfied,basic,unsatisfied,very_unsatisfied,rated,satisfaction_rate,rated_share,busy_s,idle_s,paused_s');
    expect(groupCsv(st, 'windows').split('\r\n')[0]!.startsWith('\ufeffid,issued,')).toBe(true);
    expect(groupCsv(st, 'staff').split('\r\n')[0]!.startsWith('\ufeffid,name,issued,')).toBe(true);
    expect(groupCsv(st, 'hours').split('\r\n')[0]!.startsWith('\ufeffhour,windowsOpen,issued,')).toBe(true);
    expect(groupCsv(st, 'days').split('\r\n')[0]!.startsWith('\ufeffday,issued,')).toBe(true);
    expect(groupCsv(st, 'days').split('\r\n')[1]!.startsWith(`${DAYS[0]},`)).toBe(true);
  });

  it('ranks staff for a month, in JSON and CSV; the month defaults to this one', async () => {
    const j = await get('/api/stats/ranking?month=2026-11');
    expect(j.status).toBe(200);
    expect(j.json()).toMatchObject({ month: '2026-11', weights: { satisfaction: expect.any(Number), served: expect.any(Number), minRated: expect.any(Number) } });
    expect(j.json().ranking.length).toBeGreaterThan(0);
    expect((await get('/api/stats/ranking')).json().month).toBe('2026-11');
    const c = await get('/api/stats/ranking?month=2026-11&format=csv');
    expect(c.disposition).toBe('attachment; filename="manyi-demo-hospital-2026-11-ranking.csv"');
    const lines = c.text.replace(/^\ufeff/, '').trimEnd().split('\r\n');
    expect(lines[0]).toBe('rank,id,name,served,rated,satisfaction_rate,score,eligible');
    expect(lines).toHaveLength(j.json().ranking.length + 1);
    const first = j.json().ranking[0];
    expect(lines[1]).toBe([first.rank, first.id, first.name, first.served, first.rated, first.satisfactionRate, first.score, first.eligible].map((v) => csvCell(v)).join(','));
  });

  it('refuses a bad parameter with 400 naming it, and an unknown group with 404 listing the known ones', async () => {
    const cases: Array<[string, number, string]> = [
      ['/api/stats/summary?from=2026-13-01', 400, 'from: not a calendar date'],
      ['/api/stats/summary?from=yesterday', 400, 'from: must be YYYY-MM-DD'],
      [`/api/stats/summary?from=${DAYS[1]}&to=${DAYS[0]}`, 400, 'to is before from'],
      ['/api/stats/summary?from=2025-01-01&to=2026-01-02', 400, 'a range may span at most 366 days'],
      ['/api/stats/summary?format=xml', 400, 'format: must be json or csv'],
      ['/api/stats/windows?format=pdf', 400, 'format: must be json or csv'],
      ['/api/stats/windows?to=x', 400, 'to: must be YYYY-MM-DD'],
      ['/api/stats/ranking?month=2026-13', 400, 'month: must be YYYY-MM'],
      ['/api/stats/ranking?month=2026-11&format=txt', 400, 'format: must be json or csv'],
      ['/api/stats/queues', 404, 'no statistics group queues; one of services, windows, staff, hours, days, summary, ranking, live'],
    ];
    for (const [path, status, error] of cases) {
      const r = await get(path);
      expect(`${path} ${r.status}`).toBe(`${path} ${status}`);
      expect(r.json()).toEqual({ error });
    }
  });

  it('shows today\'s live state and alerts, or nothing when the controller gives none', async () => {
    expect((await get('/api/stats/live')).json()).toEqual({ today: '2026-11-18', state: { at: '2026-11-18T12:00:00.000+08:00', services: [], windows: [], advice: [] }, alerts: [] });
    expect((await get('/api/stats/live', noSources)).json()).toEqual({ today: '2026-11-18', state: null, alerts: [] });
  });
});

describe('ranges', () => {
  it('counts days inclusively and allows up to a year and a day', () => {
    expect(dayCount('2026-11-16', '2026-11-16')).toBe(1);
    expect(dayCount('2026-02-28', '2026-03-01')).toBe(2);
    expect(() => checkRange('2025-11-16', '2026-11-16')).not.toThrow(); // 366 days
    expect(() => checkRange('2025-11-15', '2026-11-16')).toThrow('a range may span at most 366 days');
    expect(() => checkRange('2026-02-29', '2026-03-01')).toThrow('from: not a calendar date');
    expect(() => checkRange('2026-03-01', '2026-02-30')).toThrow('to: not a calendar date');
  });
});

describe('CSV', () => {
  it('quotes what would split a row or start a formula, doubles quotes, and leaves the rest bare', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(false)).toBe('false');
    expect(csvCell('王芳')).toBe('王芳');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell('a\rb')).toBe('"a\rb"');
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)']) expect(csvCell(f)).toBe(`"${f}"`);
    expect(csvCell(-1)).toBe('"-1"'); // a negative number reads as text: safe, if not pretty
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes a BOM, CRLF rows and a closing CRLF', () => {
    expect(toCsv(['a', 'b'], [[1, 'x'], [null, 'y,z']])).toBe('\ufeffa,b\r\n1,x\r\n,"y,z"\r\n');
    expect(toCsv(['a'], [])).toBe('\ufeffa\r\n');
    expect(figuresCsv(['id'], []).startsWith('\ufeffid,issued,served,no_shows,transferred,')).toBe(true);
  });
});
