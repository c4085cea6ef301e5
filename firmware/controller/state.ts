// The hall's in-memory state and the one function that changes it: `apply(event)`.
// The engine validates a command, turns it into events, stores them, then applies
// them here; a restart applies the stored events again and lands in the same state.
// No validation here: every event reaching `apply` was valid when it was stored.
import type { HallConfig, ServiceConfig, WindowConfig } from '../config/hall.ts';
import type { QueuedTicket, RoutingService, RoutingWindow } from '../routing/types.ts';
import type { ServiceTimeTable } from '../routing/service-times.ts';
import { countCall } from '../routing/guard-ledger.ts';
import { isoLocal, localSecondOfDay, localToMs, localWeekday, offsetMinutes } from '../lib/time.ts';
import type { HallEvent } from '../eventlog/schema.ts';

export type TicketState = 'waiting' | 'called' | 'serving' | 'done' | 'no-show' | 'parked';

export interface Ticket extends QueuedTicket {
  day: string;
  state: TicketState;
  kiosk: string;
  appointment?: string;
  offline: boolean;
  window?: string;
  staff?: string;
  calledAt?: number;
  startedAt?: number;
  doneAt?: number;
  rated: boolean;
  /** A wait-over-limit alert was raised for it (once per ticket). */
  alerted: boolean;
}

/** A window as the routing policy sees it (`RoutingWindow`) plus what the engine needs. */
export interface WindowRt extends RoutingWindow {
  name: string;
  cfg: WindowConfig;
  staff?: string;
  current: Ticket | null;
  /** The ticket whose rating the pad waits for, until `ratingUntil` (epoch ms). */
  ratingFor: Ticket | null;
  ratingUntil: number;
  /** When the status last changed. */
  since: number;
}

export interface RecentCall { no: string; window: string; service: string; at: number }

/**
 * Mean service time: today's observations blended with a prior worth this many
 * of them. The prior is the hall's recorded mean for this weekday and hour when a
 * table of recorded days is given (the live controller), else the configured guess.
 */
const PRIOR_WEIGHT = 3;
const RECENT_CALLS = 10;

export class HallModel {
  readonly services = new Map<string, ServiceConfig>();
  readonly routingServices = new Map<string, RoutingService>();
  private served = new Map<string, { sum: number; count: number }>();
  readonly windows = new Map<string, WindowRt>();
  readonly windowList: WindowRt[] = [];
  /** Waiting tickets per service, by place (issue time; a transfer keeps it). */
  readonly queues = new Map<string, Ticket[]>();
  /** Today's tickets by number (numbers are unique per day across services: letters differ). */
  readonly tickets = new Map<string, Ticket>();
  /** Last number given per service today, online or in a block. */
  readonly counters = new Map<string, number>();
  /** Numbers reserved for offline use today: number → kiosk and service. */
  readonly blocks = new Map<string, { kiosk: string; service: string }>();
  readonly ordinarySincePriority = new Map<string, number>();
  /**
   * Per service, the turns first-come-first-served owes it today (never below
   * 0; routing/guard-ledger.ts): one more each time a window called someone of
   * another service while this service's longest-waiting citizen, at risk, had
   * come earlier and could have been served there; one less each time it is
   * called while owed (the routing guard reads it). Derived from the events, so
   * a restarted controller has the same figures.
   */
  readonly passedOver = new Map<string, number>();
  readonly recentCalls: RecentCall[] = [];
  day = '';
  dayStart = 0;
  dayEnd = 0;
  /** The day's UTC offset in ms, or NaN on a day with a clock change (then Intl is asked each time). */
  private dayOffsetMs = NaN;

  /** Weekday (0 = Sunday) of the current service day, and the hour the priors were set for. */
  private weekday = -1;
  private priorHour = -1;
  private priorVersion = -1;

  constructor(readonly hall: HallConfig, private readonly serviceTimes?: ServiceTimeTable) {
    for (const s of hall.services) {
      this.services.set(s.id, s);
      this.routingServices.set(s.id, { id: s.id, waitLimitS: s.waitLimitS, meanServiceS: s.expectedServiceS });
      this.served.set(s.id, { sum: 0, count: 0 });
      this.queues.set(s.id, []);
    }
    for (const w of hall.windows) {
      const rt: WindowRt = {
        id: w.id, floor: w.floor, own: w.own, overflow: w.overflow, status: 'closed', busy: false,
        name: w.name, cfg: w, current: null, ratingFor: null, ratingUntil: 0, since: 0,
      };
      this.windows.set(w.id, rt);
      this.windowList.push(rt);
    }
  }

