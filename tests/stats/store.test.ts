import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { localToMs } from '../../firmware/lib/time.ts';
import { csvCell, toCsv } from '../../firmware/stats/csv.ts';
import { addTime, bucketBounds, bucketOf, emptyTime, p95 } from '../../firmware/stats/figures.ts';
import { rangeStats } from '../../firmware/stats/range.ts';
import { StatsStore } from '../../firmware/stats/store.ts';
import { synthesizeDay } from '../../firmware/stats/synthetic.ts';
import { openEventTables as createEventsTable, writeEvents } from '../../firmware/eventlog/sqlite-store.ts';

const hall = loadHallConfig();

describe('histograms', () => {
  it('every duration falls inside its bucket, buckets do not overlap', () => {
    for (const s of [0, 4.9, 5, 599.9, 600, 629, 630, 3599, 3600, 3899, 3900, 20000]) {
      const [lo, hi] = bucketBounds(bucketOf(s));
      expect(s).toBeGreaterThanOrEqual(lo);
      expect(s).toBeLessThan(hi);
    }
    expect(bucketBounds(119)[1]).toBe(bucketBounds(120)[0]);
    expect(bucketBounds(219)[1]).toBe(bucketBounds(220)[0]);
  });

  it('p95 is the top of the exact value’s bucket, capped at the maximum', () => {
    const t = emptyTime();
    for (let i = 1; i <= 100; i++) addTime(t, i * 3, 200); // 3 … 300 s
    expect(p95(t)).toBe(290); // exact nearest-rank p95 = 285 s, bucket [285, 290)
    expect(t.over).toBe(34); // 201 … 300 s
    const one = emptyTime();
    addTime(one, 42.5);
    expect(p95(one)).toBe(42.5);
    expect(p95(emptyTime())).toBeNull();
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and newlines, and defuses spreadsheet formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"=HYPERLINK(""x"")"');
    expect(csvCell(null)).toBe('');
    expect(toCsv(['a', 'b'], [[1, '王芳']])).toBe('\ufeffa,b\r\n1,王芳\r\n');
  });
});

describe('today, folded incrementally', () => {
  it('gives the same figures as folding the whole day at once', () => {
    const day = '2026-11-24';
    const events = synthesizeDay(hall, day, { tickets: 800, seed: 11 });
    const db = new Database(':memory:');
    createEventsTable(db);
    const noon = localToMs(day, 12 * 3600, hall.hall.timezone);
    const evening = localToMs(day, 20 * 3600, hall.hall.timezone);
    let now = noon;
    const store = new StatsStore(db, hall, () => now);
    writeEvents(db, events.filter((e) => e.at <= noon));
    const morning = rangeStats(store, day, day);
    expect(morning.total.issued).toBe(events.filter((e) => e.kind === 'ticket-issued' && e.at <= noon).length);
    // Idle time of an open window runs on with the clock, with no new event.
    now = noon + 60_000;
    const later = rangeStats(store, day, day);
    expect(later.total.idleS + later.total.busyS).toBeGreaterThan(morning.total.idleS + morning.total.busyS);
    writeEvents(db, events.filter((e) => e.at > noon));
    now = evening;
    const incremental = rangeStats(store, day, day);
    const whole = rangeStats(new StatsStore(db, hall, () => evening), day, day);
    expect(incremental).toEqual(whole);
    expect(whole.total.issued).toBe(800);
  });
});
