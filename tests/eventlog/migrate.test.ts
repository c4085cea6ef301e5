// The event log as a module: a database written by the code before #12 migrates on
// open and reads back exactly as it did; statistics read columns, not JSON; events
// read back are checked against the schema.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import {
  CorruptEvent, EVENTLOG_VERSION, EventQueries, eventLogVersion, HallEvent, HALL_EVENT_KINDS, migrateEventLog, SqliteStore,
} from '../../firmware/eventlog/index.ts';
import { rangeStats } from '../../firmware/stats/range.ts';
import { StatsStore } from '../../firmware/stats/store.ts';

const hall = loadHallConfig();
const FIXTURE = new URL('./fixtures/controller-v1.db', import.meta.url).pathname;
const expected = JSON.parse(readFileSync(new URL('./fixtures/controller-v1.expected.json', import.meta.url), 'utf8'));
const [D1, D2] = expected.days as [string, string];
const dir = mkdtempSync(join(tmpdir(), 'manyi-eventlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function copy(): string {
  const f = join(dir, `c${++n}.db`);
  copyFileSync(FIXTURE, f);
  return f;
}
const clock = { now: () => expected.now as number };

describe('a database written before #12', () => {
  it('is schema 1 and holds every kind of event', () => {
    const db = new Database(copy(), { readonly: true });
    expect(eventLogVersion(db)).toBe(1);
    const kinds = (db.prepare('SELECT DISTINCT kind FROM events').all() as Array<{ kind: string }>).map((r) => r.kind);
    expect(kinds.sort()).toEqual([...HALL_EVENT_KINDS].sort());
    db.close();
  });

  it('migrates on open, once, and replays the same events', () => {
    const file = copy();
    const store = new SqliteStore(file, { clock });
    expect(store.migrated.map((m) => m.split(':')[0])).toEqual(['1', '2']);
    expect(eventLogVersion(store.db)).toBe(EVENTLOG_VERSION);
    expect(store.resumeEvents()).toEqual(expected.resume);
    expect(store.after(0)).toEqual(expected.events);
    expect(store.reply('window/1', 'c1')).toEqual(expected.reply);
    store.close();
    const again = new SqliteStore(file, { clock });
    expect(again.migrated).toEqual([]);
    again.close();
  });

  it('fills the typed columns from the JSON', () => {
    const store = new SqliteStore(copy(), { clock });
    const rows = store.db.prepare('SELECT kind, data, recall, arrived_at, priority, kiosk, from_service, score, reason, status FROM events').all() as Array<Record<string, unknown> & { data: string }>;
    for (const r of rows) {
      const e = HallEvent.parse(JSON.parse(r.data));
      if (e.kind === 'ticket-called') expect(r.recall).toBe(e.recall ? 1 : 0);
      if (e.kind === 'ticket-issued') expect([r.arrived_at, r.priority, r.kiosk]).toEqual([e.arrivedAt, e.priority ? 1 : 0, e.kiosk]);
      if (e.kind === 'ticket-transferred') expect(r.from_service).toBe(e.from);
      if (e.kind === 'rating') expect([r.score, r.reason]).toEqual([e.score, e.reason ?? null]);
      if (e.kind === 'window-status') expect(r.status).toBe(e.status);
    }
    expect(rows.some((r) => r.recall === 1)).toBe(true);
    store.close();
  });

  it('gives the statistics it gave before, from columns alone', () => {
    const store = new SqliteStore(copy(), { clock });
    // Blank the JSON: figures that still come out right cannot have read it.
    store.db.exec("UPDATE events SET data = '{}'; DROP TABLE stats_day;");
    const stats = new StatsStore(store.db, hall, clock.now);
    expect(stats.computeDay(D1)).toEqual(expected.summaries[D1]);
    expect(stats.computeDay(D2)).toEqual(expected.summaries[D2]);
    expect(rangeStats(new StatsStore(store.db, hall, clock.now), D1, D2)).toEqual(expected.range);
    store.close();
  });

  it('is read as it is when it may not be written (a read-only copy)', () => {
    const db = new Database(copy(), { readonly: true });
    const q = new EventQueries(db);
    expect(eventLogVersion(db)).toBe(1);
    expect(q.dayRows(D1).filter((r) => r.kind === 'ticket-called' && r.recall === 1)).toHaveLength(1);
    const stats = new StatsStore(db, hall, clock.now);
    expect(stats.computeDay(D1)).toEqual(expected.summaries[D1]);
    db.close();
  });
});

describe('the event log', () => {
  it('refuses a database from a newer manyi', () => {
    const db = new Database(':memory:');
    migrateEventLog(db);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run();
    expect(() => migrateEventLog(db)).toThrow(/schema 99, newer/);
  });

  it('stops replay loudly at an event that is not one', () => {
    const store = new SqliteStore(join(dir, 'corrupt.db'), { clock });
    store.append([{ kind: 'window-status', at: 1, day: D2, window: '1', status: 'open' }]);
    store.db.prepare(`UPDATE events SET data = '{"kind":"window-status","at":1,"day":"${D2}","window":"1","status":"sideways"}'`).run();
    expect(() => store.resumeEvents()).toThrow(CorruptEvent);
    store.close();
  });

  it('files new events with their columns', () => {
    const store = new SqliteStore(':memory:', { clock });
    store.append([
      { kind: 'ticket-issued', at: 5, day: D2, ticket: 'A001', service: 'registration', priority: true, kiosk: 'k1', arrivedAt: 3 },
      { kind: 'ticket-transferred', at: 9, day: D2, ticket: 'A001', from: 'registration', to: 'payment', window: '2' },
    ]);
    const rows = new EventQueries(store.db).dayRows(D2);
    expect(rows.map((r) => [r.kind, r.service, r.arrivedAt, r.fromService])).toEqual([
      ['ticket-issued', 'registration', 3, null], ['ticket-transferred', 'payment', null, 'registration'],
    ]);
    store.close();
  });
});
