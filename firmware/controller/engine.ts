// HallEngine: the hall's queue as a state machine. Pure logic: no timers, no
// Date.now() (time is an argument or comes from the injected Clock), no I/O but
// the HallStore it is given. The controller service (service.ts), the simulator
// and the benchmarks all drive this one engine.
//
// API
//   const engine = new HallEngine({ hall, store?: HallStore /* default MemoryStore */, clock?: Clock, policy?: 'default' })
//   Commands — each validates, then stores its events (and, with `replyTo`, its reply)
//   in ONE store call, then applies them and notifies listeners; a refused command
//   returns `{ok: false, error: {code, message}}` (codes: messages.ts ErrorCode) and
//   changes nothing:
//     engine.kiosk(kiosk: string, req: KioskRequest, nowMs?: number, replyTo?: ReplyTo): KioskReply
//         op 'ticket' → {ticket}; op 'reserve' → {block}; op 'handover' → {ticket} (idempotent)
//     engine.window(window: string, cmd: WindowCommand, nowMs?: number, replyTo?: ReplyTo): WindowReply
//         open | close | pause | resume | call-next | call | recall | start | complete | no-show | park | transfer
//     engine.rate(window: string, rating: WindowRating, nowMs?: number, replyTo?: ReplyTo): WindowReply
//     engine.tick(nowMs?: number): void   — day rollover, wait-over-limit alerts, rating pads timing out
//   Idempotency: engine.storedReply(sender, id): StoredReply | undefined (the first reply, byte for byte)
//   Views: engine.hallState(nowMs?): HallState; engine.windowState(id, nowMs?): WindowState;
//          engine.windowIds: string[]; engine.ticketStatus(day, no): TicketStatus | null;
//          engine.day: string (current service day); engine.model: HallModel (read-only use: queues, tickets, windows)
//   Listeners (each returns an unsubscribe function), called after the change is stored and applied:
//     engine.onEvent((e: HallEvent) => …)      every stored event (statistics, simulator)
//     engine.onCall((c: CallEvent) => …)       calls and recalls
//     engine.onAlert((a: Alert) => …)          wait-over-limit raised / cleared
//     engine.onWindow((id: string) => …)       a window's state changed
//     engine.onChange(() => …)                 anything changed (ticket status page, hall state)
//   engine.setPolicy(name) swaps the routing policy (firmware/routing getPolicy).
//   On construction the engine replays `store.resumeEvents()` and resumes exactly.
import type { HallConfig } from '../config/hall.ts';
import type { Alert, CallEvent, ErrorCode, HallState, KioskReply, KioskRequest, WindowCommand, WindowRating, WindowReply, WindowState } from '../protocol/messages.ts';
import { errorReply } from '../protocol/decode.ts';
import { localDay, systemClock, type Clock } from '../lib/time.ts';
import { getPolicy, type RoutingContext, type RoutingPolicy } from '../routing/index.ts';
import type { HallEvent } from '../eventlog/schema.ts';
import type { ServiceTimeTable } from '../routing/service-times.ts';
import { HallModel, type Ticket, type WindowRt } from './state.ts';
import { MemoryStore, type HallStore, type StoredReply } from '../eventlog/store.ts';
import { advice, callEvent, estimate, hallState, ticketStatus, waitAlert, windowState, type TicketStatus } from './views.ts';
import { windowAction } from './window-actions.ts';

export type { TicketStatus } from './views.ts';
export type { Ticket, TicketState, WindowRt } from './state.ts';

/** Where a reply goes: `sender` is `kiosk/{id}` or `window/{id}`; the reply is stored with the change. */
export interface ReplyTo { sender: string; topic: string }

export interface EngineOptions {
  hall: HallConfig;
  store?: HallStore;
  clock?: Clock;
  /** Routing policy name (default `default`). */
  policy?: string;
  /**
   * Mean service times recorded on the hall's past days, by weekday and hour
   * (the live controller reads them from its database); without it the
   * configured `expectedServiceS` is the prior.
   */
  serviceTimes?: ServiceTimeTable;
}

type Listener<T> = (v: T) => void;
type Fail = { id: string | null; ok: false; error: { code: ErrorCode; message: string } };

export class HallEngine {
  readonly model: HallModel;
  readonly store: HallStore;
  private clock: Clock;
  private policy: RoutingPolicy;
  private ev = new Set<Listener<HallEvent>>();
  private calls = new Set<Listener<CallEvent>>();
  private alerts = new Set<Listener<Alert>>();
  private wins = new Set<Listener<string>>();
  private changes = new Set<Listener<void>>();
  /** Increases on every change; the service publishes the hall state when it moved. */
  version = 0;

