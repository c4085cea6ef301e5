// One simulated hall day: a discrete-event simulation on a virtual clock.
// Citizens arrive (Poisson per span) and take a ticket; a free window asks the
// hall for its next citizen; service takes a sampled time; then the window is
// free again. All decisions (routing, estimates) are the hall's, not ours.
import type { Scenario, Distribution } from './scenario.ts';
import { dayBoundsS } from './scenario.ts';
import type { SimHall } from './hall.ts';
import { EventQueue } from './heap.ts';
import { createRng, exponential, lognormal, type Rng } from './rng.ts';
import { localToMs } from '../lib/time.ts';

/** A Monday, so weekday-keyed figures read naturally; any date works. */
export const SIM_DAY = '2026-11-23';
/** How often idle windows re-ask when the policy left them idle. */
const TICK_MS = 5_000;

export interface CitizenRecord {
  no: string;
  service: string;
  priority: boolean;
  arrivedAtMs: number;
  estWaitS: number;
  /** Seconds from arrival to being called; undefined if never called. */
  waitS?: number;
  window?: string;
}

export interface DayResult {
  seed: number;
  citizens: CitizenRecord[];
  maxQueue: number;
  /** Busy seconds / (windows × opening seconds). */
  utilisation: number;
  calls: Array<{ atMs: number; window: string; no: string }>;
  /** Events processed, for the speed benchmark. */
  events: number;
  /** Wait-over-limit alerts the controller raised during the day. */
  alerts: number;
}

type Ev =
  | { k: 'arrive'; service: string; priority: boolean }
  | { k: 'noshow'; window: string }
  | { k: 'tick' }
  | { k: 'start'; window: string; no: string }
  | { k: 'end'; window: string }
  | { k: 'staff'; window: string; open: boolean };

export function sample(rng: Rng, d: Distribution): number {
  switch (d.dist) {
    case 'lognormal': return lognormal(rng, d.meanS, d.cv);
    case 'exponential': return exponential(rng, d.meanS);
    case 'deterministic': return d.meanS;
  }
}

/** Poisson arrival instants (seconds of day) for each service, from its spans. */
export function arrivalTimes(s: Scenario, seed: number): Array<{ atS: number; service: string; priority: boolean }> {
  const out: Array<{ atS: number; service: string; priority: boolean }> = [];
  s.services.forEach((svc, i) => {
    const rng = createRng(seed, 1 + i);
    const prio = createRng(seed, 1001 + i);
    for (const [from, to, perHour] of s.arrivals[svc.id] ?? []) {
      if (perHour <= 0) continue;
      const end = toS(to);
      for (let t = toS(from) + exponential(rng, 3600 / perHour); t < end; t += exponential(rng, 3600 / perHour)) {
        out.push({ atS: t, service: svc.id, priority: prio.next() < svc.priorityShare });
      }
    }
  });
  return out.sort((a, b) => a.atS - b.atS);
}
const toS = (hhmm: string) => +hhmm.slice(0, 2) * 3600 + +hhmm.slice(3) * 60;

export interface DayOptions {
  /** Scripted arrivals instead of Poisson ones (seconds of day). */
  arrivals?: Array<{ atS: number; service: string; priority: boolean }>;
  /**
   * Staffing through the day: at `atS` window `window` is paused (open: false) or
   * resumed (open: true); a window serving someone finishes first. Without it
   * every window is open all day.
   */
  staffing?: Array<{ atS: number; window: string; open: boolean }>;
}

