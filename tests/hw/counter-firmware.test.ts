// A window's counter on its real hardware path: the role opens the window
// board's Arduino by its serial port — here the compiled firmware in simavr on a
// pseudo-terminal — through johnny-five, exactly as on a Pi. The window state the
// controller publishes shows on the 8-digit board; after a low score the rating
// pad's display (the firmware's second chain) names the hall's reasons, and the
// reason the citizen presses goes to the controller with the rating.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { startCounter } from '../../firmware/counter/role.ts';
import { SimGpioChip } from '../../firmware/hw/gpio-sim.ts';
import { loadBoardSpec } from '../../hw-specs/schema.ts';
import { readBoard } from '../../signage/led/window-display.ts';
import { rowsToColumns } from '../../signage/led/matrix-font.ts';
import { renderColumns16 } from '../../signage/led/font/font16.ts';
import { fakeController, HALL, iso, makeContext, startBroker, until, windowState } from '../signage/helpers.ts';
import { startSimavrBoard, type SimavrBoard } from './simavr-board.ts';

let broker: EmbeddedBroker;
let ctl: Awaited<ReturnType<typeof fakeController>>;
let sim: SimavrBoard;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  broker = await startBroker();
  ctl = await fakeController(broker.url);
  ctl.beat(200);
  sim = await startSimavrBoard();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await sim.close();
  await ctl.close();
  await broker.close();
});

describe('counter role on the window-board firmware (simavr)', () => {
  it('shows the window state on the LED board over the serial port, and the pad asks for the citizen\'s reason on its own display', async () => {
    const base = loadBoardSpec('counter-pi-zero', 'counter');
    const spec = { ...base, arduino: { ...base.arduino, port: sim.port } };
    const board = sim.chain(spec.ledBoard.pins, spec.ledBoard.devices);
    const d = spec.ratingPad.display!;
    const pad = sim.chain({ data: spec.ledBoard.pins.data, clock: spec.ledBoard.pins.clock, cs: d.cs }, d.devices);
    await ctl.windowState('5', windowState({ serving: { no: 'A023', service: 'registration', calledAt: iso() } }));
    const gpio = new SimGpioChip();
    const rig = await makeContext(broker, { device: 'counter-5', role: 'counter', window: '5', simulated: false });
    const c = await startCounter(rig.ctx, { spec, gpio, thanksMs: 150, staleAfterMs: 5000, reasonSlotMs: 600, timeoutMs: 5000 });
    cleanups.push(async () => { await c.stop(); await rig.close(); });
    // firmata.js asks for the board's version itself after 5 s of silence: opening a pty resets nothing.
    await until(() => readBoard(board, 'digits').text === 'A023   5', 20_000, 'A023 on the LED board');
    expect(rig.health.ledBoard).toBe('ok');
    await ctl.windowState('5', windowState({ serving: { no: 'A024', service: 'registration', calledAt: iso() } }));
    await until(() => readBoard(board, 'digits').text === 'A024   5', 20_000, 'A024');

    // Rating: a low score, then the reason on the pad's display and the citizen's press.
    // Deadlines are for a loaded machine (simavr runs the board's firmware on the same cores): events, not latency.
    await ctl.windowState('5', windowState({ rating: 'waiting', ratingFor: 'A024', ratingUntil: iso(Date.now() + 60_000) }));
    await until(() => c.pad.phase === 'lit', 20_000, 'pad lit');
    const key = (score: string) => spec.ratingPad.keys.find((k) => k.score === score)!;
    await gpio.press(key('unsatisfied').button.bcm, { bounces: 2 });
    await until(() => c.pad.phase === 'reason', 20_000, 'the pad asks');
    const third = HALL.rating.reasons[2];
    await until(() => c.pad.showing?.code === third.code, 20_000, 'the third reason');
    const want = renderColumns16(third.name.zh).slice(0, 64);
    const shows = () => {
      const cols = rowsToColumns(pad.devices.map((_x, i) => pad.visible(i)), 2);
      const text = cols.join(',');
      return want.length > 0 && text.includes(want.slice(0, Math.min(want.length, 32)).join(','));
    };
    await until(shows, 20_000, 'the reason on the pad display, from the chips');
    await gpio.press(spec.ratingPad.keys[2].button.bcm);
    await until(() => ctl.ratings.length === 1, 20_000, 'rating sent');
    expect(ctl.ratings[0].msg).toMatchObject({ ticket: 'A024', score: 'unsatisfied', reason: third.code });
  }, 150_000);
});
