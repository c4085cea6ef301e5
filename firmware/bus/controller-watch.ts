// Is the controller there? Counters show `----` and lobby boards mark
// themselves stale when it is not. Signs of life: the hall state (retained,
// republished when the hall changes), and the controller device's own
// `health` (every few seconds from the device runtime) — a quiet hall changes
// nothing for minutes, so the hall state alone would cry wolf. Its retained
// `status` going `offline` (its last will) counts as gone at once.
import type { Bus } from './types.ts';
import type { Clock } from '../lib/time.ts';

export class ControllerWatch {
  private lastAlive = -Infinity;
  private controllers = new Map<string, { state: 'online' | 'offline'; at: number }>();
  private listening = new Set<string>();

  /** `onChange` runs after each sign of life or death (the owner re-checks `stale()`). */
  constructor(private readonly bus: Bus, private readonly owner: string, private readonly clock: Clock, readonly staleAfterMs: number, private readonly onChange: () => void = () => {}) {}

  async start(): Promise<void> {
    await this.bus.on(this.owner, 'device-status', 'any', (s, from) => {
      if (s.role !== 'controller') return;
      this.controllers.set(from.device, { state: s.state, at: this.clock.now() });
      if (s.state === 'online') {
        this.alive();
        if (!this.listening.has(from.device)) {
          this.listening.add(from.device);
          void this.bus.on(this.owner, 'device-health', { device: from.device }, () => {
            if (this.controllers.get(from.device)?.state === 'online') { this.alive(); this.onChange(); }
          });
        }
      }
      this.onChange();
    });
  }

  /**
   * Something the controller published just arrived. A retained copy replayed by
   * the broker proves nothing when the controller's will already said offline.
   */
  alive(retained = false): void {
    if (retained && [...this.controllers.values()].some((c) => c.state === 'offline')) return;
    this.lastAlive = this.clock.now();
  }

  /** True when the controller is known offline or has been silent too long. */
  stale(): boolean {
    // Gone for good when every controller's will fired and nothing came since.
    const known = [...this.controllers.values()];
    if (known.length > 0 && known.every((c) => c.state === 'offline' && this.lastAlive <= c.at)) return true;
    return this.clock.now() - this.lastAlive > this.staleAfterMs;
  }

  stop(): Promise<void> {
    return this.bus.removeOwner(this.owner);
  }
}
