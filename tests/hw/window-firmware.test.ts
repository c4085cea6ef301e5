// The window board's own firmware, compiled (firmware/arduino/manyi-window.hex)
// and run in simavr, driven by the real johnny-five + firmata.js code over a
// pseudo-terminal. What the LED boards show is decoded from the bits the
// simulated AVR put on its SPI pins; buttons are levels on its input pins.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimavrBoard, until, type SimavrBoard } from './simavr-board.ts';
import { JohnnyFiveMax7219 } from '../../signage/led/max7219-chain.ts';
import { LedWindowDisplay, readBoard } from '../../signage/led/window-display.ts';
import { FIRMWARE_NAME } from '../../firmware/hw/ledchain.ts';
import { REG } from '../../firmware/hw/max7219.ts';
import { FirmataGpioChip, type FirmataIo } from '../../firmware/hw/gpio-firmata.ts';
import { RatingPad } from '../../firmware/counter/rating-pad.ts';
import { RatingScore } from '../../firmware/protocol/messages.ts';
import { PadLabels } from '../../signage/led/pad-labels.ts';
import { rowsToColumns } from '../../signage/led/matrix-font.ts';
import { renderColumns16 } from '../../signage/led/font/font16.ts';

const SPI = { data: 11, clock: 13, cs: 10 };

let sim: SimavrBoard | null = null;
afterEach(async () => { await sim?.close(); sim = null; });