  constructor(opts: EngineOptions) {
    this.model = new HallModel(opts.hall, opts.serviceTimes);
    this.store = opts.store ?? new MemoryStore();
    this.clock = opts.clock ?? systemClock;
    this.policy = getPolicy(opts.policy ?? 'default');
    for (const e of this.store.resumeEvents()) this.model.apply(e);
  }

  get hall(): HallConfig { return this.model.hall; }
  get day(): string { return this.model.day; }
  get policyName(): string { return this.policy.name; }
  get windowIds(): string[] { return this.model.windowList.map((w) => w.id); }
  setPolicy(name: string): void { this.policy = getPolicy(name); }

  onEvent(fn: Listener<HallEvent>): () => void { return sub(this.ev, fn); }
  onCall(fn: Listener<CallEvent>): () => void { return sub(this.calls, fn); }
  onAlert(fn: Listener<Alert>): () => void { return sub(this.alerts, fn); }
  onWindow(fn: Listener<string>): () => void { return sub(this.wins, fn); }
  onChange(fn: () => void): () => void { return sub(this.changes, fn); }

  storedReply(sender: string, id: string): StoredReply | undefined {
    return this.store.reply(sender, id);
  }

  // ---- kiosk ------------------------------------------------------------

  kiosk(kiosk: string, req: KioskRequest, nowMs?: number, replyTo?: ReplyTo): KioskReply {
    const now = this.now(nowMs);
    const m = this.model;
    const svc = m.services.get(req.service);
    if (!svc) return this.refuse(req.id, 'unknown-service', `no service ${req.service} in this hall`, replyTo);
    const day = m.day;
    if (req.op === 'reserve') {
      const first = (m.counters.get(svc.id) ?? 0) + 1;
      if (first + req.count - 1 > 99999) return this.refuse(req.id, 'block-exhausted', `no numbers left today for ${svc.id}`, replyTo);
      const numbers = Array.from({ length: req.count }, (_, i) => number(svc.letter, first + i));
      const e: HallEvent = { at: now, day, kind: 'block-reserved', kiosk, service: svc.id, numbers };
      return this.finish([e], { id: req.id, ok: true as const, block: { service: svc.id, day, numbers } }, replyTo, now);
    }
    if (req.op === 'handover') {
      const issuedAt = Date.parse(req.offline.issuedAt);
      const no = req.offline.no;
      const existing = m.tickets.get(no);
      if (existing) {
        if (existing.offline && existing.kiosk === kiosk) { // handed over before (it may have been transferred since)
          return this.finish([], { id: req.id, ok: true as const, ticket: this.issued(existing) }, replyTo, now);
        }
        return this.refuse(req.id, 'not-allowed', `${no} is already another ticket today`, replyTo);
      }
      if (localDay(issuedAt, m.hall.hall.timezone) !== day) return this.refuse(req.id, 'not-allowed', `${no} was issued on another service day`, replyTo);
      if (issuedAt > now + 300_000) return this.refuse(req.id, 'bad-request', 'offline.issuedAt is in the future', replyTo);
      const block = m.blocks.get(no);
      if (!block || block.kiosk !== kiosk || block.service !== svc.id) {
        return this.refuse(req.id, 'not-allowed', `${no} is not in a block of ${svc.id} reserved by kiosk ${kiosk} today`, replyTo);
      }
      const e: HallEvent = {
        at: now, day, kind: 'ticket-issued', ticket: no, service: svc.id, priority: req.priority === 'priority',
        kiosk, arrivedAt: issuedAt, offline: true, ...(req.appointment ? { appointment: req.appointment } : {}),
      };
      return this.finishTicket(e, req.id, replyTo, now);
    }
    if (!m.isOpen(svc.id, m.secondOfDay(now))) {
      const hours = (svc.hours ?? m.hall.hours).map((h) => `${h.open}–${h.close}`).join(', ');
      return this.refuse(req.id, 'service-closed', `${svc.id} takes tickets ${hours}`, replyTo);
    }
    const n = (m.counters.get(svc.id) ?? 0) + 1;
    if (n > 99999) return this.refuse(req.id, 'block-exhausted', `no numbers left today for ${svc.id}`, replyTo);
    const e: HallEvent = {
      at: now, day, kind: 'ticket-issued', ticket: number(svc.letter, n), service: svc.id,
      priority: req.priority === 'priority', kiosk, arrivedAt: now, ...(req.appointment ? { appointment: req.appointment } : {}),
    };
    return this.finishTicket(e, req.id, replyTo, now);
  }

