// The guard's fixed-header tracker and the login throttle, alone: packets split at
// every byte, lengths at the limit and one past it, back-off that grows and clears.
import { describe, expect, it } from 'vitest';
import { FixedHeaderTracker } from '../../firmware/broker/guard.ts';
import { Gate, Throttle } from '../../firmware/security/throttle.ts';
import { connectPacket, publishPacket, varint } from './helpers.ts';

const limit = (max: number) => () => max;

describe('fixed header tracker', () => {
  it('follows packets split at every byte boundary and refuses nothing within the limit', () => {
    const bytes = Buffer.concat([connectPacket('k', 'u', 'p'), publishPacket('a/b', Buffer.alloc(300)), publishPacket('a/b', Buffer.alloc(0)), Buffer.from([0xc0, 0x00])]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const t = new FixedHeaderTracker();
      expect(t.feed(bytes.subarray(0, cut), limit(1000))).toBeNull();
      expect(t.feed(bytes.subarray(cut), limit(1000))).toBeNull();
      expect(t.packets).toBe(4);
    }
  });

  it('refuses at the length byte that crosses the limit, before the body arrives', () => {
    const t = new FixedHeaderTracker();
    expect(t.feed(Buffer.concat([Buffer.from([0x10]), varint(1001)]), limit(1000))).toBe('connect-too-large');
    const ok = new FixedHeaderTracker();
    expect(ok.feed(Buffer.concat([Buffer.from([0x10]), varint(1000)]), limit(1000))).toBeNull();
    const after = new FixedHeaderTracker();
    expect(after.feed(Buffer.concat([connectPacket('k'), Buffer.from([0x30]), varint(5000)]), limit(1000))).toBe('packet-too-large');
  });

  it('refuses a first packet that is not CONNECT and a length of more than four bytes', () => {
    expect(new FixedHeaderTracker().feed(Buffer.from([0x30, 0]), limit(10))).toBe('not-connect-first');
    expect(new FixedHeaderTracker().feed(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]), limit(Infinity))).toBe('malformed-length');
  });
});

describe('login throttle', () => {
  it('gives free tries, then doubles the wait, and a success clears it', () => {
    let now = 0;
    const t = new Throttle({ freeFailures: 2, baseMs: 1000, maxMs: 8000 }, () => now);
    expect(t.begin('a')).toBe(true);
    expect(t.begin('a')).toBe(true);
    expect(t.waitMs('a')).toBe(1000);
    expect(t.begin('a')).toBe(false); // knocking while closed: the wait grows
    expect(t.waitMs('a')).toBe(2000);
    now += 2000;
    expect(t.begin('a')).toBe(true);
    t.success('a');
    expect(t.waitMs('a')).toBe(0);
    for (let i = 0; i < 20; i++) t.failure('b');
    expect(t.waitMs('b')).toBe(8000);
  });

  it('forgets the oldest keys past its size', () => {
    const t = new Throttle({ maxKeys: 3, freeFailures: 0 });
    for (const k of ['a', 'b', 'c', 'd']) t.failure(k);
    expect(t.failures('a')).toBe(0);
    expect(t.failures('d')).toBe(1);
  });

  it('runs at most n checks at once, refuses past its queue, lets the urgent ones ahead', async () => {
    const g = new Gate(1, 1);
    const order: string[] = [];
    let release!: () => void;
    const first = g.run(() => new Promise<string>((r) => { release = () => r('first'); }), 'busy');
    const second = g.run(async () => { order.push('second'); return 'second'; }, 'busy');
    expect(await g.run(async () => 'third', 'busy')).toBe('busy');
    const urgent = g.run(async () => { order.push('urgent'); return 'urgent'; }, 'busy', true);
    release();
    expect(await Promise.all([first, second, urgent])).toEqual(['first', 'second', 'urgent']);
    expect(order).toEqual(['urgent', 'second']);
  });
});
