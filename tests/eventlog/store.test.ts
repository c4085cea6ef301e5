// The event log rule by rule, on a fresh in-memory database each time: each
// event's columns, what replay reads back (and refuses), the resume rule (each
// window's last status before the latest day, then that day), stored replies and
// their pruning against the injected clock, the forwarder's `after`, and the
// questions statistics ask.
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventQueries } from '../../firmware/eventlog/queries.ts';
import { CorruptEvent, eventColumns, eventFromData, INSERT_COLUMNS } from '../../firmware/eventlog/rows.ts';
import { HALL_EVENT_KINDS, HallEvent } from '../../firmware/eventlog/schema.ts';
import { openEventTables, SqliteStore, writeEvents } from '../../firmware/eventlog/sqlite-store.ts';
import { MemoryStore, resumeFrom } from '../../firmware/eventlog/store.ts';
import { EVENTLOG_VERSION, eventLogVersion, migrateEventLog } from '../../firmware/eventlog/table.ts';

const D1 = '2026-11-25';
const D2 = '2026-11-26';
const T = Date.parse('2026-11-26T01:00:00Z');
const clock = (now = T) => ({ now: () => now });

const ev = {
  issued: (day: string, ticket: string, at = T): HallEvent => ({ at, day, kind: 'ticket-issued', ticket, service: 'payment', priority: true, kiosk: 'k1', arrivedAt: at - 5 }),
  status: (day: string, window: string, status: 'open' | 'paused' | 'closed', at = T, staff?: string): HallEvent => ({ at, day, kind: 'window-status', window, status, ...(staff ? { staff } : {}) }),
  called: (day: string, ticket: string, recall: boolean, at = T): HallEvent => ({ at, day, kind: 'ticket-called', ticket, service: 'payment', window: '6', staff: 's1', recall }),
};

