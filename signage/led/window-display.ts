// The window LED board: what it shows in each state, on MAX7219 digits or an
// 8×8 matrix chain. `----` means the counter has lost the controller: a number
// is never left up as "current" when nobody can vouch for it.
import type { Max7219Emulator } from '../../firmware/hw/max7219.ts';
import type { Max7219Bus } from './max7219-chain.ts';
import { decodeSeg, encodeSeg } from './seven-seg.ts';
import { CELL_WIDTH, columnsToRows, decodeColumns, renderColumns, rowsToColumns } from './matrix-font.ts';

export interface WindowDisplay {
  /** Ticket `no` is being served (or has been called) at window `window`. */
  showServing(no: string, window: string): void;
  /** Open, nobody called yet. */
  showIdle(window: string): void;
  showPaused(): void;
  showClosed(): void;
  /** The controller is unreachable: `----`, never the last number. */
  showLost(): void;
}

export type BoardMode = 'serving' | 'idle' | 'paused' | 'closed' | 'lost';

/** Characters a chain shows in one line: 8 per digit module, 2 per 8×8 matrix. */
export function boardWidth(kind: 'digits' | 'matrix', devices: number): number {
  return kind === 'digits' ? devices * 8 : Math.floor((devices * 8) / CELL_WIDTH);
}

/** `left` flush left and `right` flush right when both fit with a gap, else `left` alone. */
export function layoutLine(left: string, right: string, width: number): string {
  if (right && left.length + 1 + right.length <= width) return left + ' '.repeat(width - left.length - right.length) + right;
  return left.slice(0, width).padEnd(width);
}

/** The text a board of `width` characters shows in `mode`. */
export function boardText(mode: BoardMode, width: number, no = '', window = ''): string {
  switch (mode) {
    case 'serving': return layoutLine(no, window, width);
    case 'idle': return layoutLine('', window, width);
    case 'paused': return layoutLine('PAUSE', window, width);
    case 'closed': return layoutLine('CLOSED', '', width);
    case 'lost': return layoutLine('----', window, width);
  }
}

/** Drives a MAX7219 bus with the window board's patterns. */
export class LedWindowDisplay implements WindowDisplay {
  readonly width: number;
  mode: BoardMode = 'lost';
  text = '';
  private window = '';

  constructor(private readonly bus: Max7219Bus) {
    this.width = boardWidth(bus.kind, bus.devices);
  }

  showServing(no: string, window: string): void { this.window = window; this.draw('serving', boardText('serving', this.width, no, window)); }
  showIdle(window: string): void { this.window = window; this.draw('idle', boardText('idle', this.width, '', window)); }
  showPaused(): void { this.draw('paused', boardText('paused', this.width, '', this.window)); }
  showClosed(): void { this.draw('closed', boardText('closed', this.width)); }
  showLost(): void { this.draw('lost', boardText('lost', this.width, '', this.window)); }

  private draw(mode: BoardMode, text: string): void {
    this.mode = mode;
    this.text = text;
    const frames = this.bus.kind === 'digits' ? digitRegisters(text, this.bus.devices) : columnsToRows(padColumns(renderColumns(text), this.bus.devices * 8), this.bus.devices);
    // frames[d][i] = register DIGIT0+i of device d
    this.bus.writeFrame(frames);
  }
}

function padColumns(cols: number[], n: number): number[] {
  return cols.length >= n ? cols.slice(0, n) : [...cols, ...Array(n - cols.length).fill(0)];
}

/**
 * Text → registers of a digit chain: device 0 shows the leftmost 8 characters;
 * on the common 8-digit modules DIGIT0 is the rightmost digit.
 */
function digitRegisters(text: string, devices: number): number[][] {
  const codes = encodeSeg(text, devices * 8);
  return Array.from({ length: devices }, (_v, d) => {
    const part = codes.slice(d * 8, d * 8 + 8);
    return part.map((_c, i) => part[7 - i]);
  });
}

export interface BoardView {
  kind: 'digits' | 'matrix';
  /** What a person reads on the board, decoded from the chips' registers. */
  text: string;
  /** Segment bytes left to right (digits) or pixel columns left to right, bit 0 = top (matrix). */
  cells: number[];
  on: boolean;
  intensity: number;
}

/** Reads what the chain shows from the emulated chips (the bytes a real board received). */
export function readBoard(emu: Max7219Emulator, kind: 'digits' | 'matrix'): BoardView {
  const devs = emu.devices.map((_d, i) => emu.visible(i));
  const on = emu.devices.every((d) => d.on);
  const intensity = emu.devices[0]?.intensity ?? 0;
  if (kind === 'digits') {
    const cells = devs.flatMap((regs) => regs.slice().reverse());
    return { kind, text: decodeSeg(cells), cells, on, intensity };
  }
  const cells = rowsToColumns(devs);
  return { kind, text: decodeColumns(cells), cells, on, intensity };
}