  private finishTicket(e: HallEvent & { kind: 'ticket-issued' }, id: string, replyTo: ReplyTo | undefined, now: number): KioskReply {
    // The reply is computed before the event is applied: it is stored with it.
    const m = this.model;
    const ahead = m.queues.get(e.service)!.filter((t) => t.queuedAtMs <= e.arrivedAt).length;
    const svc = m.services.get(e.service)!;
    const estWaitS = estimate(m, e.service, ahead);
    const ticket: NonNullable<Extract<KioskReply, { ok: true }>['ticket']> = {
      no: e.ticket, service: e.service, issuedAt: iso(m, e.arrivedAt), ahead, estWaitS,
      windows: m.windowsFor(e.service), day: e.day, priority: e.priority,
    };
    const base = m.hall.publicUrl?.replace(/\/+$/, '');
    if (base) ticket.statusUrl = `${base}/t/${e.day}/${e.ticket}`;
    if (ahead + 1 >= m.hall.thresholds.adviceQueueLength || estWaitS >= m.hall.thresholds.adviceWaitS) {
      const a = advice(m, svc.id)[0];
      if (a) ticket.advice = a.text;
    }
    return this.finish([e], { id, ok: true as const, ticket }, replyTo, now);
  }

  private issued(t: Ticket) {
    const s = ticketStatus(this.model, t);
    return {
      no: t.no, service: t.service, issuedAt: iso(this.model, t.arrivedAtMs), ahead: s.ahead, estWaitS: s.estWaitS,
      windows: this.model.windowsFor(t.service), day: t.day, priority: t.priority,
    };
  }

  // ---- window -----------------------------------------------------------

  window(window: string, cmd: WindowCommand, nowMs?: number, replyTo?: ReplyTo): WindowReply {
    const now = this.now(nowMs);
    const w = this.model.windows.get(window);
    if (!w) return this.refuse(cmd.id, 'unknown-window', `no window ${window} in this hall`, replyTo);
    const r = windowAction(this.model, w, cmd, now, (win) => this.pick(win, now));
    if ('error' in r) return this.refuse(cmd.id, r.error, r.message, replyTo);
    const reply: WindowReply = r.ticket === undefined ? { id: cmd.id, ok: true } : { id: cmd.id, ok: true, ticket: r.ticket };
    return this.finish(r.events, reply, replyTo, now);
  }

  rate(window: string, r: WindowRating, nowMs?: number, replyTo?: ReplyTo): WindowReply {
    const now = this.now(nowMs);
    const m = this.model;
    const w = m.windows.get(window);
    if (!w) return this.refuse(r.id, 'unknown-window', `no window ${window} in this hall`, replyTo);
    if (r.reason !== undefined && !m.hall.rating.reasons.some((x) => x.code === r.reason)) {
      return this.refuse(r.id, 'bad-request', `reason ${r.reason} is not one of ${m.hall.rating.reasons.map((x) => x.code).join(', ')}`, replyTo);
    }
    const t = m.tickets.get(r.ticket);
    if (!t) return this.refuse(r.id, 'unknown-ticket', `no ticket ${r.ticket} today`, replyTo);
    if (t.window !== window || t.state !== 'done') return this.refuse(r.id, 'not-allowed', `window ${window} did not serve ${t.no}`, replyTo);
    if (t.rated) return this.refuse(r.id, 'rating-closed', `${t.no} is already rated`, replyTo);
    if (now > (t.doneAt ?? 0) + m.hall.rating.windowS * 1000) return this.refuse(r.id, 'rating-closed', `the rating window for ${t.no} is over`, replyTo);
    const e: HallEvent = {
      at: now, day: m.day, kind: 'rating', ticket: t.no, service: t.service, window, score: r.score,
      ...(t.staff ? { staff: t.staff } : {}), ...(r.reason ? { reason: r.reason } : {}),
    };
    return this.finish([e], { id: r.id, ok: true, ticket: { no: t.no, service: t.service } }, replyTo, now);
  }

  /**
   * The idle windows among `ids` that may serve `service`, in the order the
   * routing policy wants them to call a new ticket of it (the simulator asks
   * them in this order).
   */
  dispatchOrder(service: string, ids: readonly string[]): string[] {
    const ws = ids.map((id) => this.model.windows.get(id)).filter((w): w is WindowRt => !!w && (w.own.includes(service) || w.overflow.includes(service)));
    return (this.policy.dispatchOrder ? this.policy.dispatchOrder(ws, service, this.model.hall.routing) : ws).map((w) => w.id);
  }

  /** The routing policy's pick for `w`, over today's queues. */
  private pick(w: WindowRt, now: number): Ticket | null {
    const m = this.model;
    const ctx: RoutingContext = {
      nowMs: now, window: w, windows: m.windowList, queues: m.queues, services: m.routingServices,
      ordinaryPerPriority: m.hall.priority.ordinaryPerPriority, ordinarySincePriority: m.ordinarySincePriority,
      passedOver: m.passedOver, settings: m.hall.routing,
    };
    const q = this.policy.pick(ctx);
    if (!q) return null;
    const t = m.tickets.get(q.no);
    // A policy may only pick a waiting ticket this window serves.
    if (!t || t.state !== 'waiting' || !(w.own.includes(t.service) || w.overflow.includes(t.service))) return null;
    return t;
  }

