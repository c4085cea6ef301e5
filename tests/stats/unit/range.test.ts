// Figures for a range of days (firmware/stats/range.ts) from day summaries handed
// in by a stand-in source: what is summed, what is listed even when empty, the
// mean windows open per hour, and the monthly staff ranking (weights, the
// minimum number of ratings, tie-breaks).
import { describe, expect, it } from 'vitest';
import { loadHallConfig, type HallConfig } from '../../../firmware/config/hall.ts';
import type { DaySummary } from '../../../firmware/stats/day.ts';
import { addTime, emptyCounters, type Counters } from '../../../firmware/stats/figures.ts';
import { checkRange, DayParam, dayCount, MAX_RANGE_DAYS, MonthParam, rangeStats, staffRanking, type DaySource } from '../../../firmware/stats/range.ts';

const demo = loadHallConfig();

function counters(o: Partial<Counters> = {}): Counters {
  return Object.assign(emptyCounters(), o);
}
function summary(day: string, o: Partial<DaySummary> = {}): DaySummary {
  return { day, events: 1, lastSeq: 1, lastAt: 0, endMs: 0, total: counters(), services: {}, windows: {}, staff: {}, hours: {}, ...o };
}
/** A source that holds the given days and records which ranges it was asked for. */
function source(days: DaySummary[], hall: HallConfig = demo): DaySource & { asked: string[][]; read: string[] } {
  const byDay = new Map(days.map((d) => [d.day, d]));
  return {
    hall, asked: [], read: [],
    daysWithEvents(from, to) { this.asked.push([from, to]); return [...byDay.keys()].filter((d) => d >= from && d <= to).sort(); },
    day(d) { this.read.push(d); return structuredClone(byDay.get(d)!); },
  };
}

describe('a range of days', () => {
  it('sums each day\'s figures for the hall, each service, window, clerk and hour', () => {
    const w1 = counters({ served: 2, busyS: 100 }); addTime(w1.wait, 60, 900);
    const w2 = counters({ served: 3, busyS: 50 }); addTime(w2.wait, 1000, 900);
    const days = [
      summary('2026-11-16', { total: counters({ issued: 5, served: 2 }), services: { registration: counters({ issued: 5 }) }, windows: { '1': w1 }, staff: { s001: counters({ served: 2 }) }, hours: { 9: Object.assign(counters({ issued: 5 }), { openS: 7200 }) } }),
      summary('2026-11-18', { total: counters({ issued: 7, served: 3 }), services: { registration: counters({ issued: 4 }), payment: counters({ issued: 3 }) }, windows: { '1': w2 }, staff: { s001: counters({ served: 1 }), s002: counters({ served: 2 }) }, hours: { 9: Object.assign(counters({ issued: 7 }), { openS: 3600 }), 8: Object.assign(counters({ issued: 0 }), { openS: 1800 }) } }),
    ];
    const src = source(days);
    const st = rangeStats(src, '2026-11-15', '2026-11-20');
    expect(src.asked).toEqual([['2026-11-15', '2026-11-20']]);
    expect(st).toMatchObject({ from: '2026-11-15', to: '2026-11-20', days: 2 });
    expect(st.total).toMatchObject({ issued: 12, served: 5 });
    expect(st.services.find((s) => s.id === 'registration')).toMatchObject({ issued: 9 });
    expect(st.services.find((s) => s.id === 'payment')).toMatchObject({ issued: 3 });
    const win1 = st.windows.find((w) => w.id === '1')!;
    expect(win1).toMatchObject({ served: 5, busyS: 150 });
    expect(win1.wait).toMatchObject({ n: 2, meanS: 530, maxS: 1000, overLimit: 1, overLimitShare: 0.5 });
    expect(st.staff.map((p) => [p.id, p.served])).toEqual([['s001', 3], ['s002', 2]]);
    // Windows open per hour: the mean over the range's days with events.
    expect(st.hours.map((h) => [h.hour, h.windowsOpen, h.issued])).toEqual([[8, 0.25, 0], [9, 1.5, 12]]);
    expect(st.byDay.map((d) => [d.day, d.issued, d.served])).toEqual([['2026-11-16', 5, 2], ['2026-11-18', 7, 3]]);
    // The days' own summaries are not changed by the merge (a cached day is read again later).
    expect(days[0]!.windows['1']!.served).toBe(2);
  });

  it('lists every configured service and window, in the hall file\'s order, even with no events', () => {
    const st = rangeStats(source([]), '2026-11-16', '2026-11-16');
    expect(st.days).toBe(0);
    expect(st.services.map((s) => s.id)).toEqual(demo.services.map((s) => s.id));
    expect(st.windows.map((w) => w.id)).toEqual(demo.windows.map((w) => w.id));
    expect(st.services[0]).toMatchObject({ issued: 0, served: 0, wait: { n: 0, meanS: null } });
    expect(st.staff).toEqual([]);
    expect(st.hours).toEqual([]);
    expect(st.byDay).toEqual([]);
  });

  it('lists clerks by id with their names from the hall file, and hours in order', () => {
    const st = rangeStats(source([summary('2026-11-16', {
      staff: { s010: counters({ served: 1 }), s002: counters({ served: 4 }), x9: counters({ served: 2 }) },
      hours: { 14: Object.assign(counters(), { openS: 36 }), 9: Object.assign(counters(), { openS: 3600 }), 10: Object.assign(counters(), { openS: 0 }) },
    })]), '2026-11-16', '2026-11-16');
    expect(st.staff.map((p) => [p.id, p.name])).toEqual([['s002', '李娜'], ['s010', demo.staff.find((p) => p.id === 's010')!.name], ['x9', undefined]]);
    expect(st.hours.map((h) => [h.hour, h.windowsOpen])).toEqual([[9, 1], [10, 0], [14, 0.01]]);
  });

  it('refuses a bad range before reading any day', () => {
    const src = source([summary('2026-11-16')]);
    expect(() => rangeStats(src, '2026-11-17', '2026-11-16')).toThrow('to is before from');
    expect(src.asked).toEqual([]);
  });
});

