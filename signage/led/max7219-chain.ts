// A MAX7219 chain driven through johnny-five. On our window-board firmware
// (it reports the LEDCHAIN extension) a whole frame goes in one SysEx message
// and the Arduino writes it with its hardware SPI; on a stock StandardFirmata
// johnny-five's Led.Digits / Led.Matrix set the chips up and each bit is a pin
// write over Firmata. Either way, registers that already hold a value are not
// sent again, and a board that resets is configured and redrawn.
import five from 'johnny-five';
import type { J5Board } from '../../firmware/hw/johnny-five-board.ts';
import { REG } from '../../firmware/hw/max7219.ts';
import { ledchain, onBoardRestart, onLedChainReply, reportsLedChain, LEDCHAIN_SUB, type FirmataLike } from '../../firmware/hw/ledchain.ts';

export interface Max7219Bus {
  readonly devices: number;
  readonly kind: 'digits' | 'matrix';
  /** Rows of modules (a 16-pixel strip has 2; the chain runs along the top row, then the bottom). */
  readonly rows?: 1 | 2;
  /** False when a frame takes long on the line (pin writes to a stock Firmata board). */
  readonly fast?: boolean;
  /** Writes register `reg` of every device in one frame (`values[d]` for device d). */
  writeAll(reg: number, values: number[]): void;
  /** Writes the eight row/digit registers of every device: `rows[d][r]` is DIGIT0+r of device d. */
  writeFrame(rows: number[][]): void;
}

export interface ChainOptions {
  kind: 'digits' | 'matrix';
  devices: number;
  /** Rows of modules (matrix strips 16 pixels high: 2). */
  rows?: 1 | 2;
  pins: { data: number; clock: number; cs: number };
  /** 0–15. */
  brightness?: number;
  /** Which LEDCHAIN chain of the board this is (0 or 1; a second chain shares MOSI/SCK with its own CS). */
  chain?: number;
  /** false: pin writes even when the board has the extension (the bench's baseline). */
  extension?: boolean;
  /** Called (once per failure streak) when a write fails, e.g. the Arduino was unplugged. */
  onError?: (e: Error) => void;
}

type Io = J5Board['io'] & FirmataLike;

export class JohnnyFiveMax7219 implements Max7219Bus {
  readonly devices: number;
  readonly kind: 'digits' | 'matrix';
  /** True when frames go as LEDCHAIN messages (our firmware). */
  readonly usesExtension: boolean;
  readonly rows: 1 | 2;
  get fast(): boolean { return this.usesExtension; }
  /** What each device's registers hold, to skip writes that change nothing. */
  private readonly shadow = new Map<number, number[]>();
  private readonly io: Io;
  private readonly chain: number;
  private readonly offs: Array<() => void> = [];
  /** True after a write failed, until one succeeds again. */
  failed = false;

  constructor(board: J5Board, private readonly opts: ChainOptions) {
    this.devices = opts.devices;
    this.kind = opts.kind;
    this.io = board.io as Io;
    this.chain = opts.chain ?? 0;
    this.rows = opts.rows ?? 1;
    this.usesExtension = opts.extension !== false && reportsLedChain(this.io);
    for (let r = REG.DIGIT0; r < REG.DIGIT0 + 8; r++) this.shadow.set(r, Array(this.devices).fill(0));
    if (this.usesExtension) {
      this.offs.push(onLedChainReply(this.io, (d) => {
        if (d[0] === LEDCHAIN_SUB.CONFIG && d[1] === this.chain && d[2] === 0) {
          this.opts.onError?.(new Error(`the board refused LED chain ${this.chain} (${this.devices} devices on D${opts.pins.data}/D${opts.pins.clock}/D${opts.pins.cs})`));
        }
      }));
      // A board that reset lost its chain: configure it and draw everything again.
      this.offs.push(onBoardRestart(this.io, () => { if (reportsLedChain(this.io)) this.configure(true); }));
      this.configure(false);
    } else {
      const Ctor = opts.kind === 'matrix' ? five.Led.Matrix : five.Led.Digits;
      // johnny-five initialises each chip: scan limit 7, on, display test off, cleared.
      new Ctor({ board, pins: opts.pins, devices: opts.devices });
      this.writeAll(REG.DECODE, Array(this.devices).fill(0), true); // raw segments / pixels
      this.writeAll(REG.INTENSITY, Array(this.devices).fill(opts.brightness ?? 8), true);
    }
  }

