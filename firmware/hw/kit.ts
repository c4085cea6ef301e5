// The hardware kit: everything a role touches of its board — GPIO, the ticket
// printer, a window's LED board, a lobby's LED strip and speaker — each created on
// first use and closed by the runtime, real or simulated by ONE choice made here
// (`simulated`), so no role mentions simulation. The simulated kit also has `sim`:
// the buttons, keys and pads a person would press, the paper a person would run out
// of, and what the LEDs show and the printer printed. The demo's simulated citizens
// and staff touch only that (#11: the demo drives the hardware, not the topics).
//
// The drivers live with the hardware they drive (kiosk/printer, signage/led,
// signage/voice); the role registry (firmware/runtime/roles.ts) hands them in as
// lazy imports, the only way firmware/ reaches into kiosk/ and signage/.
import type { CounterSpec, HwSpec, KeypadKey, PrinterSpec } from '../../hw-specs/schema.ts';
import type { RatingScore } from '../protocol/messages.ts';
import type { GpioChip } from './gpio.ts';
import type { SimGpioChip } from './gpio-sim.ts';

type PrinterDriver = typeof import('../../kiosk/printer/index.ts');
type LedDriver = typeof import('../../signage/led/drivers.ts');
type VoiceDriver = typeof import('../../signage/voice/driver.ts');
export type Printer = Awaited<ReturnType<PrinterDriver['createPrinter']>>;
export type PrinterState = import('../../kiosk/printer/types.ts').PrinterState;
export type WindowBoard = Awaited<ReturnType<LedDriver['openWindowBoard']>>;
export type MatrixStrip = Awaited<ReturnType<LedDriver['openMatrixStrip']>>;
/** A rating pad's label display (the window board's second chain): `labels` to show text, and for a
 *  real board the chain and bus to hand the window board's link as `also`. */
export type PadDisplay = NonNullable<Awaited<ReturnType<LedDriver['openPadDisplay']>>>;
export type PadLabels = PadDisplay['labels'];
export type Speaker = ReturnType<VoiceDriver['createSpeaker']>;
type ChainOptions = Parameters<LedDriver['openWindowBoard']>[0];
type LinkOptions = Omit<Parameters<LedDriver['openWindowBoard']>[1], 'simulated'>;
type PrinterSimOptions = NonNullable<Parameters<PrinterDriver['createPrinter']>[1]>['sim'];

export interface HardwareDrivers {
  printer(): Promise<PrinterDriver>;
  led(): Promise<LedDriver>;
  voice(): Promise<VoiceDriver>;
}

/** What the demo's simulated people do to a simulated board. */
export interface SimHardware {
  /** Presses (and releases) a button on a BCM pin, bouncing like a real contact. */
  press(bcm: number, opts?: { bounces?: number; holdMs?: number }): Promise<void>;
  /** A kiosk's service button. False when the kiosk has no button for it. */
  pressService(service: string): Promise<boolean>;
  /** A counter's keypad key. */
  pressKey(key: KeypadKey): Promise<boolean>;
  /** A rating pad's button. */
  pressRating(score: RatingScore, bounces?: number): Promise<boolean>;
  /** The printer's paper and cover, as a person would leave them. */
  setPrinter(state: PrinterState): void;
  /** Ticket numbers printed so far (oldest first). */
  printed(): string[];
  /** What the window's LED board shows now. */
  ledView(): ReturnType<WindowBoard['view']> | null;
}

export interface HardwareKit {
  readonly simulated: boolean;
  /** The board's spec (hw-specs/), when it has one. */
  readonly spec: HwSpec | undefined;
  gpio(): Promise<GpioChip>;
  printer(spec: PrinterSpec, sim?: PrinterSimOptions): Promise<Printer>;
  windowBoard(chain: ChainOptions, link: LinkOptions): Promise<WindowBoard>;
  matrixStrip(chain: ChainOptions, link: LinkOptions & { stepMs?: number }): Promise<MatrixStrip>;
  /** A counter's rating-pad display; null when its pad has none. A real one is drawn once the
   *  window board's link attaches it (`windowBoard(…, { also: [{ chain, bus }] })`). */
  padDisplay(spec: CounterSpec): Promise<PadDisplay | null>;
  /** Throws (saying what is missing) when a real board cannot speak. */
  speaker(opts?: { alsaDevice?: string }): Promise<Speaker>;
  /** Simulated boards only. */
  readonly sim: SimHardware | null;
  /** Closes whatever was opened, in reverse. */
  close(): Promise<void>;
}

