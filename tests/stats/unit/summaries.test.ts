// The summary cache of closed days (firmware/stats/store.ts, table `stats_day`): a
// closed day is folded once and read back after; a late event, changed limits or a
// new summary version refold it; a purged day's summary is its only record; today
// is folded live to the clock; a read-only copy computes without writing.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHallConfig, type HallConfig } from '../../../firmware/config/hall.ts';
import type { HallEvent } from '../../../firmware/eventlog/schema.ts';
import { openEventTables, writeEvents } from '../../../firmware/eventlog/sqlite-store.ts';
import { localToMs } from '../../../firmware/lib/time.ts';
import { configFingerprint, ensureStatsSchema, nextDay, prevDay, StatsStore, SUMMARY_VERSION } from '../../../firmware/stats/store.ts';

const hall = loadHallConfig();
const tz = hall.hall.timezone;
const D1 = '2026-11-16';
const D2 = '2026-11-17';
const D3 = '2026-11-18';
const at = (day: string, h: number, m = 0) => localToMs(day, h * 3600 + m * 60, tz);

/** A small day: window 1 opened at 08:00 (never closed), n registration tickets issued and served. */
function dayEvents(day: string, n: number, close = true): HallEvent[] {
  const ev: HallEvent[] = [{ kind: 'window-status', at: at(day, 8), day, window: '1', status: 'open', staff: 's001' }];
  for (let i = 1; i <= n; i++) {
    const t = at(day, 9, i * 5);
    const ticket = `A${String(i).padStart(3, '0')}`;
    const base = { day, ticket, service: 'registration', window: '1', staff: 's001' };
    ev.push({ kind: 'ticket-issued', at: t, day, ticket, service: 'registration', priority: false, kiosk: 'k1', arrivedAt: t });
    ev.push({ ...base, kind: 'ticket-called', at: t + 60_000, recall: false });
    ev.push({ ...base, kind: 'ticket-completed', at: t + 120_000 });
  }
  if (close) ev.push({ kind: 'window-status', at: at(day, 12), day, window: '1', status: 'closed', staff: 's001' });
  return ev;
}

function freshDb(): Database.Database {
  const db = new Database(':memory:');
  openEventTables(db);
  return db;
}
const cached = (db: Database.Database, day: string) =>
  db.prepare('SELECT version, config, last_seq, events, data FROM stats_day WHERE day = ?').get(day) as { version: number; config: string; last_seq: number; events: number; data: string } | undefined;
