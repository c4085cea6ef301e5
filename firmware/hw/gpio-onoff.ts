// The real GPIO adapter on onoff 6 (sysfs). Raspberry Pi OS kernels 6.6+ number
// sysfs GPIOs from the chip's base (512 on a Pi 4, 571 on a Pi 5), not from 0,
// so BCM 17 is 529 on a Pi 4. We find the header's chip and its base from
// /sys/class/gpio/gpiochip*/{base,label,ngpio} and add it, so hw-specs/ can keep
// BCM numbers on every Pi.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gpio as OnoffGpio, type Direction, type Edge as OnoffEdge, type Options } from 'onoff';
import type { Edge, GpioChip, InputPin, Level, OutputPin } from './gpio.ts';

export const SYSFS_GPIO = '/sys/class/gpio';

export interface SysfsChip { name: string; base: number; label: string; ngpio: number }

/** Labels of the chip wired to the 40-pin header, most specific first. */
const HEADER_LABELS = [/^pinctrl-rp1$/, /^pinctrl-bcm2712$/, /^pinctrl-bcm2711$/, /^pinctrl-bcm2835$/, /bcm2708|bcm2709|bcm2710/];

export function listSysfsChips(root = SYSFS_GPIO): SysfsChip[] {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => /^gpiochip\d+$/.test(n));
  } catch (e) {
    throw new Error(`GPIO: cannot read ${root} (${(e as Error).message}); is this a Raspberry Pi with sysfs GPIO?`);
  }
  const chips: SysfsChip[] = [];
  for (const name of names) {
    const read = (f: string) => readFileSync(join(root, name, f), 'utf8').trim();
    try {
      chips.push({ name, base: Number(read('base')), label: read('label'), ngpio: Number(read('ngpio')) });
    } catch { /* a chip without readable attributes is not ours */ }
  }
  return chips;
}

/** The chip behind the BCM header pins: by label, else the lowest-based chip with ≥ 28 lines. */
export function findHeaderChip(root = SYSFS_GPIO): SysfsChip {
  const chips = listSysfsChips(root);
  for (const re of HEADER_LABELS) {
    const c = chips.filter((x) => re.test(x.label)).sort((a, b) => a.base - b.base)[0];
    if (c) return c;
  }
  const fallback = chips.filter((c) => c.ngpio >= 28).sort((a, b) => a.base - b.base)[0];
  if (!fallback) {
    throw new Error(`GPIO: no header GPIO chip under ${root} (found: ${chips.map((c) => `${c.name} ${c.label}`).join(', ') || 'none'})`);
  }
  return fallback;
}

/** The subset of onoff's Gpio we use; injectable so tests need no kernel. */
export interface OnoffLike {
  readSync(): 0 | 1;
  writeSync(v: 0 | 1): void;
  watch(cb: (err: Error | null | undefined, v: 0 | 1) => void): void;
  unwatch(cb?: (err: Error | null | undefined, v: 0 | 1) => void): void;
  unexport(): void;
}
export type OnoffCtor = new (gpio: number, direction: Direction, edge?: OnoffEdge, options?: Options) => OnoffLike;

export interface OnoffChipOptions {
  /** sysfs root to find the chip base in (tests point it at a fake tree). */
  sysfsRoot?: string;
  /** Overrides the detected base. */
  base?: number;
  /** onoff's Gpio class, or a fake with its shape. */
  Gpio?: OnoffCtor;
}

export class OnoffGpioChip implements GpioChip {
  readonly base: number;
  readonly chip?: SysfsChip;
  private readonly Gpio: OnoffCtor;
  private readonly open = new Map<number, OnoffLike>();

  constructor(opts: OnoffChipOptions = {}) {
    this.Gpio = opts.Gpio ?? (OnoffGpio as unknown as OnoffCtor);
    if (opts.base !== undefined) this.base = opts.base;
    else { this.chip = findHeaderChip(opts.sysfsRoot); this.base = this.chip.base; }
  }

  /** The sysfs number of a BCM pin. */
  sysfsNumber(bcm: number): number {
    if (!Number.isInteger(bcm) || bcm < 0 || bcm > 57) throw new Error(`GPIO: BCM pin ${bcm} is out of range 0–57`);
    return this.base + bcm;
  }

  private claim(bcm: number, make: (n: number) => OnoffLike): OnoffLike {
    if (this.open.has(bcm)) throw new Error(`GPIO: BCM ${bcm} is already in use`);
    const n = this.sysfsNumber(bcm);
    let g: OnoffLike;
    try { g = make(n); } catch (e) {
      throw new Error(`GPIO: cannot open BCM ${bcm} (sysfs ${n}): ${(e as Error).message}`);
    }
    this.open.set(bcm, g);
    return g;
  }

  private release(bcm: number, g: OnoffLike): void {
    if (this.open.get(bcm) !== g) return;
    this.open.delete(bcm);
    try { g.unwatch(); g.unexport(); } catch { /* already gone */ }
  }

  input(bcm: number, opts: { edge?: Edge; activeLow?: boolean } = {}): InputPin {
    const g = this.claim(bcm, (n) => new this.Gpio(n, 'in', opts.edge ?? 'both', { activeLow: opts.activeLow ?? false }));
    return {
      read: () => g.readSync(),
      watch: (cb: (level: Level) => void) => {
        const h = (err: Error | null | undefined, v: 0 | 1) => { if (!err) cb(v); };
        g.watch(h);
        return () => g.unwatch(h);
      },
      close: () => this.release(bcm, g),
    };
  }

  output(bcm: number, opts: { activeLow?: boolean; initial?: Level } = {}): OutputPin {
    const activeLow = opts.activeLow ?? false;
    const initial = opts.initial ?? 0;
    // 'high'/'low' set the raw level glitch-free as the pin becomes an output.
    const raw = activeLow ? 1 - initial : initial;
    const g = this.claim(bcm, (n) => new this.Gpio(n, raw ? 'high' : 'low', undefined, { activeLow }));
    return {
      write: (level: Level) => g.writeSync(level),
      read: () => g.readSync(),
      close: () => this.release(bcm, g),
    };
  }

  close(): void {
    for (const [bcm, g] of [...this.open]) this.release(bcm, g);
  }
}

/** True when sysfs GPIO is usable here (a Pi); false on a laptop or CI. */
export function gpioAccessible(): boolean {
  return OnoffGpio.accessible;
}