  /** Starts service day `day` (instant `atMs` lies in it): today's tickets, numbers and blocks start afresh. */
  startDay(day: string): void {
    if (day === this.day) return;
    const tz = this.hall.hall.timezone;
    this.day = day;
    this.dayStart = localToMs(day, 0, tz);
    const next = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    this.dayEnd = localToMs(next, 0, tz);
    this.dayOffsetMs = this.dayEnd - this.dayStart === 86_400_000 ? offsetMinutes(this.dayStart, tz) * 60_000 : NaN;
    this.tickets.clear();
    for (const q of this.queues.values()) q.length = 0;
    this.counters.clear();
    this.blocks.clear();
    this.ordinarySincePriority.clear();
    this.passedOver.clear();
    this.recentCalls.length = 0;
    this.weekday = localWeekday(this.dayStart + 12 * 3_600_000, tz);
    this.priorHour = -1;
    for (const [id, s] of this.served) {
      s.sum = 0; s.count = 0;
      this.routingServices.get(id)!.meanServiceS = this.services.get(id)!.expectedServiceS;
    }
    // Windows keep their status across midnight; yesterday's tickets are gone.
    for (const w of this.windowList) { w.current = null; w.busy = false; w.ratingFor = null; }
  }

  apply(e: HallEvent): void {
    if (e.day !== this.day) this.startDay(e.day);
    switch (e.kind) {
      case 'ticket-issued': {
        const t: Ticket = {
          no: e.ticket, service: e.service, priority: e.priority, queuedAtMs: e.arrivedAt, arrivedAtMs: e.arrivedAt,
          day: e.day, state: 'waiting', kiosk: e.kiosk, appointment: e.appointment, offline: e.offline ?? false,
          rated: false, alerted: false,
        };
        this.tickets.set(t.no, t);
        this.enqueue(t);
        this.bumpCounter(e.service, e.ticket);
        break;
      }
      case 'block-reserved':
        for (const no of e.numbers) {
          this.blocks.set(no, { kiosk: e.kiosk, service: e.service });
          this.bumpCounter(e.service, no);
        }
        break;
      case 'ticket-called': {
        const t = this.tickets.get(e.ticket)!;
        const w = this.windows.get(e.window)!;
        if (!e.recall) {
          if (t.state === 'waiting') {
            this.countPassedOver(w, t, e.at);
            this.dequeue(t);
            this.ordinarySincePriority.set(t.service, t.priority ? 0 : (this.ordinarySincePriority.get(t.service) ?? 0) + 1);
          }
          t.state = 'called';
          t.window = e.window;
          t.staff = e.staff;
          w.current = t;
          w.busy = true;
        }
        t.calledAt = e.at;
        this.recentCalls.unshift({ no: t.no, window: e.window, service: t.service, at: e.at });
        if (this.recentCalls.length > RECENT_CALLS) this.recentCalls.pop();
        break;
      }
      case 'ticket-started': {
        const t = this.tickets.get(e.ticket)!;
        t.state = 'serving';
        t.startedAt = e.at;
        break;
      }
      case 'ticket-completed': {
        const t = this.tickets.get(e.ticket)!;
        const w = this.windows.get(e.window)!;
        t.state = 'done';
        t.doneAt = e.at;
        this.release(w);
        w.ratingFor = t;
        w.ratingUntil = e.at + this.hall.rating.windowS * 1000;
        this.observe(t.service, (e.at - (t.startedAt ?? e.at)) / 1000);
        break;
      }
      case 'ticket-no-show':
      case 'ticket-parked': {
        const t = this.tickets.get(e.ticket)!;
        t.state = e.kind === 'ticket-no-show' ? 'no-show' : 'parked';
        this.release(this.windows.get(e.window)!);
        break;
      }
      case 'ticket-transferred': {
        const t = this.tickets.get(e.ticket)!;
        if (e.window) this.release(this.windows.get(e.window)!);
        t.service = e.to;
        t.state = 'waiting';
        t.window = undefined;
        this.enqueue(t);
        break;
      }
      case 'rating': {
        const t = this.tickets.get(e.ticket);
        if (t) t.rated = true;
        const w = this.windows.get(e.window)!;
        if (w.ratingFor === t) w.ratingFor = null;
        break;
      }
      case 'window-status': {
        const w = this.windows.get(e.window)!;
        w.status = e.status;
        w.since = e.at;
        if (e.status === 'open' && e.staff) w.staff = e.staff;
        if (e.status === 'closed') { w.staff = undefined; w.ratingFor = null; }
        break;
      }
      case 'alert': {
        const t = e.ticket ? this.tickets.get(e.ticket) : undefined;
        if (t && e.state === 'raised') t.alerted = true;
        break;
      }
    }
  }

