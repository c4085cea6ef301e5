// A test's MQTT hands and ears: publishes requests and waits (bounded) for what
// the controller sends back.
import mqtt, { type MqttClient } from 'mqtt';

export interface Msg { topic: string; payload: string; retain: boolean }

export class Probe {
  readonly messages: Msg[] = [];
  private waiters = new Set<() => void>();

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString(), retain: packet.retain });
      for (const w of this.waiters) w();
    });
  }

  static async connect(url: string, filter?: string, opts: mqtt.IClientOptions = {}): Promise<Probe> {
    const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, ...opts });
    (c.stream as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    const p = new Probe(c);
    if (filter) await c.subscribeAsync(filter, { qos: 1 });
    return p;
  }

  /** Resolves with the first message (already seen after `from`, or arriving) that matches. */
  waitFor(pred: (m: Msg) => boolean, timeoutMs = 5000, from = 0): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = from; i < this.messages.length; i++) {
          if (pred(this.messages[i]!)) { done(); resolve(this.messages[i]!); return true; }
        }
        return false;
      };
      const timer = setTimeout(() => { done(); reject(new Error(`no matching message within ${timeoutMs} ms`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); this.waiters.delete(waiter); };
      const waiter = () => { check(); };
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** Waits until `n` messages match. */
  async waitCount(pred: (m: Msg) => boolean, n: number, timeoutMs = 10000): Promise<Msg[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.messages.filter(pred);
      if (got.length >= n) return got;
      if (Date.now() > deadline) throw new Error(`only ${got.length} of ${n} messages within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const w = () => { this.waiters.delete(w); resolve(); };
        this.waiters.add(w);
        setTimeout(w, 200);
      });
    }
  }

  /** Publishes a request and resolves with the reply carrying the same id (raw and parsed). */
  async request(topic: string, body: Record<string, unknown>, timeoutMs = 5000): Promise<{ raw: string; reply: any }> {
    const replyTopic = topic.replace(/\/(request|command|rating)$/, '/reply');
    const from = this.messages.length;
    const wait = this.waitFor((m) => m.topic === replyTopic && JSON.parse(m.payload).id === body.id, timeoutMs, from);
    // The reply is the acknowledgement that counts; a PUBACK lost with a dying broker must not hang us.
    this.client.publish(topic, JSON.stringify(body), { qos: 1 }, () => undefined);
    const m = await wait;
    return { raw: m.payload, reply: JSON.parse(m.payload) };
  }

  async end(): Promise<void> {
    await this.client.endAsync(true);
  }
}
