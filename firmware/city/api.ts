// The supervising office's JSON/CSV API under /api/city/… and its pages under
// /city (documented in firmware/city/README.md). Every parameter is checked; a bad
// one gets 400 naming it and nothing is computed. A hall's groups have the same
// shapes as the hall's own /api/stats/… (one RangeStats, one CSV layout).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Name } from '../protocol/messages.ts';
import { groupCsv, GROUPS, rangeFromQuery, sendCsv, type Group, type Guard } from '../stats/api.ts';
import { figuresCsv, toCsv } from '../stats/csv.ts';
import { MonthParam } from '../stats/range.ts';
import { sendJson, type Handler, type WebApp } from '../web/app.ts';
import { renderCityPage, renderHallPage } from './page.ts';
import { SORTS, type CityQueries, type Sort } from './query.ts';

export interface CityPagesOptions {
  /**
   * Only signed-in people: the manager's page rule (firmware/security/manager-login.ts:
   * pages redirect to /login, the API answers 401 or takes an API token). Without it
   * the pages are open (tests, a bench on loopback).
   */
  guard?: Guard;
}

function param<T extends string>(url: URL, key: string, allowed: readonly T[], dflt: T): T {
  const v = url.searchParams.get(key) ?? dflt;
  if (!(allowed as readonly string[]).includes(v)) throw new RangeError(`${key}: must be one of ${allowed.join(', ')}`);
  return v as T;
}

const wantsCsv = (url: URL) => param(url, 'format', ['json', 'csv'] as const, 'json') === 'csv';
const lang = (url: URL) => (url.searchParams.get('lang') === 'en' ? 'en' : 'zh') as 'zh' | 'en';

function month(url: URL, today: string): string {
  const m = url.searchParams.get('month') || today.slice(0, 7);
  const r = MonthParam.safeParse(m);
  if (!r.success) throw new RangeError(`month: ${r.error.issues[0].message}`);
  return m;
}

