import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { demoClock } from '../../firmware/demo/clock.ts';
import { isoLocal } from '../../firmware/lib/time.ts';

const hall = loadHallConfig();
const at = (iso: string) => Date.parse(iso);

describe('demo clock', () => {
  it('is the wall clock inside opening hours and 08:00 hall time (the morning peak) outside them', () => {
    expect(demoClock(hall, { now: at('2026-03-02T10:00:00+08:00') }).offsetMs).toBe(0);
    const night = at('2026-03-02T03:00:00+08:00');
    const c = demoClock(hall, { now: night });
    expect(isoLocal(night + c.offsetMs, 'Asia/Shanghai')).toBe('2026-03-02T08:00:00.000+08:00');
    expect(demoClock(hall, { now: night, realTime: true }).offsetMs).toBe(0);
  });
  it('keeps its shift across restarts on the same data folder, so time never runs backwards', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'manyi-clock-')), 'demo-clock.json');
    const t0 = at('2026-03-02T03:00:00+08:00');
    const first = demoClock(hall, { now: t0, stateFile: file });
    const later = t0 + 20 * 60_000;
    const second = demoClock(hall, { now: later, stateFile: file });
    expect(second.offsetMs).toBe(first.offsetMs);
    expect(isoLocal(later + second.offsetMs, 'Asia/Shanghai')).toBe('2026-03-02T08:20:00.000+08:00');
    // The next night starts a new demo day.
    const nextNight = demoClock(hall, { now: t0 + 86_400_000, stateFile: file });
    expect(isoLocal(t0 + 86_400_000 + nextNight.offsetMs, 'Asia/Shanghai')).toBe('2026-03-03T08:00:00.000+08:00');
  });
  it('--start-at starts the hall clock at that hall time today, inside opening hours too', () => {
    const morning = at('2026-03-02T10:00:00+08:00');
    const c = demoClock(hall, { now: morning, startAt: '08:00' });
    expect(isoLocal(morning + c.offsetMs, 'Asia/Shanghai')).toBe('2026-03-02T08:00:00.000+08:00');
    const night = at('2026-03-02T03:00:00+08:00');
    expect(isoLocal(night + demoClock(hall, { now: night, startAt: '14:30' }).offsetMs, 'Asia/Shanghai')).toBe('2026-03-02T14:30:00.000+08:00');
    expect(demoClock(hall, { now: morning, startAt: '08:00', realTime: true }).offsetMs).toBe(0);
  });
});
