// CSV cells a spreadsheet cannot take for a formula or split wrongly, the CSV
// columns of each group, and the API's CSV, live and unknown-group answers, on a
// stand-in store (fast: no engine).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../../firmware/config/hall.ts';
import { GROUPS, groupCsv, mountStatsApi } from '../../../firmware/stats/api.ts';
import { csvCell, figuresCsv, toCsv } from '../../../firmware/stats/csv.ts';
import { DayFolder } from '../../../firmware/stats/day.ts';
import { emptyCounters, finalize } from '../../../firmware/stats/figures.ts';
import { rangeStats } from '../../../firmware/stats/range.ts';
import type { StatsStore } from '../../../firmware/stats/store.ts';
import { WebApp } from '../../../firmware/web/app.ts';
import type { HallState } from '../../../firmware/protocol/messages.ts';

const hall = loadHallConfig();
const COLUMNS = 'issued,served,no_shows,transferred,wait_n,wait_mean_s,wait_p95_s,wait_max_s,wait_over_limit,wait_over_limit_share,walk_n,walk_mean_s,walk_p95_s,service_n,service_mean_s,service_p95_s,service_over_limit,service_over_limit_share,very_satisfied,satisfied,basic,unsatisfied,very_unsatisfied,rated,satisfaction_rate,rated_share,busy_s,idle_s,paused_s';

function store() {
  const s = {
    hall,
    today: () => '2026-12-01',
    daysWithEvents: (from: string, to: string) => (from <= '2026-12-01' && '2026-12-01' <= to ? ['2026-12-01'] : []),
    day: (d: string) => {
      const f = new DayFolder(hall, d);
      f.add({ seq: 1, at: Date.parse('2026-12-01T01:00:00Z'), day: d, kind: 'ticket-issued', ticket: 'A001', service: 'registration', window: null, staff: null, recall: null, arrivedAt: null, fromService: null, score: null, status: null });
      return f.finish(Date.parse('2026-12-01T09:00:00Z'));
    },
  };
  return s as typeof s & StatsStore;
}

describe('a CSV cell', () => {
  it('with a formula or markup at its start is quoted, so a spreadsheet reads it as text', () => {
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)', '=HYPERLINK("x")']) expect(csvCell(f)).toBe(`"${f.replace(/"/g, '""')}"`);
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('x-1')).toBe('x-1');
    expect(csvCell('a@b')).toBe('a@b');
  });

  it('is quoted when it holds a comma, quote or line break, doubling quotes; empty for no value', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell('a\rb')).toBe('"a\rb"');
    expect(csvCell('王芳')).toBe('王芳');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(false)).toBe('false');
    expect(toCsv(['a'], [[null], ['x']])).toBe('\ufeffa\r\n\r\nx\r\n');
  });
});

describe('CSV columns', () => {
  it('are the key columns, then every figure in a fixed order, ratings from best to worst', () => {
    const c = emptyCounters();
    Object.assign(c, { issued: 9, served: 8, noShows: 1, transferred: 2, busyS: 60, idleS: 30, pausedS: 10 });
    c.ratings = { 'very-satisfied': 5, satisfied: 4, basic: 3, unsatisfied: 2, 'very-unsatisfied': 1 };
    const csv = figuresCsv(['id'], [{ id: 'w1', ...finalize(c) }]);
    const [head, row] = csv.replace(/^\ufeff/, '').split('\r\n');
    expect(head).toBe(`id,${COLUMNS}`);
    expect(row).toBe('w1,9,8,1,2,0,,,,0,,0,,,0,,,0,,5,4,3,2,1,15,0.6,1.875,60,30,10');
  });

  it('of each group start with that group\'s keys', () => {
    const st = rangeStats(store(), '2026-12-01', '2026-12-01');
    const heads = Object.fromEntries(GROUPS.map((g) => [g, groupCsv(st, g).replace(/^\ufeff/, '').split('\r\n')[0]]));
    expect(heads).toEqual({
      services: `id,${COLUMNS}`, windows: `id,${COLUMNS}`, staff: `id,name,${COLUMNS}`,
      hours: `hour,windowsOpen,${COLUMNS}`, days: `day,${COLUMNS}`,
    });
    expect(groupCsv(st, 'services').split('\r\n')[1]!.startsWith('registration,1,0,')).toBe(true);
    expect(groupCsv(st, 'windows').split('\r\n')[1]!.startsWith('1,0,')).toBe(true);
    expect(groupCsv(st, 'hours').split('\r\n')[1]!.startsWith('9,0,1,')).toBe(true);
    expect(groupCsv(st, 'days').split('\r\n')[1]!.startsWith('2026-12-01,1,')).toBe(true);
  });
});

describe('the API', () => {
  let web: WebApp, bare: WebApp, base = '', bareBase = '';
  const live: HallState = { at: '2026-12-01T12:00:00.000+08:00', services: [], windows: [], advice: [] };
  beforeAll(async () => {
    web = new WebApp();
    mountStatsApi(web, store(), hall, { live: () => live, alerts: () => [] });
    base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
    bare = new WebApp();
    mountStatsApi(bare, store(), hall);
    bareBase = `http://127.0.0.1:${await bare.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => { await web?.close(); await bare?.close(); });
  const get = async (url: string) => { const r = await fetch(url); return { status: r.status, disposition: r.headers.get('content-disposition'), text: await r.text() }; };

  it('gives the range\'s totals as one CSV row after from and to', async () => {
    const r = await get(`${base}/api/stats/summary?from=2026-11-30&to=2026-12-01&format=csv`);
    expect(r.disposition).toBe('attachment; filename="manyi-demo-hospital-2026-11-30-2026-12-01-total.csv"');
    const [head, row] = r.text.split('\r\n');
    expect(head).toBe(`from,to,${COLUMNS}`);
    expect(row!.startsWith('2026-11-30,2026-12-01,1,0,')).toBe(true);
    expect(JSON.parse((await get(`${base}/api/stats/summary?from=2026-12-01`)).text).total.issued).toBe(1);
  });

  it('gives each group as CSV and JSON, and refuses a format other than json or csv', async () => {
    for (const g of GROUPS) {
      const r = await get(`${base}/api/stats/${g}?format=csv`);
      expect(r.disposition, g).toBe(`attachment; filename="manyi-demo-hospital-2026-12-01-2026-12-01-${g}.csv"`);
      expect(r.text.split('\r\n')[0]!.endsWith(COLUMNS), g).toBe(true);
    }
    for (const path of ['/api/stats/summary?format=xml', '/api/stats/hours?format=pdf', '/api/stats/ranking?format=txt']) {
      const r = await get(base + path);
      expect(`${path} ${r.status}`).toBe(`${path} 400`);
      expect(JSON.parse(r.text)).toEqual({ error: 'format: must be json or csv' });
    }
    const rank = await get(`${base}/api/stats/ranking?format=csv`);
    expect(rank.text.split('\r\n')[0]).toBe('rank,id,name,served,rated,satisfaction_rate,score,eligible');
  });

  it('answers an unknown group with 404 listing the known ones', async () => {
    const r = await get(`${base}/api/stats/queues`);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text)).toEqual({ error: 'no statistics group queues; one of services, windows, staff, hours, days, summary, ranking, live' });
  });

  it('gives today\'s live state and alerts, or none when the controller gives none', async () => {
    expect(JSON.parse((await get(`${base}/api/stats/live`)).text)).toEqual({ today: '2026-12-01', state: live, alerts: [] });
    expect(JSON.parse((await get(`${bareBase}/api/stats/live`)).text)).toEqual({ today: '2026-12-01', state: null, alerts: [] });
  });
});
