// The supervising office's pages, in Chinese or English, rendered on the server
// like the manager's page (same style, same words for the same figures): the
// city's halls ranked, the alerts open in any hall, the month's ranking of halls,
// and one hall's services, windows and staff.
import type { Figures } from '../stats/figures.ts';
import type { RangeStats, RankEntry } from '../stats/range.ts';
import type { Alert, Bilingual } from '../protocol/messages.ts';
import { esc } from '../stats/manager/charts.ts';
import { t as mt, type Key as MKey, type Lang } from '../stats/manager/i18n.ts';
import { MANAGER_CSS } from '../stats/manager/style.ts';
import type { CityHall } from './figures.ts';
import type { HallRankEntry, HallRow, Sort } from './query.ts';

const C = {
  title: ['城市电子监察', 'City supervision'],
  halls: ['各大厅排名', 'Halls ranked'], hall: ['大厅', 'Hall'], days: ['天数', 'Days'],
  sortBy: ['排序', 'Rank by'], wait: ['等候超时率', 'Share waiting over the limit'], service: ['办理超时率', 'Service-time overruns'],
  satisfaction: ['满意率', 'Satisfaction'], waitOver: ['等候超时', 'Over wait limit'],
  openAlerts: ['各大厅当前告警', 'Alerts open now in any hall'], noAlerts: ['无告警', 'No open alerts'],
  monthly: ['大厅月度排名', 'Monthly ranking of halls'], score: ['得分', 'Score'], notRanked: ['办结不足', 'too few served'],
  link: ['数据同步', 'Link'], behind: ['待同步', 'behind'], inSync: ['已同步', 'in sync'], lastSeen: ['最近联络', 'Last heard'],
  silent: ['失联，最近联络', 'silent since'], asLastHeard: ['大厅失联，为最后上报', 'hall silent: as last reported'],
  noConfig: ['未收到配置', 'no configuration yet'], back: ['返回全市', 'Back to the city'],
  check: ['与大厅自报数据核对', 'Checked against the hall\'s own figures'], agrees: ['一致', 'agrees'], differs: ['不一致', 'differs'],
  notReported: ['未上报', 'not reported'], pending: ['待核对', 'pending'], day: ['日期', 'Day'], events: ['事件数', 'Events'],
  cityTotal: ['全市合计', 'City total'], staffRanking: ['月度服务之星', 'Service star of the month'],
} as const;
type CKey = keyof typeof C;
const t = (lang: Lang, k: CKey | MKey): string => (k in C ? C[k as CKey][lang === 'zh' ? 0 : 1] : mt(lang, k as MKey));

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const dur = (lang: Lang, s: number | null) => (s === null ? '–' : s < 120 ? `${Math.round(s)} ${t(lang, 's')}` : `${(s / 60).toFixed(1)} ${t(lang, 'min')}`);
const nameOf = (lang: Lang, n: Bilingual | null, id: string) => (n ? n[lang] || id : id);
const msg = (lang: Lang, a: Alert) => (lang === 'zh' ? a.message.split(' / ')[0] : a.message.split(' / ').slice(1).join(' / ') || a.message);

