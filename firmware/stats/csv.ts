// CSV export of figures: one row per group, flat columns, RFC 4180 quoting, with
// a UTF-8 byte-order mark so spreadsheet programs read Chinese names right.
import { RATING_SCORES } from '../protocol/messages.ts';
import type { Figures } from './figures.ts';

type Cell = string | number | boolean | null | undefined;

export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return '\ufeff' + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const FIGURE_COLUMNS = [
  'issued', 'served', 'no_shows', 'transferred',
  'wait_n', 'wait_mean_s', 'wait_p95_s', 'wait_max_s', 'wait_over_limit', 'wait_over_limit_share',
  'walk_n', 'walk_mean_s', 'walk_p95_s',
  'service_n', 'service_mean_s', 'service_p95_s', 'service_over_limit', 'service_over_limit_share',
  ...RATING_SCORES.map((s) => s.replace(/-/g, '_')), 'rated', 'satisfaction_rate', 'rated_share',
  'busy_s', 'idle_s', 'paused_s',
];

function figureCells(f: Figures): Cell[] {
  return [
    f.issued, f.served, f.noShows, f.transferred,
    f.wait.n, f.wait.meanS, f.wait.p95S, f.wait.maxS, f.wait.overLimit, f.wait.overLimitShare,
    f.walk.n, f.walk.meanS, f.walk.p95S,
    f.service.n, f.service.meanS, f.service.p95S, f.service.overLimit, f.service.overLimitShare,
    ...RATING_SCORES.map((s) => f.satisfaction.counts[s]), f.satisfaction.rated, f.satisfaction.rate, f.satisfaction.ratedShare,
    f.busyS, f.idleS, f.pausedS,
  ];
}

/** Rows of figures keyed by the given leading columns (e.g. `id`, `name`). */
export function figuresCsv<T extends Figures>(keys: Array<keyof T & string>, rows: T[]): string {
  return toCsv([...keys, ...FIGURE_COLUMNS], rows.map((r) => [...keys.map((k) => r[k] as Cell), ...figureCells(r)]));
}
