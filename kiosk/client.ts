// Request/reply with the controller over `kiosk/{kiosk}/request|reply`. Each
// request carries an id unique to this kiosk (boot id + counter); a handover's id
// is derived from the ticket so that a retry after a crash is the same request
// and the controller answers it once (contract: one answer per (sender, id)).
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { decode, KioskReply, topics, type KioskRequest } from '../firmware/protocol/index.ts';

export type KioskRequestBody = KioskRequest extends infer R ? R extends unknown ? Omit<R, 'id'> : never : never;

export class KioskClient {
  private readonly boot = randomBytes(4).toString('hex');
  private seq = 0;
  private waiting = new Map<string, (r: KioskReply) => void>();
  private readonly replyTopic: string;
  private readonly requestTopic: string;
  private readonly onMessage: (topic: string, payload: Buffer) => void;

  constructor(private readonly mqtt: MqttClient, hall: string, kiosk: string, private readonly onBadReply?: (msg: string) => void) {
    this.replyTopic = topics.kioskReply(hall, kiosk);
    this.requestTopic = topics.kioskRequest(hall, kiosk);
    this.onMessage = (topic, payload) => {
      if (topic !== this.replyTopic) return;
      const r = decode(payload, KioskReply);
      if (!r.ok) { this.onBadReply?.(r.message); return; }
      const id = r.value.id;
      const cb = id === null ? undefined : this.waiting.get(id);
      if (cb) { this.waiting.delete(id!); cb(r.value); }
    };
    mqtt.on('message', this.onMessage);
  }

  async subscribe(): Promise<void> { await this.mqtt.subscribeAsync(this.replyTopic, { qos: 1 }); }

  get connected(): boolean { return this.mqtt.connected; }

  newId(prefix = 't'): string { return `${prefix}-${this.boot}-${++this.seq}`; }

  /** Sends a request and waits for its reply; null when the controller does not answer in time. */
  async request(body: KioskRequestBody, timeoutMs: number, id = this.newId(body.op === 'ticket' ? 't' : body.op.slice(0, 2))): Promise<KioskReply | null> {
    if (!this.mqtt.connected) return null;
    return new Promise<KioskReply | null>((resolve) => {
      const t = setTimeout(() => { this.waiting.delete(id); resolve(null); }, timeoutMs);
      this.waiting.set(id, (r) => { clearTimeout(t); resolve(r); });
      // QoS 1 is not awaited: offline, mqtt.js would hold the publish in its queue.
      this.mqtt.publish(this.requestTopic, JSON.stringify({ ...body, id }), { qos: 1 }, () => {});
    });
  }

  close(): void {
    this.mqtt.off('message', this.onMessage);
    this.waiting.clear();
  }
}
