// The simulated twin of the GPIO chip: tests and the demo drive input levels
// (a press, a bouncing contact) and read what outputs (pad lamps, status LEDs)
// show. It keeps physical levels like the wire would, so activeLow behaves as on
// the real adapter.
import { EventEmitter } from 'node:events';
import type { Edge, GpioChip, InputPin, Level, OutputPin } from './gpio.ts';

interface SimLine {
  dir: 'in' | 'out';
  physical: Level;
  activeLow: boolean;
  edge: Edge;
  watchers: Set<(level: Level) => void>;
}

export class SimGpioChip implements GpioChip {
  private lines = new Map<number, SimLine>();
  /** `output` (bcm, logical level) whenever an output pin is written. */
  readonly events = new EventEmitter();

  private claim(bcm: number, line: SimLine): SimLine {
    if (!Number.isInteger(bcm) || bcm < 0 || bcm > 57) throw new Error(`GPIO: BCM pin ${bcm} is out of range 0–57`);
    if (this.lines.has(bcm)) throw new Error(`GPIO: BCM ${bcm} is already in use`);
    this.lines.set(bcm, line);
    return line;
  }

  input(bcm: number, opts: { edge?: Edge; activeLow?: boolean } = {}): InputPin {
    const activeLow = opts.activeLow ?? false;
    // An idle input rests inactive (a pulled-up button reads high on the wire).
    const line = this.claim(bcm, { dir: 'in', physical: activeLow ? 1 : 0, activeLow, edge: opts.edge ?? 'both', watchers: new Set() });
    return {
      read: () => logical(line),
      watch: (cb) => { line.watchers.add(cb); return () => line.watchers.delete(cb); },
      close: () => { line.watchers.clear(); this.lines.delete(bcm); },
    };
  }

  output(bcm: number, opts: { activeLow?: boolean; initial?: Level } = {}): OutputPin {
    const activeLow = opts.activeLow ?? false;
    const initial = opts.initial ?? 0;
    const line = this.claim(bcm, { dir: 'out', physical: toPhysical(initial, activeLow), activeLow, edge: 'both', watchers: new Set() });
    return {
      write: (level) => {
        if (level !== 0 && level !== 1) throw new Error(`GPIO: level must be 0 or 1, got ${String(level)}`);
        line.physical = toPhysical(level, activeLow);
        this.events.emit('output', bcm, level);
      },
      read: () => logical(line),
      close: () => { this.lines.delete(bcm); },
    };
  }

  close(): void {
    for (const l of this.lines.values()) l.watchers.clear();
    this.lines.clear();
  }

  // ---- the simulation's side ----

  /** Sets an input's logical level (1 = active, e.g. pressed), firing its watchers on an edge. */
  setInput(bcm: number, level: Level): void {
    const line = this.lines.get(bcm);
    if (!line || line.dir !== 'in') throw new Error(`GPIO sim: BCM ${bcm} is not an open input`);
    const physical = toPhysical(level, line.activeLow);
    if (physical === line.physical) return;
    line.physical = physical;
    const l = logical(line);
    if (line.edge === 'both' || (line.edge === 'rising' && l === 1) || (line.edge === 'falling' && l === 0)) {
      for (const w of [...line.watchers]) w(l);
    }
  }

  /**
   * A press as a real contact and a person make it: `bounces` quick flips, held
   * for `holdMs`, released, and left alone for `settleMs` (nobody presses again
   * within a debounce time).
   */
  async press(bcm: number, opts: { bounces?: number; bounceMs?: number; holdMs?: number; settleMs?: number } = {}): Promise<void> {
    const { bounces = 0, bounceMs = 1, holdMs = 60, settleMs = 40 } = opts;
    for (let i = 0; i < bounces; i++) {
      this.setInput(bcm, 1); await sleep(bounceMs);
      this.setInput(bcm, 0); await sleep(bounceMs);
    }
    this.setInput(bcm, 1);
    await sleep(holdMs);
    for (let i = 0; i < bounces; i++) {
      this.setInput(bcm, 0); await sleep(bounceMs);
      this.setInput(bcm, 1); await sleep(bounceMs);
    }
    this.setInput(bcm, 0);
    await sleep(settleMs);
  }

  /** The logical level an output (or input) shows now; undefined if the pin is not open. */
  level(bcm: number): Level | undefined {
    const line = this.lines.get(bcm);
    return line ? logical(line) : undefined;
  }

  /** Every open output and its logical level. */
  outputs(): Record<number, Level> {
    const out: Record<number, Level> = {};
    for (const [bcm, l] of this.lines) if (l.dir === 'out') out[bcm] = logical(l);
    return out;
  }

  isOpen(bcm: number): boolean { return this.lines.has(bcm); }
}

function toPhysical(level: Level, activeLow: boolean): Level {
  return (activeLow ? 1 - level : level) as Level;
}
function logical(line: SimLine): Level {
  return toPhysical(line.physical, line.activeLow);
}
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
