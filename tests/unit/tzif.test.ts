// The hall clock's zone offsets come from the system's TZif files, not from ICU
// (lib/tzif.ts): they must agree with Intl everywhere a hall can be, including
// across DST changes and in years past the files' last transition (the footer rule).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isKnownTimeZone, isoLocal, localDay, localSecondOfDay, localToMs, localWeekday, offsetMinutes } from '../../firmware/lib/time.ts';
import { loadZone, parsePosixTz, parseTzif, zoneOffset } from '../../firmware/lib/tzif.ts';

// Zones with and without DST, north and south, half- and quarter-hour offsets, 30-minute DST.
const ZONES = [
  'Asia/Shanghai', 'Asia/Urumqi', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles',
  'America/St_Johns', 'America/Santiago', 'Australia/Sydney', 'Australia/Lord_Howe', 'Pacific/Auckland', 'Pacific/Chatham',
  'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Tokyo', 'Africa/Cairo', 'Asia/Tehran', 'UTC',
];

/** Intl's offset, in minutes, the way lib/time.ts computed it before. */
const formats = new Map<string, Intl.DateTimeFormat>();
function intlOffset(ms: number, tz: string): number {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formats.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return Math.round((Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000) / 60000);
}

/** A seeded spread of instants from 1990 to 2100, plus a second either side of every transition the file lists. */
function instants(tz: string): number[] {
  let s = 0x2545f491;
  const rnd = () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) / 2 ** 32; };
  const from = Date.UTC(1990, 0, 1), to = Date.UTC(2100, 0, 1);
  const out: number[] = [];
  for (let i = 0; i < 400; i++) out.push(Math.floor(from + rnd() * (to - from)));
  const zone = loadZone(tz)!;
  for (const t of zone.at) if (t * 1000 >= from) out.push(t * 1000 - 1000, t * 1000, t * 1000 + 999);
  // Past the last transition the footer rule decides: a second either side of its changes, 2038–2099.
  for (let y = 2038; y < 2100; y += 7) {
    for (let d = 0; d < 366; d++) {
      const t = Date.UTC(y, 0, 1) + d * 86_400_000;
      if (intlOffset(t, tz) !== intlOffset(t + 86_400_000, tz)) {
        let lo = t, hi = t + 86_400_000; // the change to the second
        while (hi - lo > 1000) { const mid = lo + Math.floor((hi - lo) / 2000) * 1000; if (intlOffset(mid, tz) === intlOffset(t, tz)) lo = mid; else hi = mid; }
        out.push(lo, hi, hi + 1000);
      }
    }
  }
  return out;
}

