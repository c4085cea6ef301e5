// What the supervising office asks of the city store: halls ranked over a range,
// one hall's figures (the same RangeStats as the hall's own API), the alerts open
// in every hall, the monthly ranking of halls, and whether the city's figures for
// a day agree with the totals the hall reported for it.
import type pg from 'pg';
import type { HallConfig } from '../config/hall.ts';
import { localDay, type Clock } from '../lib/time.ts';
import { Alert, type Bilingual } from '../protocol/messages.ts';
import { emptyCounters, finalize, mergeCounters, type Figures } from '../stats/figures.ts';
import { MonthParam, rangeStats, staffRanking, type RangeStats } from '../stats/range.ts';
import { nextDay } from '../stats/store.ts';
import { listHalls, loadHallDays, type CityHall } from './figures.ts';

export const SORTS = ['wait', 'service', 'satisfaction'] as const;
export type Sort = (typeof SORTS)[number];

export interface LinkState { acked: number; logLast: number | null; behind: number | null; lastSeen: string; version: string | null }

export interface HallRow {
  rank: number | null;
  hall: string;
  name: Bilingual | null;
  days: number;
  total: Figures | null;
  openAlerts: number;
  link: LinkState;
}

const link = (h: CityHall): LinkState => ({
  acked: h.acked, logLast: h.logLast, behind: h.logLast === null ? null : Math.max(0, h.logLast - h.acked), lastSeen: h.lastSeen, version: h.version,
});

/** Sort key: lower is better; null (nothing counted) goes last. */
function sortKey(f: Figures | null, sort: Sort): number | null {
  if (!f) return null;
  if (sort === 'wait') return f.wait.overLimitShare;
  if (sort === 'service') return f.service.overLimitShare;
  return f.satisfaction.rate === null ? null : 1 - f.satisfaction.rate;
}

export function monthRange(month: string): { from: string; to: string } {
  const r = MonthParam.safeParse(month);
  if (!r.success) throw new RangeError(`month: ${r.error.issues[0].message}`);
  const from = `${month}-01`;
  let to = from;
  while (nextDay(to).startsWith(month)) to = nextDay(to);
  return { from, to };
}

export class CityQueries {
  constructor(private readonly pool: pg.Pool, private readonly clock: Clock, readonly timezone: string) {}

  today(): string { return localDay(this.clock.now(), this.timezone); }
  now(): number { return this.clock.now(); }

  async halls(): Promise<CityHall[]> { return listHalls(this.pool); }

  async hall(id: string): Promise<CityHall | undefined> {
    return (await listHalls(this.pool)).find((h) => h.hall === id);
  }

  /** One hall's RangeStats from the city store (null without a configuration). */
  async hallStats(h: CityHall, from: string, to: string): Promise<RangeStats | null> {
    if (!h.config) return null;
    return rangeStats(await loadHallDays(this.pool, h.hall, h.config, from, to, this.clock), from, to);
  }

  async staffRanking(h: CityHall, month: string): Promise<ReturnType<typeof staffRanking> | null> {
    if (!h.config) return null;
    const { from, to } = monthRange(month);
    return staffRanking(await loadHallDays(this.pool, h.hall, h.config, from, to, this.clock), month);
  }

  /** Every hall the city has heard of, ranked by `sort` (1 = best), with the city's totals. */
  async rankHalls(from: string, to: string, sort: Sort): Promise<{ rows: HallRow[]; total: Figures }> {
    const halls = await this.halls();
    const open = await this.openAlertCounts();
    const total = emptyCounters();
    const rows: HallRow[] = [];
    for (const h of halls) {
      let days = 0;
      let fig: Figures | null = null;
      if (h.config) {
        const src = await loadHallDays(this.pool, h.hall, h.config, from, to, this.clock);
        const ds = src.daysWithEvents(from, to);
        const c = emptyCounters();
        for (const d of ds) mergeCounters(c, src.day(d).total);
        mergeCounters(total, c);
        days = ds.length;
        fig = days ? finalize(c) : null;
      }
      rows.push({ rank: null, hall: h.hall, name: h.config?.hall.name ?? null, days, total: fig, openAlerts: open.get(h.hall) ?? 0, link: link(h) });
    }
    rows.sort((a, b) => {
      const ka = sortKey(a.total, sort), kb = sortKey(b.total, sort);
      if (ka === null || kb === null) return ka === null && kb === null ? a.hall.localeCompare(b.hall) : ka === null ? 1 : -1;
      return ka - kb || (b.total?.served ?? 0) - (a.total?.served ?? 0) || a.hall.localeCompare(b.hall);
    });
    let r = 0;
    for (const row of rows) if (sortKey(row.total, sort) !== null) row.rank = ++r;
    return { rows, total: finalize(total) };
  }

  private async openAlertCounts(): Promise<Map<string, number>> {
    const r = await this.pool.query('SELECT hall, jsonb_array_length(alerts) AS n FROM city_alerts');
    return new Map(r.rows.map((x: { hall: string; n: number }) => [x.hall, Number(x.n)]));
  }

