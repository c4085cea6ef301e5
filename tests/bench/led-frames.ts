// LED frame costs for `npm run bench -- --only signage`: today's pin-write path
// (stock StandardFirmata: johnny-five bit-bangs the MAX7219 with Firmata pin
// writes) beside our firmware's LEDCHAIN path (one SysEx per frame, hardware SPI
// on the AVR). Two figures each:
//  - on the serial line: the bytes the host sends × 10 bits at 57600 baud
//    (counted by the simulated Arduino, the same johnny-five code driving it);
//  - measured: the compiled firmware in simavr, from the frame's first byte
//    reaching the AVR to the last row latched by the emulated MAX7219s, in the
//    AVR's own clock (a busy host does not stretch it), and the same on the wall
//    clock from the host's write (pseudo-terminal and Node included).
import { openSimMax7219Board } from '../../firmware/hw/johnny-five-board.ts';
import { JohnnyFiveMax7219 } from '../../signage/led/max7219-chain.ts';
import { LedWindowDisplay } from '../../signage/led/window-display.ts';
import { LedScroller } from '../../signage/led/scroller.ts';
import type { Max7219Emulator } from '../../firmware/hw/max7219.ts';
import { startSimavrBoard } from '../hw/simavr-board.ts';

const PINS = { data: 11, clock: 13, cs: 10 };
const lineMs = (bytes: number) => (bytes * 10) / 57.6;
const TEXT = ['A023 > 1F WINDOW 5', 'PAYMENT: 2F WINDOWS 15-16'];

interface Case { board: string; update: string; target?: string; devices: number; rows?: 1 | 2; kind: 'digits' | 'matrix'; run(d: LedWindowDisplay, s: LedScroller): void; prep?(d: LedWindowDisplay, s: LedScroller): void }

const CASES: Case[] = [
  { board: 'digits ×1', update: 'first number (full frame)', devices: 1, kind: 'digits', prep: (d) => d.showLost(), run: (d) => d.showServing('A023', '12') },
  { board: 'digits ×1', update: 'next number (A023→A024)', devices: 1, kind: 'digits', prep: (d) => d.showServing('A023', '12'), run: (d) => d.showServing('A024', '12') },
  { board: 'matrix ×4', update: 'full frame (first number)', target: '≤ 30 ms', devices: 4, kind: 'matrix', prep: (d) => d.showLost(), run: (d) => d.showServing('A023', '12') },
  { board: 'matrix ×4', update: 'next number (A023→A024)', target: '≤ 10 ms', devices: 4, kind: 'matrix', prep: (d) => d.showServing('A023', '12'), run: (d) => d.showServing('A024', '12') },
  { board: 'matrix ×8 strip', update: 'one scroll step', target: '≥ 20 fps', devices: 8, kind: 'matrix', prep: (_d, s) => s.show(TEXT), run: (_d, s) => s.step() },
  { board: 'matrix ×16 (2 rows, 64×16, Chinese)', update: 'one scroll step', devices: 16, rows: 2, kind: 'matrix', prep: (_d, s) => s.show([{ zh: '请A023号到1楼5号窗口', en: 'A023 > 1F WINDOW 5' }]), run: (_d, s) => s.step() },
];

async function bytesFor(c: Case, firmware: 'manyi-window' | 'StandardFirmata'): Promise<number> {
  const sim = await openSimMax7219Board(PINS, c.devices, { firmware });
  const bus = new JohnnyFiveMax7219(sim.board, { kind: c.kind, devices: c.devices, rows: c.rows, pins: PINS });
  const d = new LedWindowDisplay(bus);
  const s = new LedScroller(bus, { stepMs: 3_600_000 });
  c.prep?.(d, s);
  const before = sim.io.bytesSent;
  c.run(d, s);
  const n = sim.io.bytesSent - before;
  s.stop();
  sim.io.close();
  return n;
}

/** Resolves with the time of the `n`th latch from now (rejects after 5 s). */
function latched(emu: Max7219Emulator, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const t = setTimeout(() => { off(); reject(new Error(`only ${seen} of ${n} latches`)); }, 5000);
    const off = emu.onLatch(() => { if (++seen === n) { clearTimeout(t); off(); resolve(performance.now()); } });
  });
}

/** Resolves once the chips have had no write for 80 ms (what was sent before has all arrived). */
async function quiet(emu: Max7219Emulator): Promise<void> {
  for (;;) {
    const n = emu.latches;
    await new Promise((r) => setTimeout(r, 80));
    if (emu.latches === n) return;
  }
}

interface Measured { avrMs: number; wallMs: number; spiUsPerByte: number }

