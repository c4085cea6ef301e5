// Counts made straight from the raw `events` rows, sharing no code with
// firmware/stats: what the acceptance tests hold the statistics to.
import type BetterSqlite3 from 'better-sqlite3';
import type { HallConfig } from '../../firmware/config/hall.ts';

interface Row { seq: number; at: number; day: string; kind: string; ticket: string | null; service: string | null; window: string | null; staff: string | null; e: Record<string, unknown> }

export interface Tally {
  issued: number; served: number; noShows: number; transferred: number;
  waits: number[]; waitOver: number; walks: number[]; services: number[]; serviceOver: number;
  scores: Record<string, number>; pausedS: number; idleS: number; busyS: number;
}
const tally = (): Tally => ({ issued: 0, served: 0, noShows: 0, transferred: 0, waits: [], waitOver: 0, walks: [], services: [], serviceOver: 0, scores: {}, pausedS: 0, idleS: 0, busyS: 0 });

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Nearest-rank 95th percentile. */
export const p95exact = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.95 * xs.length) - 1];

export function independentCounts(db: BetterSqlite3.Database, hall: HallConfig, from: string, to: string) {
  const rows = (db.prepare('SELECT * FROM events WHERE day BETWEEN ? AND ? ORDER BY seq').all(from, to) as Array<Omit<Row, 'e'> & { data: string }>)
    .map((r) => ({ ...r, e: JSON.parse(r.data) as Record<string, unknown> }));
  const byService = new Map<string, Tally>();
  const byWindow = new Map<string, Tally>();
  const byStaff = new Map<string, Tally>();
  const total = tally();
  const get = (m: Map<string, Tally>, k: string | null | undefined) => {
    if (!k) return null;
    if (!m.has(k)) m.set(k, tally());
    return m.get(k)!;
  };
  const each = (svc: string | null, win: string | null, staff: string | null, f: (t: Tally) => void) => {
    for (const t of [total, get(byService, svc), get(byWindow, win), get(byStaff, staff)]) if (t) f(t);
  };
  const limit = new Map(hall.services.map((s) => [s.id, s]));
  const arrivalsByHour = new Map<number, number>();

  // Per ticket timelines.
  const key = (r: Row) => `${r.day}/${r.ticket}`;
  const arrived = new Map<string, number>();
  const firstCall = new Set<string>();
  const lastCall = new Map<string, number>();
  const started = new Map<string, number>();
  for (const r of rows) {
    const k = key(r);
    if (r.kind === 'ticket-issued') {
      const a = r.e.arrivedAt as number;
      arrived.set(k, a);
      each(r.service, null, null, (t) => t.issued++);
      const h = new Date(a + 8 * 3_600_000).getUTCHours(); // Asia/Shanghai, no DST
      arrivalsByHour.set(h, (arrivalsByHour.get(h) ?? 0) + 1);
    } else if (r.kind === 'ticket-called' && r.e.recall !== true) {
      lastCall.set(k, r.at);
      if (!firstCall.has(k)) {
        firstCall.add(k);
        const w = (r.at - arrived.get(k)!) / 1000;
        each(r.service, r.window, r.staff, (t) => { t.waits.push(w); if (w > limit.get(r.service!)!.waitLimitS) t.waitOver++; });
      }
    } else if (r.kind === 'ticket-started') {
      const w = (r.at - lastCall.get(k)!) / 1000;
      started.set(k, r.at);
      each(r.service, r.window, r.staff, (t) => t.walks.push(w));
    } else if (r.kind === 'ticket-completed') {
      const s = (r.at - started.get(k)!) / 1000;
      each(r.service, r.window, r.staff, (t) => { t.served++; t.services.push(s); if (s > limit.get(r.service!)!.serviceLimitS) t.serviceOver++; });
    } else if (r.kind === 'ticket-no-show') {
      each(r.service, r.window, r.staff, (t) => t.noShows++);
    } else if (r.kind === 'ticket-transferred') {
      each(r.e.from as string, r.window, r.staff, (t) => t.transferred++);
    } else if (r.kind === 'rating') {
      const s = r.e.score as string;
      each(r.service, r.window, r.staff, (t) => { t.scores[s] = (t.scores[s] ?? 0) + 1; });
    }
  }

  // Window time: status intervals (each day ends at the window's last status event,
  // closed in these tests) and busy intervals from a call to the end of that visit.
  const perWindowDay = new Map<string, Row[]>();
  for (const r of rows) {
    if (!r.window) continue;
    const k = `${r.day}/${r.window}`;
    if (!perWindowDay.has(k)) perWindowDay.set(k, []);
    perWindowDay.get(k)!.push(r);
  }
  for (const list of perWindowDay.values()) {
    const statuses = list.filter((r) => r.kind === 'window-status');
    const openIv: Array<[number, number]> = [];
    for (let i = 0; i < statuses.length; i++) {
      const end = statuses[i + 1]?.at;
      if (end === undefined) continue;
      if (statuses[i].e.status === 'paused') get(byWindow, statuses[i].window)!.pausedS += (end - statuses[i].at) / 1000;
      if (statuses[i].e.status === 'open') openIv.push([statuses[i].at, end]);
    }
    const busyIv: Array<[number, number]> = [];
    let callAt: number | null = null;
    for (const r of list) {
      if (r.kind === 'ticket-called' && callAt === null) callAt = r.at;
      if (['ticket-completed', 'ticket-no-show', 'ticket-transferred', 'ticket-parked'].includes(r.kind) && callAt !== null) {
        busyIv.push([callAt, r.at]);
        callAt = null;
      }
    }
    const w = get(byWindow, list[0].window)!;
    for (const [a, b] of openIv) {
      let busy = 0;
      for (const [c, d] of busyIv) busy += Math.max(0, Math.min(b, d) - Math.max(a, c));
      w.busyS += busy / 1000;
      w.idleS += (b - a - busy) / 1000;
    }
  }
  return { total, byService, byWindow, byStaff, arrivalsByHour };
}
