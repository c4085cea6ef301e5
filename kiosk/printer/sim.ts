// Simulated printers. `SimPrinter` keeps every ticket it prints: the exact bytes
// (.bin) and a preview (.png) in MANYI_PRINT_DIR (default var/printed/), and can be
// told paper-low/out/cover-open/offline. `EpsonSerialTwin` is the other end of a
// mock serial port that answers DLE EOT as an Epson-compatible printer does.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEscPos } from '../preview/decode.ts';
import type { PreviewRenderer } from '../preview/render.ts';
import { canPrint, PrinterError, type Printer, type PrinterState } from './types.ts';

export function printDir(): string { return process.env.MANYI_PRINT_DIR ?? 'var/printed/'; }

export interface SimPrinterOptions {
  dir?: string;
  /** Renders previews; without one only the .bin is kept. */
  renderer?: PreviewRenderer;
  paperDots?: number;
  /** File name prefix, e.g. the kiosk id. */
  prefix?: string;
  onPreviewError?: (e: Error) => void;
}

export class SimPrinter implements Printer {
  state: PrinterState = 'ok';
  /** Every ticket printed; its bytes are read back from its .bin (a day of tickets is not kept in memory). */
  readonly jobs: Array<{ label: string; readonly bytes: Buffer; file: string }> = [];
  private readonly dir: string;
  private previews: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: SimPrinterOptions = {}) {
    this.dir = opts.dir ?? printDir();
  }

  setState(s: PrinterState): void { this.state = s; }

  async print(bytes: Buffer, label = 'ticket'): Promise<void> {
    if (!canPrint(this.state)) throw new PrinterError(this.state, `printer is ${this.state}`);
    mkdirSync(this.dir, { recursive: true });
    const base = join(this.dir, `${this.opts.prefix ? `${this.opts.prefix}-` : ''}${String(this.jobs.length + 1).padStart(4, '0')}-${label.replace(/[^A-Za-z0-9-]/g, '_')}`);
    writeFileSync(`${base}.bin`, bytes);
    this.jobs.push({ label, file: `${base}.bin`, get bytes() { return readFileSync(this.file); } });
    const r = this.opts.renderer;
    if (r) {
      // Previews are drawn off the print path: a citizen never waits for one.
      this.previews = this.previews.then(() => r.render(decodeEscPos(bytes), this.opts.paperDots ?? 576))
        .then((png) => writeFileSync(`${base}.png`, png))
        .catch((e: Error) => this.opts.onPreviewError?.(e));
    }
  }

  /** Resolves when every preview queued so far is written. */
  flushPreviews(): Promise<unknown> { return this.previews; }

  async status(): Promise<PrinterState> { return this.state; }
  async close(): Promise<void> { await this.previews; }
}

/** Status bytes an Epson-compatible printer sends for DLE EOT 1..4 in each state. */
export function epsonStatusBytes(s: PrinterState): [number, number, number, number] {
  switch (s) {
    case 'ok': return [0x12, 0x12, 0x12, 0x12];
    case 'paper-low': return [0x12, 0x12, 0x12, 0x1e];
    case 'paper-out': return [0x1a, 0x32, 0x12, 0x72];
    case 'cover-open': return [0x1a, 0x16, 0x12, 0x12];
    case 'offline': return [0x1a, 0x12, 0x12, 0x12];
  }
}

/** Minimal view of a @serialport/binding-mock port (its `port` after open). */
export interface MockPortLike {
  write(buffer: Buffer): Promise<void>;
  emitData(data: Buffer | string): void;
}

export interface TwinOptions {
  /** Split each reply into single bytes sent this many ms apart (0: all at once). */
  pieceDelayMs?: number;
  /** Delay before the first reply byte. */
  replyDelayMs?: number;
}

/**
 * Makes a mock serial port behave like an Epson-compatible printer: it answers each
 * DLE EOT n with the status byte for its state (nothing at all when powered off),
 * and keeps the bytes printed.
 */
export class EpsonSerialTwin {
  state: PrinterState = 'ok';
  /** A powered-off or unplugged printer answers nothing. */
  powered = true;
  printed: Buffer[] = [];
  /** Called with each chunk of print data as it arrives (benchmarks time the last byte). */
  onPrinted?: (data: Buffer) => void;
  opts: TwinOptions;

  constructor(port: MockPortLike, opts: TwinOptions = {}) {
    this.opts = opts;
    const write = port.write.bind(port);
    port.write = async (buf: Buffer) => {
      await write(buf);
      const replies: number[] = [];
      const data: number[] = [];
      for (let i = 0; i < buf.length; i++) {
        if (buf[i] === 0x10 && buf[i + 1] === 0x04 && buf[i + 2] >= 1 && buf[i + 2] <= 4) {
          replies.push(epsonStatusBytes(this.state)[buf[i + 2] - 1]); i += 2;
        } else data.push(buf[i]);
      }
      if (data.length && this.powered && canPrint(this.state)) {
        const chunk = Buffer.from(data);
        this.printed.push(chunk);
        this.onPrinted?.(chunk);
      }
      if (!this.powered || !replies.length) return;
      const { pieceDelayMs = 0, replyDelayMs = 0 } = this.opts;
      void (async () => {
        if (replyDelayMs) await sleep(replyDelayMs);
        if (!pieceDelayMs) { port.emitData(Buffer.from(replies)); return; }
        for (const b of replies) { port.emitData(Buffer.from([b])); await sleep(pieceDelayMs); }
      })();
    };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