export function createHardware(spec: HwSpec | undefined, o: { simulated: boolean; drivers: HardwareDrivers }): HardwareKit {
  const { simulated, drivers } = o;
  const closers: Array<() => void | Promise<void>> = [];
  let gpio: Promise<GpioChip> | undefined;
  let printer: Printer | undefined;
  let board: WindowBoard | undefined;

  const kit: HardwareKit = {
    simulated,
    spec,
    gpio() {
      gpio ??= (async () => {
        const chip: GpioChip = simulated
          ? new (await import('./gpio-sim.ts')).SimGpioChip()
          : new (await import('./gpio-onoff.ts')).OnoffGpioChip();
        closers.push(() => chip.close());
        return chip;
      })();
      return gpio;
    },
    async printer(pspec, sim) {
      const { createPrinter } = await drivers.printer();
      const p = await createPrinter(pspec, { simulated, sim });
      // Closed once, whoever closes it first (a role flushing its last tickets, or the kit).
      const close = p.close.bind(p);
      let closing: Promise<void> | undefined;
      p.close = () => (closing ??= close());
      closers.push(() => p.close());
      printer = p;
      return p;
    },
    async windowBoard(chain, link) {
      const { openWindowBoard } = await drivers.led();
      const b = await openWindowBoard(chain, { ...link, simulated });
      closers.push(() => b.close());
      board = b;
      return b;
    },
    async matrixStrip(chain, link) {
      const { openMatrixStrip } = await drivers.led();
      const s = await openMatrixStrip(chain, { ...link, simulated });
      closers.push(() => s.close());
      return s;
    },
    async padDisplay(cspec) {
      const { openPadDisplay } = await drivers.led();
      const d = await openPadDisplay(cspec, simulated);
      if (d) closers.push(() => d.close());
      return d;
    },
    async speaker(opts = {}) {
      const { createSpeaker } = await drivers.voice();
      const s = createSpeaker({ simulated, alsaDevice: opts.alsaDevice });
      closers.push(() => s.close());
      return s;
    },
    sim: null,
    async close() {
      while (closers.length) await Promise.resolve(closers.pop()!()).catch(() => undefined);
    },
  };
  if (!simulated) return kit;

  const chip = async () => (await kit.gpio()) as SimGpioChip;
  const sim: SimHardware = {
    press: async (bcm, opts) => (await chip()).press(bcm, opts),
    async pressService(service) {
      const b = spec?.type === 'kiosk' ? spec.buttons.find((x) => x.service === service) : undefined;
      if (!b) return false;
      await (await chip()).press(b.bcm, { bounces: 2, holdMs: b.debounceMs * 3 });
      return true;
    },
    async pressKey(key) {
      const pin = spec?.type === 'counter' ? spec.keypad[key] : undefined;
      if (!pin) return false;
      await (await chip()).press(pin.bcm, { bounces: 2, holdMs: pin.debounceMs * 3 });
      return true;
    },
    async pressRating(score, bounces = 2) {
      const k = spec?.type === 'counter' ? spec.ratingPad.keys.find((x) => x.score === score) : undefined;
      if (!k) return false;
      await (await chip()).press(k.button.bcm, { bounces, holdMs: k.button.debounceMs * 3 });
      return true;
    },
    setPrinter(state) {
      const p = printer as (Printer & { setState?(s: PrinterState): void }) | undefined;
      if (!p?.setState) throw new Error('this board has no simulated printer');
      p.setState(state);
    },
    printed() {
      const p = printer as (Printer & { jobs?: Array<{ label: string }> }) | undefined;
      return (p?.jobs ?? []).map((j) => j.label);
    },
    ledView: () => board?.view() ?? null,
  };
  return Object.assign(kit, { sim });
}
