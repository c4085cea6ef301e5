// The LED hardware as a role gets it from the hardware kit (firmware/hw/kit.ts):
// a window's LED board and a lobby's matrix strip, each real (an Arduino over
// Firmata, reopened with back-off while it is away) or simulated (the same
// johnny-five code over a simulated Arduino whose pins feed a MAX7219 emulator).
// The choice is made here, once, not in the roles. A counter's rating-pad display
// (the second chain on its window board's Arduino) comes from here too.
import { openSimMax7219Board } from '../../firmware/hw/johnny-five-board.ts';
import type { Max7219Emulator } from '../../firmware/hw/max7219.ts';
import { ReplayBus, ReplayDisplay, superviseLedBoard, type SuperviseOptions } from './link.ts';
import { JohnnyFiveMax7219, type ChainOptions } from './max7219-chain.ts';
import { LedScroller, type ScrollerOptions } from './scroller.ts';
import { createSimLedBoard } from './sim-board.ts';
import { boardWidth, type BoardView, type WindowDisplay } from './window-display.ts';

export { openPadDisplay, PadLabels, type PadDisplay } from './pad-labels.ts';

export interface LedLinkOptions {
  simulated: boolean;
  /** The Arduino's serial port (real boards; default: johnny-five finds it). */
  port?: string;
  /** More chains on the same Arduino (a real board reattaches them with it). */
  also?: SuperviseOptions['also'];
  /** `ok`, `connecting` or `offline` (with why), for the device's health. */
  onState(state: 'ok' | 'connecting' | 'offline', why?: string): void;
}

export interface WindowBoard {
  display: WindowDisplay;
  /** What the board shows: decoded from the emulated chips (simulated), or the text it should show. */
  view(): BoardView | { kind: 'digits' | 'matrix'; text: string };
  /** Calls `cb` with what the board shows after each change reaches the chips (simulated boards only). */
  onChange(cb: (view: BoardView) => void): () => void;
  /** The emulated chips (simulated boards only): what the demo's people see. */
  readonly emulator: Max7219Emulator | null;
  close(): Promise<void>;
}

export async function openWindowBoard(chain: ChainOptions, o: LedLinkOptions): Promise<WindowBoard> {
  if (o.simulated) {
    const led = await createSimLedBoard(chain);
    o.onState('ok');
    return {
      display: led.display, view: () => led.view(), onChange: (cb) => led.onChange(cb), emulator: led.emulator,
      close: async () => led.close(),
    };
  }
  // The window keeps working from the keypad and page while the board is away.
  const replay = new ReplayDisplay(boardWidth(chain.kind, chain.devices));
  o.onState('connecting');
  const link = superviseLedBoard({ port: o.port, chain, display: replay, also: o.also, onState: o.onState });
  return {
    display: replay, view: () => ({ kind: chain.kind, text: replay.text }), onChange: () => () => {}, emulator: null,
    close: () => link.stop(),
  };
}

export interface MatrixStrip {
  scroller: LedScroller;
  readonly emulator: Max7219Emulator | null;
  close(): Promise<void>;
}

export async function openMatrixStrip(chain: ChainOptions, o: LedLinkOptions & { stepMs?: number }): Promise<MatrixStrip> {
  if (o.simulated) {
    const sim = await openSimMax7219Board(chain.pins, chain.devices);
    const scroller = new LedScroller(new JohnnyFiveMax7219(sim.board, chain), { stepMs: o.stepMs } satisfies ScrollerOptions);
    o.onState('ok');
    return { scroller, emulator: sim.emulator, close: async () => { scroller.stop(); sim.io.close(); } };
  }
  // The strip survives the Arduino coming and going (and pages on a stock Firmata board: see LedScroller).
  const bus = new ReplayBus('matrix', chain.devices, chain.rows);
  const scroller = new LedScroller(bus, { stepMs: o.stepMs });
  o.onState('connecting');
  const link = superviseLedBoard({ port: o.port, chain, display: bus, onState: o.onState });
  return { scroller, emulator: null, close: async () => { scroller.stop(); await link.stop(); } };
}
