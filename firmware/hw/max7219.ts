// A MAX7219 chain seen from its wires. johnny-five drives the chip by
// bit-banging DIN/CLK/CS through Firmata's digitalWrite; this emulator takes
// the same pin writes, clocks bits in on each rising CLK edge and latches the
// 16-bit words into each device's registers when CS rises, exactly as the
// chip does. Tests and the simulated boards read what a real board would show
// from it: the register bytes, not a copy of what the code meant to show.

export const REG = {
  NOOP: 0x00, DIGIT0: 0x01, DECODE: 0x09, INTENSITY: 0x0a, SCANLIMIT: 0x0b, SHUTDOWN: 0x0c, DISPLAYTEST: 0x0f,
} as const;

export interface Max7219Pins { data: number; clock: number; cs: number }

export interface Max7219DeviceState {
  /** Digit/row registers 1–8 (index 0 = DIGIT0). */
  digits: number[];
  decode: number;
  intensity: number;
  scanLimit: number;
  /** True when the chip is on (SHUTDOWN register = 1). */
  on: boolean;
  displayTest: boolean;
}

export class Max7219Emulator {
  readonly devices: Max7219DeviceState[];
  /** Every latched (device, register, value) write, newest last, bounded. */
  readonly log: Array<{ device: number; reg: number; value: number }> = [];
  private shift: number[] = []; // bits shifted in since CS went low
  private level = new Map<number, number>();
  private selected = false;
  private listeners = new Set<() => void>();
  latches = 0;

  constructor(readonly pins: Max7219Pins, count: number, private readonly logLimit = 4096) {
    this.devices = Array.from({ length: count }, () => ({
      digits: Array(8).fill(0), decode: 0, intensity: 0, scanLimit: 7, on: false, displayTest: false,
    }));
  }

  /** Feeds one pin write, as the Arduino's pin would carry it. */
  digitalWrite(pin: number, value: number): void {
    const v = value ? 1 : 0;
    const prev = this.level.get(pin) ?? 0;
    this.level.set(pin, v);
    if (pin === this.pins.cs) {
      if (prev === 1 && v === 0) { this.selected = true; this.shift = []; }
      else if (prev === 0 && v === 1 && this.selected) { this.selected = false; this.latch(); }
      else if (v === 0) { this.selected = true; this.shift = []; } // first CS low after reset
    } else if (pin === this.pins.clock && prev === 0 && v === 1 && this.selected) {
      this.shift.push(this.level.get(this.pins.data) ?? 0);
    }
  }

  /** Called after each latched frame (a whole chain update). */
  onLatch(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private latch(): void { this.latchBits(this.shift); }

  /**
   * CS rose after `bits` were clocked in (MSB first), as a logic analyser on
   * the chain's pins saw them (the simavr harness reports them so).
   */
  latchBits(bits: number[]): void {
    // The last 16 bits clocked in sit in the first device; earlier ones were
    // pushed on down the chain. Bits beyond the chain's length fall off the end.
    const n = this.devices.length;
    for (let d = 0; d < n; d++) {
      const end = bits.length - d * 16;
      const start = end - 16;
      if (start < 0) break;
      let word = 0;
      for (let i = start; i < end; i++) word = (word << 1) | bits[i];
      this.apply(d, (word >> 8) & 0x0f, word & 0xff);
    }
    this.latches++;
    for (const cb of [...this.listeners]) cb();
  }

  private apply(device: number, reg: number, value: number): void {
    const s = this.devices[device];
    if (reg === REG.NOOP) return;
    if (this.log.length >= this.logLimit) this.log.splice(0, this.log.length - this.logLimit + 1);
    this.log.push({ device, reg, value });
    if (reg >= REG.DIGIT0 && reg <= 0x08) s.digits[reg - 1] = value;
    else if (reg === REG.DECODE) s.decode = value;
    else if (reg === REG.INTENSITY) s.intensity = value & 0x0f;
    else if (reg === REG.SCANLIMIT) s.scanLimit = value & 0x07;
    else if (reg === REG.SHUTDOWN) s.on = (value & 1) === 1;
    else if (reg === REG.DISPLAYTEST) s.displayTest = (value & 1) === 1;
  }

  /** What each digit/row actually lights: blank when off or beyond the scan limit, all on in display test. */
  visible(device: number): number[] {
    const s = this.devices[device];
    return s.digits.map((v, i) => (s.displayTest ? 0xff : !s.on || i > s.scanLimit ? 0 : v));
  }
}
