// Is the controller there? Counters show `----` and lobby boards mark
// themselves stale when it is not. Signs of life: the hall state (retained,
// republished when the hall changes), and the controller device's own
// `health` (every few seconds from the device runtime) — a quiet hall changes
// nothing for minutes, so the hall state alone would cry wolf. Its retained
// `status` going `offline` (its last will) counts as gone at once.
import type { MqttClient } from 'mqtt';
import { decode, DeviceStatus, filters, topics, type ParsedTopic } from '../firmware/protocol/index.ts';
import type { Clock } from '../firmware/lib/time.ts';

export class ControllerWatch {
  private lastAlive = -Infinity;
  private controllers = new Map<string, { state: 'online' | 'offline'; at: number }>();
  private subscribed = new Set<string>();

  constructor(private readonly mqtt: MqttClient, private readonly hall: string, private readonly clock: Clock, readonly staleAfterMs: number) {}

  async start(): Promise<void> {
    await this.mqtt.subscribeAsync(filters.deviceStatuses(this.hall), { qos: 1 });
  }

  /**
   * Something the controller published just arrived. A retained copy replayed by
   * the broker proves nothing when the controller's will already said offline.
   */
  alive(retained = false): void {
    if (retained && [...this.controllers.values()].some((c) => c.state === 'offline')) return;
    this.lastAlive = this.clock.now();
  }

  /** Feeds a message; returns true if it was a device status/health this watch consumed. */
  handle(t: ParsedTopic, payload: Buffer): boolean {
    if (t.kind === 'device-health') {
      if (this.controllers.get(t.device)?.state === 'online') this.alive();
      return true;
    }
    if (t.kind !== 'device-status') return false;
    const r = decode(payload, DeviceStatus);
    if (!r.ok || r.value.role !== 'controller') return true;
    this.controllers.set(t.device, { state: r.value.state, at: this.clock.now() });
    if (r.value.state === 'online') {
      this.alive();
      if (!this.subscribed.has(t.device)) {
        this.subscribed.add(t.device);
        this.mqtt.subscribe(topics.deviceHealth(this.hall, t.device), { qos: 0 });
      }
    }
    return true;
  }

  /** True when the controller is known offline or has been silent too long. */
  stale(): boolean {
    // Gone for good when every controller's will fired and nothing came since.
    const known = [...this.controllers.values()];
    if (known.length > 0 && known.every((c) => c.state === 'offline' && this.lastAlive <= c.at)) return true;
    return this.clock.now() - this.lastAlive > this.staleAfterMs;
  }
}