  /** The chain's set-up (the firmware clears and turns on the chips), then, after a reset, what it showed. */
  private configure(redraw: boolean): void {
    this.send(ledchain.config(this.chain, this.devices, this.opts.pins));
    this.send(ledchain.intensity(this.chain, this.opts.brightness ?? 8));
    if (redraw) this.send(ledchain.frame(this.chain, this.shadowRows()));
    else for (let r = REG.DIGIT0; r < REG.DIGIT0 + 8; r++) this.shadow.set(r, Array(this.devices).fill(0));
  }

  private shadowRows(): number[][] {
    return Array.from({ length: this.devices }, (_v, d) => Array.from({ length: 8 }, (_w, r) => this.shadow.get(REG.DIGIT0 + r)![d]));
  }

  private send(body: number[]): boolean {
    try {
      this.io.sysexCommand!(body);
    } catch (e) {
      if (!this.failed) this.opts.onError?.(e as Error);
      this.failed = true;
      return false;
    }
    this.failed = false;
    return true;
  }

  writeFrame(rows: number[][]): void {
    if (!this.usesExtension) {
      for (let r = 0; r < 8; r++) this.writeAll(REG.DIGIT0 + r, rows.map((d) => d[r] ?? 0));
      return;
    }
    const same = !this.failed && Array.from({ length: 8 }, (_v, r) => this.shadow.get(REG.DIGIT0 + r)!)
      .every((regs, r) => regs.every((v, d) => v === ((rows[d]?.[r] ?? 0) & 0xff)));
    if (same) return;
    if (!this.send(ledchain.frame(this.chain, rows))) return;
    for (let r = 0; r < 8; r++) this.shadow.set(REG.DIGIT0 + r, Array.from({ length: this.devices }, (_v, d) => (rows[d]?.[r] ?? 0) & 0xff));
  }

  writeAll(reg: number, values: number[], force = false): void {
    const prev = this.shadow.get(reg);
    if (!force && !this.failed && prev && prev.every((v, i) => v === (values[i] ?? 0))) return;
    const vals = Array.from({ length: this.devices }, (_v, d) => (values[d] ?? 0) & 0xff);
    if (this.usesExtension) {
      if (reg === REG.INTENSITY) { if (!this.send(ledchain.intensity(this.chain, vals[0]))) return; }
      else if (!this.send(ledchain.register(this.chain, reg, vals))) return;
    } else if (!this.shiftFrame(reg, vals)) return;
    if (prev) this.shadow.set(reg, vals);
  }

  /** One register of every device by pin writes (stock Firmata). */
  private shiftFrame(reg: number, values: number[]): boolean {
    const io = this.io;
    const { data, clock, cs } = this.opts.pins;
    try {
      io.digitalWrite(cs, 0);
      // The first word shifted travels to the far end of the chain.
      for (let d = this.devices - 1; d >= 0; d--) {
        shiftOut(io, data, clock, reg);
        shiftOut(io, data, clock, values[d]);
      }
      io.digitalWrite(cs, 1);
    } catch (e) {
      // A dead serial line must not take the window down with it.
      if (!this.failed) this.opts.onError?.(e as Error);
      this.failed = true;
      return false;
    }
    this.failed = false;
    return true;
  }

  /** Stops listening to the board (it is closed or replaced). */
  close(): void { for (const off of this.offs.splice(0)) off(); }
}

function shiftOut(io: { digitalWrite(pin: number, v: number): void }, data: number, clock: number, byte: number): void {
  for (let i = 7; i >= 0; i--) {
    io.digitalWrite(clock, 0);
    io.digitalWrite(data, (byte >> i) & 1);
    io.digitalWrite(clock, 1);
  }
}
