// Failed-login back-off, for devices (the broker, per address and per user name)
// and for people (staff and manager sign-in, per address and per account). A key
// gets `freeFailures` tries; each failure after that doubles the wait, up to
// `maxMs`. An attempt counts as a failure from the moment it begins (a success
// clears it), so a hundred attempts sent at once are throttled like a hundred in a
// row: the expensive hash is computed only for the free ones.

export interface ThrottleOptions {
  freeFailures: number;
  /** Wait after the first failure past the free ones, ms. */
  baseMs: number;
  maxMs: number;
  /** A key with no failure for this long starts afresh, ms. */
  forgetAfterMs: number;
  /** Keys remembered at most (random user names must not fill the memory). */
  maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeFailures: 5, baseMs: 1_000, maxMs: 5 * 60_000, forgetAfterMs: 15 * 60_000, maxKeys: 10_000,
};

interface Entry { failures: number; last: number; until: number }

export class Throttle {
  private entries = new Map<string, Entry>();
  readonly opts: ThrottleOptions;

  constructor(opts: Partial<ThrottleOptions> = {}, private readonly now: () => number = Date.now) {
    this.opts = { ...DEFAULT_THROTTLE, ...opts };
  }

  private get(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.last > this.opts.forgetAfterMs && this.now() >= e.until) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  waitMs(key: string): number {
    const e = this.get(key);
    return e ? Math.max(0, e.until - this.now()) : 0;
  }

  /**
   * Starts an attempt: false while the key must wait (and the wait grows: knocking
   * on a closed door keeps it closed); else true, and the attempt counts as a
   * failure until `success(key)` clears it.
   */
  begin(key: string): boolean {
    const waiting = this.waitMs(key) > 0;
    this.failure(key);
    return !waiting;
  }

  failure(key: string): void {
    const now = this.now();
    const e = this.get(key) ?? { failures: 0, last: now, until: 0 };
    e.failures++;
    e.last = now;
    const over = e.failures - this.opts.freeFailures;
    if (over >= 0) e.until = now + Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** Math.min(over, 30));
    this.entries.delete(key); // re-insert: the map's order is the eviction order
    this.entries.set(key, e);
    while (this.entries.size > this.opts.maxKeys) this.entries.delete(this.entries.keys().next().value!);
  }

  success(key: string): void {
    this.entries.delete(key);
  }

  failures(key: string): number { return this.get(key)?.failures ?? 0; }
}

/** Runs at most `n` expensive checks at once; beyond `queueMax` waiting, refuses at once. */
export class Gate {
  private running = 0;
  private queue: Array<{ run: () => void; urgent: boolean }> = [];
  constructor(private readonly n: number, private readonly queueMax: number) {}

  /** Resolves with `fn()`'s result, or with `busy` without running it when the queue is full. */
  async run<T>(fn: () => Promise<T>, busy: T, urgent = false): Promise<T> {
    if (this.running >= this.n) {
      if (this.queue.length >= this.queueMax && !urgent) return busy;
      // Woken with the slot of the one that finished (it stays counted in `running`).
      await new Promise<void>((resolve) => {
        const item = { run: resolve, urgent };
        // Known-good clients (a device at its usual address) go ahead of strangers.
        if (urgent) { const i = this.queue.findIndex((q) => !q.urgent); this.queue.splice(i < 0 ? this.queue.length : i, 0, item); } else this.queue.push(item);
      });
    } else this.running++;
    try { return await fn(); } finally {
      const next = this.queue.shift();
      if (next) next.run(); else this.running--;
    }
  }
}
