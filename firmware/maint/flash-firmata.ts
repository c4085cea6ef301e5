// `manyi flash-firmata`: our window-board firmware (firmware/arduino, built into
// firmware/arduino/manyi-window.hex and shipped in the release) onto a window
// board's Arduino over its bootloader (STK500v1), then a check that the board
// answers Firmata at 57600 and says which firmware it runs. `--hex` flashes
// another Firmata image (a stock StandardFirmata works too, with slower LED frames).
// avrgirl-arduino cannot be installed from the npm registry alone (it depends on a
// GitHub tarball), hence our own STK500v1 in stk500.ts.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseIntelHex } from './intel-hex.ts';
import { BOARDS, programImage, type FlashStep } from './stk500.ts';
import type { OpenLink, SerialLink } from './serial-link.ts';

/** The window-board firmware the release ships (`make -C firmware/arduino` builds it). */
export const SHIPPED_HEX = fileURLToPath(new URL('../arduino/manyi-window.hex', import.meta.url));
export const DEFAULT_HEX = SHIPPED_HEX;
const REPORT_VERSION = 0xf9;

/**
 * Asks for the Firmata protocol version (REPORT_VERSION, 0xF9) every half second
 * until the deadline: opening the port resets the board, and its bootloader runs
 * for a moment before the sketch. Rejects if no Firmata answer comes.
 */
export async function queryFirmata(link: SerialLink, timeoutMs = 4000): Promise<{ major: number; minor: number }> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    link.discard();
    await link.write(Buffer.from([REPORT_VERSION]));
    const tryUntil = Math.min(until, performance.now() + 500);
    while (performance.now() < tryUntil) {
      const b = await link.read(1, Math.max(1, tryUntil - performance.now())).catch(() => null);
      if (!b) break;
      if (b[0] === REPORT_VERSION) {
        const v = await link.read(2, 1000);
        return { major: v[0], minor: v[1] };
      }
    }
  }
  throw new Error('the board does not answer Firmata at 57600 baud (no REPORT_VERSION reply): wrong or no firmware');
}

export interface FlashOptions {
  port: string;
  board?: keyof typeof BOARDS | string;
  hex?: string;
  open: OpenLink;
  progress?: (step: FlashStep | 'firmata', detail?: string) => void;
  /** How long to wait for the sketch to answer Firmata (default 4 s). */
  firmataTimeoutMs?: number;
}

export async function flashFirmata(o: FlashOptions): Promise<{ firmata: { major: number; minor: number }; bytes: number }> {
  const board = BOARDS[o.board ?? 'uno'];
  if (!board) throw new Error(`unknown --board ${o.board}: one of ${Object.keys(BOARDS).join(', ')}`);
  const hexFile = o.hex ?? DEFAULT_HEX;
  if (!existsSync(hexFile)) {
    throw new Error(hexFile === SHIPPED_HEX
      ? `the window-board firmware ${hexFile} is not built: a release ships it; in a source checkout run \`make -C firmware/arduino\` `
        + '(Debian: apt-get install gcc-avr avr-libc arduino-core-avr make), or pass --hex FILE (see firmware/arduino/README.md)'
      : `no Firmata image at ${hexFile} (see firmware/arduino/README.md)`);
  }
  const image = parseIntelHex(readFileSync(hexFile, 'utf8'));
  const progress = o.progress ?? (() => {});
  const boot = await o.open(o.port, board.baud);
  try { await programImage(boot, board, image, progress); } finally { await boot.close(); }
  // Firmata talks at 57600 whatever the bootloader's rate; the sketch needs a moment to start.
  const run = await o.open(o.port, 57600);
  try {
    const firmata = await queryFirmata(run, o.firmataTimeoutMs);
    progress('firmata', `${firmata.major}.${firmata.minor}`);
    return { firmata, bytes: image.length };
  } finally { await run.close(); }
}