export function simulateDay(s: Scenario, hall: SimHall, seed: number, opts: DayOptions = {}): DayResult {
  const { openS, closeS } = dayBoundsS(s);
  const t0 = localToMs(SIM_DAY, 0, s.timezone);
  const ms = (sec: number) => t0 + Math.round(sec * 1000);
  const svcRng = new Map(s.services.map((x, i) => [x.id, createRng(seed, 2001 + i)] as const));
  const dist = new Map(s.services.map((x) => [x.id, x] as const));
  const noShowRng = createRng(seed, 3001);
  const walkRng = createRng(seed, 3002);

  const q = new EventQueue<Ev>();
  // Staffing changes first: at equal times they run before arrivals.
  for (const st of opts.staffing ?? []) q.push(ms(st.atS), { k: 'staff', window: st.window, open: st.open });
  for (const a of opts.arrivals ?? arrivalTimes(s, seed)) q.push(ms(a.atS), { k: 'arrive', service: a.service, priority: a.priority });

  q.push(ms(openS), { k: 'tick' });
  const idle = new Set(s.windows.map((w) => w.id));
  const eligible = new Map(s.windows.map((w) => [w.id, new Set(hall.servicesOf(w.id))] as const));
  const serving = new Map<string, string>(); // window → ticket no
  const paused = new Set<string>();
  const citizens = new Map<string, CitizenRecord>();
  const calls: DayResult['calls'] = [];
  let busyMs = 0;
  let maxQueue = 0;
  let events = 0;

  const tryCall = (window: string, at: number): void => {
    const c = hall.callNext(window, at);
    if (!c) return;
    idle.delete(window);
    calls.push({ atMs: at, window, no: c.no });
    const rec = citizens.get(c.no);
    if (rec) { rec.waitS = (at - rec.arrivedAtMs) / 1000; rec.window = window; }
    const svc = dist.get(c.service)!;
    if (svc.noShowShare > 0 && noShowRng.next() < svc.noShowShare) {
      // Staff wait a short while for a citizen who never comes, then call again.
      const giveUp = at + 30_000;
      q.push(giveUp, { k: 'noshow', window });
      serving.set(window, c.no);
      return;
    }
    serving.set(window, c.no); // walking to the window: the window is taken
    const walk = s.walkS > 0 ? exponential(walkRng, s.walkS * 1000) : 0;
    q.push(at + Math.round(walk), { k: 'start', window, no: c.no });
  };

  for (let ev = q.pop(); ev; ev = q.pop()) {
    events++;
    const at = ev.at;
    const e = ev.value;
    if (e.k === 'arrive') {
      const t = hall.issue(e.service, e.priority, at);
      citizens.set(t.no, { no: t.no, service: e.service, priority: e.priority, arrivedAtMs: at, estWaitS: t.estWaitS });
      const order = hall.dispatchOrder ? hall.dispatchOrder(e.service, [...idle]) : [...idle].filter((w) => eligible.get(w)!.has(e.service));
      for (const w of order) if (idle.has(w)) tryCall(w, at);
      const n = hall.waiting();
      if (n > maxQueue) maxQueue = n;
    } else if (e.k === 'start') {
      hall.start(e.window, at);
      const dur = Math.max(1, Math.round(sample(svcRng.get(citizens.get(e.no)!.service)!, dist.get(citizens.get(e.no)!.service)!.serviceTime) * 1000));
      busyMs += dur;
      serving.set(e.window, e.no);
      q.push(at + dur, { k: 'end', window: e.window });
    } else if (e.k === 'end') {
      hall.complete(e.window, at);
      serving.delete(e.window);
      if (!paused.has(e.window)) { idle.add(e.window); tryCall(e.window, at); }
    } else if (e.k === 'tick') {
      // Windows left idle by the policy look again, as the controller's 1 s re-evaluation does.
      hall.tick?.(at);
      if (hall.waiting() > 0) {
        for (const w of [...idle]) {
          for (const svc of eligible.get(w)!) if (hall.waitingFor(svc) > 0) { tryCall(w, at); break; }
        }
      }
      if (at < ms(closeS) || hall.waiting() > 0) q.push(at + TICK_MS, { k: 'tick' });
    } else if (e.k === 'staff') {
      if (!hall.setOpen) throw new Error('this hall cannot pause windows');
      if (e.open === paused.has(e.window)) {
        hall.setOpen(e.window, e.open, at);
        if (e.open) {
          paused.delete(e.window);
          if (!serving.has(e.window)) { idle.add(e.window); tryCall(e.window, at); }
        } else {
          paused.add(e.window);
          idle.delete(e.window);
        }
      }
    } else {
      // A no-show's grace period is over.
      hall.noShow(e.window, at);
      serving.delete(e.window);
      if (!paused.has(e.window)) { idle.add(e.window); tryCall(e.window, at); }
    }
  }
  const openMs = (closeS - openS) * 1000 * s.windows.length;
  return { seed, citizens: [...citizens.values()], maxQueue, utilisation: busyMs / openMs, calls, events, alerts: hall.alertsRaised ?? 0 };
}
