// Mean service times as the hall recorded them, by service, weekday and hour:
// what the live controller starts each hour from, instead of the configured
// guess. Pure: built from (service, start, duration) samples however they were read.
import { localSecondOfDay, localWeekday } from '../lib/time.ts';

export interface ServiceTimeSample {
  service: string;
  /** When service started (epoch ms). */
  startedAtMs: number;
  durationS: number;
}

/** Mean service time of `service` in hour `hour` (0–23) of weekday `weekday` (0 = Sunday), or undefined. */
export interface ServiceTimeTable {
  meanS(service: string, weekday: number, hour: number): number | undefined;
}

/** Samples a cell needs before its mean is trusted over the coarser one. */
export const MIN_SAMPLES = 20;

interface Cell { sum: number; n: number }

/**
 * The recorded means, with fallbacks when a cell is thin: same weekday and hour;
 * else the same hour on any weekday; else the service's mean over every recorded
 * hour; else undefined (the caller keeps the configured prior).
 * Durations over `maxS` (a window left "serving" over lunch) are left out.
 */
export class RecordedServiceTimes implements ServiceTimeTable {
  private cells = new Map<string, Cell>();
  readonly samples: number = 0;

  constructor(samples: Iterable<ServiceTimeSample>, readonly timezone: string, opts: { minSamples?: number; maxS?: number } = {}) {
    this.minSamples = opts.minSamples ?? MIN_SAMPLES;
    const maxS = opts.maxS ?? 4 * 3600;
    let n = 0;
    for (const x of samples) {
      if (!(x.durationS > 0 && x.durationS <= maxS)) continue;
      const wd = localWeekday(x.startedAtMs, timezone);
      const h = Math.floor(localSecondOfDay(x.startedAtMs, timezone) / 3600);
      for (const key of [`${x.service}|${wd}|${h}`, `${x.service}|*|${h}`, `${x.service}|*|*`]) {
        const c = this.cells.get(key) ?? { sum: 0, n: 0 };
        c.sum += x.durationS;
        c.n += 1;
        this.cells.set(key, c);
      }
      n++;
    }
    this.samples = n;
  }
  private readonly minSamples: number;

  meanS(service: string, weekday: number, hour: number): number | undefined {
    for (const key of [`${service}|${weekday}|${hour}`, `${service}|*|${hour}`, `${service}|*|*`]) {
      const c = this.cells.get(key);
      if (c && c.n >= this.minSamples) return c.sum / c.n;
    }
    return undefined;
  }

  /** How many samples stand behind `meanS` for this cell (0 when it falls back). */
  count(service: string, weekday: number, hour: number): number {
    return this.cells.get(`${service}|${weekday}|${hour}`)?.n ?? 0;
  }
}

/**
 * Service-time samples from an event log in order: a `ticket-started` then the
 * same day's `ticket-completed` of that ticket (a no-show, park or transfer in
 * between drops the start).
 */
export function* samplesFromEvents(events: Iterable<{ kind: string; at: number; day: string; ticket?: string | null; service?: string | null }>): Generator<ServiceTimeSample> {
  const started = new Map<string, number>();
  for (const e of events) {
    if (!e.ticket) continue;
    const key = `${e.day}|${e.ticket}`;
    if (e.kind === 'ticket-started') started.set(key, e.at);
    else if (e.kind === 'ticket-completed') {
      const t0 = started.get(key);
      started.delete(key);
      if (t0 !== undefined && e.service) yield { service: e.service, startedAtMs: t0, durationS: (e.at - t0) / 1000 };
    } else if (e.kind === 'ticket-no-show' || e.kind === 'ticket-parked' || e.kind === 'ticket-transferred') started.delete(key);
  }
}
