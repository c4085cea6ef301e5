// UTC offsets from the system's time-zone files (TZif, RFC 8536: /usr/share/zoneinfo,
// Debian's and Raspberry Pi OS's package tzdata), so the boards need not load ICU's
// time-zone data (~8 MB of RSS) for the one thing they ask of it. lib/time.ts is the
// API; this file only reads zones. A zone this cannot read gives null, and time.ts asks
// Intl instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One `std offset [dst [offset] [,start[/time],end[/time]]]` rule (POSIX TZ), offsets east of UTC in seconds. */
interface PosixRule {
  std: number;
  dst?: { off: number; start: RuleDate; startAt: number; end: RuleDate; endAt: number };
}
type RuleDate = { kind: 'M'; month: number; week: number; day: number } | { kind: 'J'; n: number } | { kind: 'n'; n: number };

export interface Zone {
  /** Transition instants, seconds since the epoch, ascending. */
  at: number[];
  /** Offset (seconds east of UTC) in force from at[i]. */
  off: number[];
  /** Offset before the first transition. */
  first: number;
  /** The rule after the last transition (the file's footer), if any. */
  rule: PosixRule | null;
}

/** Parses a TZif file (versions 1–4). Throws on anything it does not understand. */
export function parseTzif(buf: Buffer): Zone {
  if (buf.toString('latin1', 0, 4) !== 'TZif') throw new Error('not a TZif file');
  const version = buf[4];
  const header = (o: number) => {
    if (buf.toString('latin1', o, o + 4) !== 'TZif') throw new Error('bad TZif header');
    const n = (i: number) => buf.readUInt32BE(o + 20 + i * 4);
    return { isut: n(0), isstd: n(1), leap: n(2), time: n(3), type: n(4), char: n(5) };
  };
  let h = header(0);
  let o = 44;
  let wide = false;
  if (version >= 0x32) { // '2' and later: skip the 32-bit block, read the 64-bit one and the footer
    o += h.time * 4 + h.time + h.type * 6 + h.char + h.leap * 8 + h.isstd + h.isut;
    h = header(o);
    o += 44;
    wide = true;
  }
  if (h.type === 0) throw new Error('TZif without local time types');
  const tsize = wide ? 8 : 4;
  const at: number[] = [];
  for (let i = 0; i < h.time; i++) at.push(wide ? Number(buf.readBigInt64BE(o + i * 8)) : buf.readInt32BE(o + i * 4));
  const idxAt = o + h.time * tsize;
  const typesAt = idxAt + h.time;
  const types: number[] = [];
  for (let i = 0; i < h.type; i++) types.push(buf.readInt32BE(typesAt + i * 6));
  const off = at.map((_, i) => {
    const t = buf[idxAt + i];
    if (t >= types.length) throw new Error('TZif transition to an unknown type');
    return types[t];
  });
  let rule: PosixRule | null = null;
  if (wide) {
    const footAt = typesAt + h.type * 6 + h.char + h.leap * (tsize + 4) + h.isstd + h.isut;
    if (buf[footAt] !== 0x0a) throw new Error('TZif footer missing');
    const end = buf.indexOf(0x0a, footAt + 1);
    if (end < 0) throw new Error('TZif footer unterminated');
    const tz = buf.toString('latin1', footAt + 1, end);
    if (tz) rule = parsePosixTz(tz);
  }
  return { at, off, first: types[0], rule };
}