export function mountCityPages(web: WebApp, q: CityQueries, opts: CityPagesOptions = {}): void {
  type H = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>, url: URL) => Promise<void>;
  const route = (path: string, h: H) => {
    const handler: Handler = async (req, res, params, url) => {
      try {
        await h(req, res, params, url);
      } catch (e) {
        if (e instanceof RangeError) sendJson(res, 400, { error: e.message });
        else throw e;
      }
    };
    web.get(path, opts.guard ? opts.guard(handler, path.startsWith('/api/') ? 'api' : 'page') : handler);
  };
  const hallOr404 = async (res: ServerResponse, id: string) => {
    const h = Name.safeParse(id).success ? await q.hall(id) : undefined;
    if (!h) sendJson(res, 404, { error: `no hall ${id} has reported to the city` });
    return h;
  };
  const html = (res: ServerResponse, body: string) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  };

  route('/api/city/halls', async (_req, res, _p, url) => {
    const { from, to } = rangeFromQuery(url, q.today());
    const sort = param<Sort>(url, 'sort', SORTS, 'wait');
    const csv = wantsCsv(url);
    const { rows, total } = await q.rankHalls(from, to, sort);
    if (!csv) { sendJson(res, 200, { from, to, sort, total, halls: rows }); return; }
    const withFigures = rows.filter((r) => r.total).map((r) => ({ rank: r.rank, hall: r.hall, name: r.name?.zh ?? '', ...r.total! }));
    sendCsv(res, `manyi-city-${from}-${to}-halls`, figuresCsv(['rank', 'hall', 'name'], withFigures));
  });

  route('/api/city/alerts', async (_req, res, _p, url) => {
    const csv = wantsCsv(url);
    const out = await q.openAlerts();
    if (!csv) { sendJson(res, 200, out); return; }
    sendCsv(res, 'manyi-city-alerts', toCsv(['hall', 'id', 'kind', 'at', 'subject', 'window', 'service', 'staff', 'device', 'ticket', 'message'],
      out.alerts.map((a) => [a.hall, a.id, a.kind, a.at, a.subject, a.window, a.service, a.staff, a.device, a.ticket, a.message])));
  });

  route('/api/city/ranking', async (_req, res, _p, url) => {
    const m = month(url, q.today());
    const csv = wantsCsv(url);
    const out = await q.monthlyRanking(m);
    if (!csv) { sendJson(res, 200, out); return; }
    sendCsv(res, `manyi-city-${m}-ranking`, toCsv(
      ['rank', 'hall', 'name', 'served', 'wait_over_limit_share', 'service_over_limit_share', 'satisfaction_rate', 'score', 'eligible'],
      out.ranking.map((e) => [e.rank, e.hall, e.name?.zh, e.served, e.waitOverLimitShare, e.serviceOverLimitShare, e.satisfactionRate, e.score, e.eligible])));
  });

  route('/api/city/halls/:hall/alerts', async (_req, res, p) => {
    const h = await hallOr404(res, p.hall);
    if (h) sendJson(res, 200, await q.openAlerts(h.hall));
  });

  route('/api/city/halls/:hall/ranking', async (_req, res, p, url) => {
    const h = await hallOr404(res, p.hall);
    if (!h) return;
    const m = month(url, q.today());
    const csv = wantsCsv(url);
    const out = await q.staffRanking(h, m);
    if (!out) { sendJson(res, 409, { error: `hall ${h.hall} has not sent its configuration yet` }); return; }
    if (!csv) { sendJson(res, 200, { hall: h.hall, ...out }); return; }
    sendCsv(res, `manyi-${h.hall}-${m}-ranking`, toCsv(['rank', 'id', 'name', 'served', 'rated', 'satisfaction_rate', 'score', 'eligible'],
      out.ranking.map((e) => [e.rank, e.id, e.name, e.served, e.rated, e.satisfactionRate, e.score, e.eligible])));
  });

  route('/api/city/halls/:hall/check', async (_req, res, p, url) => {
    const h = await hallOr404(res, p.hall);
    if (!h) return;
    const { from, to } = rangeFromQuery(url, q.today());
    sendJson(res, 200, { hall: h.hall, from, to, days: await q.check(h, from, to) });
  });

  // summary | services | windows | staff | hours | days: the hall's own API shapes.
  route('/api/city/halls/:hall/:group', async (_req, res, p, url) => {
    const g = p.group as Group | 'summary';
    if (g !== 'summary' && !GROUPS.includes(g)) {
      sendJson(res, 404, { error: `no group ${p.group}; one of summary, ${GROUPS.join(', ')}, ranking, alerts, check` });
      return;
    }
    const h = await hallOr404(res, p.hall);
    if (!h) return;
    const { from, to } = rangeFromQuery(url, q.today());
    const csv = wantsCsv(url);
    const st = await q.hallStats(h, from, to);
    if (!st) { sendJson(res, 409, { error: `hall ${h.hall} has not sent its configuration yet` }); return; }
    if (g === 'summary') {
      if (csv) sendCsv(res, `manyi-${h.hall}-${from}-${to}-total`, figuresCsv(['from', 'to'], [{ from, to, ...st.total }]));
      else sendJson(res, 200, { hall: h.hall, ...st });
      return;
    }
    if (csv) sendCsv(res, `manyi-${h.hall}-${from}-${to}-${g}`, groupCsv(st, g));
    else sendJson(res, 200, { hall: h.hall, from, to, days: st.days, [g]: g === 'days' ? st.byDay : st[g] });
  });

  route('/city', async (_req, res, _p, url) => {
    const { from, to } = rangeFromQuery(url, q.today());
    const sort = param<Sort>(url, 'sort', SORTS, 'wait');
    const m = month(url, to);
    const [ranked, alerts, ranking] = await Promise.all([q.rankHalls(from, to, sort), q.openAlerts(), q.monthlyRanking(m)]);
    html(res, renderCityPage({ lang: lang(url), from, to, sort, today: q.today(), nowMs: q.now(), ranked, alerts, ranking }));
  });

  route('/city/hall/:hall', async (_req, res, p, url) => {
    const h = await hallOr404(res, p.hall);
    if (!h) return;
    const { from, to } = rangeFromQuery(url, q.today());
    const [stats, alerts, ranking, check] = await Promise.all([
      q.hallStats(h, from, to), q.openAlerts(h.hall), q.staffRanking(h, to.slice(0, 7)), q.check(h, from, to),
    ]);
    html(res, renderHallPage({ lang: lang(url), from, to, today: q.today(), hall: h, stats, alerts: alerts.alerts, ranking, check }));
  });
}
