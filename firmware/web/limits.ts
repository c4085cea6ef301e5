// Per-address counters for the web host: how many connections and WebSockets one
// address holds at once. A hall's LAN is shared with the public; one phone (or one
// script) must not be able to take every socket the board has.

export interface WebLimits {
  /** Largest request head (request line + headers), bytes. */
  maxHeaderBytes: number;
  /** Largest request body a route reads, bytes (routes may ask for less). */
  maxBodyBytes: number;
  /** Open TCP connections from one address. */
  connectionsPerAddress: number;
  /** Open connections in all. */
  maxConnections: number;
  /** Open WebSockets from one address. */
  socketsPerAddress: number;
  /** Largest WebSocket message a page may send, bytes. */
  maxSocketMessageBytes: number;
  /** The request head must arrive within this, ms (slow-loris). */
  headersTimeoutMs: number;
  /** The whole request must arrive within this, ms. */
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: WebLimits = {
  maxHeaderBytes: 16 * 1024,
  maxBodyBytes: 64 * 1024,
  // Phones on a hall's guest Wi-Fi may share one address behind NAT: generous, but bounded.
  connectionsPerAddress: 64,
  maxConnections: 1024,
  socketsPerAddress: 32,
  maxSocketMessageBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/** Counts open things per key; `take` refuses past the cap. */
export class PerKeyCounter {
  private counts = new Map<string, number>();
  constructor(private readonly cap: number) {}

  take(key: string): boolean {
    const n = this.counts.get(key) ?? 0;
    if (n >= this.cap) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n <= 0) this.counts.delete(key);
    else this.counts.set(key, n);
  }

  count(key: string): number { return this.counts.get(key) ?? 0; }
}

/** `::ffff:10.0.0.5` and `10.0.0.5` are one address. */
export function normalAddress(a: string | undefined): string {
  if (!a) return '?';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1)$/;
export function isLoopback(a: string | undefined): boolean {
  return LOOPBACK.test(normalAddress(a));
}