/** Rewrites a cached summary's issued count: a later read that shows it came from the cache. */
function tamper(db: Database.Database, day: string, issued: number): void {
  const row = cached(db, day)!;
  const data = JSON.parse(row.data);
  data.total.issued = issued;
  db.prepare('UPDATE stats_day SET data = ? WHERE day = ?').run(JSON.stringify(data), day);
}

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('closed days', () => {
  it('are folded once, saved with their version, limits and last event, then read from the table', () => {
    const db = freshDb();
    writeEvents(db, dayEvents(D1, 3));
    const store = new StatsStore(db, hall, () => at(D3, 12));
    expect(store.day(D1).total.issued).toBe(3);
    const row = cached(db, D1)!;
    expect(row).toMatchObject({ version: SUMMARY_VERSION, config: configFingerprint(hall), events: 11 });
    expect(row.last_seq).toBe((db.prepare('SELECT MAX(seq) AS s FROM events').get() as { s: number }).s);
    tamper(db, D1, 99);
    expect(store.day(D1).total.issued).toBe(99);
    expect(new StatsStore(db, hall, () => at(D3, 12)).day(D1).total.issued).toBe(99);
  });

  it('are folded again after a late event, changed limits or a new summary version', () => {
    const db = freshDb();
    writeEvents(db, dayEvents(D1, 3));
    const store = new StatsStore(db, hall, () => at(D3, 12));
    store.day(D1);
    tamper(db, D1, 99);
    writeEvents(db, [{ kind: 'ticket-issued', at: at(D1, 16), day: D1, ticket: 'A050', service: 'registration', priority: false, kiosk: 'k1', arrivedAt: at(D1, 16) }]);
    expect(store.day(D1).total.issued).toBe(4);
    expect(cached(db, D1)!.events).toBe(12);
    tamper(db, D1, 99);
    const stricter: HallConfig = { ...hall, services: hall.services.map((s) => ({ ...s, waitLimitS: 30 })) };
    const s2 = new StatsStore(db, stricter, () => at(D3, 12));
    expect(s2.day(D1).total).toMatchObject({ issued: 4 });
    expect(s2.day(D1).total.wait.over).toBe(3); // every 60 s wait is now over the 30 s limit
    tamper(db, D1, 99);
    db.prepare('UPDATE stats_day SET version = ? WHERE day = ?').run(SUMMARY_VERSION - 1, D1);
    expect(s2.day(D1).total.issued).toBe(4);
  });

  it('stop window time at closing, or at the day\'s last event when that is later', () => {
    const db = freshDb();
    writeEvents(db, dayEvents(D1, 1, false)); // window 1 left open
    const ev = dayEvents(D2, 1, false);
    ev.push({ kind: 'ticket-issued', at: at(D2, 18), day: D2, ticket: 'A009', service: 'registration', priority: false, kiosk: 'k1', arrivedAt: at(D2, 18) });
    writeEvents(db, ev);
    const store = new StatsStore(db, hall, () => at(D3, 9));
    const d1 = store.day(D1);
    expect(d1.endMs).toBe(at(D1, 17));
    expect(d1.total.busyS + d1.total.idleS).toBe(9 * 3600); // 08:00 → 17:00
    const d2 = store.day(D2);
    expect(d2.endMs).toBe(at(D2, 18));
    // Window 1, never closed, is carried into the next day from opening time (07:30).
    expect(d2.total.busyS + d2.total.idleS).toBe(10.5 * 3600);
  });

  it('closeDays folds each closed day not yet summarised, once, and leaves today alone', () => {
    const db = freshDb();
    writeEvents(db, [...dayEvents(D1, 2), ...dayEvents(D2, 2), ...dayEvents(D3, 2)]);
    const store = new StatsStore(db, hall, () => at(D3, 12));
    expect(store.closeDays()).toBe(2);
    expect(cached(db, D3)).toBeUndefined();
    expect(store.closeDays()).toBe(0);
    writeEvents(db, [{ kind: 'ticket-issued', at: at(D2, 16), day: D2, ticket: 'A050', service: 'registration', priority: false, kiosk: 'k1', arrivedAt: at(D2, 16) }]);
    expect(store.closeDays()).toBe(1);
    expect(store.closeDays(D1, D1)).toBe(0);
    db.prepare('DELETE FROM stats_day WHERE day = ?').run(D1);
    expect(store.closeDays(D2, D2)).toBe(0);
    expect(store.closeDays(D1, D2)).toBe(1);
    expect(new StatsStore(freshDb(), hall, () => at(D3, 12)).closeDays()).toBe(0); // no events at all
  });
});

describe('purged days', () => {
  it('are listed and read from their kept summary, never refolded from what is left', () => {
    const db = freshDb();
    writeEvents(db, [...dayEvents(D1, 3), ...dayEvents(D2, 2)]);
    const store = new StatsStore(db, hall, () => at(D3, 12));
    expect(store.purgedBefore()).toBeNull();
    store.closeDays();
    db.prepare("DELETE FROM events WHERE day = ?").run(D1);
    db.prepare("INSERT INTO meta(key, value) VALUES ('purged_before', ?)").run(D2);
    expect(store.purgedBefore()).toBe(D2);
    expect(store.daysWithEvents(D1, D3)).toEqual([D1, D2]);
    expect(store.day(D1).total.issued).toBe(3);
    // Even with other limits, the kept summary stands.
    const other = new StatsStore(db, { ...hall, services: hall.services.map((s) => ({ ...s, waitLimitS: 30 })) }, () => at(D3, 12));
    expect(other.day(D1).total.issued).toBe(3);
    // A purged day with no kept summary is not listed.
    db.prepare('DELETE FROM stats_day WHERE day = ?').run(D1);
    expect(store.daysWithEvents(D1, D3)).toEqual([D2]);
  });

  it('with no meta table, nothing is purged', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE events(seq INTEGER)');
    const store = Object.create(StatsStore.prototype) as StatsStore;
    Object.assign(store, { db });
    expect(store.purgedBefore()).toBeNull();
  });
});

