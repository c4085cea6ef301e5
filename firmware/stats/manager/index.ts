// Mounts the manager's page (/manager) and the statistics API (/api/stats/…) on a
// role's web host. The controller passes its database, hall and live sources.
import type BetterSqlite3 from 'better-sqlite3';
import type { HallConfig } from '../../config/hall.ts';
import type { Alert, HallState } from '../../protocol/messages.ts';
import type { IncomingMessage } from 'node:http';
import { mountStatsApi, rangeFromQuery, type Guard } from '../api.ts';
import { rangeStats, staffRanking } from '../range.ts';
import { StatsStore } from '../store.ts';
import { sendJson, type Handler, type WebApp } from '../../web/app.ts';
import { renderManagerPage } from './page.ts';
import { staffingView } from './staffing.ts';
import { parseWeekday } from '../../sim/staffing-recorded.ts';
import { localWeekday, localToMs } from '../../lib/time.ts';

export interface ManagerOptions {
  db: BetterSqlite3.Database;
  hall: HallConfig;
  /** The controller's present hall state (the retained `state` message). */
  live?: () => HallState | null;
  /** Alerts raised now (`Supervisor.active()`). */
  alerts?: () => Alert[];
  /** The controller's clock (a virtual one in the simulator); decides what "today" is. */
  now?: () => number;
  /** Only signed-in managers (firmware/security/manager-login.ts); without it the pages are open (tests). */
  guard?: Guard;
  /** The CSRF token for the page's sign-out form. */
  signOutToken?: (req: IncomingMessage) => string | null;
}

export function mountManagerPages(web: WebApp, opts: ManagerOptions): { store: StatsStore } {
  const store = new StatsStore(opts.db, opts.hall, opts.now ?? Date.now);
  mountStatsApi(web, store, opts.hall, { live: opts.live, alerts: opts.alerts }, opts.guard);
  const page: Handler = (req, res, _p, url) => {
    const lang = url.searchParams.get('lang') === 'en' ? 'en' : 'zh';
    let range: { from: string; to: string };
    try {
      range = rangeFromQuery(url, store.today());
    } catch (e) {
      if (e instanceof RangeError) { sendJson(res, 400, { error: e.message }); return; }
      throw e;
    }
    const stats = rangeStats(store, range.from, range.to);
    // Staffing for the weekday asked (?staffing=mon), else the weekday of the last day shown.
    let weekday = localWeekday(localToMs(range.to, 12 * 3600, opts.hall.hall.timezone), opts.hall.hall.timezone);
    try { if (url.searchParams.get('staffing')) weekday = parseWeekday(url.searchParams.get('staffing')!); } catch { /* a bad value shows the default */ }
    const html = renderManagerPage({
      hall: opts.hall, lang, today: store.today(), stats,
      ranking: staffRanking(store, range.to.slice(0, 7)),
      live: opts.live?.() ?? null, alerts: opts.alerts?.() ?? [],
      staffing: staffingView(opts.db, opts.hall, weekday, store.today()),
      signOutToken: opts.signOutToken?.(req) ?? null,
    });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  };
  web.get('/manager', opts.guard ? opts.guard(page, 'page') : page);
  return { store };
}