  // ---- time -------------------------------------------------------------

  /** Rolls the day over, raises wait-over-limit alerts, lets rating pads time out. Call about once a second. */
  tick(nowMs?: number): void {
    const now = this.now(nowMs);
    const m = this.model;
    const expired: string[] = [];
    for (const w of m.windowList) {
      if (w.ratingFor && now >= w.ratingUntil) { w.ratingFor = null; expired.push(w.id); }
    }
    const events: HallEvent[] = [];
    for (const q of m.queues.values()) {
      for (const t of q) {
        if (t.alerted || now - t.arrivedAtMs <= m.services.get(t.service)!.waitLimitS * 1000) continue;
        events.push({ at: now, day: m.day, kind: 'alert', alert: `wait-over-limit/${t.day}/${t.no}`, alertKind: 'wait-over-limit', state: 'raised', ticket: t.no, service: t.service });
      }
    }
    if (events.length) {
      try { this.store.append(events); } catch { return; } // retried on the next tick
      for (const e of events) m.apply(e);
      this.emit(events, now);
    }
    if (expired.length) {
      this.version++;
      for (const id of expired) for (const fn of this.wins) fn(id);
      for (const fn of this.changes) fn();
    }
  }

  private now(nowMs?: number): number {
    const now = nowMs ?? this.clock.now();
    const m = this.model;
    if (now >= m.dayEnd || now < m.dayStart) {
      const before = m.day;
      m.startDay(localDay(now, m.hall.hall.timezone));
      if (before && before !== m.day) {
        // A new service day: queues and windows' tickets are gone; screens must say so.
        this.version++;
        for (const w of m.windowList) for (const fn of this.wins) fn(w.id);
        for (const fn of this.changes) fn();
      }
    }
    m.refreshPriors(now);
    return now;
  }

  // ---- views ------------------------------------------------------------

  hallState(nowMs?: number): HallState {
    const now = this.now(nowMs);
    return hallState(this.model, now, this.model.secondOfDay(now));
  }

  windowState(id: string, nowMs?: number): WindowState {
    const w = this.model.windows.get(id);
    if (!w) throw new Error(`no window ${id}`);
    return windowState(this.model, w, this.now(nowMs));
  }

  ticketStatus(day: string, no: string): TicketStatus | null {
    if (day !== this.model.day) return null;
    const t = this.model.tickets.get(no);
    return t ? ticketStatus(this.model, t) : null;
  }

  // ---- commit -----------------------------------------------------------

  private refuse(id: string | null, code: ErrorCode, message: string, replyTo?: ReplyTo): Fail {
    return this.finish([], errorReply(id, code, message), replyTo, 0);
  }

  /** Stores events and reply together, then applies and notifies; a store failure changes nothing. */
  private finish<R extends { id: string | null }>(events: HallEvent[], reply: R, replyTo: ReplyTo | undefined, now: number): R | Fail {
    const stored = replyTo && reply.id !== null
      ? { sender: replyTo.sender, id: reply.id, topic: replyTo.topic, payload: JSON.stringify(reply) }
      : undefined;
    if (events.length || stored) {
      try {
        this.store.append(events, stored);
      } catch (e) {
        return errorReply(reply.id, 'internal', `the controller could not store the change: ${(e as Error).message}`);
      }
    }
    if (events.length) {
      for (const e of events) this.model.apply(e);
      this.emit(events, now);
    }
    return reply;
  }

  private emit(events: HallEvent[], now: number): void {
    this.version++;
    const m = this.model;
    const touched = new Set<string>();
    for (const e of events) {
      for (const fn of this.ev) fn(e);
      if ('window' in e && e.window) touched.add(e.window);
      if (e.kind === 'ticket-called' && this.calls.size) {
        const c = callEvent(m, m.tickets.get(e.ticket)!, m.windows.get(e.window)!, e.at, e.recall);
        for (const fn of this.calls) fn(c);
      }
      if (e.kind === 'alert' && this.alerts.size && e.ticket) {
        const a = waitAlert(m, m.tickets.get(e.ticket)!, e.at || now, e.state, e.window);
        for (const fn of this.alerts) fn(a);
      }
    }
    for (const id of touched) for (const fn of this.wins) fn(id);
    for (const fn of this.changes) fn();
  }
}

function sub<T>(set: Set<Listener<T>>, fn: Listener<T>): () => void {
  set.add(fn);
  return () => { set.delete(fn); };
}

function number(letter: string, n: number): string {
  return `${letter}${String(n).padStart(3, '0')}`;
}

function iso(m: HallModel, ms: number): string {
  return m.iso(ms);
}
