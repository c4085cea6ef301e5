// The broker refuses before it buffers. aedes has no maximum packet size (its issue
// #831): it keeps whatever a client announces, before authentication (three
// anonymous sockets once took a controller from 266 to 749 MB). Every connection
// therefore passes through this guard before aedes reads a byte: it follows the
// MQTT fixed headers as they stream in and closes the connection as soon as a
// packet announces more than the limit, the first packet is not a CONNECT, or the
// client is not admitted within the CONNECT deadline. Bytes are forwarded
// unchanged; nothing is buffered here.
import { Duplex } from 'node:stream';

export interface GuardLimits {
  /** Largest packet after CONNECT: the largest message of the contract, with margin. */
  maxPacketBytes: number;
  /** Largest CONNECT (client id, user name, password, the status will). */
  maxConnectBytes: number;
  /** Bytes a client may send before it is admitted (CONNECT and anything pipelined behind it). */
  maxPreAuthBytes: number;
  /** The client must be admitted (CONNACK sent) within this, ms. */
  connectDeadlineMs: number;
}

/**
 * The largest message of the contract is the retained hall `state` of a large hall
 * (~150 B per service and per window: 200 windows and 40 services ≈ 40 KB); the
 * rest are under 2 KB. 128 KiB leaves room for three times that.
 */
export const DEFAULT_GUARD: GuardLimits = {
  maxPacketBytes: 128 * 1024,
  maxConnectBytes: 4 * 1024,
  maxPreAuthBytes: 16 * 1024,
  connectDeadlineMs: 5_000,
};

export type GuardRefusal = 'packet-too-large' | 'connect-too-large' | 'not-connect-first' | 'too-much-before-auth' | 'connect-deadline' | 'malformed-length';

/** Follows MQTT fixed headers across chunk boundaries. */
export class FixedHeaderTracker {
  private phase: 'type' | 'length' | 'body' = 'type';
  private type = 0;
  private length = 0;
  private mult = 1;
  private lengthBytes = 0;
  private left = 0;
  packets = 0;

  /** Feeds bytes; returns a refusal as soon as one is due, else null. */
  feed(chunk: Buffer, limitFor: (type: number, index: number) => number): GuardRefusal | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.phase === 'body') {
        const take = Math.min(this.left, chunk.length - i);
        this.left -= take;
        i += take;
        if (this.left === 0) { this.phase = 'type'; this.packets++; }
        continue;
      }
      const b = chunk[i++];
      if (this.phase === 'type') {
        this.type = b >> 4;
        if (this.packets === 0 && this.type !== 1) return 'not-connect-first';
        this.phase = 'length';
        this.length = 0; this.mult = 1; this.lengthBytes = 0;
        continue;
      }
      // Remaining length: up to four 7-bit groups, least significant first.
      this.length += (b & 0x7f) * this.mult;
      this.mult *= 128;
      this.lengthBytes++;
      const limit = limitFor(this.type, this.packets);
      if (this.length > limit) return this.packets === 0 ? 'connect-too-large' : 'packet-too-large';
      if (b & 0x80) {
        if (this.lengthBytes >= 4) return 'malformed-length';
        continue;
      }
      this.left = this.length;
      if (this.left === 0) { this.phase = 'type'; this.packets++; } else this.phase = 'body';
    }
    return null;
  }
}

export interface GuardedConnection {
  stream: Duplex;
  /** Call when the broker admitted the client: lifts the pre-auth budget and deadline. */
  admitted(): void;
}

/**
 * Wraps a connection (TCP socket or WebSocket stream) for aedes. `onRefuse` is told
 * why a connection was closed (for the log and the tests).
 */
export function guardConnection(conn: Duplex, limits: GuardLimits, onRefuse?: (why: GuardRefusal) => void): GuardedConnection {
  const tracker = new FixedHeaderTracker();
  let admitted = false;
  let preAuth = 0;
  const limitFor = (type: number, index: number) => (index === 0 && type === 1 ? limits.maxConnectBytes : limits.maxPacketBytes);

  const refuse = (why: GuardRefusal) => {
    onRefuse?.(why);
    conn.destroy();
    stream.destroy();
  };

  const stream = new Duplex({
    read() { conn.resume(); },
    write(chunk: Buffer, _enc, cb) { if (conn.writable) conn.write(chunk, cb); else cb(); },
    // mqtt-packet corks the stream and writes a packet in 3-4 pieces; without
    // writev each piece became its own write(2) and, with no-delay sockets, its own
    // TCP segment: with 300 devices, ~3,600 syscalls for one call-next (#11).
    writev(chunks: Array<{ chunk: Buffer }>, cb) {
      if (!conn.writable) { cb(); return; }
      conn.write(chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
    },
    final(cb) { conn.end(); cb(); },
    destroy(err, cb) { clearTimeout(deadline); conn.destroy(); cb(err); },
  });
  // aedes reads `remoteAddress` off the stream it is handed in its logs.
  Object.defineProperty(stream, 'remoteAddress', { get: () => (conn as { remoteAddress?: string }).remoteAddress });

  conn.on('data', (chunk: Buffer) => {
    const why = tracker.feed(chunk, limitFor);
    if (why) return refuse(why);
    if (!admitted) {
      preAuth += chunk.length;
      if (preAuth > limits.maxPreAuthBytes) return refuse('too-much-before-auth');
    }
    if (!stream.push(chunk)) conn.pause();
  });
  conn.on('end', () => stream.push(null));
  conn.on('close', () => stream.destroy());
  conn.on('error', () => stream.destroy());
  const deadline = setTimeout(() => { if (!admitted) refuse('connect-deadline'); }, limits.connectDeadlineMs);
  deadline.unref?.();

  return {
    stream,
    admitted() { admitted = true; clearTimeout(deadline); },
  };
}
