import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findHeaderChip, OnoffGpioChip, type OnoffLike } from '../../firmware/hw/gpio-onoff.ts';
import { SimGpioChip } from '../../firmware/hw/gpio-sim.ts';
import { Button } from '../../firmware/hw/button.ts';

function fakeSysfs(chips: Array<{ n: number; base: number; label: string; ngpio: number }>): string {
  const root = mkdtempSync(join(tmpdir(), 'sysfs-gpio-'));
  for (const c of chips) {
    const d = join(root, `gpiochip${c.n}`);
    mkdirSync(d);
    writeFileSync(join(d, 'base'), `${c.base}\n`);
    writeFileSync(join(d, 'label'), `${c.label}\n`);
    writeFileSync(join(d, 'ngpio'), `${c.ngpio}\n`);
  }
  writeFileSync(join(root, 'export'), '');
  return root;
}

/** A stand-in for onoff's Gpio that records how it was opened. */
function fakeOnoff() {
  const opened: Array<{ n: number; dir: string; edge?: string; activeLow?: boolean; inst: OnoffLike & { fire(v: 0 | 1): void; value: 0 | 1 } }> = [];
  class FakeGpio {
    value: 0 | 1 = 0;
    private cbs = new Set<(e: Error | null | undefined, v: 0 | 1) => void>();
    constructor(n: number, dir: string, edge?: string, opts?: { activeLow?: boolean }) {
      if (dir === 'high') this.value = 1;
      opened.push({ n, dir, edge, activeLow: opts?.activeLow, inst: this as never });
    }
    readSync() { return this.value; }
    writeSync(v: 0 | 1) { this.value = v; }
    watch(cb: (e: Error | null | undefined, v: 0 | 1) => void) { this.cbs.add(cb); }
    unwatch(cb?: (e: Error | null | undefined, v: 0 | 1) => void) { if (cb) this.cbs.delete(cb); else this.cbs.clear(); }
    unexport() {}
    fire(v: 0 | 1) { this.value = v; for (const c of this.cbs) c(null, v); }
  }
  return { FakeGpio, opened };
}

describe('onoff adapter', () => {
  it('finds the header chip base on a Pi 4 (512) and a Pi 5 (571) and maps BCM numbers onto it', () => {
    const pi4 = fakeSysfs([{ n: 512, base: 512, label: 'pinctrl-bcm2711', ngpio: 58 }, { n: 570, base: 570, label: 'raspberrypi-exp-gpio', ngpio: 8 }]);
    const pi5 = fakeSysfs([
      { n: 512, base: 512, label: 'gpio-brcmstb@107d508500', ngpio: 32 },
      { n: 544, base: 544, label: 'gpio-brcmstb@107d517c00', ngpio: 15 },
      { n: 571, base: 571, label: 'pinctrl-rp1', ngpio: 54 },
    ]);
    const old = fakeSysfs([{ n: 0, base: 0, label: 'pinctrl-bcm2835', ngpio: 54 }, { n: 504, base: 504, label: 'raspberrypi-exp-gpio', ngpio: 8 }]);
    expect(findHeaderChip(pi4).base).toBe(512);
    expect(findHeaderChip(pi5).base).toBe(571);
    expect(findHeaderChip(old).base).toBe(0);
    const { FakeGpio, opened } = fakeOnoff();
    const chip = new OnoffGpioChip({ sysfsRoot: pi4, Gpio: FakeGpio });
    chip.input(17, { activeLow: true });
    chip.output(22, { initial: 1 });
    expect(opened.map((o) => [o.n, o.dir])).toEqual([[529, 'in'], [534, 'high']]);
    expect(opened[0].activeLow).toBe(true);
    const chip5 = new OnoffGpioChip({ sysfsRoot: pi5, Gpio: FakeGpio });
    chip5.input(17);
    expect(opened[2].n).toBe(588);
  });

  it('reports clearly where there is no GPIO, and a pin used twice', () => {
    expect(() => new OnoffGpioChip({ sysfsRoot: '/nonexistent/gpio' })).toThrow(/cannot read \/nonexistent\/gpio/);
    const empty = fakeSysfs([]);
    expect(() => findHeaderChip(empty)).toThrow(/no header GPIO chip/);
    const { FakeGpio } = fakeOnoff();
    const chip = new OnoffGpioChip({ base: 512, Gpio: FakeGpio });
    chip.input(5);
    expect(() => chip.output(5)).toThrow(/BCM 5 is already in use/);
    expect(() => chip.input(99)).toThrow(/out of range/);
  });

  it('debounces a bouncing button on the real adapter path into one press', async () => {
    const { FakeGpio, opened } = fakeOnoff();
    const chip = new OnoffGpioChip({ base: 512, Gpio: FakeGpio });
    const b = new Button(chip, 5, { debounceMs: 10, activeLow: false });
    let presses = 0;
    b.onPress(() => presses++);
    const pin = opened[0].inst;
    for (let i = 0; i < 5; i++) { pin.fire(1); pin.fire(0); }
    pin.fire(1);
    await new Promise((r) => setTimeout(r, 40));
    pin.fire(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(presses).toBe(1);
    b.close();
  });
});

describe('simulated GPIO and the debounced button', () => {
  it('one bouncing press held down gives exactly one press; a second press gives a second', async () => {
    const gpio = new SimGpioChip();
    const b = new Button(gpio, 16, { debounceMs: 8 });
    let presses = 0;
    b.onPress(() => presses++);
    await gpio.press(16, { bounces: 6, bounceMs: 1, holdMs: 80 });
    await new Promise((r) => setTimeout(r, 30));
    expect(presses).toBe(1);
    await gpio.press(16, { bounces: 2, holdMs: 30 });
    await new Promise((r) => setTimeout(r, 30));
    expect(presses).toBe(2);
    b.close();
    expect(gpio.isOpen(16)).toBe(false);
  });

  it('a glitch shorter than the debounce time is not a press', async () => {
    const gpio = new SimGpioChip();
    const b = new Button(gpio, 16, { debounceMs: 15 });
    let presses = 0;
    b.onPress(() => presses++);
    gpio.setInput(16, 1);
    await new Promise((r) => setTimeout(r, 3));
    gpio.setInput(16, 0);
    await new Promise((r) => setTimeout(r, 40));
    expect(presses).toBe(0);
    b.close();
  });

  it('outputs show their logical level, activeLow included', () => {
    const gpio = new SimGpioChip();
    const seen: Array<[number, number]> = [];
    gpio.events.on('output', (bcm: number, l: number) => seen.push([bcm, l]));
    const lamp = gpio.output(22, { activeLow: true });
    expect(gpio.level(22)).toBe(0);
    lamp.write(1);
    expect(gpio.outputs()).toEqual({ 22: 1 });
    expect(seen).toEqual([[22, 1]]);
  });
});
