// Byte links to real printers. USB: the kernel's usblp driver exposes a USB
// printer-class device as /dev/usb/lp0 (read-write, status replies readable), so
// we write to that file instead of going through @node-escpos/usb-adapter, whose
// `usb` dependency needs a native build (and a udev rule) on the Pi.
import { open, type FileHandle } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { SerialPortStream } from '@serialport/stream';
import type { ByteLink } from './types.ts';

/** The serialport binding (system, or @serialport/binding-mock in tests). */
export type SerialBinding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];

type Listener = (chunk: Buffer) => void;

class Listeners {
  private set = new Set<Listener>();
  add(cb: Listener): () => void { this.set.add(cb); return () => this.set.delete(cb); }
  emit(chunk: Buffer): void { for (const cb of this.set) cb(chunk); }
}

/** A serial printer (serialport 10). `binding` defaults to the system's (bindings-cpp). */
export async function serialLink(path: string, baudRate: number, binding?: SerialBinding): Promise<ByteLink> {
  const b: SerialBinding = binding ?? ((await import('serialport')).SerialPort.binding as SerialBinding);
  const port = new SerialPortStream({ binding: b, path, baudRate, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  const ls = new Listeners();
  port.on('data', (c: Buffer) => ls.emit(c));
  port.on('error', () => {});
  return {
    write: (bytes) => new Promise((res, rej) => {
      port.write(bytes, (e) => (e ? rej(e) : port.drain((e2) => (e2 ? rej(e2) : res()))));
    }),
    onData: (cb) => ls.add(cb),
    close: () => new Promise((res) => (port.isOpen ? port.close(() => res()) : res())),
  };
}

/** A network printer on raw TCP (port 9100); reconnects on the next write after a drop. */
export function tcpLink(host: string, port = 9100, connectTimeoutMs = 3000): ByteLink {
  const ls = new Listeners();
  let sock: Socket | null = null;
  const ensure = () => new Promise<Socket>((res, rej) => {
    if (sock && !sock.destroyed) return res(sock);
    const s = connect({ host, port, noDelay: true });
    const t = setTimeout(() => { s.destroy(); rej(new Error(`printer ${host}:${port}: connect timeout`)); }, connectTimeoutMs);
    s.once('connect', () => { clearTimeout(t); sock = s; res(s); });
    s.once('error', (e) => { clearTimeout(t); s.destroy(); rej(e); });
    s.on('data', (c) => ls.emit(c));
    s.on('close', () => { if (sock === s) sock = null; });
  });
  return {
    write: async (bytes) => {
      const s = await ensure();
      await new Promise<void>((res, rej) => s.write(bytes, (e) => (e ? rej(e) : res())));
    },
    onData: (cb) => ls.add(cb),
    close: async () => { sock?.destroy(); sock = null; },
  };
}

/** A USB printer-class device through the kernel: `/dev/usb/lp0` by default. */
export async function usbLpLink(path = '/dev/usb/lp0'): Promise<ByteLink> {
  const fh: FileHandle = await open(path, 'r+');
  const ls = new Listeners();
  let open_ = true;
  // usblp returns status replies on read; keep one read outstanding.
  void (async () => {
    const buf = Buffer.alloc(64);
    while (open_) {
      try {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead > 0) ls.emit(Buffer.from(buf.subarray(0, bytesRead)));
        else await new Promise((r) => setTimeout(r, 50));
      } catch { await new Promise((r) => setTimeout(r, 500)); }
    }
  })();
  return {
    write: async (bytes) => { await fh.write(bytes, 0, bytes.length, null); },
    onData: (cb) => ls.add(cb),
    close: async () => { open_ = false; await fh.close().catch(() => {}); },
  };
}
