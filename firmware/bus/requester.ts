// Request and reply with the controller, for every requester in the firmware:
// kiosks, counters, the demo's traffic and tests. Each request gets an id unique
// to this process (owner, boot, sequence) unless the caller names one; a request
// with no reply is sent again with the SAME id, so the controller (which answers a
// repeated id with its first answer) never acts twice — a lost reply to "call
// next" never skips a ticket. Replies are matched by the sender's reply topic and id.
import { randomBytes } from 'node:crypto';
import { CONTRACT, topicOf, type Kind, type Payload, type ReplyKind, type RequestKind, type TopicParams } from '../protocol/contract.ts';
import type { Bus } from './types.ts';

export class NoReplyError extends Error {
  constructor(readonly id: string, ms: number) {
    super(`no reply from the controller within ${Math.round(ms / 1000)} s (request ${id})`);
    this.name = 'NoReplyError';
  }
}

/** A request's body: its payload without the `id` the requester adds. */
export type RequestBody<K extends RequestKind> = Payload<K> extends infer P ? P extends unknown ? Omit<P, 'id'> : never : never;

export interface RequestOptions {
  /** The request id (default: the next of this requester). Give the same id to ask again. */
  id?: string;
  /** Resend after this long without a reply, ms; 0 sends once (default: the requester's). */
  retryMs?: number;
  /** Give up after this long, ms (default: the requester's). */
  timeoutMs?: number;
}

export interface RequesterOptions {
  /** Bus owner name for the reply subscriptions; also starts the ids. */
  owner: string;
  retryMs?: number;
  timeoutMs?: number;
  /** What waiting callers are told when the requester closes. */
  closedMessage?: string;
}

interface Pending { resolve(r: unknown): void; reject(e: Error): void; retry?: NodeJS.Timeout; deadline: NodeJS.Timeout }

export class Requester {
  private seq = 0;
  private readonly prefix: string;
  private pending = new Map<string, Pending>();
  private listening = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly bus: Bus, private readonly o: RequesterOptions) {
    // owner + boot time + a little randomness: unique across restarts of this board.
    this.prefix = `${o.owner.slice(0, 32)}-${randomBytes(6).toString('hex')}`;
  }

  get connected(): boolean { return this.bus.connected; }

  nextId(tag = ''): string { return `${this.prefix}-${tag}${(++this.seq).toString(36)}`; }

  /**
   * Sends `body` as a `kind` request from `params` (e.g. `{ kiosk: 'k1' }`) and
   * resolves with the controller's reply (ok or not); rejects with NoReplyError
   * when none comes in time, or at once when the body fails the contract's schema.
   */
  async request<K extends RequestKind>(kind: K, params: TopicParams<K>, body: RequestBody<K>, opts: RequestOptions = {}): Promise<Payload<ReplyKind<K>>> {
    if (this.closed) throw new Error(this.o.closedMessage ?? 'requester closed');
    const id = opts.id ?? this.nextId();
    const msg = (CONTRACT[kind].schema).safeParse({ ...body, id });
    if (!msg.success) throw new Error(`bad ${kind}: ${msg.error.issues.map((i) => i.message).join('; ')}`);
    const replyKind = CONTRACT[kind].reply as Kind;
    const key = `${topicOf(replyKind, this.bus.hall, params as never)}\n${id}`;
    if (this.pending.has(key)) throw new Error(`request ${id} is already waiting for its reply`);
    await this.listen(replyKind, params as Record<string, string>);
    const text = JSON.stringify(msg.data);
    const retryMs = opts.retryMs ?? this.o.retryMs ?? 2000;
    const timeoutMs = opts.timeoutMs ?? this.o.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const send = () => { void this.bus.publishEncoded(kind, params, text); };
      const p: Pending = {
        resolve: resolve as (r: unknown) => void, reject,
        deadline: setTimeout(() => { this.finish(key); reject(new NoReplyError(id, timeoutMs)); }, timeoutMs),
        retry: retryMs > 0 ? setInterval(send, retryMs) : undefined,
      };
      this.pending.set(key, p);
      send();
    });
  }

  /** Stops retrying; waiting callers get an error. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [key, p] of [...this.pending]) { this.finish(key); p.reject(new Error(this.o.closedMessage ?? 'requester closed')); }
    await this.bus.removeOwner(this.o.owner);
  }

  private listen(replyKind: Kind, params: Record<string, string>): Promise<void> {
    const where = JSON.stringify([replyKind, params]);
    let ready = this.listening.get(where);
    if (!ready) {
      ready = this.bus.on(this.o.owner, replyKind, params as never, (reply, _from, meta) => {
        const id = (reply as { id: string | null }).id;
        if (id === null) return; // a bad-request answer to something unreadable: nobody's
        const key = `${meta.topic}\n${id}`;
        const p = this.pending.get(key);
        if (!p) return; // a late or repeated reply
        this.finish(key);
        p.resolve(reply);
      });
      this.listening.set(where, ready);
    }
    return ready;
  }

  private finish(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    if (p.retry) clearInterval(p.retry);
    clearTimeout(p.deadline);
    this.pending.delete(key);
  }
}