describe('today', () => {
  it('is folded live up to the clock and never saved; a day ahead of the clock is folded and not saved', () => {
    const db = freshDb();
    writeEvents(db, dayEvents(D2, 2, false));
    let now = at(D2, 10);
    const store = new StatsStore(db, hall, () => now);
    expect(store.today()).toBe(D2);
    const a = store.day(D2);
    expect(a.endMs).toBe(at(D2, 10));
    expect(a.total.busyS + a.total.idleS).toBe(2 * 3600);
    now = at(D2, 11);
    expect(store.day(D2).total.busyS + store.day(D2).total.idleS).toBe(3 * 3600);
    expect(cached(db, D2)).toBeUndefined();
    writeEvents(db, dayEvents(D3, 1));
    expect(store.day(D3).total.issued).toBe(1);
    expect(cached(db, D3)).toBeUndefined();
  });

  it('moves on at midnight: the new day starts from its own events, the old one is closed and saved', () => {
    const db = freshDb();
    writeEvents(db, [...dayEvents(D1, 2, false), ...dayEvents(D2, 3)]);
    let now = at(D1, 12);
    const store = new StatsStore(db, hall, () => now);
    expect(store.day(D1).total.issued).toBe(2);
    now = at(D2, 12);
    expect(store.day(D2).total.issued).toBe(3);
    expect(store.day(D1).total.issued).toBe(2);
    expect(cached(db, D1)).toBeDefined();
    expect(store.day(D1).endMs).toBe(at(D1, 17));
  });

  it('runs to the latest event when the clock is behind it, and a day ahead of the clock to the clock', () => {
    const db = freshDb();
    writeEvents(db, dayEvents(D2, 2, false));
    const store = new StatsStore(db, hall, () => at(D2, 8, 30)); // the window opened 08:00; tickets at 09:05 and 09:10
    expect(store.day(D2).endMs).toBe(at(D2, 9, 12));
    const early = new StatsStore(db, hall, () => at(D1, 12));
    expect(early.day(D2).endMs).toBe(at(D1, 12));
  });

  it('is the hall\'s local date, not UTC\'s', () => {
    const store = new StatsStore(freshDb(), hall, () => Date.parse('2026-11-16T17:30:00Z')); // 01:30 on the 17th in Shanghai
    expect(store.today()).toBe(D2);
  });
});

describe('a read-only copy', () => {
  it('computes figures without writing, and still uses the summaries it holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'manyi-stats-ro-'));
    dirs.push(dir);
    const file = join(dir, 'hall.db');
    const db = new Database(file);
    openEventTables(db);
    writeEvents(db, [...dayEvents(D1, 3), ...dayEvents(D2, 2)]);
    new StatsStore(db, hall, () => at(D3, 12)).day(D1);
    tamper(db, D1, 99);
    db.close();
    const ro = new Database(file, { readonly: true });
    const store = new StatsStore(ro, hall, () => at(D3, 12));
    expect(store.day(D1).total.issued).toBe(99); // its kept summary
    expect(store.day(D2).total.issued).toBe(2); // folded, not saved
    expect(cached(ro, D2)).toBeUndefined();
    expect(store.closeDays()).toBe(0);
    ro.close();
  });

  it('without a summary table, folds every day', () => {
    const dir = mkdtempSync(join(tmpdir(), 'manyi-stats-ro-'));
    dirs.push(dir);
    const file = join(dir, 'hall.db');
    const db = new Database(file);
    openEventTables(db);
    writeEvents(db, dayEvents(D1, 3));
    db.close();
    const ro = new Database(file, { readonly: true });
    expect(ensureStatsSchema(ro)).toBe(false);
    const store = new StatsStore(ro, hall, () => at(D3, 12));
    expect(store.day(D1).total.issued).toBe(3);
    expect(ro.prepare("SELECT 1 FROM sqlite_master WHERE name = 'stats_day'").get()).toBeUndefined();
    ro.close();
  });
});

describe('the summary table and the fingerprint', () => {
  it('is created once, and a schema error other than read-only is not hidden', () => {
    const db = new Database(':memory:');
    expect(ensureStatsSchema(db)).toBe(true);
    expect(ensureStatsSchema(db)).toBe(true);
    expect(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'stats_day'").get()).toBeDefined();
    db.close();
    expect(() => ensureStatsSchema(db)).toThrow();
  });

  it('changes with the zone, the hours and the limits, not with names', () => {
    const f = configFingerprint(hall);
    expect(f).toMatch(/^[0-9a-f]{16}$/);
    expect(configFingerprint({ ...hall, hall: { ...hall.hall, name: { zh: '别处', en: 'Elsewhere' } } })).toBe(f);
    expect(configFingerprint({ ...hall, hall: { ...hall.hall, timezone: 'Asia/Urumqi' } })).not.toBe(f);
    expect(configFingerprint({ ...hall, hours: [{ open: '08:00', close: '17:00' }] })).not.toBe(f);
    expect(configFingerprint({ ...hall, services: hall.services.map((s) => ({ ...s, serviceLimitS: s.serviceLimitS + 1 })) })).not.toBe(f);
    expect(configFingerprint({ ...hall, services: hall.services.map((s, i) => (i === 0 ? { ...s, id: 'reg' } : s)) })).not.toBe(f);
  });
});

describe('calendar days', () => {
  it('step over month, year and leap-day ends', () => {
    expect(nextDay('2026-11-30')).toBe('2026-12-01');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(prevDay('2027-01-01')).toBe('2026-12-31');
    expect(prevDay('2028-03-01')).toBe('2028-02-29');
  });
});
