// The manager's page rendered on the server (firmware/stats/manager/page.ts), on
// figures written out by hand, without a browser: the key figures and how they are
// written (seconds or minutes, shares), the tables, the live panel only for a range
// holding today, the ranking's star, the links to CSV, and names shown as text.
import { describe, expect, it } from 'vitest';
import { loadHallConfig, type HallConfig } from '../../../firmware/config/hall.ts';
import type { Alert, HallState } from '../../../firmware/protocol/messages.ts';
import { emptyCounters, finalize, type Figures } from '../../../firmware/stats/figures.ts';
import { KEYS, t } from '../../../firmware/stats/manager/i18n.ts';
import { renderManagerPage, type PageModel } from '../../../firmware/stats/manager/page.ts';
import { staffingSection, type StaffingView } from '../../../firmware/stats/manager/staffing.ts';
import type { RangeStats, RankEntry } from '../../../firmware/stats/range.ts';

const demo = loadHallConfig();
const hall: HallConfig = { ...demo, windows: demo.windows.map((w) => ({ ...w, name: `W${w.id}窗` })) };

type Sat = Figures['satisfaction'];
type Over = { [K in keyof Figures]?: K extends 'satisfaction' ? Partial<Omit<Sat, 'counts'>> & { counts?: Partial<Sat['counts']> } : Figures[K] extends object ? Partial<Figures[K]> : Figures[K] };
function fig(o: Over = {}): Figures {
  const f = finalize(emptyCounters());
  return {
    ...f, ...o,
    wait: { ...f.wait, ...o.wait }, walk: { ...f.walk, ...o.walk }, service: { ...f.service, ...o.service },
    satisfaction: { ...f.satisfaction, ...o.satisfaction, counts: { ...f.satisfaction.counts, ...o.satisfaction?.counts } },
  } as Figures;
}

const total = () => fig({
  issued: 120, served: 100, noShows: 7, transferred: 3,
  wait: { n: 100, meanS: 119.4, p95S: 600, maxS: 700, overLimit: 10, overLimitShare: 0.1 },
  walk: { n: 100, meanS: 30, p95S: 60 },
  service: { n: 100, meanS: 120, p95S: 300, overLimit: 5, overLimitShare: 0.05 },
  satisfaction: { counts: { 'very-satisfied': 40, satisfied: 20, basic: 10, unsatisfied: 5, 'very-unsatisfied': 5 }, rated: 80, rate: 0.75, ratedShare: 0.8 },
  busyS: 36000, idleS: 7200, pausedS: 1800,
});

function stats(o: Partial<RangeStats> = {}): RangeStats {
  return {
    from: '2026-11-16', to: '2026-11-18', days: 3, total: total(),
    services: [{ id: 'registration', ...fig({ issued: 70, wait: { meanS: 30 } }) }, { id: 'payment', ...fig({ issued: 50 }) }],
    windows: [
      { id: '1', ...fig({ served: 60, busyS: 18000, idleS: 3600, pausedS: 900, satisfaction: { counts: { 'very-satisfied': 3, satisfied: 1 }, rated: 4, rate: 1 } }) },
      { id: '6', ...fig({ served: 40, satisfaction: { counts: { unsatisfied: 2 }, rated: 2, rate: 0 } }) },
    ],
    staff: [{ id: 's001', name: '王芳', ...fig({ served: 60 }) }, { id: 'x9', ...fig({ served: 1 }) }],
    hours: [
      { hour: 8, windowsOpen: 2, ...fig({ issued: 10, wait: { meanS: 120, p95S: 300 } }) },
      { hour: 9, windowsOpen: 0, ...fig() }, // nothing happened: left out
      { hour: 10, windowsOpen: 0, ...fig({ served: 3 }) },
      { hour: 11, windowsOpen: 1.5, ...fig() },
    ],
    byDay: [{ day: '2026-11-16', ...fig({ issued: 50, served: 40 }) }, { day: '2026-11-17', ...fig({ issued: 70, served: 60 }) }],
    ...o,
  };
}

const entry = (rank: number | null, id: string, score: number | null, name?: string): RankEntry =>
  ({ rank, id, name, served: 10, rated: 30, satisfactionRate: 0.9, score, eligible: rank !== null });

