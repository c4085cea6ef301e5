// What every inbound handler of the controller is given, and the one way a
// request is answered: a repeated id gets its first reply byte for byte; a new one
// runs on the engine, its reply is published, then what it caused (flush).
import type { Logger } from 'pino';
import type { Bus, DecodeError } from '../../bus/types.ts';
import type { Clock } from '../../lib/time.ts';
import { errorReply } from '../../protocol/decode.ts';
import type { Alert } from '../../protocol/messages.ts';
import { topicOf, type Kind, type Payload, type ReplyKind, type RequestKind, type TopicParams } from '../../protocol/contract.ts';
import type { PeopleAuth } from '../../security/people.ts';
import type { AppointmentBook } from '../../appointments/book.ts';
import type { DiskGuard } from '../../safekeeping/disk-guard.ts';
import type { DeviceWatch } from '../../supervision/index.ts';
import type { HallEngine, ReplyTo } from '../engine.ts';

export interface HandlerContext {
  engine: HallEngine;
  bus: Bus;
  log: Logger;
  clock: Clock;
  devices: DeviceWatch;
  /** Publishes what the last command changed (window states, calls, alerts, hall state). */
  flush(): void;
  /** Forgets what a failed command queued (a bug, not bad input). */
  discard(): void;
  /** Publishes an alert after the reply (with what the command changed). */
  alert(a: Alert): void;
  /** Kiosks alerted today for asking too many offline numbers (`day/kiosk`): one alert each. */
  blockAlerted: Set<string>;
  /** Staff and their PINs: with it, `open` and `sign-in` need a valid staff id and PIN. */
  people?: Pick<PeopleAuth, 'verify'>;
  /** The day's appointments: with it, an appointment check-in must be on the list, in time, once. */
  appointments?: Pick<AppointmentBook, 'check'>;
  /** Each sign-in's verdict by window and request id: a retry of the same request is not another guess. */
  pinVerdicts?: Map<string, ReturnType<PeopleAuth['verify']>>;
  /** The disk guard: below its floor, no new ticket numbers (firmware/safekeeping). */
  disk?: Pick<DiskGuard, 'low' | 'refusal'>;
}

/** An inbound kind's handler: `onMessage` for valid messages, `onInvalid` for the rest. */
export interface InboundHandler<K extends Kind> {
  kind: K;
  onMessage(c: HandlerContext, msg: Payload<K>, from: TopicParams<K>): void;
  onInvalid?(c: HandlerContext, err: DecodeError, from: TopicParams<K>, bytes: number): void;
}

/** `kiosk/k1` or `window/5`: who sent a request (one id space per sender). */
export function senderOf(from: Record<string, string>): string {
  return from.kiosk !== undefined ? `kiosk/${from.kiosk}` : `window/${from.window}`;
}

/**
 * Answers one request of `kind`: the stored reply to a repeated id, or `run`'s
 * reply (stored with its change by the engine) followed by what it changed.
 */
export function answer<K extends RequestKind>(
  c: HandlerContext, replyKind: ReplyKind<K>, from: TopicParams<K>, id: string,
  run: (to: ReplyTo) => Payload<ReplyKind<K>>,
): void {
  const sender = senderOf(from as Record<string, string>);
  const first = c.engine.storedReply(sender, id);
  if (first) {
    c.log.debug({ sender, id }, 'repeated request: first reply again');
    void c.bus.publishEncoded(replyKind, from as never, first.payload);
    return;
  }
  let reply: Payload<ReplyKind<K>>;
  try {
    reply = run({ sender, topic: topicOf(replyKind, c.bus.hall, from as never) });
  } catch (e) {
    // A bug, not bad input: the sender still gets an answer (and may retry), and the hall goes on.
    void c.bus.publishEncoded(replyKind, from as never, JSON.stringify(errorReply(id, 'internal', 'the controller failed on this request; nothing changed')));
    throw e;
  }
  void c.bus.publish(replyKind, from as never, reply as never);
  c.flush();
}

/** The contract's `bad-request` reply to a request that did not decode; changes nothing. */
export function refuseBadRequest<K extends RequestKind>(c: HandlerContext, replyKind: ReplyKind<K>, from: TopicParams<K>, err: DecodeError, bytes: number): void {
  c.log.warn({ sender: senderOf(from as Record<string, string>), error: err.message, bytes }, 'bad request');
  void c.bus.publishEncoded(replyKind, from as never, JSON.stringify(errorReply(err.id, 'bad-request', err.message)));
}
