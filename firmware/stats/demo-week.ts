// Drives simulated days through the controller's real HallEngine, the way kiosks
// and window keypads would: tickets, calls, recalls, no-shows, transfers, pauses,
// ratings. The engine stores every event in its own store (SqliteStore for the
// demo and the acceptance tests), so the manager's page has a week to show.
import type { HallEngine } from '../controller/engine.ts';
import { hhmmToS, localToMs } from '../lib/time.ts';
import { RATING_SCORES, type RatingScore } from '../protocol/messages.ts';
import { createRng, lognormal } from '../sim/rng.ts';

type Phase = 'idle' | 'called' | 'serving' | 'rating' | 'paused' | 'closed';
interface Win { id: string; phase: Phase; nextAt: number; ticket?: string; noShow?: boolean; recalled?: boolean; pauseAt?: number; paused?: boolean }

const STEP = 5_000;

export interface WeekOptions {
  /** Service days to run, in order, after any day already in the engine's store. */
  days: string[];
  ticketsPerDay: number;
  seed: number;
  /** Windows opened each day (07:30 to 17:00), staffed in rotation from the hall's staff. */
  windows: string[];
}

/** Runs the days on `engine`; returns how many tickets the kiosk was refused (e.g. a service outside its hours). */
export function driveWeek(engine: HallEngine, o: WeekOptions): { refused: number } {
  const steps = weekSteps(engine, o);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same days one 5-second step at a time: yields the virtual time after each
 * step, so a caller can act between them (a test cutting a hall's link mid-day).
 */
export function* weekSteps(engine: HallEngine, o: WeekOptions): Generator<number, { refused: number }> {
  const hall = engine.hall;
  const tz = hall.hall.timezone;
  const rng = createRng(o.seed);
  let seq = 0;
  let refused = 0;
  const id = () => `t-${++seq}`;
  const cmd = (w: string, action: 'open' | 'close' | 'pause' | 'resume' | 'call-next' | 'recall' | 'start' | 'complete' | 'no-show' | 'transfer', at: number, extra: { staff?: string; service?: string } = {}) => {
    const r = engine.window(w, { id: id(), action, ...extra }, at);
    if (!r.ok) throw new Error(`window ${w} ${action}: ${r.error.code} ${r.error.message}`);
    return r;
  };
  for (const [d, day] of o.days.entries()) {
    const open = localToMs(day, hhmmToS('07:30'), tz);
    const lastArrival = localToMs(day, hhmmToS('16:00'), tz);
    const close = localToMs(day, hhmmToS('17:00'), tz);
    engine.tick(open);
    // Arrivals: morning-heavy, the first weekday busier.
    const n = Math.round(o.ticketsPerDay * (d === 0 ? 1.2 : 1));
    const arrivals = Array.from({ length: n }, () => {
      const u = rng.next();
      const at = open + 60_000 + Math.floor((u * u) * (lastArrival - open - 60_000));
      const s = hall.services[[0, 0, 0, 1, 1, 2, 3][Math.floor(rng.next() * 7)]];
      return { at: Math.floor(at / STEP) * STEP, service: s.id, priority: rng.next() < 0.1 };
    }).sort((a, b) => a.at - b.at);
    const wins: Win[] = o.windows.map((w, i) => ({
      id: w, phase: 'idle', nextAt: open,
      // Two windows take a 20-minute pause after noon; one on some days only.
      pauseAt: i === 1 || (i === 3 && d % 2 === 0) ? localToMs(day, hhmmToS('12:00') + i * 300, tz) : undefined,
    }));
    wins.forEach((w, i) => cmd(w.id, 'open', open, { staff: hall.staff[(i + d) % hall.staff.length].id }));
    let next = 0;
    for (let t = open; t <= close + 3_600_000; t += STEP) {
      while (next < arrivals.length && arrivals[next].at <= t) {
        const a = arrivals[next++];
        const r = engine.kiosk('kiosk-1', { op: 'ticket', id: id(), service: a.service, priority: a.priority ? 'priority' : 'normal' }, t);
        if (!r.ok) refused++; // e.g. enquiry outside its own hours
      }
      for (const w of wins) {
        if (w.phase === 'closed' || w.nextAt > t) continue;
        switch (w.phase) {
          case 'idle': {
            if (t >= close) { cmd(w.id, 'close', t); w.phase = 'closed'; break; }
            if (w.pauseAt !== undefined && !w.paused && t >= w.pauseAt) {
              cmd(w.id, 'pause', t); w.phase = 'paused'; w.paused = true; w.nextAt = t + 1_200_000; break;
            }
            const r = cmd(w.id, 'call-next', t);
            if (!r.ticket) { w.nextAt = t + STEP; break; }
            w.ticket = r.ticket.no; w.phase = 'called'; w.noShow = rng.next() < 0.05; w.recalled = false;
            w.nextAt = t + STEP * (2 + Math.floor(rng.next() * 10));
            break;
          }
          case 'called':
            if (w.noShow && !w.recalled) { cmd(w.id, 'recall', t); w.recalled = true; w.nextAt = t + 30_000; break; }
            if (w.noShow) { cmd(w.id, 'no-show', t); w.phase = 'idle'; w.nextAt = t + STEP; break; }
            cmd(w.id, 'start', t); w.phase = 'serving';
            {
              const svc = hall.services.find((s) => s.id === engine.model.tickets.get(w.ticket!)!.service)!;
              w.nextAt = t + Math.max(STEP, Math.round(lognormal(rng, svc.expectedServiceS * 1000, 0.8) / STEP) * STEP);
            }
            break;
          case 'serving': {
            const cur = engine.model.tickets.get(w.ticket!)!;
            if (rng.next() < 0.03) {
              const to = cur.service === 'payment' ? 'registration' : 'payment';
              cmd(w.id, 'transfer', t, { service: to }); w.phase = 'idle'; w.nextAt = t + STEP; break;
            }
            cmd(w.id, 'complete', t);
            if (rng.next() < 0.7) { w.phase = 'rating'; w.nextAt = t + STEP; } else { w.phase = 'idle'; w.nextAt = t + STEP; }
            break;
          }
          case 'rating': {
            const score: RatingScore = RATING_SCORES[[0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 3, 4][Math.floor(rng.next() * 12)]];
            const bad = score === 'unsatisfied' || score === 'very-unsatisfied';
            const r = engine.rate(w.id, { id: id(), ticket: w.ticket!, score, ...(bad ? { reason: 'slow' } : {}) }, t);
            if (!r.ok) throw new Error(`rating ${w.ticket}: ${r.error.message}`);
            w.phase = 'idle'; w.nextAt = t;
            break;
          }
          case 'paused': cmd(w.id, 'resume', t); w.phase = 'idle'; w.nextAt = t; break;
          default: break;
        }
      }
      if (t % 60_000 === 0) engine.tick(t);
      if (wins.every((w) => w.phase === 'closed')) break;
      yield t;
    }
  }
  return { refused };
}
