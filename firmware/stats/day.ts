// Folds one service day's events (in store order) into mergeable counters per
// service, window, staff member and hour of the day. Definitions (see API.md):
// - wait: arrival (`arrivedAt`) → the ticket's first call; by arrival hour;
// - walk: the latest non-recall call → start; service: start → complete;
// - served = completed; idle = window open and nobody at it; paused = status paused.
import type { HallConfig } from '../config/hall.ts';
import type { EventRow } from '../eventlog/rows.ts';
import type { RatingScore } from '../protocol/messages.ts';
import { hhmmToS, localToMs } from '../lib/time.ts';
import { addTime, emptyCounters, type Counters } from './figures.ts';

export interface DaySummary {
  day: string;
  events: number;
  lastSeq: number;
  /** Time of the day's last event (epoch ms). */
  lastAt: number;
  /** Accrual of window time stopped here (epoch ms). */
  endMs: number;
  total: Counters;
  services: Record<string, Counters>;
  windows: Record<string, Counters>;
  staff: Record<string, Counters>;
  /** Hour of the day (0–23) → counters; `openS` is summed window-open seconds in that hour. */
  hours: Record<number, Counters & { openS: number }>;
}

interface TicketTrack { service: string; arrivedAt: number; called: boolean; callAt?: number; startAt?: number }
interface WindowTrack { status: 'open' | 'paused' | 'closed'; since: number; busy: boolean; staff?: string }

/** Hall opening time of `day` (the earliest open of its spans), epoch ms. */
export function openingMs(hall: HallConfig, day: string): number {
  const open = Math.min(...hall.hours.map((h) => hhmmToS(h.open)));
  return localToMs(day, open, hall.hall.timezone);
}

/** Hall closing time of `day` (the latest close of its spans), epoch ms. */
export function closingMs(hall: HallConfig, day: string): number {
  const close = Math.max(...hall.hours.map((h) => hhmmToS(h.close)));
  return localToMs(day, close, hall.hall.timezone);
}

export class DayFolder {
  summary: DaySummary;
  private tickets = new Map<string, TicketTrack>();
  private wins = new Map<string, WindowTrack>();
  private midnight: number;
  private waitLimit = new Map<string, number>();
  private serviceLimit = new Map<string, number>();

  constructor(private hall: HallConfig, day: string) {
    this.summary = { day, events: 0, lastSeq: 0, lastAt: 0, endMs: 0, total: emptyCounters(), services: {}, windows: {}, staff: {}, hours: {} };
    // Hours are counted from local midnight (exact in zones without DST, which halls in China are).
    this.midnight = localToMs(day, 0, hall.hall.timezone);
    for (const s of hall.services) { this.waitLimit.set(s.id, s.waitLimitS); this.serviceLimit.set(s.id, s.serviceLimitS); }
  }

  /**
   * Windows left open or paused at the end of an earlier day (the engine carries
   * them over without a new event): they count from the hall's opening time.
   */
  carryOver(states: Array<{ window: string; status: 'open' | 'paused' | 'closed'; staff?: string }>, openingMs: number): void {
    for (const st of states) {
      if (st.status === 'closed') continue;
      this.wins.set(st.window, { status: st.status, since: openingMs, busy: false, staff: st.staff });
    }
  }

  private hour(ms: number): number { return Math.min(23, Math.max(0, Math.floor((ms - this.midnight) / 3_600_000))); }
  private hourGroup(h: number) {
    return (this.summary.hours[h] ??= Object.assign(emptyCounters(), { openS: 0 }));
  }
  /** The groups one fact lands in: the hall, its service, window, staff member and hour. */
  private groups(service: string | null, window: string | null, staff: string | null | undefined, hourMs: number): Counters[] {
    const s = this.summary;
    const out: Counters[] = [s.total, this.hourGroup(this.hour(hourMs))];
    if (service) out.push(s.services[service] ??= emptyCounters());
    if (window) out.push(s.windows[window] ??= emptyCounters());
    if (staff) out.push(s.staff[staff] ??= emptyCounters());
    return out;
  }
  private win(id: string): WindowTrack {
    let w = this.wins.get(id);
    if (!w) { w = { status: 'closed', since: 0, busy: false }; this.wins.set(id, w); }
    return w;
  }
  /** Books a window's time since its last change, splitting open time by hour. */
  private accrue(id: string, w: WindowTrack, to: number): void {
    if (w.status !== 'closed' && to > w.since) {
      const s = (to - w.since) / 1000;
      const c = (this.summary.windows[id] ??= emptyCounters());
      const key = w.status === 'paused' ? 'pausedS' : w.busy ? 'busyS' : 'idleS';
      c[key] += s;
      this.summary.total[key] += s;
      if (w.staff) (this.summary.staff[w.staff] ??= emptyCounters())[key] += s;
      if (w.status === 'open') {
        for (let t = w.since; t < to;) {
          const raw = Math.floor((t - this.midnight) / 3_600_000);
          // Time before midnight or after 23:00 stays in the first or last hour.
          const end = raw < 0 ? Math.min(to, this.midnight) : raw >= 23 ? to : Math.min(to, this.midnight + (raw + 1) * 3_600_000);
          const g = this.hourGroup(this.hour(t));
          g.openS += (end - t) / 1000;
          g[key] += (end - t) / 1000;
          t = end;
        }
      }
    }
    w.since = to;
  }
  private setBusy(id: string | null, at: number, busy: boolean): void {
    if (!id) return;
    const w = this.win(id);
    this.accrue(id, w, at);
    // A call at a window never opened implies it was open.
    if (busy && w.status === 'closed') w.status = 'open';
    w.busy = busy;
  }

