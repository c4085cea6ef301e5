// Requests from a window to the controller: commands and ratings. Each gets a
// unique id; a request with no reply is sent again with the SAME id, so the
// controller (which answers a repeated id with its first answer) never acts
// twice — a lost reply to "call next" never skips a ticket.
import type { MqttClient } from 'mqtt';
import {
  decode, topics, WindowCommand, WindowRating, WindowReply,
  type WindowReply as WindowReplyT,
} from '../protocol/index.ts';

export interface RequesterOptions {
  /** Resend after this long without a reply, ms. */
  retryMs?: number;
  /** Give up after this long, ms. */
  timeoutMs?: number;
}

export class NoReplyError extends Error {
  constructor(readonly id: string, ms: number) {
    super(`no reply from the controller within ${Math.round(ms / 1000)} s (request ${id})`);
    this.name = 'NoReplyError';
  }
}

interface Pending { resolve(r: WindowReplyT): void; reject(e: Error): void; retry: NodeJS.Timeout; deadline: NodeJS.Timeout }


export class WindowRequester {
  private seq = 0;
  private pending = new Map<string, Pending>();
  private readonly retryMs: number;
  private readonly timeoutMs: number;
  private readonly prefix: string;

  constructor(private readonly mqtt: MqttClient, private readonly hall: string, private readonly window: string, device: string, opts: RequesterOptions = {}) {
    this.retryMs = opts.retryMs ?? 2000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    // device + boot time + sequence: unique across restarts of this board.
    this.prefix = `${device.slice(0, 40)}-${Date.now().toString(36)}`;
  }

  nextId(): string { return `${this.prefix}-${(++this.seq).toString(36)}`; }

  /** Sends a window command; resolves with the controller's reply (ok or not). */
  command(body: Omit<WindowCommand, 'id'>, id = this.nextId()): Promise<WindowReplyT> {
    const msg = WindowCommand.safeParse({ ...body, id });
    if (!msg.success) return Promise.reject(new Error(`bad command: ${msg.error.issues.map((i) => i.message).join('; ')}`));
    return this.request(topics.windowCommand(this.hall, this.window), msg.data, id);
  }

  /** Sends a rating; resolves with the controller's reply. */
  rating(body: Omit<WindowRating, 'id'>, id = this.nextId()): Promise<WindowReplyT> {
    const msg = WindowRating.safeParse({ ...body, id });
    if (!msg.success) return Promise.reject(new Error(`bad rating: ${msg.error.issues.map((i) => i.message).join('; ')}`));
    return this.request(topics.windowRating(this.hall, this.window), msg.data, id);
  }

  /** Feed every message from `window/{w}/reply` here. Returns false for a reply to nothing we sent. */
  handleReply(payload: Buffer | string): boolean {
    const r = decode(payload, WindowReply);
    if (!r.ok || r.value.id === null) return false;
    const p = this.pending.get(r.value.id);
    if (!p) return false;
    this.finish(r.value.id);
    p.resolve(r.value);
    return true;
  }

  private request(topic: string, msg: object, id: string): Promise<WindowReplyT> {
    if (this.pending.has(id)) return Promise.reject(new Error(`request ${id} is already waiting for its reply`));
    const text = JSON.stringify(msg);
    return new Promise((resolve, reject) => {
      const send = () => this.mqtt.publish(topic, text, { qos: 1 }, () => { /* errors: the retry covers them */ });
      const retry = setInterval(send, this.retryMs);
      const deadline = setTimeout(() => { this.finish(id); reject(new NoReplyError(id, this.timeoutMs)); }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, retry, deadline });
      send();
    });
  }

  private finish(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearInterval(p.retry);
    clearTimeout(p.deadline);
    this.pending.delete(id);
  }

  /** Stops retrying; waiting callers get an error. */
  close(): void {
    for (const [id, p] of [...this.pending]) { this.finish(id); p.reject(new Error('counter stopped')); }
  }
}
