// JSON and CSV under /api/stats/… (documented in API.md). Every query parameter is
// checked; a bad one gets 400 with a message naming it, and nothing is computed.
import type { ServerResponse } from 'node:http';
import type { HallConfig } from '../config/hall.ts';
import type { Alert, HallState } from '../protocol/messages.ts';
import { sendJson, type Handler, type WebApp } from '../web/app.ts';
import { figuresCsv, toCsv } from './csv.ts';
import { checkRange, MonthParam, rangeStats, staffRanking, type RangeStats } from './range.ts';
import type { StatsStore } from './store.ts';

export interface LiveSources {
  live?: () => HallState | null;
  alerts?: () => Alert[];
}

export function sendCsv(res: ServerResponse, name: string, body: string): void {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store',
    'content-disposition': `attachment; filename="${name}.csv"`,
  });
  res.end(body);
}

/** `from`/`to` from a query string, defaulting to today (and `to` to `from`). */
export function rangeFromQuery(url: URL, today: string): { from: string; to: string } {
  const from = url.searchParams.get('from') || today;
  const to = url.searchParams.get('to') || from;
  checkRange(from, to);
  return { from, to };
}

export const GROUPS = ['services', 'windows', 'staff', 'hours', 'days'] as const;
export type Group = (typeof GROUPS)[number];

export function groupCsv(st: RangeStats, g: Group): string {
  switch (g) {
    case 'services': return figuresCsv(['id'], st.services);
    case 'windows': return figuresCsv(['id'], st.windows);
    case 'staff': return figuresCsv(['id', 'name'], st.staff);
    case 'hours': return figuresCsv(['hour', 'windowsOpen'], st.hours);
    case 'days': return figuresCsv(['day'], st.byDay);
  }
}

/** Wraps a handler so only a signed-in manager (or an API token) reaches it (firmware/security/manager-login.ts). */
export type Guard = (h: Handler, kind: 'page' | 'api') => Handler;

export function mountStatsApi(web: WebApp, store: StatsStore, hall: HallConfig, sources: LiveSources = {}, guard?: Guard): void {
  const get = (pattern: string, h: Handler) => web.get(pattern, guard ? guard(h, 'api') : h);
  const bad = (res: ServerResponse, e: unknown) => {
    if (e instanceof RangeError) sendJson(res, 400, { error: e.message });
    else throw e;
  };
  const wantsCsv = (url: URL) => {
    const f = url.searchParams.get('format') ?? 'json';
    if (f !== 'json' && f !== 'csv') throw new RangeError('format: must be json or csv');
    return f === 'csv';
  };

  get('/api/stats/summary', (_req, res, _p, url) => {
    try {
      const { from, to } = rangeFromQuery(url, store.today());
      const st = rangeStats(store, from, to);
      if (wantsCsv(url)) sendCsv(res, `manyi-${hall.hall.id}-${from}-${to}-total`, figuresCsv(['from', 'to'], [{ from, to, ...st.total }]));
      else sendJson(res, 200, st);
    } catch (e) { bad(res, e); }
  });

  get('/api/stats/ranking', (_req, res, _p, url) => {
    try {
      const month = url.searchParams.get('month') || store.today().slice(0, 7);
      const r = MonthParam.safeParse(month);
      if (!r.success) throw new RangeError(`month: ${r.error.issues[0].message}`);
      const out = staffRanking(store, month);
      if (wantsCsv(url)) {
        sendCsv(res, `manyi-${hall.hall.id}-${month}-ranking`, toCsv(
          ['rank', 'id', 'name', 'served', 'rated', 'satisfaction_rate', 'score', 'eligible'],
          out.ranking.map((e) => [e.rank, e.id, e.name, e.served, e.rated, e.satisfactionRate, e.score, e.eligible]),
        ));
      } else sendJson(res, 200, out);
    } catch (e) { bad(res, e); }
  });

  get('/api/stats/live', (_req, res) => {
    sendJson(res, 200, { today: store.today(), state: sources.live?.() ?? null, alerts: sources.alerts?.() ?? [] });
  });

  // Registered last: the routes above take their own names first.
  get('/api/stats/:group', (_req, res, params, url) => {
    const g = params.group as Group;
    if (!GROUPS.includes(g)) {
      sendJson(res, 404, { error: `no statistics group ${params.group}; one of ${GROUPS.join(', ')}, summary, ranking, live` });
      return;
    }
    try {
      const { from, to } = rangeFromQuery(url, store.today());
      const st = rangeStats(store, from, to);
      if (wantsCsv(url)) sendCsv(res, `manyi-${hall.hall.id}-${from}-${to}-${g}`, groupCsv(st, g));
      else sendJson(res, 200, { from, to, days: st.days, [g]: g === 'days' ? st.byDay : st[g] });
    } catch (e) { bad(res, e); }
  });
}
