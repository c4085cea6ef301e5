// The window board's compiled firmware running in simavr (var/build/window-sim,
// built with the .hex by `make -C firmware/arduino`, npm test's pretest): its
// UART on a pseudo-terminal that johnny-five opens like a USB serial port, its
// MAX7219 chains decoded from the bits the harness saw on the pins, its input
// pins driven like buttons, and its reset line.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import Firmata from 'firmata';
import { Max7219Emulator } from '../../firmware/hw/max7219.ts';
import { openJohnnyFiveBoard, closeJohnnyFiveBoard, type J5Board } from '../../firmware/hw/johnny-five-board.ts';
import { SHIPPED_HEX } from '../../firmware/maint/flash-firmata.ts';

export const WINDOW_SIM = new URL('../../var/build/window-sim', import.meta.url).pathname;
const WINDOW_SIM_SOURCE = new URL('../../firmware/arduino/simavr/window-sim.c', import.meta.url).pathname;
const ARDUINO_DIR = new URL('../../firmware/arduino/', import.meta.url).pathname;

export interface SimavrBoard {
  /** The pseudo-terminal johnny-five opens. */
  readonly port: string;
  /** Watches a chain: the emulated chips behind chip-select `cs`. */
  chain(pins: { data: number; clock: number; cs: number }, devices: number): Max7219Emulator;
  /** Drives an input pin (a button to GND reads 0 while pressed). */
  pin(d: number, level: 0 | 1): void;
  /** Presses a button to GND on pin `d` for `ms` of the AVR's time, then releases it; resolves when the harness released it. */
  press(d: number, ms?: number): Promise<void>;
  /** Puts `mV` millivolts on analog input A`channel`. */
  analog(channel: number, mV: number): void;
  /** Resets the AVR (DTR pulse, brown-out); resolves once it restarted. */
  reset(): Promise<void>;
  /** Opens the board through johnny-five, resetting it as opening a real Arduino's port does. */
  open(): Promise<J5Board>;
  close(): Promise<void>;
  /** Level of each output pin that drives no chain (a pad's lamps), as the AVR set it. */
  readonly outputs: Map<number, 0 | 1>;
  /**
   * The AVR's own clock (cycles, 16 per µs), which a busy host does not stretch:
   * when the last burst of host bytes began to arrive, and when each chain last latched
   * (and how long its CS was low).
   */
  readonly cycles: { rx: number; latch: Map<number, number>; low: Map<number, number> };
  /** Lines the harness printed, for a failing test's message. */
  readonly output: string[];
}

/**
 * The harness and the firmware as the checkout's sources say (the tests' global set-up
 * makes them; a bench or a script may come first, e.g. right after a rebase): `make`
 * once per process when the harness is missing or older than its source.
 */
let built = false;
function ensureBuilt(): void {
  if (built) return;
  if (!existsSync(WINDOW_SIM) || statSync(WINDOW_SIM).mtimeMs < statSync(WINDOW_SIM_SOURCE).mtimeMs) {
    try {
      execFileSync('make', ['-s', '-C', ARDUINO_DIR], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`make -C firmware/arduino failed (needs gcc-avr, avr-libc, arduino-core-avr, libsimavr-dev): ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? (e as Error).message}`);
    }
  }
  built = true;
}

/** Debian's Optiboot for the ATmega328P (arduino-core-avr): the Uno's bootloader. */
export const OPTIBOOT = '/usr/share/arduino/hardware/arduino/avr/bootloaders/optiboot/optiboot_atmega328.hex';

