// The rating pad's small LED display (a MAX7219 matrix, 16 pixels high on two
// rows of modules, on the window board's Arduino as its second chain): it labels
// the pad's buttons while the pad asks a citizen for a reason. One text at a
// time, centred when it fits, otherwise slid across once within its time slot.
// A counter gets it from the hardware kit (`ctx.hw.padDisplay(spec)`, through
// ./drivers.ts), like the window's LED board.
import { JohnnyFiveMax7219, type ChainOptions, type Max7219Bus } from './max7219-chain.ts';
import { ReplayBus } from './link.ts';
import { openSimMax7219Board } from '../../firmware/hw/johnny-five-board.ts';
import type { Max7219Emulator } from '../../firmware/hw/max7219.ts';
import type { CounterSpec } from '../../hw-specs/schema.ts';
import { columnsToRows, renderColumns } from './matrix-font.ts';
import { font16, renderColumns16 } from './font/font16.ts';

export class PadLabels {
  readonly width: number;
  readonly height: 8 | 16;
  /** What the display shows now ('' = dark). */
  text = '';
  private timer: NodeJS.Timeout | null = null;
  private readonly moduleRows: 1 | 2;

  constructor(private readonly bus: Max7219Bus, private readonly tickMs = 60) {
    this.moduleRows = bus.rows ?? 1;
    this.height = this.moduleRows === 2 ? 16 : 8;
    this.width = Math.ceil(bus.devices / this.moduleRows) * 8;
    this.draw([]);
  }

  /** True when it can show Chinese (16 pixels high, font built). */
  get chinese(): boolean { return this.height === 16 && font16() !== null; }

  /** Shows `text` (Chinese on a 16-pixel display, else `fallback` in capitals) for `slotMs`. */
  show(text: string, fallback = text, slotMs = 2500): void {
    this.stopTimer();
    const shown = this.chinese ? text : fallback.toUpperCase().replace(/[^\x20-\x7e]/g, '');
    this.text = shown;
    const cols = this.chinese ? renderColumns16(shown) : renderColumns(shown).map((c) => c << (this.height === 16 ? 4 : 0));
    if (cols.length <= this.width) {
      const left = Math.floor((this.width - cols.length) / 2);
      this.draw([...Array(left).fill(0), ...cols]);
      return;
    }
    // Too wide: slide from its start to its end within the slot, pausing at both ends.
    const travel = cols.length - this.width;
    const steps = Math.max(1, Math.floor(slotMs / this.tickMs) - 10);
    let i = -5;
    this.draw(cols.slice(0, this.width));
    this.timer = setInterval(() => {
      i++;
      const at = Math.max(0, Math.min(travel, Math.round((i / steps) * travel)));
      this.draw(cols.slice(at, at + this.width));
      if (i >= steps + 5) this.stopTimer();
    }, this.tickMs);
  }

  clear(): void {
    this.stopTimer();
    this.text = '';
    this.draw([]);
  }

  private draw(cols: number[]): void {
    const full = [...cols, ...Array(Math.max(0, this.width - cols.length)).fill(0)].slice(0, this.width);
    this.bus.writeFrame(columnsToRows(full, this.bus.devices, this.moduleRows));
  }

  private stopTimer(): void { if (this.timer) clearInterval(this.timer); this.timer = null; }

  close(): void { this.stopTimer(); }
}

export interface PadDisplay {
  labels: PadLabels;
  /** Its LEDCHAIN chain on the window board's Arduino (chain 1: the LED board's DIN/CLK, its own CS). */
  chain: ChainOptions;
  /** Real board: the bus superviseLedBoard attaches when the Arduino is there (`also`). */
  bus: ReplayBus | null;
  /** Simulated board: the emulated chips (what the pad's display shows). */
  emulator: Max7219Emulator | null;
  close(): void;
}

/** The pad display of a counter spec (null when its pad has none), on the simulated twin or for the real board's link. */
export async function openPadDisplay(spec: CounterSpec, simulated: boolean): Promise<PadDisplay | null> {
  const d = spec.ratingPad.display;
  if (!d) return null;
  const chain: ChainOptions = {
    kind: 'matrix', devices: d.devices, rows: d.rows, chain: 1, brightness: d.brightness,
    pins: { data: spec.ledBoard.pins.data, clock: spec.ledBoard.pins.clock, cs: d.cs },
  };
  if (simulated) {
    const sim = await openSimMax7219Board(chain.pins, d.devices);
    const labels = new PadLabels(new JohnnyFiveMax7219(sim.board, chain));
    return { labels, chain, bus: null, emulator: sim.emulator, close: () => { labels.close(); sim.io.close(); } };
  }
  const bus = new ReplayBus('matrix', d.devices, d.rows);
  const labels = new PadLabels(bus);
  return { labels, chain, bus, emulator: null, close: () => labels.close() };
}
