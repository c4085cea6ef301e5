// What MqttBus and MemoryBus share: the handlers by owner, decoding each message
// once against the contract table, dispatch to the handlers it matches, the
// subscriptions the handlers need (no two overlapping, so a broker never delivers
// one message twice), and the latest copy of each retained topic for handlers
// that join after their topic's retained message arrived.
import type { ZodType } from 'zod';
import { decode } from '../protocol/decode.ts';
import { CONTRACT, filterOf, parseTopic, publishOptions, topicOf, type Kind, type Payload, type TopicParams } from '../protocol/contract.ts';
import { filterWithin } from '../protocol/match.ts';
import type { Bus, BusLog, Handler, InvalidHandler, MessageMeta, Where } from './types.ts';

interface Registration {
  owner: string;
  kind: Kind;
  where: Record<string, string>;
  filter: string;
  handler: Handler<Kind>;
  onInvalid?: InvalidHandler<Kind>;
}

/** How a concrete bus talks to its broker. */
export interface Transport {
  subscribe(filters: Array<{ filter: string; qos: 0 | 1 }>): Promise<void>;
  unsubscribe(filters: string[]): Promise<void>;
  send(topic: string, text: string, opts: { qos: 0 | 1; retain: boolean }): Promise<boolean>;
}

const silentLog: BusLog = { warn() {}, error() {} };

export abstract class BusCore implements Bus {
  private regs: Registration[] = [];
  private subscribed = new Set<string>();
  private connects: Array<{ owner: string; fn: () => void }> = [];
  private disconnects: Array<{ owner: string; fn: () => void }> = [];
  /** Latest payload of each retained topic seen (for handlers that join late). */
  private retained = new Map<string, Buffer>();
  private changing: Promise<void> = Promise.resolve();

  protected constructor(readonly hall: string, protected readonly log: BusLog = silentLog) {}

  abstract get connected(): boolean;
  protected abstract transport(): Transport;

  async on<K extends Kind>(owner: string, kind: K, where: Where<K>, handler: Handler<K>, onInvalid?: InvalidHandler<K>): Promise<void> {
    const w = (where === 'any' ? {} : where) as Record<string, string>;
    const reg: Registration = {
      owner, kind, where: w, filter: filterOf(kind, this.hall, where as never),
      handler: handler as unknown as Handler<Kind>, onInvalid: onInvalid as unknown as InvalidHandler<Kind> | undefined,
    };
    const covered = [...this.subscribed].some((f) => filterWithin(f, reg.filter));
    this.regs.push(reg);
    if (covered) {
      // The broker will not send the retained messages again: the bus does.
      if (CONTRACT[kind].retain) {
        for (const [topic, payload] of [...this.retained]) {
          setImmediate(() => { if (this.regs.includes(reg)) this.deliverTo([reg], topic, payload, true); });
        }
      }
      return;
    }
    await this.resubscribe();
  }

  publish<K extends Kind>(kind: K, params: TopicParams<K>, payload: Payload<K>): Promise<boolean> {
    return this.publishEncoded(kind, params, JSON.stringify(payload));
  }

  async publishEncoded<K extends Kind>(kind: K, params: TopicParams<K>, text: string): Promise<boolean> {
    let topic: string;
    try { topic = topicOf(kind, this.hall, params); } catch (e) {
      this.log.error({ kind, err: (e as Error).message }, 'bus: not a topic of the contract; nothing published');
      return false;
    }
    return this.transport().send(topic, text, publishOptions(kind));
  }

  onConnect(owner: string, fn: () => void): void {
    this.connects.push({ owner, fn });
    if (this.connected) this.safely(fn, 'connect callback');
  }

  onDisconnect(owner: string, fn: () => void): void {
    this.disconnects.push({ owner, fn });
  }

  async removeOwner(owner: string): Promise<void> {
    this.regs = this.regs.filter((r) => r.owner !== owner);
    this.connects = this.connects.filter((c) => c.owner !== owner);
    this.disconnects = this.disconnects.filter((c) => c.owner !== owner);
    await this.resubscribe();
  }