describe('columns of an event', () => {
  it('fills the typed columns each kind has, and leaves the others empty', () => {
    const cols = (e: HallEvent) => Object.fromEntries(INSERT_COLUMNS.map((c, i) => [c.replace(/"/g, ''), eventColumns(e)[i]]));
    expect(cols(ev.issued(D2, 'B001'))).toEqual({
      at: T, day: D2, kind: 'ticket-issued', ticket: 'B001', service: 'payment', window: null, staff: null, recall: null,
      arrived_at: T - 5, priority: 1, kiosk: 'k1', from_service: null, score: null, reason: null, status: null, data: JSON.stringify(ev.issued(D2, 'B001')),
    });
    expect(cols({ ...ev.issued(D2, 'B002'), priority: false } as HallEvent)).toMatchObject({ priority: 0 });
    expect(cols(ev.called(D2, 'B001', true))).toMatchObject({ window: '6', staff: 's1', recall: 1, arrived_at: null, priority: null, kiosk: null });
    expect(cols(ev.called(D2, 'B001', false))).toMatchObject({ recall: 0 });
    expect(cols({ at: T, day: D2, kind: 'ticket-transferred', ticket: 'A001', from: 'registration', to: 'payment', window: '1' })).toMatchObject({ service: 'payment', from_service: 'registration', window: '1', staff: null });
    expect(cols({ at: T, day: D2, kind: 'rating', ticket: 'A001', service: 'payment', window: '6', score: 'unsatisfied', reason: 'slow' })).toMatchObject({ score: 'unsatisfied', reason: 'slow', recall: null });
    expect(cols({ at: T, day: D2, kind: 'rating', ticket: 'A001', service: 'payment', window: '6', score: 'basic' })).toMatchObject({ score: 'basic', reason: null });
    expect(cols(ev.status(D2, '3', 'paused', T, 's3'))).toMatchObject({ window: '3', status: 'paused', staff: 's3', ticket: null, service: null });
    expect(cols({ at: T, day: D2, kind: 'block-reserved', kiosk: 'k2', service: 'payment', numbers: ['B010'] })).toMatchObject({ kiosk: 'k2', service: 'payment', priority: null, arrived_at: null });
    expect(cols({ at: T, day: D2, kind: 'alert', alert: 'a', alertKind: 'wait-over-limit', state: 'raised', ticket: 'B001' })).toMatchObject({ ticket: 'B001', status: null, score: null });
  });

  it('knows every kind, and reads back only valid events, saying which and why', () => {
    expect(HALL_EVENT_KINDS).toEqual(['ticket-issued', 'ticket-called', 'ticket-started', 'ticket-completed', 'ticket-no-show', 'ticket-parked', 'ticket-transferred', 'rating', 'window-status', 'block-reserved', 'alert']);
    expect(eventFromData(JSON.stringify(ev.issued(D2, 'B001')))).toEqual(ev.issued(D2, 'B001'));
    expect(() => eventFromData('{', 7)).toThrow(CorruptEvent);
    expect(() => eventFromData('{', 7)).toThrow(/^event 7 in the log is not a valid event: /);
    expect(() => eventFromData(JSON.stringify({ ...ev.issued(D2, 'B001'), day: '26/11/2026' }), 8)).toThrow('event 8 in the log is not a valid event: day: day must be YYYY-MM-DD');
    expect(() => eventFromData(JSON.stringify({ ...ev.issued(D2, 'B001'), at: 1.5 }))).toThrow(/^event \? in the log/);
    for (const day of [`${D2}x`, `x${D2}`, '2026-1-26', 'aaaa-bb-cc']) expect(HallEvent.safeParse({ ...ev.issued(D2, 'B001'), day }).success, day).toBe(false);
    const e = new CorruptEvent(3, 'x');
    expect(e.name).toBe('CorruptEvent');
    expect(e.seq).toBe(3);
  });
});

describe('SqliteStore', () => {
  it('appends a command\'s events and its reply together, or nothing', () => {
    const s = new SqliteStore(':memory:', { clock: clock() });
    s.append([ev.issued(D2, 'B001'), ev.issued(D2, 'B002', T + 1)], { sender: 'kiosk/k1', id: 'r1', topic: 't', payload: '{"ok":true}' });
    expect(s.reply('kiosk/k1', 'r1')).toEqual({ sender: 'kiosk/k1', id: 'r1', topic: 't', payload: '{"ok":true}' });
    expect(s.reply('kiosk/k2', 'r1')).toBeUndefined();
    expect(s.reply('kiosk/k1', 'r2')).toBeUndefined();
    // the same request id again: the whole append fails, events included
    expect(() => s.append([ev.issued(D2, 'B003')], { sender: 'kiosk/k1', id: 'r1', topic: 't', payload: 'again' })).toThrow();
    expect(s.after(0).map((x) => x.event.kind === 'ticket-issued' && x.event.ticket)).toEqual(['B001', 'B002']);
    expect(s.reply('kiosk/k1', 'r1')!.payload).toBe('{"ok":true}');
    s.close();
    s.close(); // twice is harmless
  });

  it('keeps replies two days by the injected clock (a reply without events is dated by the clock)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'manyi-eventlog-'));
    const file = join(dir, 'c.db');
    const day = 86_400_000;
    const s = new SqliteStore(file, { clock: clock(T) });
    s.append([], { sender: 'w/1', id: 'old', topic: 't', payload: 'p' }); // dated T
    s.append([ev.issued(D2, 'B001', T + day)], { sender: 'w/1', id: 'newer', topic: 't', payload: 'p' }); // dated by its event
    s.close();
    const kept = new SqliteStore(file, { clock: clock(T + 2 * day) }); // exactly two days: kept
    expect(kept.reply('w/1', 'old')).toBeDefined();
    kept.close();
    const later = new SqliteStore(file, { clock: clock(T + 2 * day + 1) });
    expect(later.reply('w/1', 'old')).toBeUndefined();
    expect(later.reply('w/1', 'newer')).toBeDefined();
    later.close();
  });

  it('resumes with each window\'s last status before the latest day, then every event of that day, in order', () => {
    const s = new SqliteStore(':memory:', { clock: clock() });
    expect(s.resumeEvents()).toEqual([]);
    s.append([ev.status(D1, '1', 'open', T - 90_000_000), ev.status(D1, '2', 'open', T - 89_000_000), ev.issued(D1, 'B001', T - 88_000_000)]);
    s.append([ev.status(D1, '1', 'paused', T - 87_000_000, 's1')]);
    s.append([ev.issued(D2, 'B001'), ev.called(D2, 'B001', false, T + 1)]);
    expect(s.resumeEvents()).toEqual([
      ev.status(D1, '2', 'open', T - 89_000_000), ev.status(D1, '1', 'paused', T - 87_000_000, 's1'),
      ev.issued(D2, 'B001'), ev.called(D2, 'B001', false, T + 1),
    ]);
    // the same rule in memory
    const m = new MemoryStore();
    m.append([ev.status(D1, '1', 'open', T - 90_000_000), ev.status(D1, '2', 'open', T - 89_000_000), ev.issued(D1, 'B001', T - 88_000_000)]);
    m.append([ev.status(D1, '1', 'paused', T - 87_000_000, 's1')]);
    m.append([ev.issued(D2, 'B001'), ev.called(D2, 'B001', false, T + 1)]);
    expect(m.resumeEvents()).toEqual([
      ev.status(D1, '1', 'paused', T - 87_000_000, 's1'), ev.status(D1, '2', 'open', T - 89_000_000),
      ev.issued(D2, 'B001'), ev.called(D2, 'B001', false, T + 1),
    ]);
    expect(resumeFrom([])).toEqual([]);
    // a log whose days are not in order still resumes at the latest day
    expect(resumeFrom([ev.issued(D2, 'B001'), ev.status(D1, '1', 'open')])).toEqual([ev.status(D1, '1', 'open'), ev.issued(D2, 'B001')]);
  });

  it('gives the forwarder the events after a seq, oldest first, at most `limit`', () => {
    const s = new SqliteStore(':memory:', { clock: clock() });
    s.append(['B001', 'B002', 'B003', 'B004'].map((n, i) => ev.issued(D2, n, T + i)));
    expect(s.after(0).map((x) => x.seq)).toEqual([1, 2, 3, 4]);
    expect(s.after(2).map((x) => x.seq)).toEqual([3, 4]);
    expect(s.after(1, 2).map((x) => x.seq)).toEqual([2, 3]);
    expect(s.after(4)).toEqual([]);
    expect(s.after(2)[0]!.event).toEqual(ev.issued(D2, 'B003', T + 2));
  });

  it('is synced on every commit unless asked otherwise (the bench), and in WAL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'manyi-eventlog-'));
    const full = new SqliteStore(join(dir, 'a.db'), { clock: clock() });
    expect(full.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(full.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(full.db.pragma('busy_timeout', { simple: true })).toBe(2000);
    full.close();
    const normal = new SqliteStore(join(dir, 'b.db'), { clock: clock(), synchronous: 'NORMAL' });
    expect(normal.db.pragma('synchronous', { simple: true })).toBe(1);
    normal.close();
  });
});

describe('tables and the statistics\' questions', () => {
  it('creates the current schema once; a newer one is refused', () => {
    const db = new Database(':memory:');
    expect(eventLogVersion(db)).toBe(0);
    expect(migrateEventLog(db)).toEqual(['1: events, replies and meta', '2: typed columns for statistics, backfilled from the JSON']);
    expect(eventLogVersion(db)).toBe(EVENTLOG_VERSION);
    expect(migrateEventLog(db)).toEqual([]);
    openEventTables(db);
    db.prepare("UPDATE meta SET value = '3' WHERE key = 'schema'").run();
    expect(() => migrateEventLog(db)).toThrow('the event log is schema 3, newer than this manyi knows (2): update manyi');
  });

  it('answers a day\'s rows from the columns, its last seq, whether it has events, the first day and the windows carried into it', () => {
    const db = new Database(':memory:');
    openEventTables(db);
    writeEvents(db, [
      ev.status(D1, '1', 'open', T - 90_000_000, 's1'), ev.status(D1, '2', 'open', T - 89_000_000), ev.status(D1, '2', 'closed', T - 88_000_000),
      ev.issued(D2, 'B001'), ev.called(D2, 'B001', true, T + 1), ev.status(D2, '3', 'open', T + 2),
    ]);
    const q = new EventQueries(db);
    const rows = q.dayRows(D2);
    expect(rows.map((r) => r.seq)).toEqual([4, 5, 6]);
    expect(rows[0]).toEqual({ seq: 4, at: T, day: D2, kind: 'ticket-issued', ticket: 'B001', service: 'payment', window: null, staff: null, recall: null, arrivedAt: T - 5, fromService: null, score: null, status: null });
    expect(rows[1]).toMatchObject({ kind: 'ticket-called', recall: 1, window: '6' });
    expect(q.dayRows(D2, 4).map((r) => r.seq)).toEqual([5, 6]);
    expect(q.lastSeq(D2)).toBe(6);
    expect(q.lastSeq('2026-11-27')).toBeNull();
    expect(q.hasDay(D1)).toBe(true);
    expect(q.hasDay('2026-11-27')).toBe(false);
    expect(q.firstDay()).toBe(D1);
    expect(new EventQueries(new Database(':memory:')).firstDay()).toBeNull();
    expect(q.carried(D2).sort((a, b) => a.window.localeCompare(b.window))).toEqual([
      { window: '1', status: 'open', staff: 's1' }, { window: '2', status: 'closed', staff: null },
    ]);
    expect(q.carried(D1)).toEqual([]);
  });
});
