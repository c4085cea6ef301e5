// A quick, seeded generator of plausible hall days as `HallEvent`s, for the
// year-long benchmark and for tests that need many days fast (write them with the
// event log's `writeEvents`); the acceptance test drives the real engine instead.
import type { HallConfig } from '../config/hall.ts';
import type { HallEvent } from '../eventlog/schema.ts';
import { hhmmToS, localToMs } from '../lib/time.ts';
import { createRng, exponential, lognormal, type Rng } from '../sim/rng.ts';
import { RATING_SCORES } from '../protocol/messages.ts';

export interface SynthOptions {
  tickets: number;
  seed: number;
  /** Share of tickets that do not come when called. */
  noShow?: number;
  transfer?: number;
  rated?: number;
}

// A morning-heavy hospital day: weight of arrivals per hour from 07:00.
const HOURLY = [4, 14, 16, 13, 11, 8, 5, 8, 9, 7, 4];

function pickWeighted(rng: Rng, w: number[]): number {
  let x = rng.next() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) { x -= w[i]; if (x < 0) return i; }
  return w.length - 1;
}

/** One service day's events, in time order. */
export function synthesizeDay(hall: HallConfig, day: string, o: SynthOptions): HallEvent[] {
  const tz = hall.hall.timezone;
  const rng = createRng(o.seed);
  const open = localToMs(day, hhmmToS(hall.hours[0].open), tz);
  const close = localToMs(day, hhmmToS(hall.hours[hall.hours.length - 1].close), tz);
  const midnight = localToMs(day, 0, tz);
  const ev: HallEvent[] = [];
  const wins = hall.windows.map((w, i) => ({
    cfg: w, staff: hall.staff[i % Math.max(1, hall.staff.length)]?.id, freeAt: open, pauseDone: i % 2 === 1,
  }));
  for (const w of wins) ev.push({ kind: 'window-status', at: open, day, window: w.cfg.id, status: 'open', staff: w.staff });
  // Arrivals, sorted, each with a service drawn from the hall's (first services busier).
  const arrivals: Array<{ at: number; service: string }> = [];
  for (let i = 0; i < o.tickets; i++) {
    const h = pickWeighted(rng, HOURLY);
    const at = Math.min(close - 60_000, Math.max(open, midnight + (7 + h) * 3_600_000 + Math.floor(rng.next() * 3_600_000)));
    const s = hall.services[pickWeighted(rng, hall.services.map((_, j) => 1 / (j + 1)))];
    arrivals.push({ at, service: s.id });
  }
  arrivals.sort((a, b) => a.at - b.at);
  // Keep the hall at about 85% load whatever the ticket count: shorten services if needed.
  const demandS = arrivals.reduce((n, a) => n + hall.services.find((s) => s.id === a.service)!.expectedServiceS + 30, 0);
  const capacityS = wins.length * (close - open) / 1000;
  const speed = Math.min(1, (0.85 * capacityS) / demandS);
  const next = new Map<string, number>();
  const noon = midnight + 12 * 3_600_000;
  for (const a of arrivals) {
    const svc = hall.services.find((s) => s.id === a.service)!;
    const n = (next.get(svc.id) ?? 0) + 1;
    next.set(svc.id, n);
    const ticket = `${svc.letter}${String(n).padStart(3, '0')}`;
    const arrivedAt = a.at;
    const issuedAt = arrivedAt + 5_000 + Math.floor(rng.next() * 40_000);
    ev.push({ kind: 'ticket-issued', at: issuedAt, day, ticket, service: svc.id, priority: rng.next() < 0.1, kiosk: 'k1', arrivedAt });
    // Lunch pauses (half the windows) happen the first time the window is free after noon.
    for (const w of wins) {
      if (!w.pauseDone && w.freeAt >= noon) {
        w.pauseDone = true;
        ev.push({ kind: 'window-status', at: w.freeAt, day, window: w.cfg.id, status: 'paused', staff: w.staff });
        w.freeAt += 900_000;
        ev.push({ kind: 'window-status', at: w.freeAt, day, window: w.cfg.id, status: 'open', staff: w.staff });
      }
    }
    const able = wins.filter((w) => w.cfg.own.includes(svc.id) || w.cfg.overflow.includes(svc.id));
    const w = able.reduce((best, x) => (x.freeAt < best.freeAt ? x : best), able[0]);
    const base = { day, ticket, service: svc.id, window: w.cfg.id, staff: w.staff };
    const callAt = Math.max(issuedAt + 1_000, w.freeAt + 1_000);
    ev.push({ ...base, kind: 'ticket-called', at: callAt, recall: false });
    const u = rng.next();
    let t = callAt;
    if (u < (o.noShow ?? 0.03)) {
      ev.push({ ...base, kind: 'ticket-called', at: t + 30_000, recall: true });
      t += 90_000;
      ev.push({ ...base, kind: 'ticket-no-show', at: t });
    } else {
      t += 5_000 + Math.floor(exponential(rng, 20_000 * speed));
      ev.push({ ...base, kind: 'ticket-started', at: t });
      t += Math.max(5_000, Math.floor(lognormal(rng, svc.expectedServiceS * 1000 * speed, 0.6)));
      if (u < (o.noShow ?? 0.03) + (o.transfer ?? 0.02) && hall.services.length > 1) {
        const to = hall.services.find((s) => s.id !== svc.id)!.id;
        ev.push({ kind: 'ticket-transferred', at: t, day, ticket, from: svc.id, to, window: w.cfg.id, staff: w.staff });
      } else {
        ev.push({ ...base, kind: 'ticket-completed', at: t });
        if (rng.next() < (o.rated ?? 0.6)) {
          const score = RATING_SCORES[pickWeighted(rng, [50, 35, 9, 4, 2])];
          ev.push({ ...base, kind: 'rating', at: t + 3_000 + Math.floor(rng.next() * 20_000), score, reason: score.includes('unsatisfied') ? 'slow' : undefined });
        }
      }
    }
    w.freeAt = t + 2_000;
  }
  for (const w of wins) ev.push({ kind: 'window-status', at: Math.max(close, w.freeAt), day, window: w.cfg.id, status: 'closed', staff: w.staff });
  // Stable sort keeps each ticket's own events in order when times tie.
  return ev.map((e, i) => [e, i] as const).sort((a, b) => a[0].at - b[0].at || a[1] - b[1]).map(([e]) => e);
}
