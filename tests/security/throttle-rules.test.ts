// The login back-off and the gate in front of the expensive hash, rule by rule, on
// a clock the test moves: what the defaults are, when a key is forgotten (only when
// quiet for long enough AND its wait is over), how many keys are remembered (the
// oldest goes first), and who the gate lets through in which order.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE, Gate, Throttle } from '../../firmware/security/throttle.ts';

describe('login back-off', () => {
  it('defaults to five free tries, then 1 s doubling up to 5 min, forgetting a key after 15 quiet minutes', () => {
    expect(DEFAULT_THROTTLE).toEqual({ freeFailures: 5, baseMs: 1_000, maxMs: 300_000, forgetAfterMs: 900_000, maxKeys: 10_000 });
    let now = 0;
    const t = new Throttle({}, () => now);
    for (let i = 0; i < 5; i++) t.failure('k');
    expect(t.waitMs('k')).toBe(1_000);
    now += 14 * 60_000; // quiet, but not for long enough
    expect(t.failures('k')).toBe(5);
    now += 60_000 + 1;
    expect(t.failures('k')).toBe(0);
  });

  it('does not forget a key while it still has to wait, however long it was quiet', () => {
    let now = 0;
    const t = new Throttle({ freeFailures: 1, baseMs: 10_000, maxMs: 10_000, forgetAfterMs: 1_000 }, () => now);
    t.failure('k');
    now += 4_000;
    expect(t.waitMs('k')).toBe(6_000);
    expect(t.failures('k')).toBe(1);
    now += 6_000; // the wait is over, and it was quiet for longer than forgetAfter
    expect(t.failures('k')).toBe(0);
  });

  it('forgets a key only once it has been quiet for longer than forgetAfter', () => {
    let now = 0;
    const t = new Throttle({ freeFailures: 5, forgetAfterMs: 1_000 }, () => now);
    t.failure('k');
    now = 1_000;
    expect(t.failures('k')).toBe(1);
    now = 1_001;
    expect(t.failures('k')).toBe(0);
  });

  it('knocking while waiting keeps the door closed and counts', () => {
    let now = 0;
    const t = new Throttle({ freeFailures: 2, baseMs: 100, maxMs: 10_000, forgetAfterMs: 60_000 }, () => now);
    expect(t.begin('k')).toBe(true);
    expect(t.begin('k')).toBe(true); // the second free try sets a 100 ms wait
    expect(t.begin('k')).toBe(false);
    expect(t.failures('k')).toBe(3);
    expect(t.waitMs('k')).toBe(200);
    now += 200;
    expect(t.begin('k')).toBe(true);
    t.success('k');
    expect(t.failures('k')).toBe(0);
    expect(t.waitMs('k')).toBe(0);
  });

  it('remembers at most maxKeys keys, forgetting the one that failed longest ago', () => {
    const now = 0;
    const t = new Throttle({ maxKeys: 3 }, () => now);
    t.failure('a'); t.failure('b'); t.failure('c');
    expect(['a', 'b', 'c'].map((k) => t.failures(k))).toEqual([1, 1, 1]);
    t.failure('a'); // a is now the most recent
    t.failure('d');
    expect(['a', 'b', 'c', 'd'].map((k) => t.failures(k))).toEqual([2, 0, 1, 1]);
  });
});

describe('the gate in front of the expensive check', () => {
  /** A task the test finishes by hand; `started` says whether the gate ran it. */
  function task(log: string[], name: string) {
    let finish!: () => void;
    const done = new Promise<void>((r) => { finish = r; });
    const t = { started: false, finish: () => finish(), fn: async () => { t.started = true; log.push(name); await done; return name; } };
    return t;
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it('runs at most n at once and lets the next in as soon as one finishes, then runs at once again when idle', async () => {
    const g = new Gate(1, 10);
    const log: string[] = [];
    const a = task(log, 'a'); const b = task(log, 'b');
    const pa = g.run(a.fn, 'busy');
    const pb = g.run(b.fn, 'busy');
    expect(a.started).toBe(true);
    expect(b.started).toBe(false);
    a.finish();
    expect(await pa).toBe('a');
    await tick();
    expect(b.started).toBe(true);
    b.finish();
    expect(await pb).toBe('b');
    // idle again: the next one starts right away
    const c = task(log, 'c');
    const pc = g.run(c.fn, 'busy');
    expect(c.started).toBe(true);
    c.finish();
    expect(await pc).toBe('c');
  });

  it('refuses a stranger at once when the queue is full, but queues a known client anyway', async () => {
    const g = new Gate(1, 1);
    const log: string[] = [];
    const a = task(log, 'a'); const b = task(log, 'b'); const c = task(log, 'c'); const u = task(log, 'u');
    const pa = g.run(a.fn, 'busy');
    const pb = g.run(b.fn, 'busy');
    expect(await g.run(c.fn, 'busy')).toBe('busy');
    const pu = g.run(u.fn, 'busy', true);
    a.finish(); await pa; await tick();
    expect(log).toEqual(['a', 'u']);
    u.finish(); await pu; await tick();
    b.finish(); await pb;
    expect(log).toEqual(['a', 'u', 'b']);
    expect(c.started).toBe(false);
  });

  it('lets known clients go ahead of strangers, each group in its own arrival order', async () => {
    const g = new Gate(1, 10);
    const log: string[] = [];
    const first = task(log, 'first');
    const p0 = g.run(first.fn, 'busy');
    const arrivals: Array<[string, boolean]> = [['s1', false], ['s2', false], ['k1', true], ['s3', false], ['k2', true]];
    const tasks = arrivals.map(([n]) => task(log, n));
    const ps = arrivals.map(([, urgent], i) => g.run(tasks[i]!.fn, 'busy', urgent));
    first.finish(); await p0;
    for (let i = 0; i < tasks.length; i++) {
      await tick();
      expect(tasks.filter((t) => t.started)).toHaveLength(i + 1); // one at a time
      tasks[arrivals.findIndex(([n]) => n === log[i + 1])]!.finish(); // the one that just started
    }
    await Promise.all(ps);
    expect(log).toEqual(['first', 'k1', 'k2', 's1', 's2', 's3']);
  });

  it('queues known clients among themselves in arrival order when no stranger waits', async () => {
    const g = new Gate(1, 10);
    const log: string[] = [];
    const first = task(log, 'first');
    const p0 = g.run(first.fn, 'busy');
    const k1 = task(log, 'k1'); const k2 = task(log, 'k2'); const k3 = task(log, 'k3');
    const ps = [g.run(k1.fn, 'busy', true), g.run(k2.fn, 'busy', true), g.run(k3.fn, 'busy', true)];
    first.finish(); await p0;
    for (const t of [k1, k2, k3]) { await tick(); expect(t.started).toBe(true); t.finish(); }
    await Promise.all(ps);
    expect(log).toEqual(['first', 'k1', 'k2', 'k3']);
  });
});
