// The manager page's staffing section: windows per service and hour for one
// weekday, proposed from this hall's recorded days (Erlang C on the recorded
// arrivals and service times; `manyi staffing --db` also checks it by
// simulating it through the engine). The chart is the same SVG the command writes.
import type BetterSqlite3 from 'better-sqlite3';
import type { HallConfig } from '../../config/hall.ts';
import { proposeStaffing, readWeekdayAsync, WEEKDAYS } from '../../sim/staffing-recorded.ts';
import { staffingSvg, type StaffingPlan } from '../../sim/staffing.ts';
import { esc } from './charts.ts';
import { t, type Lang } from './i18n.ts';

export type StaffingView =
  | { weekday: number; days: string[]; plan: StaffingPlan; svg: string }
  | { weekday: number; error: string }
  | { weekday: number; pending: true };

/** Target share of citizens waiting past the limit the page staffs for. */
export const PAGE_TARGET = 0.05;

const cache = new Map<string, StaffingView>();
const running = new Map<string, Promise<StaffingView>>();

/**
 * The proposal for `weekday` from the days recorded before `today`. Reading them
 * takes a while on a long log, so it runs in the background (a day per turn of
 * the event loop) and the page says so until it is ready; then it is kept for
 * the day (the page reloads often).
 */
export function staffingView(db: BetterSqlite3.Database, hall: HallConfig, weekday: number, today: string): StaffingView {
  const key = `${hall.hall.id}|${weekday}|${today}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!running.has(key)) {
    const before = new Date(`${today}T12:00:00Z`);
    before.setUTCDate(before.getUTCDate() - 1);
    const job = readWeekdayAsync(db, { weekday, to: before.toISOString().slice(0, 10) })
      .then((rec): StaffingView => {
        const r = proposeStaffing(hall, rec, { weekday, target: PAGE_TARGET, checkSeeds: 0 });
        return { weekday, days: r.days, plan: r.erlang, svg: staffingSvg(r.erlang) };
      })
      .catch((e: Error): StaffingView => ({ weekday, error: e.message }))
      .then((v) => {
        if (cache.size > 64) cache.clear();
        cache.set(key, v);
        running.delete(key);
        return v;
      });
    running.set(key, job);
  }
  return { weekday, pending: true };
}

/** The view once ready (tests; a command would call proposeStaffing directly). */
export async function staffingViewReady(db: BetterSqlite3.Database, hall: HallConfig, weekday: number, today: string): Promise<StaffingView> {
  const v = staffingView(db, hall, weekday, today);
  return 'pending' in v ? running.get(`${hall.hall.id}|${weekday}|${today}`)! : v;
}

export function staffingSection(lang: Lang, v: StaffingView, link: (weekday: string) => string): string {
  const names = lang === 'zh' ? ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] : ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const tabs = WEEKDAYS.map((d, i) => (i === v.weekday ? `<b>${names[i]}</b>` : `<a href="${esc(link(d))}#staffing">${names[i]}</a>`)).join(' ');
  const body = 'pending' in v
    ? `<p class="muted">${esc(t(lang, 'staffingPending'))}</p>`
    : 'error' in v
    ? `<p class="muted">${esc(t(lang, 'staffingNone'))}</p>`
    : `<p class="muted">${esc(t(lang, 'staffingFrom'))} ${v.days.length} (${esc(v.days.join(', '))}); P(${esc(t(lang, 'wait'))} &gt; ${Math.round(v.plan.waitLimitS / 60)} ${esc(t(lang, 'min'))}) ≤ ${PAGE_TARGET}. ${esc(t(lang, 'staffingCheck'))} <code>manyi staffing --db … --weekday ${WEEKDAYS[v.weekday]}</code></p><figure class="staffing">${v.svg}</figure>`;
  return `<section class="chart" id="staffing"><h2>${esc(t(lang, 'staffing'))} · ${names[v.weekday]}</h2><p>${tabs}</p>${body}</section>`;
}
