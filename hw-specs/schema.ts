// Machine-readable board specifications: pin maps (BCM numbers), printer,
// LED chain, Arduino, bill of materials. The firmware loads a board's spec
// with these schemas (`loadBoardSpec('counter-pi-zero')`), and the tests
// validate every spec JSON in this folder with them, so a spec that the
// firmware would refuse cannot be committed.
import { readdirSync } from 'node:fs';
import { z } from 'zod';
import { loadJsonFile } from '../firmware/config/load.ts';
import { RatingScore, ServiceId } from '../firmware/protocol/messages.ts';

export const HW_SPECS_DIR = new URL('./', import.meta.url).pathname;

/** A BCM GPIO number on the 40-pin header (2–27 are the usable ones). */
export const Bcm = z.number().int().min(2).max(27);
/** An Arduino digital pin (Uno/Nano D2–D13; 0/1 carry Firmata's serial). */
export const ArduinoPin = z.number().int().min(2).max(69);

export const BomItem = z.object({
  part: z.string().min(1),
  qty: z.number().int().positive(),
  /** Where it goes, or which variant; e.g. "pad lamps, 5 V". */
  note: z.string().optional(),
  /** A reference part number or source. */
  ref: z.string().optional(),
}).strict();

const Common = {
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/),
  description: z.string().min(1),
  /** The Raspberry Pi model, e.g. "Raspberry Pi 4 Model B (2 GB)". */
  computer: z.string().min(1),
  bom: z.array(BomItem).min(1),
  /** Wiring page for maintainers, relative to hw-specs/. */
  wiring: z.string().regex(/^[a-z0-9-]+\.md$/),
};

/** A GPIO button: pulled up, switch to ground (active low) unless said otherwise. */
export const ButtonPin = z.object({
  bcm: Bcm,
  activeLow: z.boolean().default(true),
  debounceMs: z.number().int().min(1).max(200).default(20),
}).strict();

export const LedPin = z.object({ bcm: Bcm, activeLow: z.boolean().default(false) }).strict();