describe('time-zone offsets from TZif files', () => {
  const tzdir = process.env.TZDIR;
  afterEach(() => { if (tzdir === undefined) delete process.env.TZDIR; else process.env.TZDIR = tzdir; });

  it('reads every zone the tests use from the system (package tzdata)', () => {
    for (const tz of ZONES) expect(loadZone(tz), tz).not.toBeNull();
  });

  for (const tz of ZONES) {
    it(`agrees with Intl in ${tz}, 1990–2100, at and around every change`, () => {
      const bad: string[] = [];
      for (const ms of instants(tz)) {
        const want = intlOffset(ms, tz);
        const got = offsetMinutes(ms, tz);
        if (got !== want) bad.push(`${new Date(ms).toISOString()}: ${got} ≠ Intl ${want}`);
      }
      expect(bad.slice(0, 5)).toEqual([]);
    });
  }

  it('gives the local calendar the way Intl does (day, second of day, weekday, ISO text)', () => {
    const ms = Date.UTC(2026, 2, 29, 0, 59, 59, 250); // Berlin: 01:59:59 CET, a second before CEST
    expect(isoLocal(ms, 'Europe/Berlin')).toBe('2026-03-29T01:59:59.250+01:00');
    expect(isoLocal(ms + 1000, 'Europe/Berlin')).toBe('2026-03-29T03:00:00.250+02:00');
    expect(isoLocal(Date.UTC(2026, 10, 28, 16, 30), 'Asia/Shanghai')).toBe('2026-11-29T00:30:00.000+08:00');
    expect(localDay(Date.UTC(2026, 10, 28, 16, 30), 'Asia/Shanghai')).toBe('2026-11-29');
    expect(localSecondOfDay(Date.UTC(2026, 10, 28, 16, 30, 5), 'Asia/Shanghai')).toBe(1805);
    expect(localWeekday(Date.UTC(2026, 10, 28, 16, 30), 'Asia/Shanghai')).toBe(0); // Sunday there, Saturday in UTC
    expect(isoLocal(Date.UTC(2026, 0, 1, 0, 0), 'Asia/Kathmandu')).toBe('2026-01-01T05:45:00.000+05:45');
    expect(isoLocal(Date.UTC(2026, 6, 1, 12), 'America/St_Johns')).toBe('2026-07-01T09:30:00.000-02:30');
    expect(localToMs('2026-11-02', 9 * 3600, 'America/New_York')).toBe(Date.UTC(2026, 10, 2, 14));
    expect(localToMs('2026-07-01', 9 * 3600, 'America/New_York')).toBe(Date.UTC(2026, 6, 1, 13));
  });

  it('falls back to Intl for a zone the system has no file for', () => {
    process.env.TZDIR = mkdtempSync(join(tmpdir(), 'manyi-no-zoneinfo-'));
    expect(loadZone('Europe/Berlin')).toBeNull();
    const ms = Date.UTC(2026, 6, 1, 12);
    expect(offsetMinutes(ms, 'Europe/Berlin')).toBe(120);
    expect(isoLocal(ms, 'Europe/Berlin')).toBe('2026-07-01T14:00:00.000+02:00');
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('knows only real zone names, and never reads a path outside the zone folder', () => {
    expect(isKnownTimeZone('Asia/Shanghai')).toBe(true);
    expect(isKnownTimeZone('Asia/Nowhere')).toBe(false);
    expect(loadZone('../../../etc/passwd')).toBeNull();
    expect(loadZone('/etc/localtime')).toBeNull();
    expect(loadZone('')).toBeNull();
  });

  it('refuses a file that is not TZif', () => {
    expect(() => parseTzif(Buffer.from('not a zone file at all, but long enough to have a header.....'))).toThrow(/not a TZif/);
    const berlin = readFileSync(join(process.env.TZDIR || '/usr/share/zoneinfo', 'Europe/Berlin'));
    expect(() => parseTzif(berlin.subarray(0, berlin.length - 3))).toThrow(/footer/);
  });

  it('reads POSIX TZ rules: quoted names, minutes, default times, day-of-year forms', () => {
    expect(parsePosixTz('CST-8')).toEqual({ std: 8 * 3600 });
    expect(parsePosixTz('<+0545>-5:45')).toEqual({ std: 5 * 3600 + 45 * 60 });
    const ny = parsePosixTz('EST5EDT,M3.2.0,M11.1.0');
    expect(ny.std).toBe(-5 * 3600);
    expect(ny.dst).toMatchObject({ off: -4 * 3600, startAt: 7200, endAt: 7200 });
    const z = (tz: string) => ({ at: [], off: [], first: 0, rule: parsePosixTz(tz) });
    // Jn counts 1–365 and never Feb 29; n counts 0–365 with it (2028 is a leap year).
    expect(zoneOffset(z('XST0XDT,J60/0,J300/0'), Date.UTC(2028, 2, 1) / 1000 - 1)).toBe(0);
    expect(zoneOffset(z('XST0XDT,J60/0,J300/0'), Date.UTC(2028, 2, 1) / 1000)).toBe(3600);
    expect(zoneOffset(z('XST0XDT,59/0,300/0'), Date.UTC(2028, 1, 29) / 1000)).toBe(3600);
    expect(zoneOffset(z('XST0XDT,59/0,300/0'), Date.UTC(2028, 1, 29) / 1000 - 1)).toBe(0);
    // Southern hemisphere: DST spans the new year.
    expect(zoneOffset(z('AEST-10AEDT,M10.1.0,M4.1.0/3'), Date.UTC(2030, 0, 15) / 1000)).toBe(11 * 3600);
    expect(zoneOffset(z('AEST-10AEDT,M10.1.0,M4.1.0/3'), Date.UTC(2030, 5, 15) / 1000)).toBe(10 * 3600);
    expect(() => parsePosixTz('EST5EDT,M3.2.0')).toThrow(/bad TZ/);
  });
});
