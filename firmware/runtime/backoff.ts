// Reconnect delays: exponential, capped, with full jitter so that sixteen counters
// that lost the broker together do not all knock at the same instant when it returns.

export interface BackoffOptions {
  /** First delay, ms. */
  initialMs?: number;
  /** Largest delay, ms. */
  maxMs?: number;
  factor?: number;
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt (grows with each call until `reset`). */
  next(): number;
  reset(): void;
  readonly attempt: number;
}

export function createBackoff(opts: BackoffOptions = {}): Backoff {
  const initial = opts.initialMs ?? 500;
  const max = opts.maxMs ?? 30_000;
  const factor = opts.factor ?? 2;
  const random = opts.random ?? Math.random;
  if (!(initial > 0) || !(max >= initial) || !(factor >= 1)) throw new Error('backoff needs 0 < initialMs <= maxMs and factor >= 1');
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(max, initial * factor ** attempt);
      attempt++;
      // "Equal jitter": half fixed, half random — never zero, never above the cap.
      return Math.round(ceiling / 2 + random() * (ceiling / 2));
    },
    reset() { attempt = 0; },
    get attempt() { return attempt; },
  };
}
