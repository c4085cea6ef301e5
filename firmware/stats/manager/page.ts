// The manager's page: figures for a range of days (today live by default), with
// charts and tables, in Chinese or English. Rendered on the server as one HTML
// document; when it shows today it reloads itself every 30 s.
import type { HallConfig } from '../../config/hall.ts';
import type { Figures } from '../figures.ts';
import type { RangeStats, RankEntry } from '../range.ts';
import { RATING_SCORES, type Alert, type HallState } from '../../protocol/messages.ts';
import { barLineChart, esc, stackedBars } from './charts.ts';
import { t, type Lang } from './i18n.ts';
import { MANAGER_CSS } from './style.ts';
import { staffingSection, type StaffingView } from './staffing.ts';

export interface PageModel {
  hall: HallConfig;
  lang: Lang;
  today: string;
  stats: RangeStats;
  ranking: { month: string; ranking: RankEntry[] };
  live: HallState | null;
  alerts: Alert[];
  /** Staffing proposal from the recorded days (absent: no section). */
  staffing?: StaffingView;
  /** With a signed-in manager: the CSRF token of the sign-out form. */
  signOutToken?: string | null;
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const dur = (lang: Lang, s: number | null) => {
  if (s === null) return '–';
  if (s < 120) return `${Math.round(s)} ${t(lang, 's')}`;
  return `${(s / 60).toFixed(1)} ${t(lang, 'min')}`;
};
const hrs = (s: number) => `${(s / 3600).toFixed(1)} h`;

function kpis(lang: Lang, f: Figures): string {
  const items: Array<[string, string]> = [
    [t(lang, 'issued'), String(f.issued)], [t(lang, 'served'), String(f.served)],
    [t(lang, 'noShows'), String(f.noShows)], [t(lang, 'transferred'), String(f.transferred)],
    [t(lang, 'meanWait'), dur(lang, f.wait.meanS)], [t(lang, 'p95Wait'), dur(lang, f.wait.p95S)],
    [t(lang, 'withinLimit'), pct(f.wait.overLimitShare === null ? null : 1 - f.wait.overLimitShare)],
    [t(lang, 'meanService'), dur(lang, f.service.meanS)], [t(lang, 'serviceOver'), pct(f.service.overLimitShare)],
    [t(lang, 'satisfaction'), pct(f.satisfaction.rate)], [t(lang, 'ratedShare'), pct(f.satisfaction.ratedShare)],
  ];
  return `<section class="kpis">${items.map(([k, v]) => `<div class="kpi"><span>${esc(k)}</span><b>${esc(v)}</b></div>`).join('')}</section>`;
}

function table(lang: Lang, id: string, title: string, keyHead: string[], rows: Array<{ keys: string[]; f: Figures }>, withTime: boolean): string {
  const head = [...keyHead, t(lang, 'issued'), t(lang, 'served'), t(lang, 'noShows'), t(lang, 'transferred'),
    t(lang, 'meanWait'), t(lang, 'p95Wait'), t(lang, 'withinLimit'), t(lang, 'walk'), t(lang, 'meanService'), t(lang, 'serviceOver'),
    t(lang, 'satisfaction'), t(lang, 'ratedShare'), ...(withTime ? [t(lang, 'busy'), t(lang, 'idle'), t(lang, 'paused')] : [])];
  const body = rows.map(({ keys, f }) => `<tr>${keys.map((k) => `<th>${esc(k)}</th>`).join('')}${[
    withTime ? '–' : f.issued, f.served, f.noShows, f.transferred, dur(lang, f.wait.meanS), dur(lang, f.wait.p95S),
    pct(f.wait.overLimitShare === null ? null : 1 - f.wait.overLimitShare), dur(lang, f.walk.meanS), dur(lang, f.service.meanS),
    pct(f.service.overLimitShare), pct(f.satisfaction.rate), pct(f.satisfaction.ratedShare),
    ...(withTime ? [hrs(f.busyS), hrs(f.idleS), hrs(f.pausedS)] : []),
  ].map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('');
  return `<section class="table" id="${id}"><h2>${esc(title)}</h2><div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div></section>`;
}

function liveSection(m: PageModel): string {
  const { lang, live, alerts, hall } = m;
  const alertList = alerts.length
    ? `<ul class="alerts">${alerts.map((a) => `<li class="alert ${esc(a.kind)}"><time>${esc(a.at.slice(11, 16))}</time> <b>${esc(a.subject)}</b> ${esc(lang === 'zh' ? a.message.split(' / ')[0] : a.message.split(' / ').slice(1).join(' / ') || a.message)}</li>`).join('')}</ul>`
    : `<p class="muted">${t(lang, 'noAlerts')}</p>`;
  let queues = '';
  if (live) {
    const svc = new Map(hall.services.map((s) => [s.id, s]));
    queues = `<table class="queues"><thead><tr><th>${t(lang, 'service')}</th><th>${t(lang, 'waiting')}</th><th>${t(lang, 'estWait')}</th><th>${t(lang, 'longest')}</th></tr></thead><tbody>${
      live.services.map((s) => `<tr><th>${esc(s.name[lang])}</th><td>${s.waiting}</td><td>${dur(lang, s.estWaitS)}</td><td class="${s.longestWaitS > (svc.get(s.id)?.waitLimitS ?? Infinity) ? 'over' : ''}">${dur(lang, s.longestWaitS)}</td></tr>`).join('')
    }</tbody></table><div class="wins">${live.windows.map((w) => `<span class="win ${esc(w.status)}" title="${esc(w.status)}">${esc(w.name)}<small>${esc(w.serving ?? t(lang, w.status === 'open' ? 'open' : w.status === 'paused' ? 'paused' : 'closed'))}</small></span>`).join('')}</div>`;
  }
  return `<section class="live"><h2>${t(lang, 'live')}</h2><div class="cols"><div>${queues}</div><div><h3>${t(lang, 'alerts')} (${alerts.length})</h3>${alertList}</div></div></section>`;
}

export function renderManagerPage(m: PageModel): string {
  const { hall, lang, stats: st, today } = m;
  const isToday = st.from <= today && today <= st.to;
  const qs = (extra: Record<string, string>) => new URLSearchParams({ from: st.from, to: st.to, lang, ...extra }).toString();
  const svcName = new Map(hall.services.map((s) => [s.id, s.name[lang]]));
  const winName = new Map(hall.windows.map((w) => [w.id, w.name]));
  const hours = st.hours.filter((h) => h.issued > 0 || h.windowsOpen > 0 || h.served > 0);
  const arrivals = barLineChart({
    title: t(lang, 'arrivalsChart'), cls: 'arrivals', categories: hours.map((h) => `${h.hour}:00`),
    bars: { label: t(lang, 'arrivals') + (st.days > 1 ? ` (÷${st.days})` : ''), values: hours.map((h) => Math.round((h.issued / Math.max(1, st.days)) * 10) / 10), cls: 'c1' },
    lines: [{ label: t(lang, 'windowsOpen'), values: hours.map((h) => h.windowsOpen), cls: 'c2' }],
  });
  const waits = barLineChart({
    title: t(lang, 'waitsChart'), cls: 'waits', categories: hours.map((h) => `${h.hour}:00`),
    bars: { label: '', values: [], cls: 'c1' },
    lines: [
      { label: t(lang, 'mean'), values: hours.map((h) => (h.wait.meanS === null ? null : h.wait.meanS / 60)), cls: 'c1' },
      { label: t(lang, 'p95'), values: hours.map((h) => (h.wait.p95S === null ? null : h.wait.p95S / 60)), cls: 'c3' },
    ],
  });
  const sat = stackedBars({
    title: t(lang, 'satChart'), cls: 'satisfaction',
    rows: st.windows.map((w) => ({ label: winName.get(w.id) ?? w.id, parts: RATING_SCORES.map((s) => w.satisfaction.counts[s]), note: pct(w.satisfaction.rate) })),
    parts: RATING_SCORES.map((s, i) => ({ label: t(lang, s), cls: `r${i}` })),
  });
  const daysChart = st.byDay.length > 1 ? barLineChart({
    title: t(lang, 'daysChart'), cls: 'days', categories: st.byDay.map((d) => d.day.slice(5)),
    bars: { label: t(lang, 'issued'), values: st.byDay.map((d) => d.issued), cls: 'c1' },
    lines: [{ label: t(lang, 'served'), values: st.byDay.map((d) => d.served), cls: 'c2' }],
  }) : '';
  const staffName = new Map(hall.staff.map((p) => [p.id, p.name]));
  const ranking = `<section class="table" id="ranking"><h2>${t(lang, 'ranking')} · ${esc(m.ranking.month)}</h2><table><thead><tr><th>${t(lang, 'rank')}</th><th>${t(lang, 'person')}</th><th>${t(lang, 'score')}</th><th>${t(lang, 'served')}</th><th>${t(lang, 'rated')}</th><th>${t(lang, 'satisfaction')}</th></tr></thead><tbody>${
    m.ranking.ranking.slice(0, 10).map((e) => `<tr class="${e.rank === 1 ? 'star' : ''}"><td>${e.rank === 1 ? '★ 1' : e.rank ?? `(${t(lang, 'notRanked')})`}</td><th>${esc(e.name ?? e.id)}</th><td>${e.score ?? '–'}</td><td>${e.served}</td><td>${e.rated}</td><td>${pct(e.satisfactionRate)}</td></tr>`).join('')
  }</tbody></table></section>`;
  const other = lang === 'zh' ? 'en' : 'zh';
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${isToday ? '<meta http-equiv="refresh" content="30">' : ''}
<title>${esc(hall.hall.name[lang])} · ${t(lang, 'title')}</title><style>${MANAGER_CSS}</style></head>
<body data-from="${st.from}" data-to="${st.to}">
<header><h1>${esc(hall.hall.name[lang])} · ${t(lang, 'title')}</h1>
<form method="get" action="/manager"><input type="hidden" name="lang" value="${lang}">
<label>${t(lang, 'from')} <input type="date" name="from" value="${st.from}"></label>
<label>${t(lang, 'to')} <input type="date" name="to" value="${st.to}"></label>
<button type="submit">${t(lang, 'show')}</button>
<a href="/manager?lang=${lang}">${t(lang, 'today')}</a>
<a href="/manager?${new URLSearchParams({ from: st.from, to: st.to, lang: other })}" hreflang="${other}">${other === 'zh' ? '中文' : 'English'}</a>
<a href="/api/stats/summary?${qs({})}">${t(lang, 'json')}</a>
<a href="/api/stats/days?${qs({ format: 'csv' })}">${t(lang, 'csv')}</a></form>
${m.signOutToken ? `<form method="post" action="/logout" class="logout"><input type="hidden" name="token" value="${esc(m.signOutToken)}"><button type="submit">${lang === 'zh' ? '退出' : 'Sign out'}</button></form>` : ''}
<p class="range">${t(lang, 'range')}: ${st.from} – ${st.to} (${st.days} ${t(lang, 'days')})</p></header>
<main>
${isToday ? liveSection(m) : ''}
${st.days === 0 ? `<p class="empty">${t(lang, 'noData')}</p>` : ''}
${kpis(lang, st.total)}
<section class="charts">${arrivals}${waits}${sat}${daysChart}</section>
${table(lang, 'services', t(lang, 'services'), [t(lang, 'service')], st.services.map((s) => ({ keys: [svcName.get(s.id) ?? s.id], f: s })), false)}
${table(lang, 'windows', t(lang, 'windows'), [t(lang, 'window')], st.windows.map((w) => ({ keys: [winName.get(w.id) ?? w.id], f: w })), true)}
${table(lang, 'staff', t(lang, 'staff'), [t(lang, 'person')], st.staff.map((p) => ({ keys: [staffName.get(p.id) ?? p.id], f: p })), true)}
${table(lang, 'hours', t(lang, 'hours'), [t(lang, 'hour')], hours.map((h) => ({ keys: [`${h.hour}:00–${h.hour + 1}:00`], f: h })), false)}
${ranking}
${m.staffing ? staffingSection(lang, m.staffing, (d) => `/manager?${qs({ staffing: d })}`) : ''}
<p class="muted">${t(lang, 'definitions')} <a href="/api/stats/services?${qs({ format: 'csv' })}">${t(lang, 'services')} CSV</a> · <a href="/api/stats/windows?${qs({ format: 'csv' })}">${t(lang, 'windows')} CSV</a> · <a href="/api/stats/staff?${qs({ format: 'csv' })}">${t(lang, 'staff')} CSV</a> · <a href="/api/stats/hours?${qs({ format: 'csv' })}">${t(lang, 'hours')} CSV</a> · <a href="/api/stats/ranking?month=${m.ranking.month}&format=csv">${t(lang, 'ranking')} CSV</a></p>
</main></body></html>`;
}
