// `manyi flash-firmata` against a simulated Arduino on a mock serial port.
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flashFirmata, SHIPPED_HEX } from '../../firmware/maint/flash-firmata.ts';
import { readFileSync } from 'node:fs';
import { OPTIBOOT, startSimavrBoard } from '../hw/simavr-board.ts';
import { FIRMWARE_NAME } from '../../firmware/hw/ledchain.ts';
import { parseIntelHex, toIntelHex } from '../../firmware/maint/intel-hex.ts';
import { linkOverBinding, realSerial, type OpenLink } from '../../firmware/maint/serial-link.ts';
import { SimArduino } from './fixtures/sim-arduino.ts';
import { tempDir } from './helpers.ts';

function hexFile(bytes: number): { file: string; image: Buffer } {
  const image = randomBytes(bytes);
  const file = join(tempDir(), 'sketch.hex');
  writeFileSync(file, toIntelHex(image));
  return { file, image };
}

describe('flash-firmata', () => {
  it('writes the image page by page, verifies it, and finds Firmata answering at 57600', async () => {
    const sim = new SimArduino('/dev/sim-uno-1');
    const { file, image } = hexFile(1000);
    const steps: string[] = [];
    const r = await flashFirmata({ port: sim.path, board: 'uno', hex: file, open: linkOverBinding(sim.binding()), progress: (s) => steps.push(s) });
    expect(r.firmata).toEqual({ major: 2, minor: 5 });
    expect(r.bytes).toBe(1000);
    expect(sim.flash.subarray(0, 1000).equals(image)).toBe(true);
    expect(sim.pagesWritten).toBe(Math.ceil(1000 / 128));
    expect(steps).toEqual(['reset', 'sync', 'signature', 'write', 'verify', 'done', 'firmata']);
  });

  it('says clearly when the flashed sketch does not speak Firmata', async () => {
    const sim = new SimArduino('/dev/sim-uno-2');
    sim.firmata = false;
    const { file } = hexFile(300);
    await expect(flashFirmata({ port: sim.path, hex: file, open: linkOverBinding(sim.binding()), firmataTimeoutMs: 1200 })).rejects.toThrow(/does not answer Firmata/);
    expect(sim.programmed).toBe(true);
  });

  it('says clearly when no bootloader answers (wrong board type / baud rate)', async () => {
    const sim = new SimArduino('/dev/sim-uno-3');
    const { file } = hexFile(300);
    await expect(flashFirmata({ port: sim.path, board: 'nano-old', hex: file, open: linkOverBinding(sim.binding()) })).rejects.toThrow(/no STK500 bootloader answered/);
    expect(sim.programmed).toBe(false);
  });

  it('says so when the image given with --hex is missing', async () => {
    const sim = new SimArduino('/dev/sim-uno-4');
    await expect(flashFirmata({ port: sim.path, hex: join(tempDir(), 'none.hex'), open: linkOverBinding(sim.binding()) })).rejects.toThrow(/no Firmata image at .*none\.hex/);
    expect(sim.programmed).toBe(false);
  });

  it('flashes the shipped window-board firmware with no other file, and what the board holds runs as that firmware', async () => {
    const sim = new SimArduino('/dev/sim-nano-5');
    const r = await flashFirmata({ port: sim.path, board: 'nano', open: linkOverBinding(sim.binding()) });
    const image = parseIntelHex(readFileSync(SHIPPED_HEX, 'utf8'));
    expect(r.bytes).toBe(image.length);
    expect(sim.flash.subarray(0, image.length).equals(image)).toBe(true);
    // Read the flash back out of the simulated board and run it.
    const file = join(tempDir(), 'read-back.hex');
    writeFileSync(file, toIntelHex(sim.flash.subarray(0, image.length)));
    const avr = await startSimavrBoard(file);
    try {
      const board = await avr.open();
      expect((board.io as unknown as { firmware: { name: string } }).firmware.name).toBe(FIRMWARE_NAME);
    } finally { await avr.close(); }
  });

  it('rejects a corrupted hex file before touching the board', () => {
    const bad = toIntelHex(Buffer.from([1, 2, 3, 4])).replace(/..\n:00000001FF/, '00\n:00000001FF');
    expect(() => parseIntelHex(bad)).toThrow(/bad checksum/);
    expect(() => parseIntelHex(':0400000001020304F2\n')).toThrow(/truncated/);
  });

  it('flashes the shipped firmware through the Uno\'s own bootloader (Debian\'s Optiboot, in simavr), which then starts it', async () => {
    const avr = await startSimavrBoard('-', { bootloader: OPTIBOOT });
    try {
      const serial = await realSerial();
      // The USB-serial adapter's DTR line is wired to the AVR's reset: asserting it resets the board.
      const open: OpenLink = async (path, baud) => {
        const link = await serial(path, baud);
        return { ...link, set: async (f) => { if (f.dtr) await avr.reset(); } };
      };
      const steps: string[] = [];
      // The sketch's answer is awaited up to a deadline that a loaded machine cannot miss
      // (a real board answers in ~1 s); the flasher's own protocol steps wait for replies.
      const r = await flashFirmata({ port: avr.port, board: 'uno', open, progress: (s) => steps.push(s), firmataTimeoutMs: 30_000 });
      expect(steps).toEqual(['reset', 'sync', 'signature', 'write', 'verify', 'done', 'firmata']);
      expect(r.bytes).toBe(parseIntelHex(readFileSync(SHIPPED_HEX, 'utf8')).length);
      expect(r.firmata).toEqual({ major: 2, minor: 5 });
      // And johnny-five finds our firmware there.
      const board = await avr.open();
      expect((board.io as unknown as { firmware: { name: string } }).firmware.name).toBe(FIRMWARE_NAME);
    } finally { await avr.close(); }
  }, 60_000);
});
