// The bus: the one owner of a process's MQTT session. Messages are decoded once
// against the contract table and handed, typed, to handlers registered by an owner
// (a part of a role, a tool); `removeOwner` takes back everything an owner set up.
import type { Kind, Payload, TopicParams } from '../protocol/contract.ts';

/** What was wrong with a message that did not decode: its request id (if it had a valid one) and why, in words. */
export interface DecodeError { id: string | null; message: string }

export interface MessageMeta {
  topic: string;
  /** Delivered from the broker's (or the bus's) retained store, not published just now. */
  retained: boolean;
  bytes: number;
}

export type Handler<K extends Kind> = (msg: Payload<K>, from: TopicParams<K>, meta: MessageMeta) => void;
export type InvalidHandler<K extends Kind> = (err: DecodeError, from: TopicParams<K>, meta: MessageMeta) => void;
/** Which topics of a kind: some of its names fixed (`{ window: '5' }`), or `'any'`. */
export type Where<K extends Kind> = Partial<TopicParams<K>> | 'any';

export interface Bus {
  readonly hall: string;
  readonly connected: boolean;
  /**
   * Calls `handler` with each valid `kind` message matching `where`; a payload that
   * fails its schema goes to `onInvalid` (or is logged). Resolves once the broker
   * has the subscription (so a request sent after it cannot miss its reply).
   */
  on<K extends Kind>(owner: string, kind: K, where: Where<K>, handler: Handler<K>, onInvalid?: InvalidHandler<K>): Promise<void>;
  /**
   * Publishes with the kind's QoS and retain flag. Resolves true when the broker
   * took it (QoS 1) or it was written (QoS 0), false on failure (logged); never
   * rejects, so a caller may leave it unawaited.
   */
  publish<K extends Kind>(kind: K, params: TopicParams<K>, payload: Payload<K>): Promise<boolean>;
  /** Publishes bytes already encoded (a stored reply, repeated byte for byte). */
  publishEncoded<K extends Kind>(kind: K, params: TopicParams<K>, text: string): Promise<boolean>;
  /** Calls `fn` on every (re)connection, and once at once when already connected. */
  onConnect(owner: string, fn: () => void): void;
  /** Calls `fn` when the connection is lost. */
  onDisconnect(owner: string, fn: () => void): void;
  /** Removes every handler, callback and subscription the owner registered. */
  removeOwner(owner: string): Promise<void>;
}

export interface BusLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}
