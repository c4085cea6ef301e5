// The demo hall's clock. A hall is closed at night, and a closed hall shows
// nothing moving, so outside opening hours the demo runs on a clock shifted to
// this morning's 08:00 hall time (the hospital's morning peak) that then advances in real time. Inside opening
// hours (or with `realTime`) it is the wall clock; `startAt` starts it at that hall time today, open or not.
import { readFileSync, writeFileSync } from 'node:fs';
import type { HallConfig } from '../config/hall.ts';
import { hhmmToS, localDay, localSecondOfDay, localToMs, type Clock, systemClock } from '../lib/time.ts';

export interface DemoClock extends Clock {
  /** Milliseconds added to the wall clock (0 when it is the wall clock). */
  readonly offsetMs: number;
}

export function isOpen(hall: HallConfig, ms: number): boolean {
  const s = localSecondOfDay(ms, hall.hall.timezone);
  return hall.hours.some((h) => s >= hhmmToS(h.open) && s < hhmmToS(h.close) - 1800);
}

/**
 * `stateFile` keeps the shift between runs on the same data folder, so that a
 * restarted demo's clock never goes back behind what its controller has stored.
 */
export function demoClock(hall: HallConfig, opts: { realTime?: boolean; now?: number; startAt?: string; stateFile?: string } = {}): DemoClock {
  const now = opts.now ?? systemClock.now();
  const tz = hall.hall.timezone;
  const saved = opts.stateFile ? readSaved(opts.stateFile) : null;
  // `startAt` asked for: today's hall time then, open or not (a fresh data folder's business).
  const asked = !opts.realTime && opts.startAt !== undefined;
  if (!asked && saved && saved.offsetMs !== 0 && !opts.realTime && isOpen(hall, now + saved.offsetMs) && saved.realDay === localDay(now, tz)) {
    return { offsetMs: saved.offsetMs, now: () => systemClock.now() + saved.offsetMs };
  }
  let offsetMs = 0;
  if (asked || (!opts.realTime && !isOpen(hall, now))) offsetMs = localToMs(localDay(now, tz), hhmmToS(opts.startAt ?? '08:00'), tz) - now;
  if (opts.stateFile) writeFileSync(opts.stateFile, JSON.stringify({ realDay: localDay(now, tz), offsetMs }));
  return { offsetMs, now: () => systemClock.now() + offsetMs };
}

function readSaved(file: string): { realDay: string; offsetMs: number } | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { realDay?: unknown; offsetMs?: unknown };
    return typeof v.realDay === 'string' && typeof v.offsetMs === 'number' ? { realDay: v.realDay, offsetMs: v.offsetMs } : null;
  } catch {
    return null;
  }
}
