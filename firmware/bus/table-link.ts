// A second MQTT session with a table of its own — the city link (firmware/city:
// CITY_CONTRACT, on the city's broker, not the hall's). The same ownership as
// MqttBus, for another table: the only listener on the client's messages and the
// only publisher on it; each message is decoded once against its row's schema,
// QoS and retain come from the row. The link's user keeps the connection
// (credentials, back-off) and registers one handler per kind it reads.
import type { MqttClient } from 'mqtt';
import type { z } from 'zod';
import { decode } from '../protocol/decode.ts';
import type { BusLog } from './types.ts';

export interface LinkRow { schema: z.ZodType; qos: 0 | 1; retain: boolean }
export type LinkTable = Record<string, LinkRow>;

/** How the table's topics are written and read back. */
export interface LinkTopics<T extends LinkTable, P> {
  topicOf(kind: keyof T & string, params: P): string;
  /** The kind and names of a topic, or null for a topic not in the table. */
  parse(topic: string): (P & { kind: keyof T & string }) | null;
}

/** Why a message was not handed to a handler: not in the table (or no handler reads it), too large, or not valid. */
export interface LinkRejection { topic: string; reason: 'unknown' | 'too-large' | 'invalid'; message: string; bytes: number }

type Handler<T extends LinkTable, K extends keyof T, P> = (value: z.infer<T[K]['schema']>, from: P) => void;

export class TableLink<T extends LinkTable, P> {
  private readonly handlers = new Map<string, Handler<T, keyof T, P>>();
  private readonly listener = (topic: string, payload: Buffer) => this.receive(topic, payload);

  constructor(
    readonly client: MqttClient,
    private readonly table: T,
    private readonly topics: LinkTopics<T, P>,
    private readonly o: { maxBytes?: number; log?: BusLog; onReject?: (r: LinkRejection) => void } = {},
  ) {
    client.on('message', this.listener);
  }

  /** Hands each valid `kind` message to `handler` (one per kind). */
  on<K extends keyof T & string>(kind: K, handler: Handler<T, K, P>): void {
    this.handlers.set(kind, handler as Handler<T, keyof T, P>);
  }

  /** Subscribes to filters as they are (shared subscriptions `$share/…` included); rejects on failure. */
  async subscribe(filters: string[], qos: 0 | 1 = 1): Promise<void> {
    await this.client.subscribeAsync(filters, { qos });
  }

  async unsubscribe(filters: string[]): Promise<void> {
    await this.client.unsubscribeAsync(filters);
  }

  /** With the row's QoS and retain; resolves true when sent (QoS 1: acknowledged), false on failure (logged at debug). */
  publish<K extends keyof T & string>(kind: K, params: P, payload: z.infer<T[K]['schema']>): Promise<boolean> {
    const { qos, retain } = this.table[kind];
    const topic = this.topics.topicOf(kind, params);
    return new Promise((resolve) => {
      this.client.publish(topic, JSON.stringify(payload), { qos, retain }, (err) => {
        if (err) this.o.log?.debug?.({ topic, err: err.message }, 'link: publish failed');
        resolve(!err);
      });
    });
  }

  /** Stops listening (the user ends the client). */
  detach(): void {
    this.client.off('message', this.listener);
  }

  private receive(topic: string, payload: Buffer): void {
    const reject = (reason: LinkRejection['reason'], message: string) => {
      const r = { topic, reason, message, bytes: payload.length };
      if (this.o.onReject) this.o.onReject(r);
      else this.o.log?.warn({ topic, reason, error: message, bytes: payload.length }, 'link: message ignored');
    };
    const t = this.topics.parse(topic);
    const handler = t ? this.handlers.get(t.kind) : undefined;
    if (!t || !handler) return reject('unknown', 'not a topic this link reads');
    if (this.o.maxBytes !== undefined && payload.length > this.o.maxBytes) return reject('too-large', `${payload.length} bytes, at most ${this.o.maxBytes}`);
    const d = decode(payload, this.table[t.kind].schema as z.ZodType<unknown>);
    if (!d.ok) return reject('invalid', d.message);
    const { kind: _k, ...from } = t;
    try { handler(d.value as never, from as P); } catch (e) {
      this.o.log?.error({ topic, err: (e as Error).stack ?? String(e) }, 'link: handler failed');
    }
  }
}
