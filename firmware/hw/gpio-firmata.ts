// GPIO on the window board's Arduino, through Firmata: a rating pad or keypad
// wired to the Nano instead of the Pi's header. Same GpioChip interface as the
// onoff adapter (pin numbers here are the Arduino's D numbers), so RatingPad and
// Keypad run unchanged. Inputs use the AVR's pull-ups and Firmata's digital
// reporting (the board sends a port's levels when one changes); when the board
// resets, every pin mode, report and output level is set again.
import type { Edge, GpioChip, InputPin, Level, OutputPin } from './gpio.ts';
import { onBoardRestart, type FirmataLike } from './ledchain.ts';

/** What of firmata.js's board the adapter uses. */
export interface FirmataIo extends FirmataLike {
  MODES: { INPUT: number; OUTPUT: number; PULLUP: number };
  pins: Array<{ value?: number; supportedModes?: number[] }>;
  pinMode(pin: number, mode: number): unknown;
  digitalWrite(pin: number, value: number): unknown;
  reportDigitalPin(pin: number, value: 0 | 1): unknown;
  addListener(event: string, cb: (v: number) => void): unknown;
  removeListener(event: string, cb: (v: number) => void): unknown;
}

interface OpenPin { kind: 'in' | 'out'; activeLow: boolean; level: Level; watchers: Set<(l: Level) => void>; onRead?: (v: number) => void }

export class FirmataGpioChip implements GpioChip {
  private readonly open = new Map<number, OpenPin>();
  private readonly offRestart: () => void;

  constructor(private readonly io: FirmataIo) {
    this.offRestart = onBoardRestart(io, () => this.restore());
  }

  private check(pin: number): void {
    if (!Number.isInteger(pin) || pin < 2 || pin >= this.io.pins.length) throw new Error(`Arduino: pin D${pin} is not a GPIO pin of this board (D2–D${this.io.pins.length - 1})`);
    if (this.open.has(pin)) throw new Error(`Arduino: D${pin} is already in use`);
  }

  input(pin: number, opts: { edge?: Edge; activeLow?: boolean } = {}): InputPin {
    this.check(pin);
    const activeLow = opts.activeLow ?? false;
    const edge = opts.edge ?? 'both';
    const p: OpenPin = { kind: 'in', activeLow, level: 0, watchers: new Set() };
    p.onRead = (v: number) => {
      const level = ((v ? 1 : 0) ^ (activeLow ? 1 : 0)) as Level;
      if (level === p.level) return;
      p.level = level;
      if (edge === 'both' || (edge === 'rising' && level === 1) || (edge === 'falling' && level === 0)) for (const w of [...p.watchers]) w(level);
    };
    // A pulled-up input rests high: inactive until the board reports otherwise.
    p.level = 0;
    this.open.set(pin, p);
    this.io.pinMode(pin, activeLow ? this.io.MODES.PULLUP : this.io.MODES.INPUT);
    this.reportSoon(pin);
    this.io.addListener(`digital-read-${pin}`, p.onRead);
    return {
      read: () => p.level,
      watch: (cb) => { p.watchers.add(cb); return () => p.watchers.delete(cb); },
      close: () => this.release(pin),
    };
  }

  output(pin: number, opts: { activeLow?: boolean; initial?: Level } = {}): OutputPin {
    this.check(pin);
    const p: OpenPin = { kind: 'out', activeLow: opts.activeLow ?? false, level: opts.initial ?? 0, watchers: new Set() };
    this.open.set(pin, p);
    this.io.pinMode(pin, this.io.MODES.OUTPUT);
    this.io.digitalWrite(pin, p.level ^ (p.activeLow ? 1 : 0));
    return {
      write: (level: Level) => {
        if (level !== 0 && level !== 1) throw new Error(`GPIO: level must be 0 or 1, got ${String(level)}`);
        p.level = level;
        this.io.digitalWrite(pin, level ^ (p.activeLow ? 1 : 0));
      },
      read: () => p.level,
      close: () => this.release(pin),
    };
  }

  // A port report carries no mask: a pin the board still has as an output reads 0
  // in it, which a pulled-up button on the host's side takes for a press. So
  // reporting is switched on only after every pin of the batch has its mode.
  private pendingReports = new Set<number>();
  private reportSoon(pin: number): void {
    if (this.pendingReports.size === 0) queueMicrotask(() => this.flushReports());
    this.pendingReports.add(pin);
  }
  private flushReports(): void {
    for (const pin of this.pendingReports) if (this.open.has(pin)) this.io.reportDigitalPin(pin, 1);
    this.pendingReports.clear();
  }

  /** The board reset: it forgot every mode, report and output level. */
  private restore(): void {
    for (const [pin, p] of this.open) {
      if (p.kind === 'in') this.io.pinMode(pin, p.activeLow ? this.io.MODES.PULLUP : this.io.MODES.INPUT);
      else { this.io.pinMode(pin, this.io.MODES.OUTPUT); this.io.digitalWrite(pin, p.level ^ (p.activeLow ? 1 : 0)); }
    }
    for (const [pin, p] of this.open) if (p.kind === 'in') this.io.reportDigitalPin(pin, 1);
  }

  private release(pin: number): void {
    const p = this.open.get(pin);
    if (!p) return;
    this.open.delete(pin);
    p.watchers.clear();
    if (p.onRead) this.io.removeListener(`digital-read-${pin}`, p.onRead);
  }

  close(): void {
    for (const pin of [...this.open.keys()]) this.release(pin);
    this.offRestart();
  }
}