  /** Owners with something registered (tests: nothing left behind after a stop). */
  owners(): string[] {
    return [...new Set([...this.regs.map((r) => r.owner), ...this.connects.map((c) => c.owner), ...this.disconnects.map((c) => c.owner)])];
  }

  // ---- for the concrete buses ------------------------------------------------

  /** Feed every message the transport receives here. Never throws. */
  protected receive(topic: string, payload: Buffer, retainedFlag: boolean): void {
    const t = parseTopic(topic);
    if (!t || t.hall !== this.hall) return;
    if (CONTRACT[t.kind].retain) {
      if (payload.length === 0) { this.retained.delete(topic); return; } // a retained message cleared
      this.retained.set(topic, payload);
    }
    const regs = this.regs.filter((r) => r.kind === t.kind && matches(r.where, t as unknown as Record<string, string>));
    if (regs.length) this.deliverTo(regs, topic, payload, retainedFlag);
  }

  protected connectedNow(): void {
    for (const c of [...this.connects]) this.safely(c.fn, 'connect callback');
  }

  protected disconnectedNow(): void {
    for (const c of [...this.disconnects]) this.safely(c.fn, 'disconnect callback');
  }

  /** The filters the bus holds now (MqttBus re-sends them after a new session). */
  protected currentFilters(): Array<{ filter: string; qos: 0 | 1 }> {
    return [...this.subscribed].map((filter) => ({ filter, qos: this.qosOf(filter) }));
  }

  // ---- inside ------------------------------------------------------------------

  private deliverTo(regs: Registration[], topic: string, payload: Buffer, retained: boolean): void {
    const t = parseTopic(topic)!;
    const kind = t.kind;
    const { hall: _h, kind: _k, ...from } = t as unknown as Record<string, string>;
    const meta: MessageMeta = { topic, retained, bytes: payload.length };
    const d = decode(payload, CONTRACT[kind].schema as ZodType<unknown>);
    if (!d.ok) {
      const err = { id: d.id, message: d.message };
      const told = regs.filter((r) => r.onInvalid);
      if (told.length === 0) this.log.warn({ topic, error: d.message, bytes: payload.length }, 'bus: invalid message ignored');
      for (const r of told) this.safely(() => r.onInvalid!(err, from as never, meta), `invalid-message handler of ${r.owner}`);
      return;
    }
    for (const r of regs) this.safely(() => r.handler(d.value as Payload<Kind>, from as never, meta), `handler of ${r.owner} for ${kind}`);
  }

  private safely(fn: () => void, what: string): void {
    try { fn(); } catch (e) {
      // A bug in one handler must not stop the others, nor the process.
      this.log.error({ err: (e as Error).stack ?? String(e) }, `bus: ${what} failed`);
    }
  }

  private qosOf(filter: string): 0 | 1 {
    return Math.max(0, ...this.regs.filter((r) => r.filter === filter || filterWithin(filter, r.filter)).map((r) => CONTRACT[r.kind].qos)) as 0 | 1;
  }

  /** Brings the broker's subscriptions to the smallest set covering every registration. */
  protected resubscribe(): Promise<void> {
    this.changing = this.changing.then(async () => {
      const wanted = [...new Set(this.regs.map((r) => r.filter))];
      const cover = wanted.filter((f) => !wanted.some((g) => g !== f && filterWithin(g, f)));
      const add = cover.filter((f) => !this.subscribed.has(f));
      const drop = [...this.subscribed].filter((f) => !cover.includes(f));
      if (add.length) {
        await this.transport().subscribe(add.map((filter) => ({ filter, qos: this.qosOf(filter) })));
        for (const f of add) this.subscribed.add(f);
      }
      if (drop.length) {
        for (const f of drop) this.subscribed.delete(f);
        await this.transport().unsubscribe(drop).catch((e: Error) => this.log.warn({ err: e.message }, 'bus: unsubscribe failed'));
      }
    }).catch((e: Error) => { this.log.warn({ err: e.message }, 'bus: subscribe failed; retried on reconnect'); });
    return this.changing;
  }
}

function matches(where: Record<string, string>, params: Record<string, string>): boolean {
  for (const k in where) if (where[k] !== params[k]) return false;
  return true;
}
