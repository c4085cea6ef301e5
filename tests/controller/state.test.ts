// The hall model's bookkeeping that the views read: local times on a day with a
// clock change, a window's staff through pause and resume, a busy window in the
// wait estimate, and a rating for an earlier ticket while the pad waits for a
// later one.
import { describe, expect, it } from 'vitest';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { HallModel } from '../../firmware/controller/state.ts';
import { isoLocal, localSecondOfDay, localToMs } from '../../firmware/lib/time.ts';
import { at, hall } from './helpers.ts';

describe('local time in the model', () => {
  it('on a day with a clock change, each instant gets its own offset and second of the day', () => {
    const berlin = { ...hall, hall: { ...hall.hall, timezone: 'Europe/Berlin' } };
    const m = new HallModel(berlin);
    m.startDay('2026-03-29'); // 02:00 → 03:00: a 23-hour day
    expect(m.dayEnd - m.dayStart).toBe(23 * 3600_000);
    const early = localToMs('2026-03-29', 3600 + 1800, 'Europe/Berlin'); // 01:30, +01:00
    const noon = localToMs('2026-03-29', 12 * 3600, 'Europe/Berlin'); // 12:00, +02:00
    expect(m.iso(early)).toBe('2026-03-29T01:30:00.000+01:00');
    expect(m.iso(noon)).toBe('2026-03-29T12:00:00.000+02:00');
    expect(m.secondOfDay(noon)).toBe(12 * 3600);
    expect(m.secondOfDay(early)).toBe(3600 + 1800);
  });

  it('on an ordinary day, and outside it, gives what the time zone says', () => {
    const m = new HallModel(hall);
    m.startDay('2026-11-26');
    expect(m.dayEnd - m.dayStart).toBe(24 * 3600_000);
    for (const t of [m.dayStart, m.dayStart + 1, at(0) + 123, m.dayEnd - 1, m.dayEnd, m.dayStart - 1, m.dayEnd + 3600_000]) {
      expect(m.iso(t), String(t)).toBe(isoLocal(t, hall.hall.timezone));
      expect(m.secondOfDay(t), String(t)).toBe(localSecondOfDay(t, hall.hall.timezone));
    }
    // a western zone: negative offset
    const ny = new HallModel({ ...hall, hall: { ...hall.hall, timezone: 'America/New_York' } });
    ny.startDay('2026-11-26');
    expect(ny.iso(localToMs('2026-11-26', 9 * 3600 + 30 * 60, 'America/New_York'))).toBe('2026-11-26T09:30:00.000-05:00');
    const kolkata = new HallModel({ ...hall, hall: { ...hall.hall, timezone: 'Asia/Kolkata' } });
    kolkata.startDay('2026-11-26');
    expect(kolkata.iso(localToMs('2026-11-26', 10 * 3600, 'Asia/Kolkata'))).toBe('2026-11-26T10:00:00.000+05:30');
  });

  it('starting the same day again keeps what the day holds', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    e.kiosk('k1', { op: 'ticket', id: 't', service: 'registration' }, at(0));
    e.model.startDay(e.day);
    expect(e.model.tickets.size).toBe(1);
  });
});

describe('windows', () => {
  it('keep their staff member through pause and resume, until closed', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    e.window('1', { id: 'o', action: 'open', staff: 's001' }, at(1));
    e.window('1', { id: 'p', action: 'pause' }, at(2));
    expect(e.windowState('1', at(3)).staff).toEqual({ id: 's001', name: '王芳' });
    e.window('1', { id: 'r', action: 'resume' }, at(4));
    expect(e.windowState('1', at(5)).staff).toEqual({ id: 's001', name: '王芳' });
    expect(e.model.windows.get('1')!.since).toBe(at(4));
  });

  it('count as busy while they call or serve someone: the next citizen then waits', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    e.window('1', { id: 'o', action: 'open' }, at(1));
    const first = e.kiosk('k1', { op: 'ticket', id: 't1', service: 'registration' }, at(2)) as { ticket: { estWaitS: number } };
    expect(first.ticket.estWaitS).toBe(0); // an idle window
    e.window('1', { id: 'c', action: 'call-next' }, at(3));
    expect(e.model.windows.get('1')!.busy).toBe(true);
    const second = e.kiosk('k1', { op: 'ticket', id: 't2', service: 'registration' }, at(4)) as { ticket: { estWaitS: number } };
    expect(second.ticket.estWaitS).toBeGreaterThan(0);
    e.window('1', { id: 'n', action: 'no-show' }, at(5));
    expect(e.model.windows.get('1')!.busy).toBe(false);
  });

  it('a rating for an earlier ticket leaves the pad waiting for the later one', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    e.kiosk('k1', { op: 'ticket', id: 't1', service: 'registration' }, at(0));
    e.kiosk('k1', { op: 'ticket', id: 't2', service: 'registration' }, at(1));
    e.window('1', { id: 'o', action: 'open' }, at(2));
    let i = 0;
    for (const a of ['call-next', 'start', 'complete', 'call-next', 'start', 'complete'] as const) e.window('1', { id: `a${i++}`, action: a }, at(3 + i));
    expect(e.windowState('1', at(10))).toMatchObject({ rating: 'waiting', ratingFor: 'A002' });
    expect(e.rate('1', { id: 'r1', ticket: 'A001', score: 'basic' }, at(11)).ok).toBe(true);
    expect(e.windowState('1', at(12))).toMatchObject({ rating: 'waiting', ratingFor: 'A002' });
    expect(e.rate('1', { id: 'r2', ticket: 'A002', score: 'basic' }, at(13)).ok).toBe(true);
    expect(e.windowState('1', at(14))).toMatchObject({ rating: 'idle' });
  });
});
