// Acceptance: a simulated week driven through the controller's engine; every
// figure is checked against counts made independently from the raw events.
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { bucketBounds, bucketOf, type Figures } from '../../firmware/stats/figures.ts';
import { rangeStats, staffRanking, type RangeStats } from '../../firmware/stats/range.ts';
import { StatsStore } from '../../firmware/stats/store.ts';
import { independentCounts, mean, p95exact, type Tally } from './independent.ts';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { SqliteStore } from '../../firmware/eventlog/sqlite-store.ts';
import { driveWeek } from '../../firmware/stats/demo-week.ts';

const hall = loadHallConfig();
const DAYS = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22'];
const AFTER_WEEK = Date.parse('2026-11-23T04:00:00Z'); // Monday noon in the hall: the week is closed
let db: Database.Database;
let store: StatsStore;
let st: RangeStats;
let ind: ReturnType<typeof independentCounts>;

beforeAll(() => {
  const sqlite = new SqliteStore(':memory:', { clock: { now: () => AFTER_WEEK } });
  db = sqlite.db;
  driveWeek(new HallEngine({ hall, store: sqlite }), { days: DAYS, ticketsPerDay: 400, seed: 7, windows: ['1', '6', '11', '13'] });
  store = new StatsStore(db, hall, () => AFTER_WEEK);
  st = rangeStats(store, DAYS[0], DAYS[6]);
  ind = independentCounts(db, hall, DAYS[0], DAYS[6]);
});

function expectSame(f: Figures, t: Tally, what: string): void {
  const ctx = `${what}`;
  expect(f.issued, `${ctx} issued`).toBe(t.issued);
  expect(f.served, `${ctx} served`).toBe(t.served);
  expect(f.noShows, `${ctx} no-shows`).toBe(t.noShows);
  expect(f.transferred, `${ctx} transferred`).toBe(t.transferred);
  expect(f.wait.n, `${ctx} waits`).toBe(t.waits.length);
  if (t.waits.length) {
    expect(f.wait.meanS!, `${ctx} mean wait`).toBeCloseTo(mean(t.waits), 0);
    expect(f.wait.overLimit, `${ctx} waits over limit`).toBe(t.waitOver);
    // p95 is kept to its histogram bucket: never below the exact value, at most one bucket above.
    const exact = p95exact(t.waits);
    const [lo, hi] = bucketBounds(bucketOf(exact));
    expect(f.wait.p95S!, `${ctx} p95 wait`).toBeGreaterThanOrEqual(exact - 1e-9);
    expect(f.wait.p95S! - exact, `${ctx} p95 wait`).toBeLessThanOrEqual(hi - lo);
  }
  expect(f.walk.n).toBe(t.walks.length);
  if (t.walks.length) expect(f.walk.meanS!, `${ctx} walk`).toBeCloseTo(mean(t.walks), 0);
  expect(f.service.n).toBe(t.services.length);
  if (t.services.length) {
    expect(f.service.meanS!, `${ctx} service`).toBeCloseTo(mean(t.services), 0);
    expect(f.service.overLimit, `${ctx} service over`).toBe(t.serviceOver);
  }
  const rated = Object.values(t.scores).reduce((a, b) => a + b, 0);
  expect(f.satisfaction.rated, `${ctx} rated`).toBe(rated);
  for (const [s, n] of Object.entries(t.scores)) expect(f.satisfaction.counts[s as keyof typeof f.satisfaction.counts], `${ctx} ${s}`).toBe(n);
  if (rated) {
    expect(f.satisfaction.rate!).toBeCloseTo(((t.scores['very-satisfied'] ?? 0) + (t.scores.satisfied ?? 0)) / rated, 4);
    expect(f.satisfaction.ratedShare!).toBeCloseTo(rated / t.served, 4);
  }
}

