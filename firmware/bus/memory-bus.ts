// The bus without a broker: buses on one MemoryHub hear each other's messages, with
// the contract's retained messages kept like a broker keeps them. Same interface,
// same decoding and dispatch as MqttBus, so a role's handlers are tested in-process
// in milliseconds. `disconnect()`/`reconnect()` play a lost connection.
import { topicMatches } from '../protocol/match.ts';
import { BusCore, type Transport } from './dispatch.ts';
import type { BusLog } from './types.ts';

export class MemoryHub {
  readonly buses = new Set<MemoryBus>();
  readonly retained = new Map<string, Buffer>();
  /** Every message published, in order (tests read what went out). */
  readonly published: Array<{ topic: string; text: string; retain: boolean }> = [];

  route(topic: string, payload: Buffer, retain: boolean): void {
    this.published.push({ topic, text: payload.toString('utf8'), retain });
    if (retain) {
      if (payload.length === 0) this.retained.delete(topic);
      else this.retained.set(topic, payload);
    }
    for (const b of [...this.buses]) b.deliver(topic, payload);
  }
}

export class MemoryBus extends BusCore {
  private online = true;
  private filters = new Set<string>();
  private readonly t: Transport;

  constructor(readonly hub: MemoryHub, hall: string, log?: BusLog) {
    super(hall, log);
    hub.buses.add(this);
    this.t = {
      subscribe: async (filters) => {
        for (const { filter } of filters) {
          this.filters.add(filter);
          // As a broker does: the retained messages under a new subscription.
          for (const [topic, payload] of [...this.hub.retained]) {
            if (topicMatches(filter, topic)) queueMicrotask(() => this.receive(topic, payload, true));
          }
        }
      },
      unsubscribe: async (filters) => { for (const f of filters) this.filters.delete(f); },
      send: async (topic, text, opts) => {
        if (!this.online) return false;
        this.hub.route(topic, Buffer.from(text, 'utf8'), opts.retain);
        return true;
      },
    };
  }

  get connected(): boolean {
    return this.online;
  }

  protected transport(): Transport {
    return this.t;
  }

  /** Called by the hub for every message published on it. */
  deliver(topic: string, payload: Buffer): void {
    if (!this.online || ![...this.filters].some((f) => topicMatches(f, topic))) return;
    queueMicrotask(() => this.receive(topic, payload, false));
  }

  /** Raw bytes from an outside party (tests: malformed or hostile input). */
  injectRaw(topic: string, payload: Buffer | string, retain = false): void {
    this.hub.route(topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8'), retain);
  }

  disconnect(): void {
    if (!this.online) return;
    this.online = false;
    this.disconnectedNow();
  }

  reconnect(): void {
    if (this.online) return;
    this.online = true;
    this.connectedNow();
  }

  close(): void {
    this.hub.buses.delete(this);
  }
}