  /** Alerts open now in every hall, oldest first, each with its hall and when the hall last said so. */
  async openAlerts(hall?: string): Promise<{ alerts: Array<Alert & { hall: string; hallName: Bilingual | null }>; halls: Array<{ hall: string; at: string; receivedAt: string; open: number }> }> {
    const r = await this.pool.query(
      `SELECT a.hall, a.at, a.received_at, a.alerts, h.config->'hall'->'name' AS name
       FROM city_alerts a LEFT JOIN city_halls h USING (hall) ${hall ? 'WHERE a.hall = $1' : ''} ORDER BY a.hall`, hall ? [hall] : []);
    const alerts: Array<Alert & { hall: string; hallName: Bilingual | null }> = [];
    const halls: Array<{ hall: string; at: string; receivedAt: string; open: number }> = [];
    for (const row of r.rows as Array<{ hall: string; at: Date; received_at: Date; alerts: unknown[]; name: Bilingual | null }>) {
      let n = 0;
      for (const a of row.alerts) {
        const v = Alert.safeParse(a);
        if (!v.success) continue;
        alerts.push({ ...v.data, hall: row.hall, hallName: row.name });
        n++;
      }
      halls.push({ hall: row.hall, at: row.at.toISOString(), receivedAt: row.received_at.toISOString(), open: n });
    }
    alerts.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.hall.localeCompare(b.hall) || a.id.localeCompare(b.id));
    return { alerts, halls };
  }

  /**
   * The month's ranking of halls: score = 100 × (wait × share called within the
   * limit + service × share served within the limit + satisfaction × rate); halls
   * that served fewer than `minServed` citizens in the month are listed unranked.
   */
  async monthlyRanking(month: string, w = HALL_RANKING_WEIGHTS): Promise<{ month: string; weights: typeof HALL_RANKING_WEIGHTS; ranking: HallRankEntry[] }> {
    const { from, to } = monthRange(month);
    const { rows } = await this.rankHalls(from, to, 'wait');
    const ranking: HallRankEntry[] = rows.map((r) => {
      const f = r.total;
      const served = f?.served ?? 0;
      const eligible = !!f && served >= w.minServed && f.wait.overLimitShare !== null;
      const within = (x: number | null) => (x === null ? 1 : 1 - x);
      const score = eligible
        ? Math.round(100 * (w.wait * within(f.wait.overLimitShare) + w.service * within(f.service.overLimitShare) + w.satisfaction * (f.satisfaction.rate ?? 0)) * 100) / 100
        : null;
      return {
        rank: null, hall: r.hall, name: r.name, served, waitOverLimitShare: f?.wait.overLimitShare ?? null,
        serviceOverLimitShare: f?.service.overLimitShare ?? null, satisfactionRate: f?.satisfaction.rate ?? null, score, eligible,
      };
    });
    ranking.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || b.served - a.served || a.hall.localeCompare(b.hall));
    let n = 0;
    for (const e of ranking) if (e.eligible) e.rank = ++n;
    return { month, weights: w, ranking };
  }

  /** Per closed day: the city's totals against those the hall reported, compared where both saw the same events. */
  async check(h: CityHall, from: string, to: string): Promise<Array<{ day: string; events: number; reported: { events: number; lastSeq: number } | null; agrees: boolean | null; differs: string[] }>> {
    const st = await this.hallStats(h, from, to);
    if (!st) return [];
    const src = await loadHallDays(this.pool, h.hall, h.config as HallConfig, from, to, this.clock);
    const rep = await this.pool.query('SELECT day::text AS day, events, last_seq, total FROM city_reported_days WHERE hall = $1 AND day BETWEEN $2 AND $3', [h.hall, from, to]);
    const reported = new Map(rep.rows.map((r: { day: string; events: number; last_seq: string; total: Record<string, unknown> }) => [r.day, r]));
    return st.byDay.map((d) => {
      const mine = src.day(d.day);
      const r = reported.get(d.day);
      if (!r) return { day: d.day, events: mine.events, reported: null, agrees: null, differs: [] };
      const same = r.events === mine.events && Number(r.last_seq) === mine.lastSeq;
      const { day: _day, ...fig } = d;
      const differs = same ? diffKeys(fig, r.total) : [];
      return { day: d.day, events: mine.events, reported: { events: r.events, lastSeq: Number(r.last_seq) }, agrees: same ? differs.length === 0 : null, differs };
    });
  }
}

export const HALL_RANKING_WEIGHTS = { wait: 0.4, service: 0.2, satisfaction: 0.4, minServed: 100 };

export interface HallRankEntry {
  rank: number | null;
  hall: string;
  name: Bilingual | null;
  served: number;
  waitOverLimitShare: number | null;
  serviceOverLimitShare: number | null;
  satisfactionRate: number | null;
  score: number | null;
  eligible: boolean;
}

/** Dotted paths where two JSON values differ. */
function diffKeys(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => diffKeys((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return [path || '.'];
}
