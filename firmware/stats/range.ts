// Figures for a range of service days: the sum of each day's summary, finalised
// per service, window, staff member, hour of the day and day; and the monthly
// staff ranking built on them.
import { z } from 'zod';
import type { HallConfig } from '../config/hall.ts';
import type { DaySummary } from './day.ts';
import { emptyCounters, finalize, mergeCounters, type Counters, type Figures } from './figures.ts';
import { nextDay } from './store.ts';

/**
 * Where a range's days come from: the hall's own `StatsStore` (SQLite), or the
 * city's store of that hall's events (firmware/city), folded by the same code.
 */
export interface DaySource {
  readonly hall: HallConfig;
  /** Service days with events between `from` and `to` (inclusive), in order. */
  daysWithEvents(from: string, to: string): string[];
  day(day: string): DaySummary;
}

export const DayParam = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');
export const MonthParam = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM');
/** Longest range one request may ask for (a year and a day). */
export const MAX_RANGE_DAYS = 366;

export interface RangeStats {
  from: string;
  to: string;
  days: number;
  total: Figures;
  services: Array<{ id: string } & Figures>;
  windows: Array<{ id: string } & Figures>;
  staff: Array<{ id: string; name?: string } & Figures>;
  /** Hour of the day; `windowsOpen` = mean number of windows open in that hour over the range's days. */
  hours: Array<{ hour: number; windowsOpen: number } & Figures>;
  byDay: Array<{ day: string } & Figures>;
}

export function dayCount(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Checks a from/to pair; throws an Error whose message says what is wrong. */
export function checkRange(from: string, to: string): void {
  for (const [k, v] of [['from', from], ['to', to]] as const) {
    const r = DayParam.safeParse(v);
    if (!r.success) throw new RangeError(`${k}: ${r.error.issues[0].message}`);
  }
  if (to < from) throw new RangeError('to is before from');
  if (dayCount(from, to) > MAX_RANGE_DAYS) throw new RangeError(`a range may span at most ${MAX_RANGE_DAYS} days`);
}

function mergeInto(map: Map<string, Counters>, src: Record<string, Counters>): void {
  for (const [k, v] of Object.entries(src)) {
    const cur = map.get(k);
    if (cur) mergeCounters(cur, v);
    else map.set(k, mergeCounters(emptyCounters(), v));
  }
}

export function rangeStats(store: DaySource, from: string, to: string): RangeStats {
  checkRange(from, to);
  const hall = store.hall;
  const total = emptyCounters();
  const services = new Map<string, Counters>(hall.services.map((s) => [s.id, emptyCounters()]));
  const windows = new Map<string, Counters>(hall.windows.map((w) => [w.id, emptyCounters()]));
  const staff = new Map<string, Counters>();
  const hours = new Map<number, Counters & { openS: number }>();
  const byDay: RangeStats['byDay'] = [];
  const days = store.daysWithEvents(from, to);
  for (const d of days) {
    const s = store.day(d);
    mergeCounters(total, s.total);
    mergeInto(services, s.services);
    mergeInto(windows, s.windows);
    mergeInto(staff, s.staff);
    for (const [h, c] of Object.entries(s.hours)) {
      const cur = hours.get(+h) ?? Object.assign(emptyCounters(), { openS: 0 });
      mergeCounters(cur, c);
      cur.openS += c.openS;
      hours.set(+h, cur);
    }
    byDay.push({ day: d, ...finalize(s.total) });
  }
  const names = new Map(hall.staff.map((p) => [p.id, p.name]));
  const nDays = Math.max(1, days.length);
  return {
    from, to, days: days.length,
    total: finalize(total),
    services: [...services].map(([id, c]) => ({ id, ...finalize(c) })),
    windows: [...windows].map(([id, c]) => ({ id, ...finalize(c) })),
    staff: [...staff].sort(([a], [b]) => a.localeCompare(b)).map(([id, c]) => ({ id, name: names.get(id), ...finalize(c) })),
    hours: [...hours].sort(([a], [b]) => a - b)
      .map(([hour, c]) => ({ hour, windowsOpen: Math.round((c.openS / 3600 / nDays) * 100) / 100, ...finalize(c) })),
    byDay,
  };
}

export interface RankEntry {
  rank: number | null;
  id: string;
  name?: string;
  served: number;
  rated: number;
  satisfactionRate: number | null;
  score: number | null;
  /** False when the staff member had fewer than `minRated` ratings. */
  eligible: boolean;
}

/** The month's staff ranking, best first: the first eligible entry is the "service star". */
export function staffRanking(store: DaySource, month: string): { month: string; weights: { satisfaction: number; served: number; minRated: number }; ranking: RankEntry[] } {
  const m = MonthParam.safeParse(month);
  if (!m.success) throw new RangeError(`month: ${m.error.issues[0].message}`);
  const from = `${month}-01`;
  let to = from;
  while (nextDay(to).startsWith(month)) to = nextDay(to);
  const st = rangeStats(store, from, to);
  const w = { satisfaction: 0.7, served: 0.3, minRated: 20, ...store.hall.ranking };
  const most = Math.max(1, ...st.staff.map((s) => s.served));
  const entries: RankEntry[] = st.staff.map((s) => {
    const rate = s.satisfaction.rate;
    const eligible = s.satisfaction.rated >= w.minRated && s.satisfaction.rated > 0;
    const score = eligible ? Math.round(100 * (w.satisfaction * (rate ?? 0) + w.served * (s.served / most)) * 100) / 100 : null;
    return { rank: null, id: s.id, name: s.name, served: s.served, rated: s.satisfaction.rated, satisfactionRate: rate, score, eligible };
  });
  entries.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || b.served - a.served || a.id.localeCompare(b.id));
  let r = 0;
  for (const e of entries) if (e.eligible) e.rank = ++r;
  return { month, weights: w, ranking: entries };
}
