// The simulated twin of a window LED board: the same johnny-five code drives a
// simulated Arduino whose pin writes feed a MAX7219 emulator, so what the demo
// draws is decoded from the bytes a real board would receive.
import { openSimMax7219Board } from '../../firmware/hw/johnny-five-board.ts';
import type { Max7219Emulator } from '../../firmware/hw/max7219.ts';
import { JohnnyFiveMax7219, type ChainOptions } from './max7219-chain.ts';
import { LedWindowDisplay, readBoard, type BoardView } from './window-display.ts';

export interface SimLedBoard {
  display: LedWindowDisplay;
  emulator: Max7219Emulator;
  /** What the board shows now. */
  view(): BoardView;
  /** Calls `cb` after each change reaches the chips. */
  onChange(cb: (view: BoardView) => void): () => void;
  close(): void;
}

export async function createSimLedBoard(chain: ChainOptions): Promise<SimLedBoard> {
  const { emulator, board, io } = await openSimMax7219Board(chain.pins, chain.devices);
  const bus = new JohnnyFiveMax7219(board, chain);
  const display = new LedWindowDisplay(bus);
  const view = () => readBoard(emulator, chain.kind);
  return {
    display, emulator, view,
    onChange: (cb) => emulator.onLatch(() => cb(view())),
    close: () => io.close(),
  };
}
