// The counter role: a window's unit on a Pi Zero 2 W. Wires the board's spec
// (hw-specs/) to real hardware (onoff GPIO, johnny-five + Firmata) or to the
// simulated twins (the demo), then runs the CounterUnit and its staff page.
import type { RoleContext, RoleHandle, RoleStarter } from '../runtime/role.ts';
import type { GpioChip } from '../hw/gpio.ts';
import { OnoffGpioChip } from '../hw/gpio-onoff.ts';
import { SimGpioChip } from '../hw/gpio-sim.ts';
import { loadBoardSpec, type CounterSpec, type KeypadKey } from '../../hw-specs/schema.ts';
import type { RatingScore } from '../protocol/index.ts';
import { boardWidth, type WindowDisplay } from '../../signage/led/window-display.ts';
import { ReplayDisplay, superviseLedBoard } from '../../signage/led/link.ts';
import { createSimLedBoard, type SimLedBoard } from '../../signage/led/sim-board.ts';
import { Keypad } from './keypad.ts';
import { RatingPad } from './rating-pad.ts';
import { openPadDisplay, type PadDisplay } from './pad-labels.ts';
import { CounterUnit, type UnitOptions } from './unit.ts';
import { mountStaffPage } from './staff-page.ts';

export const DEFAULT_COUNTER_SPEC = 'counter-pi-zero';

export interface CounterOptions extends UnitOptions {
  /** Use this spec instead of loading `ctx.device.spec`. */
  spec?: CounterSpec;
  /** Use this GPIO chip (tests); default: simulated if `ctx.device.simulated`, else onoff. */
  gpio?: GpioChip;
  /** Rating pad thank-you length, ms. */
  thanksMs?: number;
  /** How long the pad waits for a citizen's reason, and shows each, ms. */
  reasonWaitMs?: number;
  reasonSlotMs?: number;
}

export async function startCounter(ctx: RoleContext, opts: CounterOptions = {}): Promise<RoleHandle & { unit: CounterUnit; gpio: GpioChip; simGpio: SimGpioChip | null; led: SimLedBoard | null; pad: RatingPad; padDisplay: PadDisplay | null }> {
  const window = ctx.device.window;
  if (!window) throw new Error(`counter ${ctx.device.device}: the device configuration names no window`);
  const spec = opts.spec ?? loadBoardSpec(ctx.device.spec ?? DEFAULT_COUNTER_SPEC, 'counter');
  const simulated = ctx.device.simulated;
  const gpio = opts.gpio ?? (simulated ? new SimGpioChip() : new OnoffGpioChip());

  // LED board: the simulated twin runs the same johnny-five code over a simulated Arduino.
  const chain = { kind: spec.ledBoard.kind, devices: spec.ledBoard.devices, pins: spec.ledBoard.pins, brightness: spec.ledBoard.brightness };
  let led: SimLedBoard | null = null;
  let link: { stop(): Promise<void> } | null = null;
  let display: WindowDisplay;
  const padDisplay = await openPadDisplay(spec, simulated);
  if (simulated) {
    led = await createSimLedBoard(chain);
    display = led.display;
  } else {
    // The window keeps working from the keypad and page while the board is away.
    const replay = new ReplayDisplay(boardWidth(chain.kind, chain.devices));
    display = replay;
    link = superviseLedBoard({
      port: spec.arduino.port, chain, display: replay,
      also: padDisplay?.bus ? [{ chain: padDisplay.chain, bus: padDisplay.bus }] : [],
      onState: (state, why) => {
        ctx.setHealth({ ledBoard: state });
        if (state === 'offline') ctx.log.error({ err: why }, 'counter: LED board unavailable, retrying');
      },
    });
  }
  ctx.setHealth({ ledBoard: simulated ? 'ok' : 'connecting' });

  const pad = new RatingPad(gpio, spec.ratingPad, {
    thanksMs: opts.thanksMs, reasons: ctx.hall.rating.reasons, labels: padDisplay?.labels, now: () => ctx.clock.now(),
    ...(opts.reasonWaitMs ? { reasonWaitMs: opts.reasonWaitMs } : {}), ...(opts.reasonSlotMs ? { reasonSlotMs: opts.reasonSlotMs } : {}),
  });
  const unit = new CounterUnit({ hall: ctx.hall, window, device: ctx.device.device, bus: ctx.bus, log: ctx.log, clock: ctx.clock, display, pad }, opts);
  const keypad = new Keypad(gpio, spec.keypad, (key) => void unit.key(key));

  const sim = gpio instanceof SimGpioChip ? {
    pressPad: (score: RatingScore, bounces: number) => {
      const k = spec.ratingPad.keys.find((x) => x.score === score);
      return k ? gpio.press(k.button.bcm, { bounces, holdMs: k.button.debounceMs * 3 }) : Promise.resolve();
    },
    pressKey: (key: KeypadKey) => {
      const pin = spec.keypad[key];
      return pin ? gpio.press(pin.bcm, { bounces: 2, holdMs: pin.debounceMs * 3 }) : Promise.resolve();
    },
  } : undefined;

  const page = mountStaffPage({
    web: ctx.web, hall: ctx.hall, window, unit, pad,
    board: () => (led ? led.view() : display instanceof ReplayDisplay ? { kind: chain.kind, text: display.text } : null),
    sim,
  });
  const offLed = led?.onChange(() => page.push());
  await unit.start();
  ctx.log.info({ window, spec: spec.name, simulated }, 'counter: started');

  return {
    unit, gpio, led, pad, padDisplay,
    simGpio: gpio instanceof SimGpioChip ? gpio : null,
    async stop() {
      offLed?.();
      page.close();
      unit.stop();
      keypad.close();
      pad.dispose();
      padDisplay?.close();
      led?.close();
      await link?.stop();
      if (!opts.gpio) gpio.close();
    },
  };
}

export const startCounterRole: RoleStarter = (ctx) => startCounter(ctx);