  add(row: EventRow): void {
    const s = this.summary;
    s.events++;
    if (row.seq > s.lastSeq) s.lastSeq = row.seq;
    const at = row.at;
    if (at > s.lastAt) s.lastAt = at;
    const staffOf = () => row.staff ?? (row.window ? this.wins.get(row.window)?.staff : undefined) ?? null;
    switch (row.kind) {
      case 'ticket-issued': {
        if (!row.ticket || !row.service) break;
        const arrivedAt = row.arrivedAt ?? at;
        this.tickets.set(row.ticket, { service: row.service, arrivedAt, called: false });
        for (const g of this.groups(row.service, null, null, arrivedAt)) g.issued++;
        break;
      }
      case 'ticket-called': {
        const t = row.ticket ? this.tickets.get(row.ticket) : undefined;
        this.setBusy(row.window, at, true);
        if (!t) break;
        const recall = row.recall === 1;
        if (recall && t.callAt !== undefined) break;
        t.callAt = at;
        if (!t.called) {
          t.called = true;
          const service = row.service ?? t.service;
          const waitS = (at - t.arrivedAt) / 1000;
          for (const g of this.groups(service, row.window, staffOf(), t.arrivedAt)) addTime(g.wait, waitS, this.waitLimit.get(service));
        }
        break;
      }
      case 'ticket-started': {
        const t = row.ticket ? this.tickets.get(row.ticket) : undefined;
        if (!t || t.callAt === undefined) break;
        t.startAt = at;
        for (const g of this.groups(row.service ?? t.service, row.window, staffOf(), at)) addTime(g.walk, (at - t.callAt) / 1000);
        break;
      }
      case 'ticket-completed': {
        const t = row.ticket ? this.tickets.get(row.ticket) : undefined;
        const service = row.service ?? t?.service ?? null;
        for (const g of this.groups(service, row.window, staffOf(), at)) {
          g.served++;
          if (t?.startAt !== undefined) addTime(g.service, (at - t.startAt) / 1000, service ? this.serviceLimit.get(service) : undefined);
        }
        if (t) { t.startAt = undefined; t.callAt = undefined; }
        this.setBusy(row.window, at, false);
        break;
      }
      case 'ticket-no-show':
      case 'ticket-parked': {
        const t = row.ticket ? this.tickets.get(row.ticket) : undefined;
        if (row.kind === 'ticket-no-show') for (const g of this.groups(row.service ?? t?.service ?? null, row.window, staffOf(), at)) g.noShows++;
        if (t) { t.startAt = undefined; t.callAt = undefined; }
        this.setBusy(row.window, at, false);
        break;
      }
      case 'ticket-transferred': {
        // The `service` column holds where it went; `fromService` where it left.
        const t = row.ticket ? this.tickets.get(row.ticket) : undefined;
        for (const g of this.groups(row.fromService, row.window, staffOf(), at)) g.transferred++;
        if (t && row.service) { t.service = row.service; t.startAt = undefined; t.callAt = undefined; }
        this.setBusy(row.window, at, false);
        break;
      }
      case 'rating': {
        if (!row.score) break;
        for (const g of this.groups(row.service, row.window, staffOf(), at)) g.ratings[row.score as RatingScore]++;
        break;
      }
      case 'window-status': {
        if (!row.window || !row.status) break;
        const w = this.win(row.window);
        this.accrue(row.window, w, at);
        w.status = row.status as WindowTrack['status'];
        if (w.status === 'closed') w.busy = false;
        if (row.staff) w.staff = row.staff;
        else if (w.status === 'closed') w.staff = undefined;
        break;
      }
      default: break; // block-reserved and kinds added later change no figure here
    }
  }

  /**
   * The day so far, with window time accrued up to `endMs`, leaving this folder
   * able to take more events (today's figures are folded incrementally).
   */
  snapshot(endMs: number): DaySummary {
    const keep = this.summary;
    const copy = structuredClone(keep);
    this.summary = copy;
    try {
      for (const [id, w] of this.wins) this.accrue(id, { ...w }, Math.max(endMs, w.since));
    } finally {
      this.summary = keep;
    }
    copy.endMs = endMs;
    return copy;
  }

  /** Stops accrual of window time at `endMs` (closing time, or now for today). */
  finish(endMs: number): DaySummary {
    for (const [id, w] of this.wins) this.accrue(id, w, Math.max(endMs, w.since));
    this.summary.endMs = endMs;
    return this.summary;
  }
}
