// The demo hall's clock. A hall is closed at night, and a closed hall shows
// nothing moving, so outside opening hours the demo runs on a clock shifted to
// this morning's 09:30 hall time that then advances in real time. Inside opening
// hours (or with `realTime`) it is the wall clock.
import type { HallConfig } from '../config/hall.ts';
import { hhmmToS, localDay, localSecondOfDay, localToMs, type Clock } from '../lib/time.ts';

export interface DemoClock extends Clock {
  /** Milliseconds added to the wall clock (0 when it is the wall clock). */
  readonly offsetMs: number;
}

export function isOpen(hall: HallConfig, ms: number): boolean {
  const s = localSecondOfDay(ms, hall.hall.timezone);
  return hall.hours.some((h) => s >= hhmmToS(h.open) && s < hhmmToS(h.close) - 1800);
}

export function demoClock(hall: HallConfig, opts: { realTime?: boolean; now?: number; startAt?: string } = {}): DemoClock {
  const now = opts.now ?? Date.now();
  if (opts.realTime || isOpen(hall, now)) return { offsetMs: 0, now: () => Date.now() };
  const tz = hall.hall.timezone;
  const target = localToMs(localDay(now, tz), hhmmToS(opts.startAt ?? '09:30'), tz);
  const offsetMs = target - now;
  return { offsetMs, now: () => Date.now() + offsetMs };
}
