// Staffing advice: from arrival rates per service and hour (a scenario's, or the
// ticket-issued events recorded per weekday), the fewest open windows per
// service and hour keeping P(wait > limit) under a target, by Erlang C
// (each service's windows treated as one M/M/c queue: a safe side of overflow help).
import type { Scenario } from './scenario.ts';
import type { HallEvent } from '../eventlog/schema.ts';
import { serversFor, probWaitOver } from './erlang.ts';
import { hhmmToS } from '../lib/time.ts';
import { localWeekdayHour } from '../routing/service-times.ts';

export interface StaffingCell { hour: number; perHour: number; windows: number; pOver: number }
export interface StaffingRow { service: string; meanServiceS: number; cells: StaffingCell[] }
export interface StaffingPlan { target: number; waitLimitS: number; hours: number[]; rows: StaffingRow[] }

/** Arrivals per hour in each whole hour [h, h+1): the busiest span touching it (staff for the peak). */
export function hourlyRates(s: Scenario, service: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const [from, to, perHour] of s.arrivals[service] ?? []) {
    const a = hhmmToS(from), b = hhmmToS(to);
    for (let h = Math.floor(a / 3600); h * 3600 < b; h++) {
      const overlap = Math.min(b, (h + 1) * 3600) - Math.max(a, h * 3600);
      if (overlap > 0) out.set(h, Math.max(out.get(h) ?? 0, perHour));
    }
  }
  return out;
}

/** Mean arrivals per service and hour over the recorded days falling on `weekday` (0 = Sunday). */
export function recordedRates(events: ReadonlyArray<HallEvent | { kind: 'ticket-issued'; day: string; service: string; arrivedAt: number }>, tz: string, weekday: number): Map<string, Map<number, number>> {
  const counts = new Map<string, Map<number, number>>();
  const days = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'ticket-issued') continue;
    const local = localWeekdayHour(e.arrivedAt, tz);
    if (local.weekday !== weekday) continue;
    days.add(e.day);
    const h = local.hour;
    const m = counts.get(e.service) ?? new Map<number, number>();
    m.set(h, (m.get(h) ?? 0) + 1);
    counts.set(e.service, m);
  }
  for (const m of counts.values()) for (const [h, n] of m) m.set(h, n / Math.max(1, days.size));
  return counts;
}

export function planFromRates(
  rates: ReadonlyMap<string, ReadonlyMap<number, number>>, meanServiceS: ReadonlyMap<string, number>,
  waitLimitS: number, target: number,
): StaffingPlan {
  const hourSet = new Set<number>();
  for (const m of rates.values()) for (const h of m.keys()) hourSet.add(h);
  const hours = [...hourSet].sort((a, b) => a - b);
  const rows: StaffingRow[] = [];
  for (const [service, m] of rates) {
    const mean = meanServiceS.get(service);
    if (mean === undefined) throw new Error(`no service time known for ${service}`);
    rows.push({ service, meanServiceS: mean, cells: hours.map((hour) => {
      const perHour = m.get(hour) ?? 0;
      const windows = serversFor(perHour / 3600, mean, waitLimitS, target);
      const pOver = windows === 0 ? 0 : probWaitOver({ lambdaPerS: perHour / 3600, meanServiceS: mean, servers: windows }, waitLimitS);
      return { hour, perHour, windows, pOver };
    }) });
  }
  return { target, waitLimitS, hours, rows };
}

export function staffingPlan(s: Scenario, target = 0.05): StaffingPlan {
  const rates = new Map(s.services.map((x) => [x.id, hourlyRates(s, x.id)] as const));
  const means = new Map(s.services.map((x) => [x.id, x.serviceTime.meanS] as const));
  return planFromRates(rates, means, s.waitLimitS, target);
}

export function formatStaffing(p: StaffingPlan, title = `Open windows needed so that P(wait > ${Math.round(p.waitLimitS / 60)} min) ≤ ${p.target} (Erlang C)`): string {
  const hh = (h: number) => `${String(h).padStart(2, '0')}h`;
  const w = Math.max(10, ...p.rows.map((r) => r.service.length));
  const lines = [title];
  lines.push([''.padEnd(w), ...p.hours.map((h) => hh(h).padStart(4))].join(' '));
  for (const r of p.rows) lines.push([r.service.padEnd(w), ...r.cells.map((c) => String(c.windows).padStart(4))].join(' '));
  const totals = p.hours.map((_, i) => p.rows.reduce((n, r) => n + r.cells[i]!.windows, 0));
  lines.push(['total'.padEnd(w), ...totals.map((t) => String(t).padStart(4))].join(' '));
  return lines.join('\n');
}

/** A stacked bar chart (windows per hour, one colour per service) a hall manager can print. */
export function staffingSvg(p: StaffingPlan): string {
  const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
  const totals = p.hours.map((_, i) => p.rows.reduce((n, r) => n + r.cells[i]!.windows, 0));
  const maxT = Math.max(1, ...totals);
  const W = 60 + p.hours.length * 50 + 140, H = 320, plotH = 240, unit = plotH / maxT;
  const esc = (t: string) => t.replace(/[<&>]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '>': '&gt;' })[c]!);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="16">Windows needed per hour: P(wait &gt; ${Math.round(p.waitLimitS / 60)} min) ≤ ${p.target}</text>`];
  p.hours.forEach((h, i) => {
    const x = 50 + i * 50;
    let y = 280;
    p.rows.forEach((r, j) => {
      const n = r.cells[i]!.windows;
      if (n === 0) return;
      y -= n * unit;
      out.push(`<rect x="${x}" y="${y.toFixed(1)}" width="36" height="${(n * unit).toFixed(1)}" fill="${colours[j % colours.length]}"><title>${esc(r.service)} ${h}h: ${n}</title></rect>`);
    });
    out.push(`<text x="${x + 18}" y="${(y - 4).toFixed(1)}" text-anchor="middle">${totals[i]}</text>`);
    out.push(`<text x="${x + 18}" y="298" text-anchor="middle">${String(h).padStart(2, '0')}h</text>`);
  });
  p.rows.forEach((r, j) => {
    const x = 60 + p.hours.length * 50, y = 40 + j * 20;
    out.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${colours[j % colours.length]}"/><text x="${x + 18}" y="${y}">${esc(r.service)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