/** First byte at the AVR → last row latched (AVR clock), and host write → latched (wall): medians of `n` runs, ms. */
async function measured(c: Case, n: number): Promise<Measured> {
  const sim = await startSimavrBoard();
  try {
    const emu: Max7219Emulator = sim.chain(PINS, c.devices);
    const board = await sim.open();
    const bus = new JohnnyFiveMax7219(board, { kind: c.kind, devices: c.devices, rows: c.rows, pins: PINS });
    const d = new LedWindowDisplay(bus);
    const s = new LedScroller(bus, { stepMs: 3_600_000 });
    const wall: number[] = [], avr: number[] = [], spi: number[] = [];
    for (let i = 0; i < n; i++) {
      c.prep?.(d, s);
      await quiet(emu);
      // A frame is the eight row registers of every device: eight latches.
      const done = latched(emu, 8);
      const t0 = performance.now();
      c.run(d, s);
      wall.push((await done) - t0);
      avr.push((sim.cycles.latch.get(PINS.cs)! - sim.cycles.rx) / 16_000);
      spi.push(sim.cycles.low.get(PINS.cs)! / 16 / (c.devices * 2));
      s.stop();
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return { avrMs: med(avr), wallMs: med(wall), spiUsPerByte: med(spi) };
  } finally { await sim.close(); }
}

/** Scroll steps a second on the compiled firmware: each step sent when the previous one latched. */
async function measuredFps(devices: number, steps: number): Promise<{ avr: number; wall: number }> {
  const sim = await startSimavrBoard();
  try {
    const emu = sim.chain(PINS, devices);
    const board = await sim.open();
    const s = new LedScroller(new JohnnyFiveMax7219(board, { kind: 'matrix', devices, pins: PINS }), { stepMs: 3_600_000 });
    s.show(TEXT);
    await quiet(emu);
    const t0 = performance.now();
    let firstRx = -1;
    for (let i = 0; i < steps; i++) {
      const done = latched(emu, 8);
      s.step();
      await done;
      if (firstRx < 0) firstRx = sim.cycles.rx;   // the first step's first byte (the steps after follow without a pause)
    }
    const wall = steps / ((performance.now() - t0) / 1000);
    const avrMs = (sim.cycles.latch.get(PINS.cs)! - firstRx) / 16_000;
    s.stop();
    return { avr: steps / (avrMs / 1000), wall };
  } finally { await sim.close(); }
}

export async function ledFrameCosts(): Promise<void> {
  console.log('\nLED frames: pin writes (stock StandardFirmata) vs LEDCHAIN (our firmware), 57600 baud');
  console.log('| board | update | target | pin writes: bytes | pin writes: ms on the line | LEDCHAIN: bytes | LEDCHAIN: ms on the line | simavr, AVR clock: first byte → latched (ms) | simavr, wall clock: write → latched (ms) | speed-up (bytes) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  let spi = 0;
  for (const c of CASES) {
    const pin = await bytesFor(c, 'StandardFirmata');
    const ext = await bytesFor(c, 'manyi-window');
    const m = await measured(c, 5);
    spi = m.spiUsPerByte;
    // The same frame with the AVR's real SPI (4 MHz: 2 µs a byte) instead of simavr's model: 8 rows × 2 bytes per device.
    const realSpi = m.avrMs - (8 * c.devices * 2 * (m.spiUsPerByte - 2)) / 1000;
    console.log(`| ${c.board} | ${c.update} | ${c.target ?? ''} | ${pin} | ${lineMs(pin).toFixed(1)} | ${ext} | ${lineMs(ext).toFixed(1)} | ${m.avrMs.toFixed(1)} (${realSpi.toFixed(1)}) | ${m.wallMs.toFixed(1)} | ${(pin / ext).toFixed(0)}× |`);
  }
  console.log(`(medians of 5. simavr's SPI model takes ${spi.toFixed(0)} µs a byte, where the AVR's 4 MHz SPI takes 2 µs: the AVR-clock column includes ` +
    'that, and in brackets the same with 2 µs a byte; the wall clock adds the pseudo-terminal, Node and however busy this machine is.)');
  const stepBytes = await bytesFor(CASES[4], 'manyi-window');
  const pinStep = await bytesFor(CASES[4], 'StandardFirmata');
  const fps = await measuredFps(8, 40);
  console.log(`\nScrolling the 8-module strip (64×8), one column a step: pin writes ${(1000 / lineMs(pinStep)).toFixed(1)} fps on the line; ` +
    `LEDCHAIN ${(1000 / lineMs(stepBytes)).toFixed(0)} fps on the line; in simavr, each step sent once the last latched: ` +
    `${fps.avr.toFixed(0)} fps on the AVR's clock, ${fps.wall.toFixed(0)} fps on the wall clock (target ≥ 20)`);
}