function model(o: Partial<PageModel> = {}): PageModel {
  return {
    hall, lang: 'en', today: '2026-11-20', stats: stats(),
    ranking: { month: '2026-11', ranking: [entry(1, 's001', 91.5, '王芳'), entry(2, 's002', 80, '李娜'), { ...entry(null, 's003', null, '张伟'), satisfactionRate: null }] },
    live: null, alerts: [], ...o,
  };
}

/** The inner text of the first element of `cls` whose label is `label`. */
const kpi = (html: string, label: string) => new RegExp(`<div class="kpi"><span>${label}</span><b>([^<]*)</b></div>`).exec(html)?.[1];
/** The cells of the table row whose header cell is `head`, in the table section `id`. */
function row(html: string, id: string, head: string): string[] | undefined {
  const section = new RegExp(`<section class="table" id="${id}">(.*?)</section>`, 's').exec(html)?.[1] ?? '';
  const tr = [...section.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((m) => m[1]!).find((r) => r.startsWith(`<th>${head}</th>`) || r.includes(`<th>${head}</th>`));
  return tr ? [...tr.matchAll(/<t[dh]>(.*?)<\/t[dh]>/g)].map((m) => m[1]!) : undefined;
}

describe('key figures', () => {
  it('show counts, waits in seconds under two minutes and in minutes from two, and shares as percentages', () => {
    const html = renderManagerPage(model());
    expect(kpi(html, 'Issued')).toBe('120');
    expect(kpi(html, 'Served')).toBe('100');
    expect(kpi(html, 'No-shows')).toBe('7');
    expect(kpi(html, 'Transferred')).toBe('3');
    expect(kpi(html, 'Mean wait')).toBe('119 s');
    expect(kpi(html, 'Wait p95')).toBe('10.0 min');
    expect(kpi(html, 'Called within limit')).toBe('90.0%'); // 1 − the share over the limit
    expect(kpi(html, 'Mean service')).toBe('2.0 min');
    expect(kpi(html, 'Service over limit')).toBe('5.0%');
    expect(kpi(html, 'Satisfaction')).toBe('75.0%');
    expect(kpi(html, 'Rated')).toBe('80.0%');
  });

  it('are labelled in Chinese by default, with Chinese units', () => {
    const html = renderManagerPage(model({ lang: 'zh' }));
    expect(kpi(html, '取号')).toBe('120');
    expect(kpi(html, '平均等候')).toBe('119 秒');
    expect(kpi(html, '95%等候')).toBe('10.0 分');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain(`<title>${hall.hall.name.zh} · 管理看板</title>`);
    expect(renderManagerPage(model())).toContain('<html lang="en">');
  });

  it('show a dash for a figure with nothing behind it, and say the range is empty', () => {
    const html = renderManagerPage(model({ stats: stats({ days: 0, total: fig(), byDay: [] }) }));
    expect(kpi(html, 'Mean wait')).toBe('–');
    expect(kpi(html, 'Called within limit')).toBe('–');
    expect(kpi(html, 'Satisfaction')).toBe('–');
    expect(html).toContain('<p class="empty">No events in this range</p>');
    expect(renderManagerPage(model())).not.toContain('class="empty"');
  });
});

describe('tables', () => {
  it('give one row per service, window, clerk and active hour, named from the hall file', () => {
    const html = renderManagerPage(model());
    expect(row(html, 'services', 'Registration')).toEqual(['Registration', '70', '0', '0', '0', '30 s', '–', '–', '–', '–', '–', '–', '–']);
    expect(row(html, 'services', 'Payment')?.[1]).toBe('50');
    // Windows: no issued count (tickets belong to services), then busy, idle and paused hours.
    expect(row(html, 'windows', 'W1窗')).toEqual(['W1窗', '–', '60', '0', '0', '–', '–', '–', '–', '–', '–', '100.0%', '–', '5.0 h', '1.0 h', '0.3 h']);
    expect(row(html, 'staff', '王芳')?.[2]).toBe('60');
    expect(row(html, 'staff', 'x9')?.[2]).toBe('1'); // not in the hall file: shown by id
    expect(row(html, 'hours', '8:00–9:00')?.[1]).toBe('10');
    expect(row(html, 'hours', '10:00–11:00')?.[2]).toBe('3');
    expect(row(html, 'hours', '11:00–12:00')).toBeDefined(); // windows open, no arrivals
    expect(row(html, 'hours', '9:00–10:00')).toBeUndefined();
    expect(html).toContain('<h2>Services</h2>');
    expect(html).toContain('<th>Busy</th><th>Idle</th><th>Paused</th>');
  });

  it('rank the month\'s clerks with a star for the first, and mark those with too few ratings', () => {
    const many = Array.from({ length: 12 }, (_, i) => entry(i + 1, `s${100 + i}`, 90 - i));
    const html = renderManagerPage(model());
    expect(html).toContain('<tr class="star"><td>★ 1</td><th>王芳</th><td>91.5</td><td>10</td><td>30</td><td>90.0%</td></tr>');
    expect(html).toContain('<tr class=""><td>2</td><th>李娜</th><td>80</td>');
    expect(html).toContain('<tr class=""><td>(too few ratings)</td><th>张伟</th><td>–</td><td>10</td><td>30</td><td>–</td></tr>');
    expect(html).toContain('<h2>Service star of the month · 2026-11</h2>');
    const top = renderManagerPage(model({ ranking: { month: '2026-11', ranking: many } }));
    expect(top).toContain('<th>s109</th>');
    expect(top).not.toContain('<th>s110</th>'); // the top ten only
    expect(top.match(/<tr class="star">/g)).toHaveLength(1);
  });
});

describe('charts', () => {
  it('draw arrivals per hour (per day over a range), waits through the day, satisfaction per window and, over several days, each day', () => {
    const html = renderManagerPage(model());
    expect(html.match(/<svg class="chart /g)).toHaveLength(4);
    expect(html).toContain('<svg class="chart arrivals"');
    expect(html).toContain('Arrivals (÷3)');
    expect(html).toContain('<title>8:00: 3.3</title>'); // 10 arrivals over 3 days
    expect(html).toContain('<svg class="chart waits"');
    expect(html).toContain('<svg class="chart satisfaction"');
    expect(html).toContain('<title>W1窗 Very satisfied: 3</title>');
    expect(html).toContain('<svg class="chart days"');
    expect(html).toContain('<title>11-17: 70</title>');
    const oneDay = renderManagerPage(model({ stats: stats({ days: 1, byDay: [stats().byDay[0]!] }) }));
    expect(oneDay.match(/<svg class="chart /g)).toHaveLength(3);
    expect(oneDay).toContain('<text x="14" y="9" class="legend">Arrivals</text>');
    expect(oneDay).toContain('<title>8:00: 10</title>');
  });
});

describe('today and the live panel', () => {
  const live: HallState = {
    at: '2026-11-18T10:06:00.000+08:00',
    services: [
      { id: 'registration', name: { zh: '挂号', en: 'Registration' }, waiting: 5, estWaitS: 90, longestWaitS: 901 },
      { id: 'payment', name: { zh: '收费', en: 'Payment' }, waiting: 0, estWaitS: 0, longestWaitS: 900 },
    ],
    windows: [
      { id: '1', name: 'W1', floor: '1F', status: 'open', serving: 'A007' },
      { id: '2', name: 'W2', floor: '1F', status: 'paused', serving: null },
      { id: '3', name: 'W3', floor: '1F', status: 'closed', serving: null },
      { id: '4', name: 'W4', floor: '1F', status: 'open', serving: null },
    ],
    advice: [],
  };
  const alerts: Alert[] = [
    { id: 'a1', kind: 'device-offline', at: '2026-11-18T10:05:00+08:00', subject: 'kiosk-1', message: '自助机离线 / kiosk offline' },
    { id: 'a2', kind: 'wait-over-limit', at: '2026-11-18T10:06:00+08:00', subject: 'A003', message: 'plain message' },
  ];

  it('shows queues, windows and alerts, reloading every 30 s, only when the range holds today', () => {
    const html = renderManagerPage(model({ today: '2026-11-18', live, alerts }));
    expect(html).toContain('<meta http-equiv="refresh" content="30">');
    expect(html).toContain('<section class="live"><h2>Live</h2>');
    expect(html).toContain('<tr><th>Registration</th><td>5</td><td>90 s</td><td class="over">15.0 min</td></tr>'); // 901 s: past the 900 s limit
    expect(html).toContain('<tr><th>Payment</th><td>0</td><td>0 s</td><td class="">15.0 min</td></tr>'); // 900 s: at the limit, not past it
    expect(html).toContain('<th>Service</th><th>Waiting</th><th>Est. wait</th><th>Longest wait</th>');
    expect(html).toContain('<span class="win open" title="open">W1<small>A007</small></span>');
    expect(html).toContain('<span class="win paused" title="paused">W2<small>Paused</small></span>');
    expect(html).toContain('<span class="win closed" title="closed">W3<small>closed</small></span>');
    expect(html).toContain('<span class="win open" title="open">W4<small>open</small></span>');
    expect(html).toContain('<h3>Alerts (2)</h3>');
    expect(html).toContain('<li class="alert device-offline"><time>10:05</time> <b>kiosk-1</b> kiosk offline</li>');
    expect(html).toContain('<li class="alert wait-over-limit"><time>10:06</time> <b>A003</b> plain message</li>');
    const zh = renderManagerPage(model({ lang: 'zh', today: '2026-11-18', live, alerts }));
    expect(zh).toContain('<b>kiosk-1</b> 自助机离线</li>');
    expect(zh).toContain('W2<small>暂停</small>');
    for (const today of ['2026-11-16', '2026-11-17']) expect(renderManagerPage(model({ today, live }))).toContain('class="live"');
    for (const today of ['2026-11-15', '2026-11-19']) {
      const past = renderManagerPage(model({ today, live, alerts }));
      expect(past).not.toContain('class="live"');
      expect(past).not.toContain('http-equiv="refresh"');
    }
  });

  it('says so when there are no alerts, and shows no queues without a live state', () => {
    const html = renderManagerPage(model({ today: '2026-11-18', live: null, alerts: [] }));
    expect(html).toContain('<h3>Alerts (0)</h3><p class="muted">No alerts</p>');
    expect(html).not.toContain('class="queues"');
  });
});

describe('links and forms', () => {
  it('keep the range and language in the form, the CSV and JSON links and the language switch', () => {
    const html = renderManagerPage(model());
    expect(html).toContain('<body data-from="2026-11-16" data-to="2026-11-18">');
    expect(html).toContain('<input type="hidden" name="lang" value="en">');
    expect(html).toContain('<input type="date" name="from" value="2026-11-16">');
    expect(html).toContain('<input type="date" name="to" value="2026-11-18">');
    expect(html).toContain('<a href="/manager?lang=en">Today</a>');
    expect(html).toContain('<a href="/manager?from=2026-11-16&to=2026-11-18&lang=zh" hreflang="zh">中文</a>');
    expect(html).toContain('<a href="/api/stats/summary?from=2026-11-16&to=2026-11-18&lang=en">JSON</a>');
    expect(html).toContain('<a href="/api/stats/days?from=2026-11-16&to=2026-11-18&lang=en&format=csv">CSV</a>');
    for (const g of ['services', 'windows', 'staff', 'hours']) expect(html).toContain(`<a href="/api/stats/${g}?from=2026-11-16&to=2026-11-18&lang=en&format=csv">`);
    expect(html).toContain('<a href="/api/stats/ranking?month=2026-11&format=csv">Service star of the month CSV</a>');
    expect(html).toContain('<p class="range">Range: 2026-11-16 – 2026-11-18 (3 days)</p>');
    expect(renderManagerPage(model({ lang: 'zh' }))).toContain('hreflang="en">English</a>');
  });

  it('carries its own style sheet, which hides the form on paper', () => {
    const html = renderManagerPage(model());
    const css = /<style>(.*?)<\/style>/s.exec(html)?.[1] ?? '';
    expect(css).toContain('@media print { header form { display: none; } }');
    expect(css).toContain('tr.star {');
    expect(css).toContain('td.over {');
  });

  it('has a sign-out form with its token only for a signed-in manager', () => {
    expect(renderManagerPage(model({ signOutToken: 'tok"<' }))).toContain('<form method="post" action="/logout" class="logout"><input type="hidden" name="token" value="tok&quot;&lt;"><button type="submit">Sign out</button></form>');
    expect(renderManagerPage(model({ lang: 'zh', signOutToken: 'x' }))).toContain('<button type="submit">退出</button>');
    expect(renderManagerPage(model({ signOutToken: null }))).not.toContain('action="/logout"');
  });

  it('shows names from the hall file and alert texts as text, never as markup', () => {
    const odd: HallConfig = { ...hall, hall: { ...hall.hall, name: { zh: '<i>厅</i>', en: 'A & B "hall"' } }, staff: [{ id: 's001', name: '<script>x</script>' }] };
    const html = renderManagerPage(model({
      hall: odd, today: '2026-11-18', live: null,
      alerts: [{ id: 'a', kind: 'device-offline', at: '2026-11-18T10:05:00+08:00', subject: '<img src=x>', message: 'x / <b>y</b>' }],
      ranking: { month: '2026-11', ranking: [entry(1, 's001', 90, '<u>王</u>')] },
    }));
    expect(html).toContain('<title>A &amp; B &quot;hall&quot; · Manager</title>');
    expect(html).toContain('<th>&lt;script&gt;x&lt;/script&gt;</th>');
    expect(html).toContain('<b>&lt;img src=x&gt;</b> &lt;b&gt;y&lt;/b&gt;');
    expect(html).toContain('<th>&lt;u&gt;王&lt;/u&gt;</th>');
    expect(html).not.toMatch(/<script|<img|<u>|<i>/);
  });
});

describe('labels', () => {
  it('every label has a Chinese text and a different English one', () => {
    expect(KEYS.length).toBeGreaterThan(60);
    for (const k of KEYS) {
      expect(t('zh', k), k).toMatch(/[\u4e00-\u9fff]|^JSON$|^95%$/);
      expect(t('en', k), k).toMatch(/^[\x20-\x7e÷–]+$/);
      if (!['json'].includes(k)) expect(t('en', k), k).not.toBe(t('zh', k));
    }
  });
});

describe('staffing section', () => {
  const link = (d: string) => `/manager?staffing=${d}&a=1`;
  it('has a tab per weekday (the shown one bold) and says when the proposal is being worked out or has no days', () => {
    const pending = staffingSection('en', { weekday: 1, pending: true }, link);
    expect(pending).toContain('<section class="chart" id="staffing"><h2>Staffing: windows needed per service and hour · Mon</h2>');
    expect(pending).toContain('<a href="/manager?staffing=sun&amp;a=1#staffing">Sun</a> <b>Mon</b> <a href="/manager?staffing=tue&amp;a=1#staffing">Tue</a>');
    expect(pending).toContain('Being worked out from the recorded days: reload in a moment.');
    const none = staffingSection('zh', { weekday: 6, error: 'no days' }, link);
    expect(none).toContain('<b>周六</b>');
    expect(none).toContain('尚无该星期日的记录。');
    expect(none).not.toContain('no days');
  });

  it('shows the proposal with the days it comes from, its target and the command that checks it', () => {
    const view: StaffingView = { weekday: 3, days: ['2026-11-11', '2026-11-18'], plan: { target: 0.05, waitLimitS: 900, hours: [], rows: [] }, svg: '<svg id="plan"></svg>' };
    const html = staffingSection('en', view, link);
    expect(html).toContain('From this hall\'s recorded days of that weekday: 2 (2026-11-11, 2026-11-18); P(wait &gt; 15 min) ≤ 0.05.');
    expect(html).toContain('<code>manyi staffing --db … --weekday wed</code>');
    expect(html).toContain('<figure class="staffing"><svg id="plan"></svg></figure>');
    expect(renderManagerPage(model({ staffing: view }))).toContain('id="staffing"');
    expect(renderManagerPage(model())).not.toContain('id="staffing"');
  });
});