/** `hex`: the sketch in flash ('-': none); `bootloader`: started at every reset, as on an Uno. */
export async function startSimavrBoard(hex = SHIPPED_HEX, opts: { bootloader?: string } = {}): Promise<SimavrBoard> {
  ensureBuilt();
  for (const f of [...(hex === '-' ? [] : [hex]), ...(opts.bootloader ? [opts.bootloader] : []), WINDOW_SIM]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: build it with \`make -C firmware/arduino\` (npm test's pretest does; needs gcc-avr, avr-libc, arduino-core-avr, libsimavr-dev)`);
  }
  const proc: ChildProcessWithoutNullStreams = spawn(WINDOW_SIM, [hex, ...(opts.bootloader ? ['--bootloader', opts.bootloader] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  const output: string[] = [];
  const chains = new Map<number, Max7219Emulator>();
  const resetWaiters: Array<() => void> = [];
  const releaseWaiters = new Map<number, Array<() => void>>();
  let board: J5Board | null = null;
  const outputs = new Map<number, 0 | 1>();
  const cycles = { rx: 0, latch: new Map<number, number>(), low: new Map<number, number>() };
  proc.stderr.on('data', (d: Buffer) => output.push(`stderr: ${d.toString().trim()}`));

  const port = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout });
    proc.once('exit', (code) => reject(new Error(`window-sim exited (${code}): ${output.join(' | ')}`)));
    lines.on('line', (line) => {
      const [what, ...rest] = line.split(' ');
      if (what === 'READY') resolve(rest[0]);
      else if (what === 'LATCH') {
        const [cs, n, hex, at, low] = rest;
        cycles.latch.set(Number(cs), Number(at));
        cycles.low.set(Number(cs), Number(low));
        const bytes = Buffer.from(hex ?? '', 'hex');
        const bits: number[] = [];
        for (let i = 0; i < Number(n); i++) bits.push((bytes[i >> 3] >> (7 - (i & 7))) & 1);
        chains.get(Number(cs))?.latchBits(bits);
      } else if (what === 'RX') {
        cycles.rx = Number(rest[0]);
        return;
      } else if (what === 'PIN') {
        outputs.set(Number(rest[0]), rest[1] === '1' ? 1 : 0);
        return;
      } else if (what === 'RELEASED') {
        for (const w of releaseWaiters.get(Number(rest[0]))?.splice(0) ?? []) w();
        return;
      } else if (what === 'RESET') {
        for (const w of resetWaiters.splice(0)) w();
      }
      if (what !== 'LATCH') output.push(line);
      if (output.length > 200) output.shift();
    });
  });

  const send = (cmd: string) => { if (proc.exitCode === null) proc.stdin.write(cmd + '\n'); };
  const reset = () => new Promise<void>((resolve, reject) => {
    if (proc.exitCode !== null) return reject(new Error('window-sim has exited'));
    resetWaiters.push(resolve);
    send('reset');
  });

  return {
    port, output, outputs, cycles,
    chain(pins, devices) {
      const emu = new Max7219Emulator(pins, devices);
      chains.set(pins.cs, emu);
      send(`chip ${pins.cs} ${pins.data} ${pins.clock}`);
      return emu;
    },
    pin(d, level) { send(`pin ${d} ${level}`); },
    analog(channel, mV) { send(`adc ${channel} ${Math.round(mV)}`); },
    press(d, ms = 80) {
      // Ends in the AVR's time (a busy host stretches it): wait for the harness to say so.
      return new Promise<void>((resolve, reject) => {
        if (proc.exitCode !== null) return reject(new Error('window-sim has exited'));
        const gone = () => reject(new Error(`window-sim exited during a press on D${d}: ${output.join(' | ')}`));
        proc.once('exit', gone);
        const list = releaseWaiters.get(d) ?? [];
        releaseWaiters.set(d, list);
        list.push(() => { proc.off('exit', gone); resolve(); });
        send(`press ${d} ${ms}`);
      });
    },
    reset,
    async open() {
      // firmata.js waits for the board's boot announcement: reset it as the
      // USB-serial adapter's DTR line does when a real port opens.
      const io = new Firmata(port, { reportVersionTimeout: 3000 });
      io.once('open', () => void reset());
      board = await openJohnnyFiveBoard({ io, timeoutMs: 15_000 });
      return board;
    },
    async close() {
      if (board) await closeJohnnyFiveBoard(board).catch(() => undefined);
      send('quit');
      await new Promise<void>((r) => {
        if (proc.exitCode !== null) return r();
        const t = setTimeout(() => { proc.kill('SIGKILL'); r(); }, 2000);
        proc.once('exit', () => { clearTimeout(t); r(); });
      });
    },
  };
}

/** Resolves when `cond()` holds, polling; rejects with `what` after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string | (() => string)): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
