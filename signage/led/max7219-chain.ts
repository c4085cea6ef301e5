// A MAX7219 chain driven through johnny-five (Led.Digits / Led.Matrix set the
// chips up; we then write whole frames). One frame carries one register for
// every device in the chain at once: Firmata bit-bangs each bit with three
// pin writes at 57600 baud, so a 4-module matrix row costs one frame instead
// of four, and unchanged registers are not sent at all.
import five from 'johnny-five';
import type { J5Board } from '../../firmware/hw/johnny-five-board.ts';
import { REG } from '../../firmware/hw/max7219.ts';

export interface Max7219Bus {
  readonly devices: number;
  readonly kind: 'digits' | 'matrix';
  /** Writes register `reg` of every device in one frame (`values[d]` for device d). */
  writeAll(reg: number, values: number[]): void;
}

export interface ChainOptions {
  kind: 'digits' | 'matrix';
  devices: number;
  pins: { data: number; clock: number; cs: number };
  /** 0–15. */
  brightness?: number;
  /** Called (once per failure streak) when a write fails, e.g. the Arduino was unplugged. */
  onError?: (e: Error) => void;
}

export class JohnnyFiveMax7219 implements Max7219Bus {
  readonly devices: number;
  readonly kind: 'digits' | 'matrix';
  private readonly control: InstanceType<typeof five.Led.Digits>;
  /** What each device's registers hold, to skip writes that change nothing. */
  private readonly shadow: Map<number, number[]> = new Map();

  constructor(private readonly board: J5Board, private readonly opts: ChainOptions) {
    this.devices = opts.devices;
    this.kind = opts.kind;
    const Ctor = opts.kind === 'matrix' ? five.Led.Matrix : five.Led.Digits;
    // johnny-five initialises each chip: scan limit 7, on, display test off, cleared.
    this.control = new Ctor({ board, pins: opts.pins, devices: opts.devices });
    for (let r = REG.DIGIT0; r < REG.DIGIT0 + 8; r++) this.shadow.set(r, Array(this.devices).fill(0));
    this.writeAll(REG.DECODE, Array(this.devices).fill(0), true); // raw segments / pixels
    this.writeAll(REG.INTENSITY, Array(this.devices).fill(opts.brightness ?? 8), true);
  }

  /** True after a write failed, until one succeeds again. */
  failed = false;

  writeAll(reg: number, values: number[], force = false): void {
    const prev = this.shadow.get(reg);
    if (!force && !this.failed && prev && prev.every((v, i) => v === (values[i] ?? 0))) return;
    const io = this.board.io;
    const { data, clock, cs } = this.opts.pins;
    try {
      io.digitalWrite(cs, 0);
      // The first word shifted travels to the far end of the chain.
      for (let d = this.devices - 1; d >= 0; d--) {
        shiftOut(io, data, clock, reg);
        shiftOut(io, data, clock, (values[d] ?? 0) & 0xff);
      }
      io.digitalWrite(cs, 1);
    } catch (e) {
      // A dead serial line must not take the window down with it.
      if (!this.failed) this.opts.onError?.(e as Error);
      this.failed = true;
      return;
    }
    this.failed = false;
    if (prev) this.shadow.set(reg, values.slice(0, this.devices).map((v) => v & 0xff));
  }
}

function shiftOut(io: { digitalWrite(pin: number, v: number): void }, data: number, clock: number, byte: number): void {
  for (let i = 7; i >= 0; i--) {
    io.digitalWrite(clock, 0);
    io.digitalWrite(data, (byte >> i) & 1);
    io.digitalWrite(clock, 1);
  }
}
