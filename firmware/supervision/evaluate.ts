// Live supervision: a pure function from the hall's present state to the alerts
// that are raised right now. The controller's 1 s ticker builds a
// `SupervisionInput` from its own state and passes the result to an
// `AlertTracker`, which turns successive evaluations into raised/cleared messages.
import type { HallConfig } from '../config/hall.ts';
import { hhmmToS, isoLocal, localSecondOfDay } from '../lib/time.ts';
import type { Alert, AlertKind, DeviceHealth, RatingScore, Role, WindowStatus } from '../protocol/messages.ts';

/** Exactly what the controller passes each tick (times are epoch ms). */
export interface SupervisionInput {
  nowMs: number;
  hall: HallConfig;
  /** Every ticket waiting to be called (including parked ones and transfers waiting again). */
  waiting: Array<{ ticket: string; service: string; arrivedAt: number }>;
  /** Every ticket at a window (called, maybe started). */
  serving: Array<{ ticket: string; service: string; window: string; staff?: string; calledAt: number; startedAt?: number }>;
  /** Every window: its status and since when it has had it. */
  windows: Array<{ id: string; status: WindowStatus; since: number; staff?: string }>;
  /**
   * Every device that has announced itself: `online` from its retained status (the
   * last will sets it false), `lastSeenMs` of its latest status or health message,
   * `printer` from its latest health.
   */
  devices: Array<{ id: string; role?: Role; online: boolean; lastSeenMs: number; printer?: DeviceHealth['printer'] }>;
  /** Ratings received recently (the controller may pass its last few minutes; older ones are ignored). */
  ratings: Array<{ ticket: string; service: string; window: string; staff?: string; score: RatingScore; reason?: string; at: number }>;
}

export interface SupervisionOptions {
  /** How long an unsatisfied rating stays raised for the manager to see (default 15 min). */
  ratingAlertS?: number;
  /** Kinds raised elsewhere (e.g. the engine's own wait-over-limit alerts), left out here. */
  skip?: AlertKind[];
}

const PRINTER_KIND: Record<string, AlertKind> = {
  'paper-low': 'printer-paper-low', 'paper-out': 'printer-paper-out', 'cover-open': 'printer-cover-open', offline: 'printer-offline',
};
const PRINTER_TEXT: Record<string, [string, string]> = {
  'paper-low': ['打印纸将用完', 'printer paper low'], 'paper-out': ['打印机缺纸', 'printer out of paper'],
  'cover-open': ['打印机盖未合上', 'printer cover open'], offline: ['打印机未连接', 'printer offline'],
};
const SCORE_ZH: Record<string, string> = { unsatisfied: '不满意', 'very-unsatisfied': '非常不满意' };

const min = (ms: number) => Math.floor(ms / 60_000);

/** True when `nowMs` is inside the hall's opening hours. */
export function isOpenHours(hall: HallConfig, nowMs: number): { open: boolean; spanStartMs: number } {
  const sod = localSecondOfDay(nowMs, hall.hall.timezone);
  for (const h of hall.hours) {
    const a = hhmmToS(h.open), b = hhmmToS(h.close);
    if (sod >= a && sod < b) return { open: true, spanStartMs: nowMs - (sod - a) * 1000 };
  }
  return { open: false, spanStartMs: nowMs };
}

