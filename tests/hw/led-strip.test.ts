// The lobby's 64×16 LED strip (two rows of eight MAX7219 modules, one chain) on
// the compiled window-board firmware in simavr: Chinese in the 16-pixel
// WenQuanYi font, decoded from the bits the AVR put on its SPI pins; a picture
// of what it showed is kept as a test artifact.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startSimavrBoard, until, type SimavrBoard } from './simavr-board.ts';
import { JohnnyFiveMax7219 } from '../../signage/led/max7219-chain.ts';
import { callLine, LedScroller } from '../../signage/led/scroller.ts';
import { rowsToColumns } from '../../signage/led/matrix-font.ts';
import { renderColumns16 } from '../../signage/led/font/font16.ts';
import { ARTIFACTS } from '../setup/global.ts';
import { writeStripPng } from './led-png.ts';

const PINS = { data: 11, clock: 13, cs: 10 };
let sim: SimavrBoard | null = null;
afterEach(async () => { await sim?.close(); sim = null; });

describe('64×16 LED strip on the window-board firmware (simavr)', () => {
  it('shows a call in Chinese at 16 pixels across two rows of modules, then in English', async () => {
    sim = await startSimavrBoard();
    const emu = sim.chain(PINS, 16);
    const board = await sim.open();
    const bus = new JohnnyFiveMax7219(board, { kind: 'matrix', devices: 16, rows: 2, pins: PINS });
    const strip = new LedScroller(bus, { stepMs: 3_600_000 });
    expect(strip.height).toBe(16);
    const msg = callLine({ no: 'A023', windowName: '5', floor: '1F', floorName: { zh: '1楼', en: '1F' } });
    expect(msg.zh).toBe('请A023号到1楼5号窗口');
    const shown = () => rowsToColumns(emu.devices.map((_d, i) => emu.visible(i)), 2);
    strip.show([msg]);
    // The message enters from the right: a screen width of steps brings its start to the left edge.
    // Page through it a screen at a time, keeping each frame the chips show.
    const text = renderColumns16(msg.zh!);
    const frames: number[][] = [];
    for (let page = 0; page * 64 < text.length; page++) {
      strip.step(64);
      const want = JSON.stringify(strip.window());
      await until(() => JSON.stringify(shown()) === want, 5000, `frame ${page} on the chips`);
      frames.push(shown());
    }
    expect(frames[0]).toEqual(text.slice(0, 64));
    expect(frames.flat().slice(0, text.length)).toEqual(text);
    expect(emu.devices.every((d) => d.on && d.scanLimit === 7 && d.decode === 0)).toBe(true);
    writeStripPng(join(ARTIFACTS, 'led-strip-zh.png'), frames, 16);
    strip.stop();
  });
});