function shell(lang: Lang, title: string, header: string, main: string, refresh: boolean): string {
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh ? '<meta http-equiv="refresh" content="60">' : ''}<title>${esc(title)}</title><style>${MANAGER_CSS}${CITY_CSS}</style></head>
<body><header>${header}</header><main>${main}</main></body></html>`;
}

const CITY_CSS = `
td.bad { color: var(--c3); font-weight: bold; } td.good { color: #1e8449; }
.alert .hall { display: inline-block; min-width: 8em; font-weight: bold; }
.alert.stale { opacity: .6; }
.linkok { color: #1e8449; } .linklag { color: var(--c2); font-weight: bold; }
section.table { margin-top: 12px; }
`;

function rangeForm(lang: Lang, action: string, from: string, to: string, extra = ''): string {
  return `<form method="get" action="${esc(action)}"><input type="hidden" name="lang" value="${lang}">${extra}
<label>${t(lang, 'from')} <input type="date" name="from" value="${esc(from)}"></label>
<label>${t(lang, 'to')} <input type="date" name="to" value="${esc(to)}"></label>
<button type="submit">${t(lang, 'show')}</button>`;
}

function kpis(lang: Lang, f: Figures): string {
  const items: Array<[string, string]> = [
    [t(lang, 'issued'), String(f.issued)], [t(lang, 'served'), String(f.served)],
    [t(lang, 'meanWait'), dur(lang, f.wait.meanS)], [t(lang, 'waitOver'), pct(f.wait.overLimitShare)],
    [t(lang, 'serviceOver'), pct(f.service.overLimitShare)], [t(lang, 'satisfaction'), pct(f.satisfaction.rate)],
  ];
  return `<section class="kpis">${items.map(([k, v]) => `<div class="kpi"><span>${esc(k)}</span><b>${esc(v)}</b></div>`).join('')}</section>`;
}

/** A hall heard from within this long is on line (its forwarder sends its devices at least once a minute). */
const SILENT_MS = 180_000;

function linkCell(lang: Lang, r: HallRow['link'], nowMs: number): string {
  if (nowMs - Date.parse(r.lastSeen) > SILENT_MS) {
    return `<td class="bad">${t(lang, 'silent')} ${esc(new Date(r.lastSeen).toISOString().slice(5, 16).replace('T', ' '))} UTC</td>`;
  }
  if (r.behind === null || r.behind === 0) return `<td class="linkok">${t(lang, 'inSync')}</td>`;
  return `<td class="linklag">${r.behind} ${t(lang, 'behind')}</td>`;
}

/** `silent`: halls not heard from lately: their alerts are as they last said, marked so. */
function alertList(lang: Lang, alerts: Array<Alert & { hall?: string; hallName?: Bilingual | null }>, withHall: boolean, silent: Set<string> = new Set()): string {
  if (!alerts.length) return `<p class="muted">${t(lang, 'noAlerts')}</p>`;
  return `<ul class="alerts">${alerts.map((a) => `<li class="alert ${esc(a.kind)}${a.hall && silent.has(a.hall) ? ' stale' : ''}">${
    a.hall && silent.has(a.hall) ? `<small class="muted">(${t(lang, 'asLastHeard')})</small> ` : ''}<time>${esc(a.at.slice(5, 16).replace('T', ' '))}</time> ${
    withHall && a.hall ? `<a class="hall" href="/city/hall/${esc(a.hall)}?lang=${lang}">${esc(nameOf(lang, a.hallName ?? null, a.hall))}</a> ` : ''
  }<b>${esc(a.subject)}</b> ${esc(msg(lang, a))}</li>`).join('')}</ul>`;
}

export interface CityPageModel {
  lang: Lang;
  from: string;
  to: string;
  sort: Sort;
  today: string;
  /** The city's clock: a hall silent for minutes is shown as such. */
  nowMs: number;
  ranked: { rows: HallRow[]; total: Figures };
  alerts: { alerts: Array<Alert & { hall: string; hallName: Bilingual | null }> };
  ranking: { month: string; ranking: HallRankEntry[] };
}

export function renderCityPage(m: CityPageModel): string {
  const { lang, from, to, sort } = m;
  const other = lang === 'zh' ? 'en' : 'zh';
  const silent = new Set(m.ranked.rows.filter((r) => m.nowMs - Date.parse(r.link.lastSeen) > SILENT_MS).map((r) => r.hall));
  const qs = (o: Record<string, string>) => new URLSearchParams({ from, to, lang, sort, ...o }).toString();
  const sortSel = `<label>${t(lang, 'sortBy')} <select name="sort">${(['wait', 'service', 'satisfaction'] as const)
    .map((s) => `<option value="${s}"${s === sort ? ' selected' : ''}>${t(lang, s)}</option>`).join('')}</select></label>`;
  const header = `<h1>${t(lang, 'title')}</h1>${rangeForm(lang, '/city', from, to)}${sortSel}
<a href="/city?lang=${lang}">${t(lang, 'today')}</a>
<a href="/city?${qs({ lang: other })}" hreflang="${other}">${other === 'zh' ? '中文' : 'English'}</a>
<a href="/api/city/halls?${qs({})}">${t(lang, 'json')}</a> <a href="/api/city/halls?${qs({ format: 'csv' })}">${t(lang, 'csv')}</a></form>
<p class="range">${t(lang, 'range')}: ${esc(from)} – ${esc(to)} · ${m.ranked.rows.length} ${t(lang, 'halls')}</p>`;
  const head = ['#', t(lang, 'hall'), t(lang, 'days'), t(lang, 'issued'), t(lang, 'served'), t(lang, 'meanWait'), t(lang, 'p95Wait'),
    t(lang, 'waitOver'), t(lang, 'meanService'), t(lang, 'serviceOver'), t(lang, 'satisfaction'), t(lang, 'rated'), t(lang, 'alerts'), t(lang, 'link')];
  const rows = m.ranked.rows.map((r) => {
    const f = r.total;
    const cells = f ? [r.days, f.issued, f.served, dur(lang, f.wait.meanS), dur(lang, f.wait.p95S)] : [r.days, '–', '–', '–', '–'];
    const over = (x: number | null | undefined, limit: number) => `<td class="${x !== null && x !== undefined && x > limit ? 'bad' : ''}">${pct(x)}</td>`;
    return `<tr><td>${r.rank ?? '–'}</td><th><a href="/city/hall/${esc(r.hall)}?${new URLSearchParams({ from, to, lang })}">${esc(nameOf(lang, r.name, r.hall))}</a>${r.name ? '' : ` <small>(${t(lang, 'noConfig')})</small>`}</th>${
      cells.map((v) => `<td>${esc(v)}</td>`).join('')}${over(f?.wait.overLimitShare, 0.1)}<td>${dur(lang, f?.service.meanS ?? null)}</td>${over(f?.service.overLimitShare, 0.1)}<td>${pct(f?.satisfaction.rate)}</td><td>${f?.satisfaction.rated ?? '–'}</td><td class="${r.openAlerts ? 'bad' : ''}">${r.openAlerts}</td>${linkCell(lang, r.link, m.nowMs)}</tr>`;
  }).join('');
  const ranking = `<section class="table" id="monthly"><h2>${t(lang, 'monthly')} · ${esc(m.ranking.month)}</h2><table><thead><tr><th>#</th><th>${t(lang, 'hall')}</th><th>${t(lang, 'score')}</th><th>${t(lang, 'served')}</th><th>${t(lang, 'waitOver')}</th><th>${t(lang, 'serviceOver')}</th><th>${t(lang, 'satisfaction')}</th></tr></thead><tbody>${
    m.ranking.ranking.map((e) => `<tr class="${e.rank === 1 ? 'star' : ''}"><td>${e.rank === 1 ? '★ 1' : e.rank ?? `(${t(lang, 'notRanked')})`}</td><th>${esc(nameOf(lang, e.name, e.hall))}</th><td>${e.score ?? '–'}</td><td>${e.served}</td><td>${pct(e.waitOverLimitShare)}</td><td>${pct(e.serviceOverLimitShare)}</td><td>${pct(e.satisfactionRate)}</td></tr>`).join('')
  }</tbody></table><p class="muted"><a href="/api/city/ranking?month=${esc(m.ranking.month)}&format=csv">${t(lang, 'csv')}</a></p></section>`;
  const main = `<h2>${t(lang, 'cityTotal')}</h2>${kpis(lang, m.ranked.total)}
<section class="table" id="halls"><h2>${t(lang, 'halls')} · ${t(lang, sort)}</h2><div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></div></section>
<section id="alerts"><h2>${t(lang, 'openAlerts')} (${m.alerts.alerts.length})</h2>${alertList(lang, m.alerts.alerts, true, silent)}</section>
${ranking}`;
  return shell(lang, t(lang, 'title'), header, main, from <= m.today && m.today <= to);
}

function figTable(lang: Lang, id: string, title: string, keyHead: string, rows: Array<{ key: string; f: Figures }>): string {
  const head = [keyHead, t(lang, 'issued'), t(lang, 'served'), t(lang, 'noShows'), t(lang, 'meanWait'), t(lang, 'p95Wait'), t(lang, 'waitOver'),
    t(lang, 'meanService'), t(lang, 'serviceOver'), t(lang, 'satisfaction'), t(lang, 'rated')];
  const body = rows.map(({ key, f }) => `<tr><th>${esc(key)}</th>${[f.issued, f.served, f.noShows, dur(lang, f.wait.meanS), dur(lang, f.wait.p95S),
    pct(f.wait.overLimitShare), dur(lang, f.service.meanS), pct(f.service.overLimitShare), pct(f.satisfaction.rate), f.satisfaction.rated]
    .map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('');
  return `<section class="table" id="${id}"><h2>${esc(title)}</h2><div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div></section>`;
}

export interface HallPageModel {
  lang: Lang;
  from: string;
  to: string;
  today: string;
  hall: CityHall;
  stats: RangeStats | null;
  alerts: Alert[];
  ranking: { month: string; ranking: RankEntry[] } | null;
  check: Array<{ day: string; events: number; agrees: boolean | null; reported: unknown }>;
}

export function renderHallPage(m: HallPageModel): string {
  const { lang, from, to, hall: h, stats: st } = m;
  const cfg = h.config;
  const title = `${cfg ? cfg.hall.name[lang] : h.hall} · ${t(lang, 'title')}`;
  const other = lang === 'zh' ? 'en' : 'zh';
  const api = (g: string, o: Record<string, string> = {}) => `/api/city/halls/${esc(h.hall)}/${g}?${new URLSearchParams({ from, to, ...o })}`;
  const header = `<h1>${esc(title)}</h1>${rangeForm(lang, `/city/hall/${h.hall}`, from, to)}
<a href="/city?${new URLSearchParams({ from, to, lang })}">${t(lang, 'back')}</a>
<a href="/city/hall/${esc(h.hall)}?${new URLSearchParams({ from, to, lang: other })}" hreflang="${other}">${other === 'zh' ? '中文' : 'English'}</a>
<a href="${api('summary')}">${t(lang, 'json')}</a></form>
<p class="range">${t(lang, 'range')}: ${esc(from)} – ${esc(to)} (${st?.days ?? 0} ${t(lang, 'days')}) · ${t(lang, 'lastSeen')}: ${esc(h.lastSeen.slice(0, 16).replace('T', ' '))} UTC</p>`;
  if (!cfg || !st) return shell(lang, title, header, `<p class="empty">${t(lang, 'noConfig')}</p>`, false);
  const svc = new Map(cfg.services.map((s) => [s.id, s.name[lang]]));
  const win = new Map(cfg.windows.map((w) => [w.id, w.name]));
  const staff = new Map(cfg.staff.map((p) => [p.id, p.name]));
  const ranking = m.ranking ? `<section class="table" id="ranking"><h2>${t(lang, 'staffRanking')} · ${esc(m.ranking.month)}</h2><table><thead><tr><th>${t(lang, 'rank')}</th><th>${t(lang, 'person')}</th><th>${t(lang, 'score')}</th><th>${t(lang, 'served')}</th><th>${t(lang, 'satisfaction')}</th></tr></thead><tbody>${
    m.ranking.ranking.slice(0, 10).map((e) => `<tr class="${e.rank === 1 ? 'star' : ''}"><td>${e.rank ?? '–'}</td><th>${esc(e.name ?? e.id)}</th><td>${e.score ?? '–'}</td><td>${e.served}</td><td>${pct(e.satisfactionRate)}</td></tr>`).join('')}</tbody></table></section>` : '';
  const check = `<section class="table" id="check"><h2>${t(lang, 'check')}</h2><table><thead><tr><th>${t(lang, 'day')}</th><th>${t(lang, 'events')}</th><th></th></tr></thead><tbody>${
    m.check.map((c) => `<tr><th>${esc(c.day)}</th><td>${c.events}</td><td class="${c.agrees === false ? 'bad' : c.agrees ? 'good' : ''}">${
      c.reported === null ? t(lang, 'notReported') : c.agrees === null ? t(lang, 'pending') : t(lang, c.agrees ? 'agrees' : 'differs')}</td></tr>`).join('')}</tbody></table></section>`;
  const main = `${kpis(lang, st.total)}
<section id="alerts"><h2>${t(lang, 'alerts')} (${m.alerts.length})</h2>${alertList(lang, m.alerts, false)}</section>
${figTable(lang, 'services', t(lang, 'services'), t(lang, 'service'), st.services.map((s) => ({ key: svc.get(s.id) ?? s.id, f: s })))}
${figTable(lang, 'windows', t(lang, 'windows'), t(lang, 'window'), st.windows.map((w) => ({ key: win.get(w.id) ?? w.id, f: w })))}
${figTable(lang, 'staff', t(lang, 'staff'), t(lang, 'person'), st.staff.map((p) => ({ key: staff.get(p.id) ?? p.id, f: p })))}
${ranking}${check}`;
  return shell(lang, title, header, main, from <= m.today && m.today <= to);
}
