// Hall-local time. Halls live in one IANA time zone; the contract's times are ISO
// 8601 with the hall's offset, and a "service day" is the hall's local date.

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function parts(ms: number, tz: string) {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
    });
    fmtCache.set(tz, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** Offset of `tz` from UTC at instant `ms`, in minutes (e.g. +480 for Asia/Shanghai). */
export function offsetMinutes(ms: number, tz: string): number {
  const p = parts(ms, tz);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** `2026-11-26T09:03:12.000+08:00` */
export function isoLocal(ms: number, tz: string): string {
  const p = parts(ms, tz);
  const off = offsetMinutes(ms, tz);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const msPart = String(Math.floor(((ms % 1000) + 1000) % 1000)).padStart(3, '0');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${msPart}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The hall's service day, `YYYY-MM-DD`. */
export function localDay(ms: number, tz: string): string {
  const p = parts(ms, tz);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Seconds since local midnight. */
export function localSecondOfDay(ms: number, tz: string): number {
  const p = parts(ms, tz);
  return +p.hour * 3600 + +p.minute * 60 + +p.second;
}

/** 0 = Sunday … 6 = Saturday, in the hall's zone. */
export function localWeekday(ms: number, tz: string): number {
  return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts(ms, tz).weekday);
}

/** `HH:MM` → seconds since midnight. */
export function hhmmToS(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`bad time of day ${hhmm}`);
  return +m[1] * 3600 + +m[2] * 60;
}

/** The instant of local `day` at `secondOfDay` in `tz` (DST-safe to within the hour it skips). */
export function localToMs(day: string, secondOfDay: number, tz: string): number {
  const [y, mo, d] = day.split('-').map(Number);
  const guess = Date.UTC(y, mo - 1, d) + secondOfDay * 1000;
  const off1 = offsetMinutes(guess, tz);
  const t = guess - off1 * 60000;
  const off2 = offsetMinutes(t, tz);
  return guess - off2 * 60000;
}

/** A source of "now". Production uses the wall clock; the simulator a virtual one. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export class VirtualClock implements Clock {
  constructor(private t: number) {}
  now(): number { return this.t; }
  set(t: number): void {
    if (t < this.t) throw new Error('virtual time cannot go backwards');
    this.t = t;
  }
  advance(ms: number): void { this.set(this.t + ms); }
}
