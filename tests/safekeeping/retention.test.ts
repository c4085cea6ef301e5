// Retention: days past the retention lose their events after their summaries are
// kept, and the statistics over them do not change.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { openEventTables, writeEvents } from '../../firmware/eventlog/sqlite-store.ts';
import { localToMs } from '../../firmware/lib/time.ts';
import { DEFAULT_RETENTION_DAYS, purgeOldEvents, retentionCutoff } from '../../firmware/safekeeping/retention.ts';
import { rangeStats } from '../../firmware/stats/range.ts';
import { StatsStore } from '../../firmware/stats/store.ts';
import { synthesizeDay } from '../../firmware/stats/synthetic.ts';

const hall = loadHallConfig();
const dir = mkdtempSync(join(tmpdir(), 'manyi-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const OLD = ['2025-09-01', '2025-09-02', '2025-09-03'];
const RECENT = ['2026-11-16', '2026-11-17', '2026-11-18'];
const NOW = localToMs('2026-11-19', 10 * 3600, hall.hall.timezone);

describe('retention', () => {
  it('keeps 400 days by default, purges older days after keeping their summaries, and the statistics stay the same', () => {
    expect(DEFAULT_RETENTION_DAYS).toBe(400);
    expect(retentionCutoff(hall, NOW, 400)).toBe('2025-10-15');
    const db = new Database(join(dir, 'c.db'));
    openEventTables(db);
    [...OLD, ...RECENT].forEach((d, i) => writeEvents(db, synthesizeDay(hall, d, { tickets: 120, seed: i + 1 })));
    const count = (day: string) => (db.prepare('SELECT count(*) AS n FROM events WHERE day = ?').get(day) as { n: number }).n;
    const recentBefore = RECENT.map(count);
    const before = new StatsStore(db, hall, () => NOW);
    const recent = rangeStats(before, RECENT[0], RECENT[2]);
    const year = rangeStats(before, OLD[0], OLD[2]);
    const firstKept = before.computeDay(RECENT[0]);

    const r = purgeOldEvents(db, hall, NOW);
    expect(r.days).toEqual(OLD);
    expect(r.events).toBeGreaterThan(300);
    // Only each window's last status before the line is left of the old days.
    const left = db.prepare('SELECT kind, count(*) AS n FROM events WHERE day < ? GROUP BY kind').all('2025-10-15') as Array<{ kind: string; n: number }>;
    expect(left.every((x) => x.kind === 'window-status')).toBe(true);
    expect(RECENT.map(count)).toEqual(recentBefore);
    expect((db.prepare('SELECT count(*) AS n FROM stats_day WHERE day < ?').get('2025-10-15') as { n: number }).n).toBe(OLD.length);

    const after = new StatsStore(db, hall, () => NOW);
    expect(after.purgedBefore()).toBe('2025-10-15');
    expect(after.daysWithEvents(OLD[0], RECENT[2])).toEqual([...OLD, ...RECENT]);
    expect(rangeStats(after, RECENT[0], RECENT[2])).toEqual(recent);
    expect(rangeStats(after, OLD[0], OLD[2])).toEqual(year);
    expect(after.computeDay(RECENT[0])).toEqual(firstKept);
    // Again: nothing more to purge.
    expect(purgeOldEvents(db, hall, NOW).days).toEqual([]);
    db.close();
  });

  it('purges nothing within the retention', () => {
    const db = new Database(join(dir, 'd.db'));
    openEventTables(db);
    writeEvents(db, synthesizeDay(hall, RECENT[0], { tickets: 50, seed: 7 }));
    const n = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    expect(purgeOldEvents(db, hall, NOW, 30)).toMatchObject({ days: [], events: 0 });
    expect((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(n);
    expect(() => purgeOldEvents(db, hall, NOW, 0)).toThrow(/at least a day/);
    db.close();
  });
});