export const Printer = z.object({
  model: z.string().min(1),
  paperMm: z.union([z.literal(80), z.literal(58)]),
  connection: z.discriminatedUnion('type', [
    z.object({ type: z.literal('usb'), path: z.string().optional(), vendorId: z.number().int().optional(), productId: z.number().int().optional() }).strict(),
    z.object({ type: z.literal('serial'), path: z.string().min(1), baudRate: z.number().int().positive().default(19200) }).strict(),
    z.object({ type: z.literal('network'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(9100) }).strict(),
  ]),
  /** `native`: the printer's own GS ( k QR; `raster`: a bitmap (works on every printer). */
  qr: z.enum(['native', 'raster']),
  /** Characters per line at the normal font (48 on 80 mm, 32 on 58 mm). */
  columns: z.number().int().min(16).max(64).optional(),
}).strict();

export const Arduino = z.object({
  model: z.enum(['uno', 'nano', 'nano-every', 'leonardo', 'mega2560', 'pro-micro']),
  /**
   * Firmata sketch flashed on it: our `manyi-window` (firmware/arduino, flashed by
   * `manyi flash-firmata`; whole LED frames over SPI on D11/D13) or a stock
   * `StandardFirmata` (LED frames as pin writes, ~40× slower).
   */
  firmware: z.enum(['manyi-window', 'StandardFirmata']).default('manyi-window'),
  baudRate: z.literal(57600),
  /** Serial port; omitted = first Arduino found. */
  port: z.string().optional(),
}).strict();

/** A MAX7219 chain: 7-segment digit modules or 8×8 matrices, wired to the Arduino. */
export const Max7219Chain = z.object({
  driver: z.literal('max7219'),
  kind: z.enum(['digits', 'matrix']),
  /** Devices in the chain (8 digits or one 8×8 matrix each). */
  devices: z.number().int().min(1).max(16),
  /**
   * Rows of matrix modules: 2 makes a strip 16 pixels high, for Chinese (the chain
   * runs along the top row left to right, then along the bottom row).
   */
  rows: z.union([z.literal(1), z.literal(2)]).default(1),
  pins: z.object({ data: ArduinoPin, clock: ArduinoPin, cs: ArduinoPin }).strict(),
  /** 0–15, the MAX7219 intensity register. */
  brightness: z.number().int().min(0).max(15).default(8),
}).strict().superRefine((c, ctx) => {
  const { data, clock, cs } = c.pins;
  if (new Set([data, clock, cs]).size !== 3) ctx.addIssue({ code: 'custom', path: ['pins'], message: 'DIN, CLK and CS must be three different pins' });
  if (c.rows === 2 && (c.kind !== 'matrix' || c.devices % 2 !== 0)) ctx.addIssue({ code: 'custom', path: ['rows'], message: 'two rows need a matrix chain with an even number of devices' });
});

export const KeypadKey = z.enum(['call-next', 'recall', 'no-show', 'complete', 'transfer', 'pause']);
export type KeypadKey = z.infer<typeof KeypadKey>;

export const RatingPad = z.object({
  /** Five buttons, the national scale; legacy four-button pads lack `very-unsatisfied`. */
  buttons: z.union([z.literal(4), z.literal(5)]),
  keys: z.array(z.object({ score: RatingScore, button: ButtonPin, lamp: LedPin }).strict()),
  /**
   * The pad's display, which names the hall's reasons after a low score (one per
   * button, in turn, with that button's lamp lit). A MAX7219 matrix on the window
   * board's Arduino as its second chain: the LED board's DIN/CLK, its own CS.
   * Without it the pad cannot ask, and low scores go out without a reason.
   */
  display: z.object({
    devices: z.number().int().min(2).max(16),
    rows: z.union([z.literal(1), z.literal(2)]).default(2),
    cs: ArduinoPin,
    brightness: z.number().int().min(0).max(15).default(6),
  }).strict().optional(),
}).strict().superRefine((p, ctx) => {
  const want = RatingScore.options.slice(0, p.buttons);
  const got = p.keys.map((k) => k.score);
  if (got.length !== p.buttons || want.some((s) => !got.includes(s))) {
    ctx.addIssue({ code: 'custom', path: ['keys'], message: `a ${p.buttons}-button pad needs exactly one key for each of ${want.join(', ')}` });
  }
});

export const ControllerSpec = z.object({
  type: z.literal('controller'),
  ...Common,
  storage: z.object({ kind: z.enum(['ssd', 'sd']), dataDir: z.string().min(1) }).strict(),
  statusLeds: z.object({ ok: LedPin.optional(), fault: LedPin.optional() }).strict().default({}),
}).strict();

export const KioskSpec = z.object({
  type: z.literal('kiosk'),
  ...Common,
  printer: Printer,
  /** One GPIO button per service offered, for a kiosk without (or besides) a touch screen. */
  buttons: z.array(z.object({ bcm: Bcm, service: ServiceId, activeLow: z.boolean().default(true), debounceMs: z.number().int().min(1).max(200).default(20) }).strict()).default([]),
  screen: z.object({ touch: z.boolean(), width: z.number().int().positive(), height: z.number().int().positive() }).strict().optional(),
  statusLeds: z.object({ ok: LedPin.optional(), fault: LedPin.optional(), paper: LedPin.optional() }).strict().default({}),
}).strict();

export const CounterSpec = z.object({
  type: z.literal('counter'),
  ...Common,
  keypad: z.partialRecord(KeypadKey, ButtonPin).refine((k) => k['call-next'] !== undefined, 'the keypad needs at least a call-next key'),
  ratingPad: RatingPad,
  arduino: Arduino,
  ledBoard: Max7219Chain,
  statusLeds: z.object({ ok: LedPin.optional(), fault: LedPin.optional() }).strict().default({}),
}).strict().superRefine((c, ctx) => {
  const d = c.ratingPad.display;
  if (d && Object.values(c.ledBoard.pins).includes(d.cs)) ctx.addIssue({ code: 'custom', path: ['ratingPad', 'display', 'cs'], message: `D${d.cs} is already a pin of the LED board` });
  if (d && d.rows === 2 && d.devices % 2 !== 0) ctx.addIssue({ code: 'custom', path: ['ratingPad', 'display', 'devices'], message: 'two rows need an even number of devices' });
});

export const BoardSpec = z.object({
  type: z.literal('board'),
  ...Common,
  screen: z.object({ width: z.number().int().positive(), height: z.number().int().positive(), sizeInch: z.number().positive(), output: z.enum(['hdmi0', 'hdmi1']) }).strict().optional(),
  ledMatrix: z.object({ arduino: Arduino, chain: Max7219Chain }).strict().optional(),
  speaker: z.object({ output: z.enum(['hdmi', 'jack', 'usb', 'i2s']), alsaDevice: z.string().default('default') }).strict().optional(),
}).strict().refine((b) => b.screen || b.ledMatrix, 'a lobby board needs a screen, an LED matrix or both');

export const HwSpec = z.discriminatedUnion('type', [ControllerSpec, KioskSpec, CounterSpec, BoardSpec]).superRefine((s, ctx) => {
  // Two parts on one GPIO would fight: every BCM number may be used once.
  const seen = new Map<number, string>();
  const visit = (v: unknown, path: (string | number)[]) => {
    if (!v || typeof v !== 'object') return;
    if ('bcm' in v && typeof (v as { bcm: unknown }).bcm === 'number') {
      const bcm = (v as { bcm: number }).bcm;
      const where = path.join('.');
      if (seen.has(bcm)) ctx.addIssue({ code: 'custom', path, message: `BCM ${bcm} is already used by ${seen.get(bcm)}` });
      else seen.set(bcm, where);
    }
    for (const [k, c] of Object.entries(v)) if (k !== 'bom') visit(c, [...path, Array.isArray(v) ? Number(k) : k]);
  };
  visit(s, []);
});

export type HwSpec = z.infer<typeof HwSpec>;
export type ControllerSpec = z.infer<typeof ControllerSpec>;
export type KioskSpec = z.infer<typeof KioskSpec>;
export type CounterSpec = z.infer<typeof CounterSpec>;
export type BoardSpec = z.infer<typeof BoardSpec>;
export type PrinterSpec = z.infer<typeof Printer>;
export type Max7219ChainSpec = z.infer<typeof Max7219Chain>;
export type RatingPadSpec = z.infer<typeof RatingPad>;
export type ArduinoSpec = z.infer<typeof Arduino>;

type ByType = { controller: ControllerSpec; kiosk: KioskSpec; counter: CounterSpec; board: BoardSpec };

/** Loads `hw-specs/<name>.json` (or `dir/<name>.json`); with `type`, also checks the board type. */
export function loadBoardSpec(name: string): HwSpec;
export function loadBoardSpec<T extends keyof ByType>(name: string, type: T, dir?: string): ByType[T];
export function loadBoardSpec(name: string, type?: keyof ByType, dir = HW_SPECS_DIR): HwSpec {
  if (!/^[a-z0-9][a-z0-9-]{0,47}$/.test(name)) throw new Error(`hw-specs: invalid spec name ${JSON.stringify(name)}`);
  const file = `${dir.replace(/\/$/, '')}/${name}.json`;
  const spec = loadJsonFile(file, HwSpec);
  if (spec.name !== name) throw new Error(`${file}: name: is ${spec.name}, expected ${name} (the file name)`);
  if (type && spec.type !== type) throw new Error(`${file}: type: is ${spec.type}, expected a ${type} spec`);
  return spec;
}

/** Names of every spec JSON in the folder. */
export function listBoardSpecs(dir = HW_SPECS_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}
