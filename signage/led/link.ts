// Keeping a real LED board going: the Arduino may be missing at boot, unplugged
// or reset. The window keeps working regardless; `ReplayDisplay` remembers what
// the board should show and draws it in full whenever a board (re)appears, and
// `superviseLedBoard` reopens the Firmata link with backoff.
import type { J5Board } from '../../firmware/hw/johnny-five-board.ts';
import { openJohnnyFiveBoard, closeJohnnyFiveBoard } from '../../firmware/hw/johnny-five-board.ts';
import { JohnnyFiveMax7219, type ChainOptions, type Max7219Bus } from './max7219-chain.ts';
import { REG } from '../../firmware/hw/max7219.ts';
import { boardText, LedWindowDisplay, type WindowDisplay } from './window-display.ts';

export class ReplayDisplay implements WindowDisplay {
  private last: (d: WindowDisplay) => void = (d) => d.showLost();
  private target: WindowDisplay | null = null;
  private window = '';
  /** What the board shows (or will show once attached). */
  text: string;

  constructor(private readonly width = 8) { this.text = boardText('lost', width); }

  get attached(): boolean { return this.target !== null; }

  attach(d: WindowDisplay): void { this.target = d; this.last(d); }
  detach(): void { this.target = null; }

  private run(f: (d: WindowDisplay) => void, text: string): void {
    this.last = f;
    this.text = text;
    if (this.target) f(this.target);
  }

  // A board that (re)appears learns the window number before a paused/lost frame.
  showServing(no: string, w: string): void { this.window = w; this.run((d) => d.showServing(no, w), boardText('serving', this.width, no, w)); }
  showIdle(w: string): void { this.window = w; this.run((d) => d.showIdle(w), boardText('idle', this.width, '', w)); }
  showPaused(): void { const w = this.window; this.run((d) => { if (w) d.showIdle(w); d.showPaused(); }, boardText('paused', this.width, '', w)); }
  showClosed(): void { this.run((d) => d.showClosed(), boardText('closed', this.width)); }
  showLost(): void { const w = this.window; this.run((d) => { if (w) d.showIdle(w); d.showLost(); }, boardText('lost', this.width, '', w)); }
}

/**
 * A MAX7219 bus that outlives its board: remembers the last value of every
 * register and, when a board (re)appears, sends them all to it.
 */
export class ReplayBus implements Max7219Bus {
  private regs = new Map<number, number[]>();
  private target: Max7219Bus | null = null;
  constructor(readonly kind: 'digits' | 'matrix', readonly devices: number, readonly rows: 1 | 2 = 1) {}
  get attached(): boolean { return this.target !== null; }
  /** As fast as the board behind it (while none is attached, frames only update the memory). */
  get fast(): boolean { return this.target?.fast !== false; }
  attach(bus: Max7219Bus): void {
    this.target = bus;
    const frame = Array.from({ length: this.devices }, (_v, d) => Array.from({ length: 8 }, (_w, r) => this.regs.get(REG.DIGIT0 + r)?.[d] ?? 0));
    for (const [reg, values] of this.regs) if (reg < REG.DIGIT0 || reg > REG.DIGIT0 + 7) bus.writeAll(reg, values);
    if ([...this.regs.keys()].some((r) => r >= REG.DIGIT0 && r <= REG.DIGIT0 + 7)) bus.writeFrame(frame);
  }
  detach(): void { this.target = null; }
  writeAll(reg: number, values: number[]): void {
    this.regs.set(reg, values.slice());
    this.target?.writeAll(reg, values);
  }
  writeFrame(rows: number[][]): void {
    for (let r = 0; r < 8; r++) this.regs.set(REG.DIGIT0 + r, rows.map((d) => d[r] ?? 0));
    this.target?.writeFrame(rows);
  }
}

export interface SuperviseOptions {
  port?: string;
  chain: ChainOptions;
  /** What the (re)opened board is attached to: a window display, or a bus (the lobby strip). */
  display: ReplayDisplay | ReplayBus;
  /** More chains on the same Arduino (LEDCHAIN chain 1: a rating pad's display), each kept in a bus. */
  also?: Array<{ chain: ChainOptions; bus: ReplayBus }>;
  onState(state: 'ok' | 'offline', why?: string): void;
  /** First retry after this long, doubling up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** How to open the board (tests pass a mock-firmata one). */
  open?: (port?: string) => Promise<J5Board>;
}

export function superviseLedBoard(o: SuperviseOptions): { stop(): Promise<void> } {
  const open = o.open ?? ((port?: string) => openJohnnyFiveBoard({ port }));
  const base = o.retryMs ?? 10_000;
  let delay = base;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let board: J5Board | null = null;

  const retry = (why: string) => {
    o.display.detach();
    for (const x of o.also ?? []) x.bus.detach();
    o.onState('offline', why);
    if (stopped) return;
    timer = setTimeout(attempt, delay);
    delay = Math.min(delay * 2, o.maxRetryMs ?? 300_000);
  };

  async function attempt(): Promise<void> {
    timer = null;
    if (stopped) return;
    let b: J5Board;
    try { b = await open(o.port); } catch (e) { retry((e as Error).message); return; }
    if (stopped) { await closeJohnnyFiveBoard(b).catch(() => undefined); return; }
    board = b;
    let gone = false;
    const lost = (why: string) => { if (gone) return; gone = true; board = null; retry(why); };
    b.once('close', () => lost('serial line closed'));
    b.once('disconnect', () => lost('Arduino disconnected'));
    b.on('error', (e: Error) => lost(e?.message ?? 'error'));
    const bus = new JohnnyFiveMax7219(b, { ...o.chain, onError: (e) => lost(e.message) });
    delay = base;
    if (o.display instanceof ReplayBus) o.display.attach(bus);
    else o.display.attach(new LedWindowDisplay(bus));
    for (const x of o.also ?? []) x.bus.attach(new JohnnyFiveMax7219(b, { ...x.chain, onError: (e) => lost(e.message) }));
    o.onState('ok');
  }

  void attempt();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      o.display.detach();
      for (const x of o.also ?? []) x.bus.detach();
      if (board) await closeJohnnyFiveBoard(board).catch(() => undefined);
    },
  };
}
