// The window LED board driven by johnny-five through mock-firmata: the pin
// writes johnny-five makes are fed to a MAX7219 emulator and decoded back into
// what the digits show.
import { describe, expect, it } from 'vitest';
import { Firmata } from 'mock-firmata';
import { openJohnnyFiveBoard } from '../../firmware/hw/johnny-five-board.ts';
import { Max7219Emulator } from '../../firmware/hw/max7219.ts';
import { JohnnyFiveMax7219 } from '../../signage/led/max7219-chain.ts';
import { LedWindowDisplay, readBoard } from '../../signage/led/window-display.ts';
import { decodeSeg, encodeSeg } from '../../signage/led/seven-seg.ts';
import { decodeColumns, FONT_CHARS, renderColumns } from '../../signage/led/matrix-font.ts';
import { createSimLedBoard } from '../../signage/led/sim-board.ts';

const PINS = { data: 2, clock: 3, cs: 4 };

async function mockBoard(kind: 'digits' | 'matrix', devices: number, onError?: (e: Error) => void) {
  const io = new Firmata();
  const emu = new Max7219Emulator(PINS, devices);
  const orig = io.digitalWrite.bind(io);
  // Capture what goes down the wires to the Arduino.
  io.digitalWrite = (pin: number, v: number) => { emu.digitalWrite(pin, v); orig(pin, v); };
  const opening = openJohnnyFiveBoard({ io, timeoutMs: 2000 });
  io.emit('connect');
  io.emit('ready');
  const board = await opening;
  const display = new LedWindowDisplay(new JohnnyFiveMax7219(board, { kind, devices, pins: PINS, brightness: 10, onError }));
  return { display, emu, io, view: () => readBoard(emu, kind) };
}

describe('window LED board (johnny-five → mock-firmata → MAX7219 bytes)', () => {
  it('8-digit board: serving, paused, closed and controller-lost, decoded from the chip registers', async () => {
    const { display, emu, view } = await mockBoard('digits', 1);
    expect(emu.devices[0].on).toBe(true);
    expect(emu.devices[0].scanLimit).toBe(7);
    expect(emu.devices[0].decode).toBe(0);
    expect(emu.devices[0].intensity).toBe(10);

    display.showServing('A023', '12');
    expect(view().text).toBe('A023  12');
    // DIGIT0 is the rightmost digit: "2"; DIGIT7 the leftmost: "A".
    expect(emu.devices[0].digits[0]).toBe(0x6d);
    expect(emu.devices[0].digits[7]).toBe(0x77);

    display.showServing('B105', '7');
    expect(view().text).toBe('B105   7'); // b, not 8

    display.showPaused();
    expect(view().text).toBe('PAUSE  7');
    display.showClosed();
    expect(view().text.trim()).toBe('CLOSED');
    display.showServing('D301', '7');
    display.showLost();
    expect(view().text).toBe('----   7');
    expect(view().text).not.toContain('D301');
  });

  it('32×8 matrix board shows the same patterns in pixels', async () => {
    const { display, view } = await mockBoard('matrix', 4);
    display.showServing('C017', '11');
    expect(view().text).toBe('C017  11');
    display.showPaused();
    expect(view().text).toBe('PAUSE 11');
    display.showClosed();
    expect(view().text).toBe('CLOSED  ');
    display.showLost();
    expect(view().text).toBe('----  11');
  });

  it('sends nothing when the board already shows the frame', async () => {
    const { display, emu } = await mockBoard('digits', 1);
    display.showServing('A023', '12');
    const n = emu.latches;
    display.showServing('A023', '12');
    expect(emu.latches).toBe(n);
    display.showServing('A024', '12');
    expect(emu.latches).toBe(n + 1); // only the one digit that changed
  });

  it('glyph tables decode back to the text they encode', () => {
    expect(decodeSeg(encodeSeg('CLOSED'))).toBe('CLOSED  ');
    expect(decodeSeg(encodeSeg('B023 12'))).toBe('B023 12 ');
    expect(decodeSeg(encodeSeg('5'))).toBe('5       ');
    const text = FONT_CHARS.filter((c) => c !== '?').join('');
    expect(decodeColumns(renderColumns(text))).toBe(text);
  });

  it('the simulated twin (johnny-five over a simulated Arduino) reports each change', async () => {
    const sim = await createSimLedBoard({ kind: 'digits', devices: 1, pins: PINS });
    const seen: string[] = [];
    sim.onChange((v) => seen.push(v.text));
    sim.display.showServing('A001', '3');
    expect(sim.view().text).toBe('A001   3');
    expect(seen.at(-1)).toBe('A001   3');
    sim.close();
  });
});