describe('statistics of a week driven through the engine', () => {
  it('the week is busy enough to mean something', () => {
    expect(st.days).toBe(7);
    expect(st.total.issued).toBeGreaterThan(900);
    expect(st.total.noShows).toBeGreaterThan(10);
    expect(st.total.transferred).toBeGreaterThan(5);
    expect(st.total.satisfaction.counts['very-unsatisfied']).toBeGreaterThan(0);
    expect(st.total.wait.overLimit).toBeGreaterThan(0);
  });

  it('hall totals match the raw events', () => expectSame(st.total, ind.total, 'hall'));

  it('every service matches', () => {
    for (const s of hall.services) expectSame(st.services.find((x) => x.id === s.id)!, ind.byService.get(s.id) ?? independentEmpty(), `service ${s.id}`);
  });

  it('every window matches, including busy, idle and paused time', () => {
    for (const [id, t] of ind.byWindow) {
      const f = st.windows.find((x) => x.id === id)!;
      expectSame(f, t, `window ${id}`);
      expect(Math.abs(f.pausedS - t.pausedS), `window ${id} paused`).toBeLessThanOrEqual(1);
      expect(Math.abs(f.idleS - t.idleS), `window ${id} idle`).toBeLessThanOrEqual(1);
      expect(Math.abs(f.busyS - t.busyS), `window ${id} busy`).toBeLessThanOrEqual(1);
    }
    expect(st.windows.find((w) => w.id === '6')!.pausedS).toBeGreaterThanOrEqual(7 * 1200 - 7); // the second window pauses 20 min a day
    // Windows never opened this week show nothing.
    expect(st.windows.find((w) => w.id === '16')!).toMatchObject({ served: 0, idleS: 0 });
  });

  it('every staff member matches', () => {
    expect(st.staff.length).toBe(ind.byStaff.size);
    for (const [id, t] of ind.byStaff) expectSame(st.staff.find((x) => x.id === id)!, t, `staff ${id}`);
  });

  it('arrivals per hour match, and windows open per hour add up to open time', () => {
    for (const [h, n] of ind.arrivalsByHour) expect(st.hours.find((x) => x.hour === h)!.issued, `hour ${h}`).toBe(n);
    const openH = st.hours.reduce((a, h) => a + h.windowsOpen, 0) * 7;
    const openS = [...ind.byWindow.values()].reduce((a, w) => a + w.idleS + w.busyS, 0);
    expect(openH * 3600).toBeCloseTo(openS, -3); // windowsOpen is rounded to 0.01 per hour
  });

  it('per-day figures sum to the week', () => {
    expect(st.byDay.map((d) => d.day)).toEqual(DAYS);
    expect(st.byDay.reduce((a, d) => a + d.issued, 0)).toBe(st.total.issued);
    expect(st.byDay.reduce((a, d) => a + d.served, 0)).toBe(st.total.served);
  });

  it('ranks staff by the configured score, from independent counts', () => {
    const r = staffRanking(store, '2026-11');
    const w = { satisfaction: 0.7, served: 0.3, minRated: 20 };
    const most = Math.max(...[...ind.byStaff.values()].map((t) => t.served));
    const expected = [...ind.byStaff].map(([id, t]) => {
      const rated = Object.values(t.scores).reduce((a, b) => a + b, 0);
      const rate = ((t.scores['very-satisfied'] ?? 0) + (t.scores.satisfied ?? 0)) / rated;
      return { id, eligible: rated >= w.minRated, score: 100 * (w.satisfaction * rate + w.served * (t.served / most)) };
    }).filter((e) => e.eligible).sort((a, b) => b.score - a.score);
    const ranked = r.ranking.filter((e) => e.rank !== null);
    expect(ranked.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    ranked.forEach((e, i) => expect(e.score!).toBeCloseTo(expected[i].score, 1));
    expect(ranked[0].rank).toBe(1);
  });

  it('serves closed days from the summary table, and notices a late event on a closed day', () => {
    // Its own copy of the week's database: the late event below must not reach the other tests.
    const own = new Database(db.serialize());
    const ownStore = new StatsStore(own, hall, () => AFTER_WEEK);
    const cached = (own.prepare('SELECT COUNT(*) AS n FROM stats_day').get() as { n: number }).n;
    expect(cached).toBe(7);
    const again = rangeStats(ownStore, DAYS[0], DAYS[6]);
    expect(again).toEqual(st);
    // An offline ticket handed over late, filed on Tuesday.
    const at = Date.parse('2026-11-17T03:00:00Z');
    own.prepare('INSERT INTO events (at, day, kind, ticket, service, window, staff, data) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)')
      .run(at, DAYS[1], 'ticket-issued', 'A999', 'registration', JSON.stringify({ at, day: DAYS[1], kind: 'ticket-issued', ticket: 'A999', service: 'registration', priority: false, kiosk: 'k', arrivedAt: at, offline: true }));
    expect(rangeStats(ownStore, DAYS[1], DAYS[1]).total.issued).toBe(st.byDay[1].issued + 1);
    own.close();
  });

  it('refuses bad ranges with a message and reports an empty range as empty', () => {
    expect(() => rangeStats(store, '2026-11-22', '2026-11-16')).toThrow(/to is before from/);
    expect(() => rangeStats(store, '2026-02-30', '2026-03-01')).toThrow(/from: not a calendar date/);
    expect(() => rangeStats(store, '2025-01-01', '2026-11-16')).toThrow(/at most 366 days/);
    const empty = rangeStats(store, '2026-10-01', '2026-10-07');
    expect(empty.days).toBe(0);
    expect(empty.total).toMatchObject({ issued: 0, served: 0, wait: { meanS: null, p95S: null }, satisfaction: { rate: null } });
  });
});

function independentEmpty(): Tally {
  return { issued: 0, served: 0, noShows: 0, transferred: 0, waits: [], waitOver: 0, walks: [], services: [], serviceOver: 0, scores: {}, pausedS: 0, idleS: 0, busyS: 0 };
}
