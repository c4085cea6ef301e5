// The counter role: a window's unit on a Pi Zero 2 W, made of parts — the LED
// board, the rating pad and keypad on GPIO, the unit that follows the window's
// retained state and sends its commands, and the staff page. The hardware comes
// from the kit (real or simulated is decided there, not here).
import { loadBoardSpec, type CounterSpec } from '../../hw-specs/schema.ts';
import type { GpioChip } from '../hw/gpio.ts';
import type { PadDisplay, SimHardware, WindowBoard } from '../hw/kit.ts';
import { part, startParts, type Part, type RoleDefinition } from '../runtime/parts.ts';
import type { RoleContext, RoleHandle } from '../runtime/role.ts';
import { Keypad } from './keypad.ts';
import { RatingPad } from './rating-pad.ts';
import { mountStaffPage } from './staff-page.ts';
import { CounterUnit, type UnitOptions } from './unit.ts';

export const DEFAULT_COUNTER_SPEC = 'counter-pi-zero';

export interface CounterOptions extends UnitOptions {
  /** Use this spec instead of the board's (`ctx.hw.spec`, else `counter-pi-zero`). */
  spec?: CounterSpec;
  /** Use this GPIO chip (tests) instead of the kit's. */
  gpio?: GpioChip;
  /** Rating pad thank-you length, ms. */
  thanksMs?: number;
  /** How long the pad waits for a citizen's reason, and shows each, ms. */
  reasonWaitMs?: number;
  reasonSlotMs?: number;
}

export interface CounterHandle extends RoleHandle {
  unit: CounterUnit;
  gpio: GpioChip;
  /** The LED board (what it shows: `view()`). */
  led: WindowBoard;
  pad: RatingPad;
  /** The rating pad's label display (the window board's second chain), when the spec has one. */
  padDisplay: PadDisplay | null;
  /** A simulated board's buttons and pads (`press`, `pressKey`, `pressRating`); null on real hardware. */
  sim: SimHardware | null;
}

interface Shared { spec?: CounterSpec; gpio?: GpioChip; led?: WindowBoard; padDisplay?: PadDisplay | null; pad?: RatingPad; unit?: CounterUnit }

function counterParts(o: CounterOptions, s: Shared): Part[] {
  return [
    part('spec and GPIO', async (ctx) => {
      if (!ctx.device.window) throw new Error(`counter ${ctx.device.device}: the device configuration names no window`);
      s.spec = o.spec ?? (ctx.hw.spec?.type === 'counter' ? ctx.hw.spec : loadBoardSpec(ctx.device.spec ?? DEFAULT_COUNTER_SPEC, 'counter'));
      s.gpio = o.gpio ?? await ctx.hw.gpio();
    }),
    part('LED board and pad display', async (ctx) => {
      const b = s.spec!.ledBoard;
      // The pad's label display is the window board's second chain (signage/led/pad-labels.ts, from the kit).
      const padDisplay = s.padDisplay = await ctx.hw.padDisplay(s.spec!);
      // The window keeps working from the keypad and page while a real board is away.
      s.led = await ctx.hw.windowBoard({ kind: b.kind, devices: b.devices, pins: b.pins, brightness: b.brightness }, {
        port: s.spec!.arduino.port,
        also: padDisplay?.bus ? [{ chain: padDisplay.chain, bus: padDisplay.bus }] : [],
        onState: (state, why) => {
          ctx.setHealth({ ledBoard: state });
          if (state === 'offline') ctx.log.error({ err: why }, 'counter: LED board unavailable, retrying');
        },
      });
    }),
    part('rating pad', (ctx) => {
      const pad = s.pad = new RatingPad(s.gpio!, s.spec!.ratingPad, {
        thanksMs: o.thanksMs, reasons: ctx.hall.rating.reasons, labels: s.padDisplay?.labels, now: () => ctx.clock.now(),
        ...(o.reasonWaitMs ? { reasonWaitMs: o.reasonWaitMs } : {}), ...(o.reasonSlotMs ? { reasonSlotMs: o.reasonSlotMs } : {}),
      });
      return () => pad.dispose();
    }),
    part('window unit', async (ctx) => {
      const unit = s.unit = new CounterUnit({
        hall: ctx.hall, window: ctx.device.window!, device: ctx.device.device, bus: ctx.bus, log: ctx.log, clock: ctx.clock,
        display: s.led!.display, pad: s.pad!,
      }, o);
      await unit.start();
      return () => unit.stop();
    }),
    part('keypad', () => {
      const keypad = new Keypad(s.gpio!, s.spec!.keypad, (key) => void s.unit!.key(key));
      return () => keypad.close();
    }),
    part('staff page', (ctx) => {
      const sim = ctx.hw.sim;
      const page = mountStaffPage({
        web: ctx.web, hall: ctx.hall, window: ctx.device.window!, unit: s.unit!, pad: s.pad!,
        board: () => s.led!.view(),
        sim: sim ? {
          pressPad: async (score, bounces) => { await sim.pressRating(score, bounces); },
          pressKey: async (key) => { await sim.pressKey(key); },
        } : undefined,
      });
      const off = s.led!.onChange(() => page.push());
      ctx.log.info({ window: ctx.device.window, spec: s.spec!.name }, 'counter: started');
      return () => { off(); page.close(); };
    }),
  ];
}

export const counterRole: RoleDefinition = { role: 'counter', parts: () => counterParts({}, {}) };

/** The counter with options, and what tests look at (the unit, the LED board, the pad). */
export async function startCounter(ctx: RoleContext, o: CounterOptions = {}): Promise<CounterHandle> {
  const s: Shared = {};
  const running = await startParts(ctx, counterParts(o, s));
  return { unit: s.unit!, gpio: s.gpio!, led: s.led!, pad: s.pad!, padDisplay: s.padDisplay ?? null, sim: ctx.hw.sim, stop: () => running.stop() };
}
