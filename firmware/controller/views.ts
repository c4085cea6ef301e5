// What the controller publishes, computed from the model: the hall state, each
// window's state, call events, alerts and a ticket's status. Read-only.
import type { Alert, CallEvent, HallState, WindowState } from '../protocol/messages.ts';
import { estimateWaitS, type EstimateInput } from '../routing/estimate.ts';
import { adviseRedirects, type Advice } from '../routing/advice.ts';
import type { HallModel, Ticket, TicketState, WindowRt } from './state.ts';

export interface TicketStatus {
  no: string;
  service: string;
  state: TicketState;
  ahead: number;
  estWaitS: number;
  window?: string;
  windowName?: string;
  floor?: string;
}

function estimateInput(m: HallModel): EstimateInput {
  return { queues: m.queues, windows: m.windowList, services: m.routingServices };
}

export function estimate(m: HallModel, service: string, ahead: number): number {
  return Math.round(estimateWaitS(estimateInput(m), service, ahead));
}

/**
 * Estimated wait at the windows that take `service` as overflow: the soonest any
 * of them clears its own services' queues (shared among those services' open owners).
 */
function overflowWaitS(m: HallModel, service: string): number {
  let best = Infinity;
  for (const w of m.windowList) {
    if (w.status !== 'open' || !w.overflow.includes(service)) continue;
    let backlog = w.busy ? m.routingServices.get(w.current!.service)?.meanServiceS ?? 0 : 0;
    for (const s of w.own) {
      const owners = m.windowList.filter((x) => x.status === 'open' && x.own.includes(s)).length || 1;
      backlog += ((m.queues.get(s)?.length ?? 0) * m.routingServices.get(s)!.meanServiceS) / owners;
    }
    best = Math.min(best, backlog);
  }
  return best;
}

export function advice(m: HallModel, only?: string): Advice[] {
  const services = [];
  for (const s of m.services.values()) {
    if (only && s.id !== only) continue;
    const waiting = m.queues.get(s.id)!.length;
    services.push({ id: s.id, name: s.name, waiting, estWaitS: estimate(m, s.id, waiting), selfService: s.selfService });
  }
  return adviseRedirects({
    services,
    windows: m.windowList,
    overflowWaitS: (s) => overflowWaitS(m, s),
    thresholds: m.hall.thresholds,
  });
}

export function hallState(m: HallModel, nowMs: number, secondOfDay: number): HallState {
  return {
    at: m.iso(nowMs),
    services: [...m.services.values()].map((s) => {
      const q = m.queues.get(s.id)!;
      let oldest = nowMs;
      for (const t of q) if (t.arrivedAtMs < oldest) oldest = t.arrivedAtMs;
      return {
        id: s.id, name: s.name, waiting: q.length, estWaitS: estimate(m, s.id, q.length),
        longestWaitS: Math.max(0, Math.round((nowMs - oldest) / 1000)), letter: s.letter, open: m.isOpen(s.id, secondOfDay),
      };
    }),
    windows: m.windowList.map((w) => ({ id: w.id, name: w.name, floor: w.floor, status: w.status, serving: w.current?.no ?? null })),
    advice: advice(m),
    recentCalls: m.recentCalls.map((c) => ({ no: c.no, window: c.window, service: c.service, at: m.iso(c.at) })),
  };
}

export function windowState(m: HallModel, w: WindowRt, nowMs: number): WindowState {
  const t = w.current;
  const staff = w.staff ? { id: w.staff, name: m.hall.staff.find((s) => s.id === w.staff)?.name } : undefined;
  const rating = w.ratingFor && !w.ratingFor.rated && nowMs < w.ratingUntil;
  const out: WindowState = {
    status: w.status,
    serving: t ? {
      no: t.no, service: t.service, calledAt: m.iso(t.calledAt ?? nowMs),
      ...(t.state === 'serving' && t.startedAt !== undefined ? { startedAt: m.iso(t.startedAt) } : {}),
    } : null,
    rating: rating ? 'waiting' : 'idle',
    at: m.iso(nowMs),
  };
  if (staff) out.staff = staff.name ? staff : { id: staff.id };
  if (rating) { out.ratingFor = w.ratingFor!.no; out.ratingUntil = m.iso(w.ratingUntil); }
  return out;
}

export function callEvent(m: HallModel, t: Ticket, w: WindowRt, atMs: number, recall: boolean): CallEvent {
  const floor = m.hall.floors.find((f) => f.id === w.floor);
  const zhFloor = floor?.name.zh ?? w.floor;
  const enFloor = floor?.name.en ?? w.floor;
  return {
    no: t.no, window: w.id, service: t.service, at: m.iso(atMs), recall,
    text: { zh: `请${t.no}号到${zhFloor}${w.name}号窗口`, en: `Ticket ${t.no}, please go to window ${w.name}, ${enFloor}` },
    floor: w.floor, windowName: w.name,
  };
}

export function waitAlert(m: HallModel, t: Ticket, atMs: number, state: 'raised' | 'cleared', window?: string): Alert {
  const svc = m.services.get(t.service)!;
  const waitedMin = Math.round((atMs - t.arrivedAtMs) / 60000);
  const limitMin = Math.round(svc.waitLimitS / 60);
  return {
    id: waitAlertId(t), kind: 'wait-over-limit', at: m.iso(atMs), subject: t.no,
    message: state === 'raised'
      ? `${t.no}（${svc.name.zh}）已等候${waitedMin}分钟，超过${limitMin}分钟 / ${t.no} (${svc.name.en}) has waited ${waitedMin} min, over the ${limitMin} min limit`
      : `${t.no} 已叫号 / ${t.no} has been called${window ? ` to window ${window}` : ''}`,
    state, service: t.service, ticket: t.no, ...(window ? { window } : {}),
  };
}

export function waitAlertId(t: Ticket): string {
  return `wait-over-limit/${t.day}/${t.no}`;
}

export function ticketStatus(m: HallModel, t: Ticket): TicketStatus {
  const out: TicketStatus = { no: t.no, service: t.service, state: t.state, ahead: 0, estWaitS: 0 };
  if (t.state === 'waiting') {
    out.ahead = m.queues.get(t.service)!.indexOf(t);
    out.estWaitS = estimate(m, t.service, out.ahead);
  }
  if ((t.state === 'called' || t.state === 'serving' || t.state === 'done') && t.window) {
    const w = m.windows.get(t.window)!;
    out.window = w.id;
    out.windowName = w.name;
    out.floor = w.floor;
  }
  return out;
}
