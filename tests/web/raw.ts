// Raw HTTP over a TCP socket, for requests no HTTP client would send: broken request
// lines, bad encodings, oversized heads, lying lengths, bad WebSocket frames.
import { connect } from 'node:net';

export interface RawResult {
  /** The status code of the first response line, or 0 if the server closed without one. */
  status: number;
  /** Everything received (first 64 KiB). */
  text: string;
}

/**
 * Sends `bytes` (then optionally more after the first response), and resolves when the
 * server closes, or after `waitMs` without a close (the client gives up, as attackers do).
 */
export function raw(port: number, bytes: string | Buffer | Array<string | Buffer>, opts: { waitMs?: number; host?: string } = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const sock = connect({ port, host: opts.host ?? '127.0.0.1' });
    let got = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const text = got.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text });
    };
    const timer = setTimeout(finish, opts.waitMs ?? 3000);
    sock.on('data', (d) => { if (got.length < 65536) got = Buffer.concat([got, d]); });
    sock.on('error', finish);
    sock.on('close', finish);
    sock.on('connect', () => {
      for (const b of Array.isArray(bytes) ? bytes : [bytes]) {
        if (sock.writable) sock.write(b);
      }
    });
  });
}

/** Runs `jobs` at most `n` at a time. */
export async function pool<T>(n: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
  return out;
}

/** A client-to-server WebSocket frame (masked unless told otherwise). */
export function frame(opcode: number, payload: Buffer, o: { mask?: boolean; fin?: boolean; rsv?: number; lengthOverride?: bigint } = {}): Buffer {
  const mask = o.mask ?? true;
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode];
  const len = o.lengthOverride ?? BigInt(payload.length);
  const m = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126n) head.push(m | Number(len));
  else if (len < 65536n) { head.push(m | 126); ext = Buffer.alloc(2); ext.writeUInt16BE(Number(len)); }
  else { head.push(m | 127); ext = Buffer.alloc(8); ext.writeBigUInt64BE(len); }
  const key = mask ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0);
  const body = mask ? Buffer.from(payload.map((b, i) => b ^ key[i % 4])) : payload;
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

export function wsHandshake(path: string, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
}