describe('lobby LED matrix strip', () => {
  it('pages a long message a screenful at a time (the mode real Firmata boards use)', async () => {
    const { LedScroller } = await import('../../signage/led/scroller.ts');
    const { emu, strip } = await (async () => {
      const io = new Firmata();
      const emu = new Max7219Emulator(PINS, 8);
      const orig = io.digitalWrite.bind(io);
      io.digitalWrite = (pin: number, v: number) => { emu.digitalWrite(pin, v); orig(pin, v); };
      const opening = openJohnnyFiveBoard({ io, timeoutMs: 2000 });
      io.emit('connect'); io.emit('ready');
      const board = await opening;
      const s = new LedScroller(new JohnnyFiveMax7219(board, { kind: 'matrix', devices: 8, pins: PINS }), { mode: 'page', pageMs: 60_000 });
      s.show(['A023 > 1F WINDOW 5', 'PAYMENT: 2F WINDOWS 15-16']);
      return { emu, strip: s };
    })();
    const read = () => decodeColumns(readBoard(emu, 'matrix').cells);
    expect(read()).toBe('A023 > 1F WINDOW');
    strip.step();
    expect(read().trim()).toBe('5');
    strip.step();
    expect(read()).toBe('PAYMENT: 2F WIND');
    strip.stop();
  });
});

describe('a dead serial line', () => {
  it('does not throw into the counter; the board is redrawn in full once writes succeed again', async () => {
    const errors: string[] = [];
    const { display, emu, io } = await mockBoard('digits', 1, (e) => errors.push(e.message));
    display.showServing('A023', '12');
    const working = io.digitalWrite;
    io.digitalWrite = () => { throw new Error('Port is not open'); };
    expect(() => display.showServing('A024', '12')).not.toThrow();
    expect(() => display.showLost()).not.toThrow();
    expect(errors).toEqual(['Port is not open']);
    io.digitalWrite = working;
    display.showServing('A025', '12');
    expect(readBoard(emu, 'digits').text).toBe('A025  12');
  });
});

describe('real LED board link (Arduino missing at boot, then unplugged)', () => {
  it('keeps what the board should show, draws it when the Arduino appears, and reconnects after it is unplugged', async () => {
    const { ReplayDisplay, superviseLedBoard } = await import('../../signage/led/link.ts');
    const emus: Max7219Emulator[] = [];
    const ios: InstanceType<typeof Firmata>[] = [];
    let attempts = 0;
    const open = async () => {
      attempts++;
      if (attempts === 1) throw new Error('Arduino: no Firmata reply from /dev/ttyUSB0');
      const io = new Firmata();
      const emu = new Max7219Emulator(PINS, 1);
      const orig = io.digitalWrite.bind(io);
      io.digitalWrite = (pin: number, v: number) => { emu.digitalWrite(pin, v); orig(pin, v); };
      const opening = openJohnnyFiveBoard({ io, timeoutMs: 2000 });
      io.emit('connect'); io.emit('ready');
      emus.push(emu); ios.push(io);
      return opening;
    };
    const states: string[] = [];
    const display = new ReplayDisplay(8);
    const link = superviseLedBoard({ chain: { kind: 'digits', devices: 1, pins: PINS }, display, open, retryMs: 20, onState: (s) => states.push(s) });
    display.showServing('A023', '12'); // the counter moves on while the board is away
    expect(display.text).toBe('A023  12');
    const { until } = await import('./helpers.ts');
    await until(() => emus.length === 1 && display.attached, 2000, 'board attached');
    expect(readBoard(emus[0], 'digits').text).toBe('A023  12'); // drawn in full on arrival
    display.showPaused();
    expect(readBoard(emus[0], 'digits').text).toBe('PAUSE 12');
    ios[0].emit('close'); // unplugged
    expect(display.attached).toBe(false);
    display.showLost();
    expect(display.text).toBe('----  12');
    await until(() => emus.length === 2 && display.attached, 2000, 'reattached');
    expect(readBoard(emus[1], 'digits').text).toBe('----  12');
    display.showServing('A024', '12');
    expect(readBoard(emus[1], 'digits').text).toBe('A024  12');
    expect(states).toEqual(['offline', 'ok', 'offline', 'ok']);
    await link.stop();
  });
});

describe('lobby strip on a real link', () => {
  it('the strip keeps paging while the Arduino is away and shows the current page when it appears', async () => {
    const { ReplayBus, superviseLedBoard } = await import('../../signage/led/link.ts');
    const { LedScroller } = await import('../../signage/led/scroller.ts');
    const { until } = await import('./helpers.ts');
    const bus = new ReplayBus('matrix', 8);
    const strip = new LedScroller(bus, { mode: 'page', pageMs: 60_000 });
    strip.show(['A023 > 1F WINDOW 5']);
    let emu: Max7219Emulator | null = null;
    const link = superviseLedBoard({
      chain: { kind: 'matrix', devices: 8, pins: PINS }, display: bus, retryMs: 10, onState: () => {},
      open: async () => {
        const io = new Firmata();
        const e = new Max7219Emulator(PINS, 8);
        const orig = io.digitalWrite.bind(io);
        io.digitalWrite = (pin: number, v: number) => { e.digitalWrite(pin, v); orig(pin, v); };
        const opening = openJohnnyFiveBoard({ io, timeoutMs: 2000 });
        io.emit('connect'); io.emit('ready');
        emu = e;
        return opening;
      },
    });
    await until(() => bus.attached, 2000, 'attached');
    expect(decodeColumns(readBoard(emu!, 'matrix').cells)).toBe('A023 > 1F WINDOW');
    strip.step();
    expect(decodeColumns(readBoard(emu!, 'matrix').cells).trim()).toBe('5');
    strip.stop();
    await link.stop();
  });
});