describe('window-board firmware in simavr, through johnny-five', () => {
  it('answers the Firmata handshake: version, its name, capabilities and analog mapping', async () => {
    sim = await startSimavrBoard();
    const board = await sim.open();
    const io = board.io as unknown as { firmware: { name: string }; version: { major: number; minor: number }; pins: Array<{ supportedModes: number[]; analogChannel: number }>; analogPins: number[] };
    expect(io.firmware.name).toBe(FIRMWARE_NAME);
    expect(io.version).toEqual({ major: 2, minor: 5 });
    expect(io.pins).toHaveLength(20);
    expect(io.pins[0].supportedModes).toEqual([]);            // the serial line
    expect(io.pins[2].supportedModes).toEqual([0, 1, 11]);    // input, output, pull-up
    expect(io.pins[3].supportedModes).toContain(3);           // PWM
    expect(io.pins[14].supportedModes).toContain(2);          // A0 is analog
    expect(io.analogPins).toEqual([14, 15, 16, 17, 18, 19]);
  });

  it('reports analog inputs and digital levels as johnny-five asks, and drives outputs', async () => {
    sim = await startSimavrBoard();
    const board = await sim.open();
    const io = board.io as unknown as {
      analogRead(ch: number, cb: (v: number) => void): void; pinMode(p: number, m: number): void; digitalRead(p: number, cb: (v: number) => void): void;
      digitalWrite(p: number, v: number): void; pins: Array<{ mode: number }>;
    };
    sim.analog(0, 1250);                                   // a quarter of 5 V on A0
    const readings: number[] = [];
    io.analogRead(0, (v) => readings.push(v));
    await until(() => readings.length > 3 && Math.abs(readings.at(-1)! - 256) <= 2, 3000, () => `A0 ≈ 256, read ${readings.slice(-3).join(', ')}`);
    sim.analog(0, 5000);
    await until(() => readings.at(-1)! >= 1020, 3000, 'A0 at full scale');
    // A pulled-up input reads high, low while held to GND.
    sim.pin(8, 1);
    const levels: number[] = [];
    io.pinMode(8, 11);
    io.digitalRead(8, (v) => levels.push(v));
    await until(() => levels.at(-1) === 1, 3000, 'D8 high');
    sim.pin(8, 0);
    await until(() => levels.at(-1) === 0, 3000, 'D8 low');
    // An output follows digitalWrite.
    io.pinMode(12, 1);
    io.digitalWrite(12, 1);
    await until(() => sim!.outputs.get(12) === 1, 3000, 'D12 high');
    io.digitalWrite(12, 0);
    await until(() => sim!.outputs.get(12) === 0, 3000, 'D12 low');
  });

  it('an 8-digit board shows the window state, sent as LEDCHAIN frames and written by hardware SPI', async () => {
    sim = await startSimavrBoard();
    const emu = sim.chain(SPI, 1);
    const board = await sim.open();
    const bus = new JohnnyFiveMax7219(board, { kind: 'digits', devices: 1, pins: SPI, brightness: 10 });
    expect(bus.usesExtension).toBe(true);
    const display = new LedWindowDisplay(bus);
    const view = () => readBoard(emu, 'digits');
    display.showServing('A023', '12');
    await until(() => view().text === 'A023  12', 3000, () => `"A023  12", board shows "${view().text}"`);
    expect(emu.devices[0]).toMatchObject({ on: true, scanLimit: 7, decode: 0, intensity: 10, displayTest: false });
    display.showPaused();
    await until(() => view().text === 'PAUSE 12', 3000, () => `PAUSE, shows "${view().text}"`);
    display.showLost();
    await until(() => view().text === '----  12', 3000, () => `----, shows "${view().text}"`);
  });

  it('a 32×8 matrix board shows the same, and the same frames work by pin writes (stock Firmata path)', async () => {
    sim = await startSimavrBoard();
    const fast = sim.chain(SPI, 4);
    const board = await sim.open();
    const a = new LedWindowDisplay(new JohnnyFiveMax7219(board, { kind: 'matrix', devices: 4, pins: SPI }));
    a.showServing('C017', '11');
    await until(() => readBoard(fast, 'matrix').text === 'C017  11', 5000, () => `C017  11, shows "${readBoard(fast, 'matrix').text}"`);
    // The pin-write path (johnny-five's own set-up, then every bit a Firmata pin write) on a
    // 2-module chain: ~40× the bytes, so kept small.
    const pinsB = { data: 5, clock: 6, cs: 7 };
    const slow = sim.chain(pinsB, 2);
    const b = new LedWindowDisplay(new JohnnyFiveMax7219(board, { kind: 'matrix', devices: 2, pins: pinsB, extension: false }));
    b.showServing('C017', '11');
    await until(() => readBoard(slow, 'matrix').text === 'C017', 45_000, () => `C017 by pin writes, shows "${readBoard(slow, 'matrix').text}"`);
    expect(readBoard(slow, 'matrix').cells).toEqual(readBoard(fast, 'matrix').cells.slice(0, 16));
  }, 60_000);

  it('a reset in the middle of a frame: the board comes back configured and shows the current state', async () => {
    sim = await startSimavrBoard();
    const emu = sim.chain(SPI, 4);
    const board = await sim.open();
    const display = new LedWindowDisplay(new JohnnyFiveMax7219(board, { kind: 'matrix', devices: 4, pins: SPI }));
    display.showServing('A023', '5');
    await until(() => readBoard(emu, 'matrix').text === 'A023   5', 5000, 'A023 on the board');
    const configs = () => emu.log.filter((w) => w.reg === REG.SCANLIMIT).length;
    const before = configs();

    // The next frame: half of it reaches the AVR, the AVR resets, the rest arrives at a board that is booting.
    const transport = (board.io as unknown as { transport: { write(b: Buffer, cb?: () => void): boolean } }).transport;
    const write = transport.write.bind(transport);
    let cut = false;
    transport.write = (buf: Buffer, cb?: () => void) => {
      if (!cut && buf[0] === 0xf0 && buf[1] === 0x0c && buf[2] === 0x01) {
        cut = true;
        const half = buf.subarray(0, buf.length >> 1);
        write(half);
        void new Promise((r) => setTimeout(r, 2)).then(() => sim!.reset()).then(() => write(buf.subarray(half.length), cb));
        return true;
      }
      return write(buf, cb);
    };
    display.showServing('A024', '5');
    await until(() => configs() > before && readBoard(emu, 'matrix').text === 'A024   5', 8000,
      () => `the board to restart and show A024 (shows "${readBoard(emu, 'matrix').text}", ${configs() - before} set-ups since) — ${sim!.output.join(' | ')}`);
    expect(cut).toBe(true);
    expect(emu.devices.every((d) => d.on && d.scanLimit === 7 && !d.displayTest)).toBe(true);
  });

  it('rating-pad buttons on the Arduino pins arrive as one rating each; lamps light on its pins; they work again after a reset', async () => {
    sim = await startSimavrBoard();
    const board = await sim.open();
    // D2, D4–D7 (simavr 1.6 holds D3, timer 2's OC2B pin, low whatever drives it; a real Nano does not).
    const buttons = [2, 4, 5, 6, 7];
    const keys = RatingScore.options.map((score, i) => ({ score, button: { bcm: buttons[i], activeLow: true, debounceMs: 20 }, lamp: { bcm: 14 + i, activeLow: false } }));
    for (const k of keys) sim.pin(k.button.bcm, 1);   // released: the pull-up holds the line high
    const gpio = new FirmataGpioChip(board.io as unknown as FirmataIo);
    const pad = new RatingPad(gpio, { buttons: 5, keys }, { thanksMs: 200, blinkMs: 50 });
    const got: Array<{ ticket: string; score: string }> = [];
    pad.onRating((r) => got.push(r));
    const press = async (pin: number, bounces = 0) => {
      // A bouncing contact: quick flips first (a debounced button takes them as nothing), then the press.
      for (let i = 0; i < bounces; i++) await sim!.press(pin, 2);
      await sim!.press(pin, 80);
    };
    try {
      pad.open('A023');
      await until(() => keys.every((k) => sim!.outputs.get(k.lamp.bcm) === 1), 3000, 'every lamp lit on the AVR pins');
      await press(6, 3);                                   // unsatisfied, a bouncing contact
      await until(() => got.length === 1, 3000, 'the rating');
      expect(got).toEqual([{ ticket: 'A023', score: 'unsatisfied' }]);
      await until(() => pad.phase === 'dark', 3000, 'the pad to go dark');
      await press(2);                                      // dark: ignored
      expect(got).toHaveLength(1);

      // The board resets and forgets its pin modes and reports; once it has announced
      // itself the host sets them again, and the board reports the buttons' levels.
      const io = board.io as unknown as { once(e: string, cb: () => void): void };
      const back = new Promise<void>((r) => io.once('queryfirmware', () => r()));
      await sim.reset();
      await back;
      await new Promise<void>((r) => io.once('digital-read-7', () => r()));
      pad.open('A024');
      await until(() => keys.every((k) => sim!.outputs.get(k.lamp.bcm) === 1), 5000, 'lamps lit after the reset');
      await press(7);
      await until(() => got.length === 2, 3000, () => `the rating after the reset (${sim!.output.join(' | ')})`);
      expect(got[1]).toEqual({ ticket: 'A024', score: 'very-unsatisfied' });
    } finally { pad.dispose(); gpio.close(); }
  });

  it('after a low score the pad names the reasons on its display (a second chain on the same Arduino) and the pressed one goes with the rating', async () => {
    sim = await startSimavrBoard();
    const padPins = { data: 11, clock: 13, cs: 9 };
    const emu = sim.chain(padPins, 16);
    const board = await sim.open();
    const buttons = [2, 4, 5, 6, 7];
    const keys = RatingScore.options.map((score, i) => ({ score, button: { bcm: buttons[i], activeLow: true, debounceMs: 20 }, lamp: { bcm: 14 + i, activeLow: false } }));
    for (const k of keys) sim.pin(k.button.bcm, 1);
    const gpio = new FirmataGpioChip(board.io as unknown as FirmataIo);
    const labels = new PadLabels(new JohnnyFiveMax7219(board, { kind: 'matrix', devices: 16, rows: 2, chain: 1, pins: padPins }));
    const reasons = [
      { code: 'slow', name: { zh: '办理太慢', en: 'Too slow' } },
      { code: 'attitude', name: { zh: '态度差', en: 'Unfriendly' } },
    ];
    const pad = new RatingPad(gpio, { buttons: 5, keys }, { thanksMs: 200, blinkMs: 50, reasons, labels, reasonSlotMs: 500 });
    const got: Array<{ ticket: string; score: string; reason?: string }> = [];
    pad.onRating((r) => got.push(r));
    const shown = () => rowsToColumns(emu.devices.map((_d, i) => emu.visible(i)), 2);
    try {
      pad.open('A030');
      await until(() => keys.every((k) => sim!.outputs.get(k.lamp.bcm) === 1), 3000, 'lamps lit');
      await sim.press(7);                                                  // very unsatisfied
      await until(() => pad.phase === 'reason', 3000, 'the pad to ask');
      await until(() => pad.showing?.code === 'attitude', 5000, 'the second reason');
      // Its name on the display, decoded from the second chain's chips; only its button lit.
      const want = renderColumns16('态度差');
      const left = Math.floor((64 - want.length) / 2);
      await until(() => JSON.stringify(shown().slice(left, left + want.length)) === JSON.stringify(want), 3000, 'the reason on the pad display');
      await until(() => keys.every((k, i) => sim!.outputs.get(k.lamp.bcm) === (i === 1 ? 1 : 0)), 3000, 'only the second lamp lit');
      await sim.press(4);                                                  // the second button
      await until(() => got.length === 1, 3000, 'the rating');
      expect(got[0]).toEqual({ ticket: 'A030', score: 'very-unsatisfied', reason: 'attitude' });
      await until(() => shown().every((c) => c === 0), 3000, 'the display dark again');
    } finally { pad.dispose(); gpio.close(); }
  });
});

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }