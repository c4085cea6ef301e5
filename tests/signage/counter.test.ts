import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { startCounter } from '../../firmware/counter/role.ts';
import { SimGpioChip } from '../../firmware/hw/gpio-sim.ts';
import { loadBoardSpec } from '../../hw-specs/schema.ts';
import { fakeController, H, HALL, iso, makeContext, staffSession, startBroker, until, windowState } from './helpers.ts';
import { rowsToColumns } from '../../signage/led/matrix-font.ts';
import { renderColumns16 } from '../../signage/led/font/font16.ts';

const spec = loadBoardSpec('counter-pi-zero', 'counter');
const spec5 = loadBoardSpec('counter-pi-zero-5', 'counter');
const pin = (score: string, s = spec) => s.ratingPad.keys.find((k) => k.score === score)!;

let broker: EmbeddedBroker;
let ctl: Awaited<ReturnType<typeof fakeController>>;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  broker = await startBroker();
  ctl = await fakeController(broker.url);
  ctl.beat(100);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await ctl.close();
  await broker.close();
});

async function counter(window = '5', s = spec, opts: { staleAfterMs?: number; retryMs?: number; reasonWaitMs?: number; reasonSlotMs?: number } = {}) {
  const gpio = new SimGpioChip();
  const rig = await makeContext(broker, { device: `counter-${window}`, role: 'counter', window });
  const handle = await startCounter(rig.ctx, { spec: s, gpio, thanksMs: 150, staleAfterMs: opts.staleAfterMs ?? 1500, retryMs: opts.retryMs ?? 150, timeoutMs: 3000, reasonWaitMs: opts.reasonWaitMs, reasonSlotMs: opts.reasonSlotMs });
  cleanups.push(async () => { await handle.stop(); await rig.close(); });
  return { ...handle, gpio, rig };
}

describe('counter role', () => {
  it('shows the retained window state at once, then each change; ---- when the controller goes quiet', async () => {
    await ctl.windowState('5', windowState({ serving: { no: 'A023', service: 'registration', calledAt: iso() } }));
    const c = await counter('5', spec, { staleAfterMs: 800 });
    await until(() => c.led!.view().text === 'A023   5', 2000, 'board shows A023');
    await ctl.windowState('5', windowState({ status: 'paused' }));
    await until(() => c.led!.view().text === 'PAUSE  5', 2000, 'paused');
    await ctl.windowState('5', windowState({ status: 'closed' }));
    await until(() => c.led!.view().text.trim() === 'CLOSED', 2000, 'closed');
    await ctl.windowState('5', windowState({ serving: { no: 'A024', service: 'registration', calledAt: iso() } }));
    await until(() => c.led!.view().text === 'A024   5', 2000, 'A024');
    ctl.stopBeat();
    await until(() => c.led!.view().text === '----   5', 2000, 'controller lost');
    expect(c.unit.lost).toBe(true);
    ctl.beat(100);
    await until(() => c.led!.view().text === 'A024   5', 2000, 'back');
  });

  it("a quiet hall stays live on the controller's health; its last will shows ---- at once", async () => {
    ctl.stopBeat();
    await ctl.hallState();
    const status = (state: 'online' | 'offline') => ctl.client.publishAsync(`manyi/v1/${H}/device/ctl-1/status`, JSON.stringify({ state, role: 'controller', version: '0.1.0', at: iso() }), { qos: 1, retain: true });
    await status('online');
    await ctl.windowState('6', windowState({ serving: { no: 'B006', service: 'payment', calledAt: iso() } }));
    const c = await counter('6', spec, { staleAfterMs: 1000 });
    await until(() => c.led!.view().text === 'B006   6', 2000, 'B006');
    // no hall state, only health: still live well past staleAfterMs
    const health = setInterval(() => void ctl.client.publishAsync(`manyi/v1/${H}/device/ctl-1/health`, JSON.stringify({ at: iso(), uptimeS: 1, rssMB: 50 })), 100);
    await new Promise((r) => setTimeout(r, 1800));
    expect(c.led!.view().text).toBe('B006   6');
    expect(c.unit.lost).toBe(false);
    clearInterval(health);
    await status('offline');
    await until(() => c.led!.view().text === '----   6', 1000, 'lost on the will');
    await status('online');
  });

  it('a bouncing keypad press sends one call-next; a lost reply is retried with the same id', async () => {
    await ctl.windowState('3', windowState());
    const c = await counter('3');
    ctl.dropNext(1);
    await c.gpio.press(spec.keypad['call-next']!.bcm, { bounces: 5, holdMs: 80 });
    await until(() => c.unit.history.length > 0, 3000, 'reply');
    const calls = ctl.commands.filter((x) => x.msg.action === 'call-next');
    expect(calls.length).toBe(2); // the original and one retry
    expect(calls[0].msg.id).toBe(calls[1].msg.id);
    expect(c.unit.history[0]).toMatchObject({ ok: true, what: 'call-next', detail: 'A001' });
    // the start/complete key starts a called ticket, then completes it
    await ctl.windowState('3', windowState({ serving: { no: 'A001', service: 'registration', calledAt: iso() } }));
    await until(() => c.unit.state?.serving?.no === 'A001');
    await c.gpio.press(spec.keypad.complete!.bcm, { bounces: 2 });
    await until(() => ctl.commands.some((x) => x.msg.action === 'start'));
    const ids = new Set(ctl.commands.map((x) => x.msg.id));
    expect(ids.size).toBe(2);
  });

  it('one citizen press with a bouncing button gives one rating, then the pad thanks and goes dark', async () => {
    await ctl.windowState('7', windowState());
    const c = await counter('7');
    const lamp = (s: string) => c.gpio.level(pin(s).lamp.bcm);
    expect(lamp('satisfied')).toBe(0);
    await ctl.windowState('7', windowState({ rating: 'waiting', ratingFor: 'B017', ratingUntil: iso(Date.now() + 60_000) }));
    await until(() => c.pad.phase === 'lit', 2000, 'pad lit');
    expect(Object.values(c.pad.lit()).every(Boolean)).toBe(true);
    await c.gpio.press(pin('satisfied').button.bcm, { bounces: 8, bounceMs: 1, holdMs: 120 });
    await c.gpio.press(pin('basic').button.bcm, { bounces: 2 }); // a second press is not a second rating
    await until(() => c.pad.phase === 'dark', 2000, 'pad dark');
    await until(() => c.unit.history.some((h) => h.what === 'rating satisfied' && h.ok));
    expect(ctl.ratings).toHaveLength(1);
    expect(ctl.ratings[0].msg).toMatchObject({ ticket: 'B017', score: 'satisfied' });
    expect(Object.values(c.pad.lit()).some(Boolean)).toBe(false);
  });

  it('after a low score the pad asks the citizen why on its own display, and sends the reason pressed; staff cannot choose it', async () => {
    await ctl.windowState('9', windowState({ rating: 'waiting', ratingFor: 'B020', ratingUntil: iso(Date.now() + 60_000) }));
    const c = await counter('9', spec, { reasonSlotMs: 400 });
    await until(() => c.pad.phase === 'lit', 2000, 'pad lit');
    await c.gpio.press(pin('very-unsatisfied').button.bcm, { bounces: 3 });
    await until(() => c.pad.phase === 'reason', 2000, 'the pad asks');
    expect(ctl.ratings).toHaveLength(0);
    const emu = c.padDisplay!.emulator!;
    const shown = () => rowsToColumns(emu.devices.map((_d, i) => emu.visible(i)), 2);
    const centred = (t: string) => { const cols = renderColumns16(t); const left = Math.floor((64 - cols.length) / 2); return [...Array(left).fill(0), ...cols, ...Array(64 - left - cols.length).fill(0)]; };
    // Each reason in turn on the display, with the lamp of the button that stands for it.
    const reasons = HALL.rating.reasons;
    await until(() => c.pad.showing?.code === reasons[1].code, 4000, 'the second reason shown');
    expect(c.padDisplay!.labels.text).toBe(reasons[1].name.zh);
    const second = spec.ratingPad.keys[1];
    expect(c.pad.lit()).toEqual(Object.fromEntries(spec.ratingPad.keys.map((k) => [k.score, k === second])));
    if (renderColumns16(reasons[1].name.zh).length <= 64) expect(shown()).toEqual(centred(reasons[1].name.zh));
    const base = `http://127.0.0.1:${c.rig.port}/window/9`;
    const view = await (await staffSession(base, 's001')).get('/view') as { pad: unknown; pendingRating?: unknown };
    expect(view.pad).toMatchObject({ phase: 'reason', scores: expect.arrayContaining(['very-unsatisfied']) });
    expect(view.pendingRating).toBeUndefined();
    // The staff page has no way to choose a citizen's reason.
    expect((await fetch(`${base}/reason`, { method: 'POST', body: JSON.stringify({ code: 'slow' }) })).status).toBe(404);
    // The citizen presses the button of the reason on the display.
    await c.gpio.press(second.button.bcm, { bounces: 2 });
    await until(() => ctl.ratings.length === 1, 2000, 'rating sent');
    expect(ctl.ratings[0].msg).toMatchObject({ ticket: 'B020', score: 'very-unsatisfied', reason: reasons[1].code });
    await until(() => c.pad.phase === 'dark', 2000, 'pad dark');
    expect(shown().every((x) => x === 0)).toBe(true);
  });

  it('a low score with no reason given goes out without one, stored as such', async () => {
    await ctl.windowState('10', windowState({ rating: 'waiting', ratingFor: 'B021', ratingUntil: iso(Date.now() + 60_000) }));
    const c = await counter('10', spec, { reasonWaitMs: 600, reasonSlotMs: 200 });
    await until(() => c.pad.phase === 'lit', 2000, 'pad lit');
    await c.gpio.press(pin('unsatisfied').button.bcm);
    await until(() => c.pad.phase === 'reason', 2000, 'the pad asks');
    await until(() => ctl.ratings.length === 1, 3000, 'rating sent without a reason');
    expect(ctl.ratings[0].msg).toMatchObject({ ticket: 'B021', score: 'unsatisfied' });
    expect(ctl.ratings[0].msg).not.toHaveProperty('reason');
    expect(c.pad.phase).toBe('dark');
  });

  it('the staff page sends commands, refuses bad input, and draws the simulated board', async () => {
    await ctl.windowState('2', windowState({ serving: { no: 'A002', service: 'registration', calledAt: iso() } }));
    const c = await counter('2');
    const base = `http://127.0.0.1:${c.rig.port}/window/2`;
    const html = await (await fetch(base)).text();
    expect(html).toContain('Call next');
    // Nothing without signing in.
    expect((await fetch(`${base}/action`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'park' }) })).status).toBe(401);
    expect((await fetch(`${base}/view`)).status).toBe(401);
    // The window is open for s001: signing in there sends `sign-in` with the PIN (the controller checks it).
    const staff = await staffSession(base, 's001', '2468');
    expect(ctl.distinct().map((x) => x.msg)).toEqual([expect.objectContaining({ action: 'sign-in', staff: 's001', pin: '2468' })]);
    const bad = await staff.postRaw('/action', { action: 'explode' });
    expect(bad.status).toBe(400);
    expect((await staff.postRaw('/action', { action: 'open', staff: 's002' })).status).toBe(400); // opening is signing in
    expect(ctl.distinct()).toHaveLength(1);
    expect((await staff.post('/action', { action: 'park' })).ok).toBe(true);
    expect(c.unit.parked).toEqual(['A002']);
    expect(ctl.distinct().map((x) => x.msg.action)).toEqual(['sign-in', 'park']);
    // Without the CSRF token (another site's form), refused.
    expect((await fetch(`${base}/action`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: staff.cookie }, body: JSON.stringify({ action: 'recall' }) })).status).toBe(403);
    const view = await staff.get('/view') as { board: { text: string; cells: number[] } };
    expect(view.board.text).toBe('A002   2');
    expect(view.board.cells).toHaveLength(8);
  });

  it('the transfer key sends the target chosen on the staff page; without one it says so and sends nothing', async () => {
    await ctl.windowState('12', windowState({ serving: { no: 'C003', service: 'discharge', calledAt: iso() } }));
    const c = await counter('12');
    const base = `http://127.0.0.1:${c.rig.port}/window/12`;
    await c.gpio.press(spec.keypad.transfer!.bcm, { bounces: 2 });
    await until(() => c.unit.history.length > 0, 2000, 'refusal');
    expect(c.unit.history[0]).toMatchObject({ ok: false, what: 'transfer', detail: expect.stringContaining('choose the target') });
    expect(ctl.distinct()).toHaveLength(0);
    const staff = await staffSession(base, 's001'); // sends `sign-in` (one command)
    const bad = await staff.postRaw('/transfer-target', { service: 'haircut' });
    expect(bad.status).toBe(400);
    const ok = await staff.postRaw('/transfer-target', { service: 'payment' });
    expect(ok.status).toBe(200);
    await c.gpio.press(spec.keypad.transfer!.bcm, { bounces: 2 });
    await until(() => ctl.distinct().length === 2, 5000, 'transfer sent');
    expect(ctl.distinct()[1].msg).toMatchObject({ action: 'transfer', service: 'payment' });
    // pause key toggles by the window's state
    await c.gpio.press(spec.keypad.pause!.bcm);
    await until(() => ctl.distinct().length === 3, 5000, 'pause sent');
    await ctl.windowState('12', windowState({ status: 'paused' }));
    await until(() => c.unit.state?.status === 'paused');
    await c.gpio.press(spec.keypad.pause!.bcm);
    await until(() => ctl.distinct().length === 4, 5000, 'resume sent');
    expect(ctl.distinct().slice(2).map((x) => x.msg.action)).toEqual(['pause', 'resume']);
  });
});