  /** Seconds since local midnight; cheap on the (usual) days without a clock change. */
  secondOfDay(ms: number): number {
    if (ms >= this.dayStart && ms < this.dayEnd && !Number.isNaN(this.dayOffsetMs)) return Math.floor((ms - this.dayStart) / 1000);
    return localSecondOfDay(ms, this.hall.hall.timezone);
  }

  /** `isoLocal` in the hall's zone, without Intl on the usual days (the hot path of the simulator). */
  iso(ms: number): string {
    if (ms < this.dayStart || ms >= this.dayEnd || Number.isNaN(this.dayOffsetMs)) return isoLocal(ms, this.hall.hall.timezone);
    const off = this.dayOffsetMs / 60_000;
    const a = Math.abs(off);
    const sign = off < 0 ? '-' : '+';
    return `${new Date(ms + this.dayOffsetMs).toISOString().slice(0, 23)}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  }

  /** Number part of a ticket number of `service`, e.g. A023 → 23. */
  private bumpCounter(service: string, no: string): void {
    const n = Number(no.slice(this.services.get(service)!.letter.length));
    if (n > (this.counters.get(service) ?? 0)) this.counters.set(service, n);
  }

  private release(w: WindowRt): void {
    w.current = null;
    w.busy = false;
  }

  /** Inserts by place; equal places keep arrival order. Usually appends (O(1)). */
  private enqueue(t: Ticket): void {
    const q = this.queues.get(t.service)!;
    let lo = 0;
    let hi = q.length;
    if (hi === 0 || q[hi - 1]!.queuedAtMs <= t.queuedAtMs) { q.push(t); return; }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (q[mid]!.queuedAtMs <= t.queuedAtMs) lo = mid + 1; else hi = mid;
    }
    q.splice(lo, 0, t);
  }

  private dequeue(t: Ticket): void {
    const q = this.queues.get(t.service)!;
    const i = q.indexOf(t);
    if (i >= 0) q.splice(i, 1);
  }

  /** `t` is called at `w`: the guard's ledger (routing/guard-ledger.ts) counts whom first come first served would have called. */
  private countPassedOver(w: WindowRt, t: Ticket, now: number): void {
    countCall(this.passedOver, [...w.own, ...w.overflow], (s) => this.queues.get(s)?.[0], (s) => this.services.get(s)!.waitLimitS, t, now);
  }

  /** The prior mean service time of `service` for the hour set by `refreshPriors`. */
  priorServiceS(service: string): number {
    const recorded = this.serviceTimes && this.priorHour >= 0 ? this.serviceTimes.meanS(service, this.weekday, this.priorHour) : undefined;
    return recorded ?? this.services.get(service)!.expectedServiceS;
  }

  /** With a table of recorded days, moves each service's prior to the hour of `nowMs` (cheap when the hour is unchanged). */
  refreshPriors(nowMs: number): void {
    if (!this.serviceTimes || !this.day) return;
    const hour = Math.floor(this.secondOfDay(nowMs) / 3600);
    const version = this.serviceTimes.version ?? 0;
    if (hour === this.priorHour && version === this.priorVersion) return;
    this.priorHour = hour;
    this.priorVersion = version;
    for (const id of this.services.keys()) this.blend(id);
  }

  private blend(service: string): void {
    const s = this.served.get(service)!;
    this.routingServices.get(service)!.meanServiceS = (this.priorServiceS(service) * PRIOR_WEIGHT + s.sum) / (PRIOR_WEIGHT + s.count);
  }

  private observe(service: string, seconds: number): void {
    const s = this.served.get(service)!;
    s.sum += seconds;
    s.count += 1;
    this.blend(service);
  }

  /** Services served today and how many, for statistics in the simulator. */
  servedToday(service: string): { count: number; meanS: number } {
    const s = this.served.get(service);
    return { count: s?.count ?? 0, meanS: s && s.count ? s.sum / s.count : 0 };
  }

  /** Whether `service` takes tickets at `secondOfDay` (its hours, else the hall's). */
  isOpen(service: string, secondOfDay: number): boolean {
    const spans = this.services.get(service)?.hours ?? this.hall.hours;
    return spans.some((s) => secondOfDay >= hhmm(s.open) && secondOfDay < hhmm(s.close));
  }

  /** Windows that take `service`: owners first, then overflow. */
  windowsFor(service: string): string[] {
    let ids = this.takers.get(service);
    if (!ids) {
      const own = this.windowList.filter((w) => w.own.includes(service)).map((w) => w.id);
      const over = this.windowList.filter((w) => w.overflow.includes(service)).map((w) => w.id);
      ids = [...own, ...over];
      this.takers.set(service, ids);
    }
    return [...ids];
  }
  private takers = new Map<string, string[]>();
}

function hhmm(s: string): number {
  return Number(s.slice(0, 2)) * 3600 + Number(s.slice(3, 5)) * 60;
}