describe('checking a range', () => {
  it('names the parameter at fault, refuses to before from, and allows at most a year and a day', () => {
    expect(() => checkRange('2026-11-16', '2026-11-16')).not.toThrow();
    expect(() => checkRange('2026-11-17', '2026-11-16')).toThrow(RangeError);
    expect(() => checkRange('2026-11-17', '2026-11-16')).toThrow('to is before from');
    expect(() => checkRange('16-11-2026', '2026-11-16')).toThrow('from: must be YYYY-MM-DD');
    expect(() => checkRange('2026-11-16', '2026-11-31')).toThrow('to: not a calendar date');
    expect(MAX_RANGE_DAYS).toBe(366);
    expect(() => checkRange('2025-01-01', '2026-01-01')).not.toThrow(); // 366 days
    expect(() => checkRange('2025-01-01', '2026-01-02')).toThrow(`a range may span at most 366 days`);
    expect(dayCount('2026-12-31', '2027-01-01')).toBe(2);
    expect(dayCount('2028-02-28', '2028-03-01')).toBe(3); // a leap day
  });

  it('takes only calendar dates and months', () => {
    expect(DayParam.safeParse('2028-02-29').success).toBe(true);
    expect(DayParam.safeParse('2027-02-29').success).toBe(false);
    expect(DayParam.safeParse('2026-11-16T00:00').success).toBe(false);
    expect(DayParam.safeParse('x2026-11-16').success).toBe(false);
    expect(MonthParam.safeParse('2026-12').success).toBe(true);
    expect(MonthParam.safeParse('2026-00').success).toBe(false);
    expect(MonthParam.safeParse('2026-1').success).toBe(false);
    expect(MonthParam.safeParse('2026-11-01').success).toBe(false);
  });
});