describe('the simulated Arduino twin', () => {
  it('runs our firmware: frames go as LEDCHAIN SysEx, far fewer bytes than pin writes, and the chips show the same', async () => {
    const { openSimMax7219Board } = await import('../../firmware/hw/johnny-five-board.ts');
    const pins = { data: 11, clock: 13, cs: 10 };
    const ours = await openSimMax7219Board(pins, 4);
    const stock = await openSimMax7219Board(pins, 4, { firmware: 'StandardFirmata' });
    const a = new JohnnyFiveMax7219(ours.board, { kind: 'matrix', devices: 4, pins });
    const b = new JohnnyFiveMax7219(stock.board, { kind: 'matrix', devices: 4, pins });
    expect([a.usesExtension, b.usesExtension]).toEqual([true, false]);
    const [n0, m0] = [ours.io.bytesSent, stock.io.bytesSent];
    new LedWindowDisplay(a).showServing('A023', '12');
    new LedWindowDisplay(b).showServing('A023', '12');
    expect(readBoard(ours.emulator, 'matrix').text).toBe('A023  12');
    expect(readBoard(ours.emulator, 'matrix').cells).toEqual(readBoard(stock.emulator, 'matrix').cells);
    expect(ours.io.bytesSent - n0).toBeLessThan(50);
    expect(stock.io.bytesSent - m0).toBeGreaterThan(2000);
    ours.io.close(); stock.io.close();
  });
});

describe('a second chain on the same Arduino (the rating pad\'s display)', () => {
  it('is drawn when the board appears and again after it comes back, beside the window board', async () => {
    const { ReplayBus, ReplayDisplay, superviseLedBoard } = await import('../../signage/led/link.ts');
    const { PadLabels } = await import('../../signage/led/pad-labels.ts');
    const { SimFirmataIO } = await import('../../firmware/hw/sim-firmata.ts');
    const { rowsToColumns } = await import('../../signage/led/matrix-font.ts');
    const { renderColumns16 } = await import('../../signage/led/font/font16.ts');
    const { until } = await import('./helpers.ts');
    const spi = { data: 11, clock: 13, cs: 10 };
    const padPins = { data: 11, clock: 13, cs: 9 };
    const boards: Array<{ io: InstanceType<typeof SimFirmataIO>; led: Max7219Emulator; pad: Max7219Emulator }> = [];
    const open = async () => {
      const io = new SimFirmataIO();
      const led = new Max7219Emulator(spi, 1);
      const pad = new Max7219Emulator(padPins, 16);
      io.onWrite((p, v) => { led.digitalWrite(p, v); pad.digitalWrite(p, v); });
      boards.push({ io, led, pad });
      return openJohnnyFiveBoard({ io, timeoutMs: 2000 });
    };
    const display = new ReplayDisplay(8);
    const padBus = new ReplayBus('matrix', 16, 2);
    const labels = new PadLabels(padBus);
    const link = superviseLedBoard({
      chain: { kind: 'digits', devices: 1, pins: spi }, display, open, retryMs: 20, onState: () => {},
      also: [{ chain: { kind: 'matrix', devices: 16, rows: 2, chain: 1, pins: padPins }, bus: padBus }],
    });
    display.showServing('A023', '12');
    labels.show('办理太慢', 'Too slow');
    const want = renderColumns16('办理太慢');
    const left = Math.floor((64 - want.length) / 2);
    const padShows = (e: Max7219Emulator) => JSON.stringify(rowsToColumns(e.devices.map((_d, i) => e.visible(i)), 2).slice(left, left + want.length)) === JSON.stringify(want);
    await until(() => boards.length === 1 && padBus.attached, 2000, 'attached');
    expect(readBoard(boards[0].led, 'digits').text).toBe('A023  12');
    expect(padShows(boards[0].pad)).toBe(true);
    boards[0].io.emit('close');
    await until(() => boards.length === 2 && padBus.attached, 2000, 'reattached');
    expect(padShows(boards[1].pad)).toBe(true);
    expect(readBoard(boards[1].led, 'digits').text).toBe('A023  12');
    labels.clear();
    expect(boards[1].pad.devices.every((_d, i) => boards[1].pad.visible(i).every((r) => r === 0))).toBe(true);
    labels.close();
    await link.stop();
  });
});
