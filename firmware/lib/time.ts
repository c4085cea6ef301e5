// Hall-local time. Halls live in one IANA time zone; the contract's times are ISO
// 8601 with the hall's offset, and a "service day" is the hall's local date.

import { loadZone, zoneOffset } from './tzif.ts';

// Offsets come from the system's TZif files (lib/tzif.ts): asking Intl for a time zone
// loads ICU's zone data, ~8 MB of RSS in every board process. Intl is the fallback for a
// zone the system has no file for.

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad2 = (n: number) => String(n).padStart(2, '0');

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function intlParts(ms: number, tz: string) {
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

/** The local calendar fields of instant `ms` in `tz` (strings, as Intl's formatToParts gives them). */
function parts(ms: number, tz: string): Record<string, string> {
  const zone = loadZone(tz);
  if (!zone) return intlParts(ms, tz);
  const d = new Date(Math.floor(ms / 1000) * 1000 + zoneOffset(zone, Math.floor(ms / 1000)) * 1000);
  return {
    year: String(d.getUTCFullYear()).padStart(4, '0'), month: pad2(d.getUTCMonth() + 1), day: pad2(d.getUTCDate()),
    hour: pad2(d.getUTCHours()), minute: pad2(d.getUTCMinutes()), second: pad2(d.getUTCSeconds()),
    weekday: WEEKDAYS[d.getUTCDay()],
  };
}

/** Whether `tz` names a time zone this machine knows (its TZif file, else Intl). */
export function isKnownTimeZone(tz: string): boolean {
  if (loadZone(tz)) return true;
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}

/** Offset of `tz` from UTC at instant `ms`, in minutes (e.g. +480 for Asia/Shanghai). */
export function offsetMinutes(ms: number, tz: string): number {
  const zone = loadZone(tz);
  if (zone) return Math.round(zoneOffset(zone, Math.floor(ms / 1000)) / 60);
  const p = intlParts(ms, tz);
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
  return WEEKDAYS.indexOf(parts(ms, tz).weekday);
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
