import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { SqliteStore } from '../../firmware/eventlog/sqlite-store.ts';
import { hall, at, DAY } from './helpers.ts';

/** The store on the test's own clock: what it prunes must not depend on today's date. */
const open = (db: string, now: number) => new SqliteStore(db, { clock: { now: () => now } });

const dir = mkdtempSync(join(tmpdir(), 'manyi-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a citizen or a member of staff could notice, as one comparable value. */
function snapshot(e: HallEngine, now: number) {
  const { at: _at, ...hs } = e.hallState(now);
  return {
    hall: hs,
    windows: e.windowIds.map((w) => { const { at: _a, ...s } = e.windowState(w, now); return s; }),
    tickets: [...e.model.tickets.keys()].map((no) => e.ticketStatus(DAY, no)),
    counters: [...e.model.counters],
    blocks: [...e.model.blocks],
  };
}

describe('restart from SQLite', () => {
  it('resumes tickets, windows, numbering, blocks and stored replies exactly', () => {
    const db = join(dir, 'controller.db');
    const e1 = new HallEngine({ hall, store: open(db, at(0)), policy: 'dedicated' });
    const to = (w: string) => ({ sender: `window/${w}`, topic: `manyi/v1/demo-hospital/window/${w}/reply` });
    for (let i = 0; i < 6; i++) e1.kiosk('k1', { op: 'ticket', id: `t${i}`, service: i % 2 ? 'payment' : 'registration' }, at(i), { sender: 'kiosk/k1', topic: 'x' });
    e1.kiosk('k2', { op: 'reserve', id: 'b1', service: 'registration', count: 5 }, at(7));
    e1.window('1', { id: 'o', action: 'open', staff: 's001' }, at(8), to('1'));
    e1.window('6', { id: 'o', action: 'open' }, at(8), to('6'));
    e1.window('7', { id: 'o', action: 'open' }, at(8), to('7'));
    e1.window('7', { id: 'p', action: 'pause' }, at(9), to('7'));
    e1.window('1', { id: 'c', action: 'call-next' }, at(10), to('1'));
    e1.window('1', { id: 's', action: 'start' }, at(11), to('1'));
    e1.window('1', { id: 'd', action: 'complete' }, at(40), to('1'));
    e1.window('1', { id: 'c2', action: 'call-next' }, at(41), to('1'));
    e1.window('1', { id: 'pk', action: 'park' }, at(42), to('1'));
    e1.window('6', { id: 'c', action: 'call-next' }, at(43), to('6'));
    const now = at(44);
    const before = snapshot(e1, now);
    const reply = e1.storedReply('window/1', 'c2');
    e1.store.close();

    const e2 = new HallEngine({ hall, store: open(db, at(44)), policy: 'dedicated' });
    expect(snapshot(e2, now)).toEqual(before);
    expect(e2.storedReply('window/1', 'c2')).toEqual(reply);
    expect(JSON.parse(reply!.payload)).toMatchObject({ ok: true, ticket: { no: 'A002' } });
    // numbering resumes after the reserved block; the rating window survives too
    expect(e2.kiosk('k1', { op: 'ticket', id: 'n', service: 'registration' }, at(45))).toMatchObject({ ticket: { no: 'A009' } });
    expect(e2.rate('1', { id: 'r', ticket: 'A001', score: 'satisfied' }, at(46))).toMatchObject({ ok: true });
    e2.store.close();
  });

  it('starts the next day from its stored window statuses with fresh numbering', () => {
    const db = join(dir, 'days.db');
    const e1 = new HallEngine({ hall, store: open(db, at(0)) });
    e1.window('2', { id: 'o', action: 'open', staff: 's002' }, at(0));
    e1.kiosk('k1', { op: 'ticket', id: 't', service: 'registration' }, at(1));
    e1.store.close();
    const e2 = new HallEngine({ hall, store: open(db, at(2)) });
    expect(e2.windowState('2', at(2))).toMatchObject({ status: 'open', staff: { id: 's002' } });
    e2.kiosk('k1', { op: 'ticket', id: 't2', service: 'registration' }, at(0, '2026-11-27'));
    e2.store.close();
    const e3 = new HallEngine({ hall, store: open(db, at(3, '2026-11-27')) });
    expect(e3.day).toBe('2026-11-27');
    expect(e3.windowState('2', at(3, '2026-11-27')).status).toBe('open');
    expect(e3.ticketStatus('2026-11-27', 'A001')).toMatchObject({ state: 'waiting' });
    expect(e3.kiosk('k1', { op: 'ticket', id: 't3', service: 'registration' }, at(5, '2026-11-27'))).toMatchObject({ ticket: { no: 'A002' } });
    e3.store.close();
  });
});
