// Opening a Firmata board with johnny-five the way a service runs: no REPL,
// no SIGINT handler of its own (the device runtime owns shutdown), quiet logs,
// a clear error when the Arduino is absent or runs other firmware. Firmata
// talks at 57600 baud (firmata.js's default, StandardFirmata's rate).
import five from 'johnny-five';
import { Max7219Emulator } from './max7219.ts';
import { SimFirmataIO, type SimFirmataOptions } from './sim-firmata.ts';

export type J5Board = InstanceType<typeof five.Board>;

export interface OpenBoardOptions {
  /** Serial port of the Arduino (`/dev/ttyUSB0`); omitted = johnny-five looks for one. */
  port?: string;
  /** An IO plugin instead of serial Firmata (the simulated Arduino, mock-firmata in tests). */
  io?: unknown;
  /** How long to wait for the board to report ready, ms. */
  timeoutMs?: number;
}

export function openJohnnyFiveBoard(opts: OpenBoardOptions = {}): Promise<J5Board> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    let board: J5Board;
    try {
      board = new five.Board({
        ...(opts.port ? { port: opts.port } : {}),
        ...(opts.io ? { io: opts.io } : {}),
        repl: false, sigint: false, debug: false, timeout: timeoutMs,
      });
    } catch (e) {
      reject(new Error(`Arduino: cannot open ${opts.port ?? 'a Firmata board'}: ${(e as Error).message}`));
      return;
    }
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Arduino: no Firmata reply from ${opts.port ?? 'the board'} within ${timeoutMs} ms — is the window-board firmware flashed (manyi flash-firmata)?`));
    }, timeoutMs);
    const onReady = () => { cleanup(); resolve(board); };
    const onError = (e: Error) => { cleanup(); reject(new Error(`Arduino: ${e?.message ?? String(e)}`)); };
    const cleanup = () => { clearTimeout(timer); board.off('ready', onReady); board.off('error', onError); };
    board.once('ready', onReady);
    board.once('error', onError);
  });
}

/** Closes the serial line of a johnny-five board (the runtime's shutdown path). */
export async function closeJohnnyFiveBoard(board: J5Board): Promise<void> {
  const io = board.io as unknown as { transport?: { close?(cb?: () => void): void; isOpen?: boolean }; close?(): void };
  if (io?.transport?.close) await new Promise<void>((r) => io.transport!.close!(() => r()));
  else io?.close?.();
}

/** A simulated Arduino (our firmware, unless told otherwise) with a MAX7219 chain on its pins, opened through johnny-five. */
export async function openSimMax7219Board(pins: { data: number; clock: number; cs: number }, devices: number, opts: SimFirmataOptions = {}) {
  const io = new SimFirmataIO(opts);
  const emulator = new Max7219Emulator(pins, devices);
  io.onWrite((pin, v) => emulator.digitalWrite(pin, v));
  const board = await openJohnnyFiveBoard({ io, timeoutMs: 5_000 });
  return { io, emulator, board };
}