/** Parses a POSIX TZ string such as `CET-1CEST,M3.5.0,M10.5.0/3` or `<+0545>-5:45`. */
export function parsePosixTz(s: string): PosixRule {
  let i = 0;
  const name = () => {
    if (s[i] === '<') { const j = s.indexOf('>', i); if (j < 0) throw new Error(`bad TZ ${s}`); i = j + 1; return; }
    const m = /^[A-Za-z]{3,}/.exec(s.slice(i));
    if (!m) throw new Error(`bad TZ ${s}`);
    i += m[0].length;
  };
  const hms = (): number => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(s.slice(i));
    if (!m) throw new Error(`bad TZ ${s}`);
    i += m[0].length;
    const v = +m[2] * 3600 + +(m[3] ?? 0) * 60 + +(m[4] ?? 0);
    return m[1] === '-' ? -v : v;
  };
  const date = (): RuleDate => {
    let m = /^M(\d{1,2})\.(\d)\.(\d)/.exec(s.slice(i));
    if (m) { i += m[0].length; return { kind: 'M', month: +m[1], week: +m[2], day: +m[3] }; }
    m = /^(J?)(\d{1,3})/.exec(s.slice(i));
    if (!m) throw new Error(`bad TZ ${s}`);
    i += m[0].length;
    return m[1] ? { kind: 'J', n: +m[2] } : { kind: 'n', n: +m[2] };
  };
  const time = (): number => { if (s[i] !== '/') return 7200; i++; return hms(); };
  name();
  const std = 0 - hms() || 0; // POSIX offsets are west of UTC (and no -0)
  if (i === s.length) return { std };
  name();
  const off = i < s.length && s[i] !== ',' ? 0 - hms() || 0 : std + 3600;
  let start: RuleDate = { kind: 'M', month: 3, week: 2, day: 0 };
  let end: RuleDate = { kind: 'M', month: 11, week: 1, day: 0 };
  let startAt = 7200, endAt = 7200;
  if (s[i] === ',') {
    i++; start = date(); startAt = time();
    if (s[i] !== ',') throw new Error(`bad TZ ${s}`);
    i++; end = date(); endAt = time();
  }
  if (i !== s.length) throw new Error(`bad TZ ${s}`);
  return { std, dst: { off, start, startAt, end, endAt } };
}

const DAY = 86400;
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Seconds since the epoch of local midnight (as if UTC) starting the rule's day in year y. */
function ruleDay(d: RuleDate, y: number): number {
  const jan1 = Date.UTC(y, 0, 1) / 1000;
  if (d.kind === 'J') return jan1 + (d.n - 1 + (isLeap(y) && d.n >= 60 ? 1 : 0)) * DAY;
  if (d.kind === 'n') return jan1 + d.n * DAY;
  const first = Date.UTC(y, d.month - 1, 1) / 1000;
  const wday = new Date(first * 1000).getUTCDay();
  const days = new Date(Date.UTC(y, d.month, 0)).getUTCDate();
  let dom = 1 + ((d.day - wday + 7) % 7) + (d.week - 1) * 7;
  while (dom > days) dom -= 7;
  return first + (dom - 1) * DAY;
}

function ruleOffset(r: PosixRule, t: number): number {
  const dst = r.dst;
  if (!dst) return r.std;
  const y = new Date((t + r.std) * 1000).getUTCFullYear();
  // The start is given in standard time, the end in daylight time.
  const start = ruleDay(dst.start, y) + dst.startAt - r.std;
  const end = ruleDay(dst.end, y) + dst.endAt - dst.off;
  const inDst = start < end ? t >= start && t < end : !(t >= end && t < start);
  return inDst ? dst.off : r.std;
}

/** The zone's offset east of UTC, in seconds, at `t` seconds since the epoch. */
export function zoneOffset(z: Zone, t: number): number {
  const n = z.at.length;
  if (n === 0 || t < z.at[0]) return n === 0 && z.rule ? ruleOffset(z.rule, t) : z.first;
  if (t >= z.at[n - 1] && z.rule) return ruleOffset(z.rule, t);
  let lo = 0, hi = n - 1; // last i with at[i] <= t
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (z.at[mid] <= t) lo = mid; else hi = mid - 1; }
  return z.off[lo];
}

const zones = new Map<string, Zone | null>();

/** The zone `tz` read from TZDIR (default /usr/share/zoneinfo), or null when it is missing or unreadable. */
export function loadZone(tz: string): Zone | null {
  const key = `${process.env.TZDIR ?? ''}\0${tz}`;
  if (zones.has(key)) return zones.get(key)!;
  let z: Zone | null = null;
  // An IANA name: letters, digits, '_', '-', '+', in parts joined by '/', none of them '.' or '..'.
  if (/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(tz)) {
    try { z = parseTzif(readFileSync(join(process.env.TZDIR || '/usr/share/zoneinfo', tz))); } catch { z = null; }
  }
  zones.set(key, z);
  return z;
}