describe('the monthly staff ranking', () => {
  const rated = (vs: number, s: number, basic: number, uns: number, vuns: number) => ({ 'very-satisfied': vs, satisfied: s, basic, unsatisfied: uns, 'very-unsatisfied': vuns });
  const month = (hall: HallConfig) => source([summary('2026-11-10', {
    staff: {
      s004: counters({ served: 10, ratings: rated(1, 1, 0, 0, 0) }),
      s002: counters({ served: 20, ratings: rated(1, 1, 0, 1, 0) }),
      s001: counters({ served: 10, ratings: rated(2, 0, 0, 0, 0) }),
      s003: counters({ served: 5, ratings: rated(1, 0, 0, 0, 0) }),
      s099: counters({ served: 7 }),
    },
  })], hall);

  it('scores 100 × (satisfaction weight × rate + served weight × served ÷ most served), best first; ties by served, then id', () => {
    const hall: HallConfig = { ...demo, ranking: { satisfaction: 0.7, served: 0.3, minRated: 2 } };
    const r = staffRanking(month(hall), '2026-11');
    expect(r.month).toBe('2026-11');
    expect(r.weights).toEqual({ satisfaction: 0.7, served: 0.3, minRated: 2 });
    expect(r.ranking.map((e) => [e.rank, e.id, e.score, e.eligible])).toEqual([
      [1, 's001', 85, true], // 100 × (0.7 × 1 + 0.3 × 10/20)
      [2, 's004', 85, true],
      [3, 's002', 76.67, true], // 100 × (0.7 × 0.6667 + 0.3 × 1)
      [null, 's099', null, false], // too few ratings: listed, not ranked; more served first
      [null, 's003', null, false],
    ]);
    expect(r.ranking[0]).toEqual({ rank: 1, id: 's001', name: '王芳', served: 10, rated: 2, satisfactionRate: 1, score: 85, eligible: true });
    expect(r.ranking[2]).toMatchObject({ served: 20, rated: 3, satisfactionRate: 0.6667 });
  });

  it('uses the default weights (0.7, 0.3, at least 20 ratings) when the hall sets none, and the hall\'s own otherwise', () => {
    const r = staffRanking(month(demo), '2026-11');
    expect(r.weights).toEqual({ satisfaction: 0.7, served: 0.3, minRated: 20 });
    expect(r.ranking.every((e) => !e.eligible && e.rank === null && e.score === null)).toBe(true);
    expect(r.ranking.map((e) => e.id)).toEqual(['s002', 's001', 's004', 's099', 's003']); // by served, then id
    const own = staffRanking(month({ ...demo, ranking: { satisfaction: 0.5, served: 0.5, minRated: 3 } }), '2026-11');
    expect(own.ranking.filter((e) => e.eligible).map((e) => [e.id, e.score])).toEqual([['s002', 83.34]]); // 100 × (0.5 × 0.6667 + 0.5 × 1)
  });

  it('never ranks a clerk with no ratings, even when no minimum is set', () => {
    const r = staffRanking(month({ ...demo, ranking: { satisfaction: 0.7, served: 0.3, minRated: 0 } }), '2026-11');
    expect(r.ranking.find((e) => e.id === 's099')).toMatchObject({ eligible: false, rank: null, score: null });
    expect(r.ranking.filter((e) => e.eligible)).toHaveLength(4);
  });

  it('covers the whole calendar month, and refuses a bad month', () => {
    for (const [m, last] of [['2026-11', '2026-11-30'], ['2026-12', '2026-12-31'], ['2028-02', '2028-02-29'], ['2027-02', '2027-02-28']]) {
      const src = source([]);
      staffRanking(src, m!);
      expect(src.asked).toEqual([[`${m}-01`, last]]);
    }
    expect(() => staffRanking(source([]), '2026-13')).toThrow('month: must be YYYY-MM');
    expect(() => staffRanking(source([]), '2026-13')).toThrow(RangeError);
  });
});
