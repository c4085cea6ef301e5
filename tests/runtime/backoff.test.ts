import { describe, expect, it } from 'vitest';
import { createBackoff } from '../../firmware/runtime/backoff.ts';

describe('reconnect back-off', () => {
  it('doubles up to the cap, jitters within [half, full], and starts again after a success', () => {
    let r = 0;
    const rand = () => r;
    const b = createBackoff({ initialMs: 100, maxMs: 1000, random: rand });
    const lows = Array.from({ length: 6 }, () => b.next());
    expect(lows).toEqual([50, 100, 200, 400, 500, 500]);
    b.reset();
    r = 0.999;
    const highs = Array.from({ length: 6 }, () => b.next());
    expect(highs).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
  it('refuses nonsense settings', () => {
    expect(() => createBackoff({ initialMs: 0 })).toThrow();
    expect(() => createBackoff({ initialMs: 500, maxMs: 100 })).toThrow();
  });
});
