// Real-time printer status: our own DLE EOT 1..4 poller. The library's status
// calls buffer the query until a flush and expect the reply in one read, so they
// hang or misread on real printers (STACK.md). Here the four queries go out in one
// write; replies are collected byte by byte as they arrive (in pieces, late),
// until four status bytes are in or the timeout passes. Silence means offline.
import { statusQuery } from '../ticket/escpos.ts';
import type { ByteLink, PrinterState } from './types.ts';

/** Replies to DLE EOT n, indexed by n (1 printer, 2 offline cause, 3 error, 4 paper sensor). */
export type StatusBytes = Partial<Record<1 | 2 | 3 | 4, number>>;

/** A real-time status byte always has bit 1 and bit 4 set, bits 0 and 7 clear. */
export function isStatusByte(b: number): boolean { return (b & 0x93) === 0x12; }

/** Epson's bit meanings mapped to the contract's printer states, worst first. */
export function mapStatus(r: StatusBytes): PrinterState {
  if (r[1] === undefined) return 'offline';
  const s2 = r[2] ?? 0x12, s3 = r[3] ?? 0x12, s4 = r[4] ?? 0x12;
  if (s2 & 0x04) return 'cover-open';
  if ((s2 & 0x20) || (s4 & 0x60)) return 'paper-out';
  if ((r[1] & 0x08) || (s3 & 0x68)) return 'offline'; // offline without a known cause, or a cutter/unrecoverable error
  if (s4 & 0x0c) return 'paper-low';
  return 'ok';
}

export interface StatusReaderOptions { timeoutMs?: number }

export class StatusReader {
  private queue: number[] = [];
  private waiter: (() => void) | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  private readonly off: () => void;
  readonly timeoutMs: number;

  constructor(private readonly link: ByteLink, opts: StatusReaderOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 500;
    this.off = link.onData((chunk) => {
      for (const b of chunk) if (isStatusByte(b)) this.queue.push(b);
      this.waiter?.();
    });
  }

  /** Queries DLE EOT 1..4 and returns the replies that came back in time. */
  read(): Promise<StatusBytes> {
    const run = this.busy.then(() => this.readOnce());
    this.busy = run.catch(() => {});
    return run;
  }

  async poll(): Promise<PrinterState> { return mapStatus(await this.read()); }

  private async readOnce(): Promise<StatusBytes> {
    this.queue = []; // a reply that came too late for the last poll must not count for this one
    try {
      await this.link.write(Buffer.concat([statusQuery(1), statusQuery(2), statusQuery(3), statusQuery(4)]));
    } catch {
      return {};
    }
    const deadline = performance.now() + this.timeoutMs;
    while (this.queue.length < 4) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, left);
        function done() { clearTimeout(t); resolve(); }
        this.waiter = done;
      });
      this.waiter = null;
    }
    const r: StatusBytes = {};
    this.queue.slice(0, 4).forEach((b, i) => { r[(i + 1) as 1 | 2 | 3 | 4] = b; });
    this.queue = [];
    return r;
  }

  close(): void { this.off(); this.waiter?.(); }
}

/** Polls a printer every `intervalMs`, calling `onChange` when its state changes. */
export class StatusPoller {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  state: PrinterState | null = null;

  constructor(
    private readonly check: () => Promise<PrinterState>,
    private readonly onChange: (s: PrinterState, prev: PrinterState | null) => void,
    private readonly intervalMs = 2000,
  ) {}

  /** Polls now (used after a print and on start); returns the state. */
  async pollNow(): Promise<PrinterState> {
    let s: PrinterState;
    try { s = await this.check(); } catch { s = 'offline'; }
    if (s !== this.state) { const prev = this.state; this.state = s; this.onChange(s, prev); }
    return s;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = async () => {
      if (!this.running) return;
      await this.pollNow();
      if (this.running) this.timer = setTimeout(() => void tick(), this.intervalMs);
    };
    void tick();
  }

  stop(): void { this.running = false; if (this.timer) clearTimeout(this.timer); }
}
