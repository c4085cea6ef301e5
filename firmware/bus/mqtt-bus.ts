// The bus over one MQTT.js client: the only code in the firmware that listens to
// the client's messages or publishes on it. Subscriptions are re-sent after every
// new session, so a handler registered once keeps hearing its topics.
import type { MqttClient } from 'mqtt';
import { BusCore, type Transport } from './dispatch.ts';
import type { BusLog } from './types.ts';

export class MqttBus extends BusCore {
  private readonly t: Transport;
  private readonly listeners: Array<[string, (...a: never[]) => void]>;

  constructor(readonly client: MqttClient, hall: string, log?: BusLog) {
    super(hall, log);
    const c = client;
    this.t = {
      // One SUBSCRIBE (and one UNSUBSCRIBE) for the filters changed together: a
      // role's handlers registered at once cost one round trip.
      async subscribe(filters) {
        const list = filters.map((f) => f.filter);
        const qos = Math.max(...filters.map((f) => f.qos)) as 0 | 1;
        const granted: unknown = await (list.length === 1 ? c.subscribeAsync(list[0], { qos }) : c.subscribeAsync(list, { qos }));
        const refused = (Array.isArray(granted) ? granted : []).filter((g) => g?.qos === 128).map((g) => g.topic);
        if (refused.length) log?.warn({ refused }, 'bus: the broker refused these subscriptions (access rules)');
      },
      async unsubscribe(filters) {
        // Not while the connection is down: a queued UNSUBSCRIBE would hold a stopping role.
        if (c.connected === false) return;
        await (filters.length === 1 ? c.unsubscribeAsync(filters[0]) : c.unsubscribeAsync(filters));
      },
      send: (topic, text, opts) => new Promise<boolean>((resolve) => {
        c.publish(topic, text, opts, (err) => {
          if (err) log?.warn({ topic, err: err.message }, 'publish failed');
          resolve(!err);
        });
      }),
    };
    this.listeners = [
      ['message', (topic: string, payload: Buffer, packet?: { retain?: boolean }) => this.receive(topic, payload, packet?.retain === true)],
      ['connect', (ack: { sessionPresent?: boolean }) => {
        // mqtt.js re-sends what it had; the bus adds what failed while offline.
        if (!ack?.sessionPresent) void this.resubscribe();
        this.connectedNow();
      }],
      ['close', () => this.disconnectedNow()],
    ] as never;
    for (const [ev, fn] of this.listeners) client.on(ev as 'message', fn as never);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  protected transport(): Transport {
    return this.t;
  }

  /** Stops listening to the client (the session closes it). */
  detach(): void {
    for (const [ev, fn] of this.listeners) this.client.off(ev as 'message', fn as never);
  }
}
