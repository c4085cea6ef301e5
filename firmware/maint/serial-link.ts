// A serial port as the flasher needs it: write, read N bytes with a timeout, set
// DTR/RTS (the Arduino's auto-reset), close. Works over any @serialport binding:
// the real one on a laptop, a simulated one in tests.
import { SerialPortStream } from '@serialport/stream';

/** Whatever binding SerialPortStream accepts (its types package does not resolve under ESM). */
export type Binding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];

export interface SerialLink {
  write(data: Buffer): Promise<void>;
  /** Resolves `n` bytes, or rejects after `timeoutMs`. */
  read(n: number, timeoutMs: number): Promise<Buffer>;
  /** Drops unread input (e.g. the sketch's chatter before the bootloader). */
  discard(): void;
  set(flags: { dtr?: boolean; rts?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export type OpenLink = (path: string, baudRate: number) => Promise<SerialLink>;

export function linkOverBinding(binding: Binding): OpenLink {
  return async (path, baudRate) => {
    const port = new SerialPortStream({ binding, path, baudRate, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(new Error(`cannot open ${path}: ${e.message}`)) : res())));
    let buf = Buffer.alloc(0);
    let wake = () => {};
    port.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); wake(); });
    return {
      write: (data) => new Promise((res, rej) => port.write(data, (e) => (e ? rej(e) : port.drain(() => res())))),
      async read(n, timeoutMs) {
        const until = performance.now() + timeoutMs;
        while (buf.length < n) {
          const left = until - performance.now();
          if (left <= 0) throw new Error(`no answer from ${path} within ${timeoutMs} ms (got ${buf.length} of ${n} bytes)`);
          await new Promise<void>((r) => { const t = setTimeout(r, left); wake = () => { clearTimeout(t); r(); }; });
        }
        const out = buf.subarray(0, n);
        buf = buf.subarray(n);
        return Buffer.from(out);
      },
      discard() { buf = Buffer.alloc(0); },
      set: (flags) => new Promise((res, rej) => port.set(flags, (e) => (e ? rej(e) : res()))),
      close: () => new Promise((res) => (port.isOpen ? port.close(() => res()) : res())),
    };
  };
}

/** The real serial port (bindings-cpp, loaded only when used). */
export async function realSerial(): Promise<OpenLink> {
  const { autoDetect } = await import('@serialport/bindings-cpp');
  return linkOverBinding(autoDetect() as unknown as Binding);
}
