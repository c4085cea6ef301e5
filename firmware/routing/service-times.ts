// Mean service times as the hall recorded them, by service, weekday and hour:
// what the live controller starts each hour from, instead of the configured
// guess. Pure: built from (service, start, duration) samples however they were read.
import { localSecondOfDay, localWeekday } from '../lib/time.ts';

const QUARTER_MS = 900_000;
const quarters = new Map<string, { weekday: number; hour: number }>();

/**
 * Weekday (0 = Sunday) and hour of `ms` in `tz`, asked of Intl once per quarter
 * hour (every zone's offset is a whole number of quarter hours): reading eight
 * weeks of a busy hall's events must not cost an Intl call per event.
 */
export function localWeekdayHour(ms: number, tz: string): { weekday: number; hour: number } {
  const q = Math.floor(ms / QUARTER_MS);
  const key = `${tz}|${q}`;
  let v = quarters.get(key);
  if (!v) {
    const at = q * QUARTER_MS;
    v = { weekday: localWeekday(at, tz), hour: Math.floor(localSecondOfDay(at, tz) / 3600) };
    if (quarters.size > 200_000) quarters.clear();
    quarters.set(key, v);
  }
  return v;
}

export interface ServiceTimeSample {
  service: string;
  /** When service started (epoch ms). */
  startedAtMs: number;
  durationS: number;
}

/** Mean service time of `service` in hour `hour` (0–23) of weekday `weekday` (0 = Sunday), or undefined. */
export interface ServiceTimeTable {
  meanS(service: string, weekday: number, hour: number): number | undefined;
  /** Changes whenever the means may have (a table filled in the background); absent: never changes. */
  readonly version?: number;
}

/** Samples a cell needs before its mean is trusted over the coarser one. */
export const MIN_SAMPLES = 20;

interface Cell { sum: number; n: number }

/**
 * The recorded means, with fallbacks when a cell is thin: same weekday and hour;
 * else the same hour on any weekday; else the service's mean over every recorded
 * hour; else undefined (the caller keeps the configured prior).
 * Durations over `maxS` (a window left "serving" over lunch) are left out.
 * Days can be added and dropped one at a time (a window of recent days kept up
 * to date); `version` changes whenever the means may have.
 */
export class RecordedServiceTimes implements ServiceTimeTable {
  private cells = new Map<string, Cell>();
  private days = new Map<string, Map<string, Cell>>();
  private readonly minSamples: number;
  private readonly maxS: number;
  samples = 0;
  version = 0;

  constructor(samples: Iterable<ServiceTimeSample>, readonly timezone: string, opts: { minSamples?: number; maxS?: number } = {}) {
    this.minSamples = opts.minSamples ?? MIN_SAMPLES;
    this.maxS = opts.maxS ?? 4 * 3600;
    this.addDay('', samples);
  }

  /** Adds one day's samples (a day already added is replaced). */
  addDay(day: string, samples: Iterable<ServiceTimeSample>): void {
    this.dropDay(day);
    const mine = new Map<string, Cell>();
    for (const x of samples) {
      if (!(x.durationS > 0 && x.durationS <= this.maxS)) continue;
      const { weekday: wd, hour: h } = localWeekdayHour(x.startedAtMs, this.timezone);
      for (const key of [`${x.service}|${wd}|${h}`, `${x.service}|*|${h}`, `${x.service}|*|*`]) {
        const c = mine.get(key) ?? { sum: 0, n: 0 };
        c.sum += x.durationS;
        c.n += 1;
        mine.set(key, c);
      }
    }
    this.days.set(day, mine);
    for (const [key, c] of mine) {
      const t = this.cells.get(key) ?? { sum: 0, n: 0 };
      t.sum += c.sum; t.n += c.n;
      this.cells.set(key, t);
      if (key.endsWith('|*|*')) this.samples += c.n;
    }
    this.version++;
  }

  dropDay(day: string): void {
    const mine = this.days.get(day);
    if (!mine) return;
    this.days.delete(day);
    for (const [key, c] of mine) {
      const t = this.cells.get(key)!;
      t.sum -= c.sum; t.n -= c.n;
      if (t.n <= 0) this.cells.delete(key);
      if (key.endsWith('|*|*')) this.samples -= c.n;
    }
    this.version++;
  }

  /** The days added (besides the samples given to the constructor). */
  dayList(): string[] {
    return [...this.days.keys()].filter((d) => d !== '').sort();
  }

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