/** Alerts raised by the state in `input`; ids are stable while the same condition lasts. */
export function evaluateAlerts(input: SupervisionInput, opts: SupervisionOptions = {}): Alert[] {
  const { nowMs, hall } = input;
  const tz = hall.hall.timezone;
  const iso = (ms: number) => isoLocal(ms, tz);
  const svc = new Map(hall.services.map((s) => [s.id, s]));
  const staffName = new Map(hall.staff.map((p) => [p.id, p.name]));
  const who = (staff?: string) => (staff ? ` (${staffName.get(staff) ?? staff})` : '');
  const out: Alert[] = [];

  for (const t of input.waiting) {
    const s = svc.get(t.service);
    if (!s) continue;
    const waited = nowMs - t.arrivedAt;
    if (waited <= s.waitLimitS * 1000) continue;
    out.push({
      id: `wait-over-limit:${t.ticket}`, kind: 'wait-over-limit', at: iso(t.arrivedAt + s.waitLimitS * 1000), state: 'raised',
      subject: t.ticket, ticket: t.ticket, service: t.service,
      message: `${t.ticket}（${s.name.zh}）已等候${min(waited)}分钟，超过${min(s.waitLimitS * 1000)}分钟 / ${t.ticket} (${s.name.en}) has waited ${min(waited)} min, over the ${min(s.waitLimitS * 1000)} min limit`,
    });
  }

  for (const t of input.serving) {
    const s = svc.get(t.service);
    if (!s || t.startedAt === undefined) continue;
    const took = nowMs - t.startedAt;
    if (took <= s.serviceLimitS * 1000) continue;
    out.push({
      id: `service-over-limit:${t.window}:${t.ticket}`, kind: 'service-over-limit', at: iso(t.startedAt + s.serviceLimitS * 1000), state: 'raised',
      subject: `window ${t.window}`, window: t.window, staff: t.staff, ticket: t.ticket, service: t.service,
      message: `${t.window}号窗口${who(t.staff)}办理${t.ticket}已${min(took)}分钟，超过${min(s.serviceLimitS * 1000)}分钟 / window ${t.window}${who(t.staff)} has served ${t.ticket} for ${min(took)} min, over the ${min(s.serviceLimitS * 1000)} min limit`,
    });
  }

  const hours = isOpenHours(hall, nowMs);
  if (hours.open) {
    for (const w of input.windows) {
      if (w.status !== 'paused') continue;
      const from = Math.max(w.since, hours.spanStartMs);
      const paused = nowMs - from;
      if (paused <= hall.thresholds.pausedTooLongS * 1000) continue;
      out.push({
        id: `window-paused-long:${w.id}:${w.since}`, kind: 'window-paused-long', at: iso(from + hall.thresholds.pausedTooLongS * 1000), state: 'raised',
        subject: `window ${w.id}`, window: w.id, staff: w.staff,
        message: `${w.id}号窗口${who(w.staff)}已暂停服务${min(paused)}分钟 / window ${w.id}${who(w.staff)} has been paused for ${min(paused)} min`,
      });
    }
  }

  const ratingMs = (opts.ratingAlertS ?? 900) * 1000;
  for (const r of input.ratings) {
    if (r.score !== 'unsatisfied' && r.score !== 'very-unsatisfied') continue;
    if (nowMs - r.at >= ratingMs || r.at > nowMs) continue;
    const reason = r.reason ? hall.rating.reasons.find((x) => x.code === r.reason)?.name : undefined;
    out.push({
      id: `unsatisfied-rating:${r.ticket}`, kind: 'unsatisfied-rating', at: iso(r.at), state: 'raised',
      subject: `window ${r.window}`, window: r.window, staff: r.staff, service: r.service, ticket: r.ticket,
      message: `${r.window}号窗口${who(r.staff)}收到${r.ticket}的“${SCORE_ZH[r.score]}”评价${reason ? `：${reason.zh}` : ''} / window ${r.window}${who(r.staff)}: ${r.ticket} rated ${r.score}${reason ? ` (${reason.en})` : r.reason ? ` (${r.reason})` : ''}`,
    });
  }

  const silentMs = hall.thresholds.deviceSilentS * 1000;
  for (const d of input.devices) {
    const silent = nowMs - d.lastSeenMs > silentMs;
    if (!d.online || silent) {
      out.push({
        id: `device-offline:${d.id}`, kind: 'device-offline', at: iso(d.online ? d.lastSeenMs + silentMs : d.lastSeenMs), state: 'raised',
        subject: d.id, device: d.id,
        message: `设备${d.id}${d.role ? `（${d.role}）` : ''}离线 / device ${d.id}${d.role ? ` (${d.role})` : ''} is offline${silent ? `, silent for ${Math.round((nowMs - d.lastSeenMs) / 1000)} s` : ''}`,
      });
      continue; // its last printer report is stale
    }
    if (d.printer && d.printer !== 'ok') {
      const [zh, en] = PRINTER_TEXT[d.printer];
      out.push({
        id: `${PRINTER_KIND[d.printer]}:${d.id}`, kind: PRINTER_KIND[d.printer], at: iso(d.lastSeenMs), state: 'raised',
        subject: d.id, device: d.id, message: `${d.id}：${zh} / ${d.id}: ${en}`,
      });
    }
  }
  return opts.skip?.length ? out.filter((a) => !opts.skip!.includes(a.kind)) : out;
}
