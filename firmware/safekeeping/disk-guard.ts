// The controller's disk guard. When the disk under its database runs low, the
// controller stops issuing tickets, with a clear refusal to the kiosk and an alert
// for the manager and maintainer, while it still has room to serve the citizens
// who hold tickets: calls, completions and ratings keep being written. Nothing
// acknowledged is at risk either way: every reply follows its events' commit
// (persist before acknowledge), and a write that fails for want of space changes
// nothing and is answered `internal` (engine.ts) — the guard makes that the rare
// case, not the way a full disk shows itself.
import { statfsSync } from 'node:fs';
import { isoLocal } from '../lib/time.ts';
import type { Alert } from '../protocol/messages.ts';

export interface DiskSpace { free: number; total: number }

export interface DiskGuardOptions {
  /** The folder the database lives in. */
  dir: string;
  /** Below this many free bytes, no new tickets (default 64 MB: days of a busy hall's calls and ratings). */
  minFreeBytes?: number;
  /** Measures the filesystem (tests may count differently); default statfs(2). */
  measure?: (dir: string) => DiskSpace;
}

export const DEFAULT_MIN_FREE = 64 * 1048576;

export function statfsSpace(dir: string): DiskSpace {
  const s = statfsSync(dir);
  // bavail: what an unprivileged process (the service user) may still use.
  return { free: Number(s.bavail) * Number(s.bsize), total: Number(s.blocks) * Number(s.bsize) };
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

export class DiskGuard {
  readonly minFree: number;
  private space: DiskSpace = { free: Infinity, total: Infinity };
  private raised: Alert | null = null;

  constructor(private readonly o: DiskGuardOptions) {
    this.minFree = o.minFreeBytes ?? DEFAULT_MIN_FREE;
  }

  /** True while new tickets are refused. */
  get low(): boolean { return this.raised !== null; }
  get free(): number { return this.space.free; }

  /** Why a ticket is refused now, for the kiosk's reply (bilingual: it reaches a citizen's screen). */
  refusal(): string {
    return `暂停取号：服务器存储空间不足，请联系工作人员 / No new tickets: the hall controller's storage is full (${mb(this.space.free)} free); tickets already issued are still called. Staff: tell the maintainer.`;
  }

  /**
   * Measures; returns the alert to publish when the state changed (raised on
   * falling below the threshold, cleared on rising above it with 25 % to spare, so
   * it does not flap around the line), else null.
   */
  check(nowMs: number, iso: (ms: number) => string): Alert | null {
    try { this.space = (this.o.measure ?? statfsSpace)(this.o.dir); } catch { return null; } // unmeasurable: keep the last state
    if (!this.low && this.space.free < this.minFree) {
      this.raised = {
        id: `disk-full-${nowMs}`, kind: 'disk-full', at: iso(nowMs), subject: 'controller', state: 'raised',
        message: `The controller's disk has ${mb(this.space.free)} free (${mb(this.minFree)} needed): kiosks get no new tickets until a maintainer frees space (old backups in ${this.o.dir}/backups, or a bigger disk).`,
      };
      return this.raised;
    }
    if (this.raised && this.space.free >= this.minFree * 1.25) {
      const cleared: Alert = { ...this.raised, at: iso(nowMs), state: 'cleared', message: `The controller's disk has ${mb(this.space.free)} free again: tickets are issued.` };
      this.raised = null;
      return cleared;
    }
    return null;
  }

  /** The raised alert while low (the manager's page lists active alerts). */
  active(): Alert[] {
    return this.raised ? [this.raised] : [];
  }
}

export interface DiskWatchOptions {
  /** Where the alert goes (the controller's bus: the lobby, the manager's page, the city). */
  publish(alert: Alert): void;
  now: () => number;
  /** The hall's time zone, for the alert's local time. */
  timezone: string;
  log: { error(o: object, m: string): void; info(o: object, m: string): void };
  /** Milliseconds between measurements (default 5 s). */
  everyMs?: number;
}

/**
 * The controller role's disk-guard part: measures once now (so the first kiosk
 * request already knows), then every `everyMs`; each change of state is logged and
 * published as an alert.
 */
export function watchDisk(guard: DiskGuard, o: DiskWatchOptions): { stop(): void } {
  const check = () => {
    const a = guard.check(o.now(), (ms) => isoLocal(ms, o.timezone));
    if (!a) return;
    o.log[a.state === 'raised' ? 'error' : 'info']({ free: guard.free }, a.message);
    o.publish(a);
  };
  check();
  const timer = setInterval(check, o.everyMs ?? 5000);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
