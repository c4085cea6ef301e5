// The demo hall end to end with the real controller: 16 counters on simulated
// hardware, a lobby board in headless Chromium, and its voice queue. One
// call-next at window 5 must appear on window 5's LED board (decoded from the
// MAX7219 bytes), on the lobby page, and in the voice queue. The hall is shared;
// each test uses its own windows and services, so they hold in any order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import pino from 'pino';
import type { MqttClient } from 'mqtt';
import type { EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { startController, type Controller } from '../../firmware/controller/service.ts';
import { startCounter } from '../../firmware/counter/role.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { topics } from '../../firmware/protocol/index.ts';
import { startBoard, type BoardHandle } from '../../signage/board/role.ts';
import { SimSpeaker } from '../../signage/voice/speaker.ts';
import { loadBoardSpec } from '../../hw-specs/schema.ts';
import { ARTIFACTS } from '../setup/global.ts';
import { connect, H, HALL, makeContext, staffSession, startBroker, until } from './helpers.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

// Mid-morning in the hall's time zone, running at real speed.
const OFFSET = Date.parse('2026-11-26T10:00:00+08:00') - Date.now();
const clock = { now: () => Date.now() + OFFSET };

let broker: EmbeddedBroker;
let controller: Controller;
let ctlClient: MqttClient;
let kiosk: MqttClient;
let browser: Browser;
const web = new WebApp();
let port = 0;
const counters: Array<Awaited<ReturnType<typeof startCounter>>> = [];
const rigs: Array<{ close(): Promise<void> }> = [];
let board: BoardHandle;
const speaker = new SimSpeaker({ msPerChar: 2 });

async function ticket(service: string, id: string): Promise<string> {
  const reply = new Promise<string>((resolve) => {
    kiosk.on('message', function on(_t, p) {
      const m = JSON.parse(p.toString());
      if (m.id === id) { kiosk.off('message', on); resolve(m.ticket.no); }
    });
  });
  await kiosk.publishAsync(topics.kioskRequest(H, 'k1'), JSON.stringify({ id, service }), { qos: 1 });
  return reply;
}

beforeAll(async () => {
  broker = await startBroker();
  port = await web.listen(0, '127.0.0.1');
  ctlClient = await connect(broker.url, 'controller');
  controller = await startController({ hall: HALL, dbPath: ':memory:', bus: new MqttBus(ctlClient, HALL.hall.id), clock, log: pino({ level: 'silent' }) });
  kiosk = await connect(broker.url, 'kiosk-k1');
  await kiosk.subscribeAsync(topics.kioskReply(H, 'k1'), { qos: 1 });
  for (const w of HALL.windows) {
    const rig = await makeContext(broker, { device: `counter-${w.id}`, role: 'counter', window: w.id }, web);
    rig.ctx.clock = clock;
    rigs.push(rig);
    counters.push(await startCounter(rig.ctx, { retryMs: 1000, timeoutMs: 5000 }));
  }
  const brig = await makeContext(broker, { device: 'lobby-1', role: 'board' }, web);
  rigs.push(brig);
  board = await startBoard(brig.ctx, { speaker, voice: { gapMs: 50, langGapMs: 10 }, spec: { ...loadBoardSpec('board-pi4', 'board'), ledMatrix: undefined } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await board?.stop();
  for (const c of counters) await c.stop();
  await controller?.stop();
  for (const r of rigs) await r.close();
  await kiosk?.endAsync(true);
  await ctlClient?.endAsync(true);
  await web.close();
  await broker?.close();
});

describe('the demo hall with 16 counters and the real controller', () => {
  it('call-next at window 5 shows on its LED board, on the lobby page and in the voice queue (latency: npm run bench -- --only signage)', async () => {
    const c5 = counters[4];
    await until(() => [counters[4], counters[5]].every((c) => c.led!.view().text.trim() === 'CLOSED'), 5000, 'windows 5 and 6 closed at start');
    // Staff open windows 5 and 6 from their pages.
    // (Signing in opens a closed window; this controller has no people file, so any PIN passes.)
    const desks: Record<string, Awaited<ReturnType<typeof staffSession>>> = {};
    for (const [w, staff] of [['5', 's005'], ['6', 's006']]) desks[w] = await staffSession(`http://127.0.0.1:${port}/window/${w}`, staff);
    await until(() => c5.led!.view().text === '       5', 3000, 'window 5 open and idle');
    const no = await ticket('registration', 't-1');
    await ticket('registration', 't-2');

    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`http://127.0.0.1:${port}/board/lobby-1?lang=zh`);
    await page.waitForFunction(() => document.querySelectorAll('#services tr').length === 5, null, { timeout: 5000 });

    // The clerk presses the keypad's call-next key (a bouncing contact).
    await c5.sim!.press(loadBoardSpec('counter-pi-zero', 'counter').keypad['call-next']!.bcm, { bounces: 3, holdMs: 60 });
    await until(() => c5.led!.view().text === `${no}   5`, 10_000, 'window 5 board shows the ticket');
    await page.waitForSelector(`body[data-last-call="${no}"]`, { timeout: 10_000 });
    expect(await page.textContent('#flash .where')).toBe('请到 1楼 5号窗口');
    await page.screenshot({ path: join(ARTIFACTS, 'hall-16-counters-lobby-zh.png') });
    const mine = () => board.voice!.started.filter((c) => c.no === no);
    await until(() => speaker.spoken.some((u) => u.text.endsWith('五号窗口')), 10_000, 'voice');
    expect(speaker.spoken.find((u) => u.text.endsWith('五号窗口'))!.text).toBe(`请${no[0]}零零一号到一楼五号窗口`);
    expect(mine()[0]).toMatchObject({ no, window: '5', recall: false });

    // Recall: spoken again, board unchanged, lobby lists it once.
    expect((await desks['5'].post('/action', { action: 'recall' })).ok).toBe(true);
    await until(() => mine().length === 2, 10_000, 'recall queued');
    expect(mine()[1]).toMatchObject({ no, recall: true });
    expect(board.view().calls.filter((c) => c.no === no)).toHaveLength(1);
    expect(c5.led!.view().text).toBe(`${no}   5`);
    // Other windows' boards did not change.
    expect(counters[5].led!.view().text).toBe('       6');
    await page.close();
  });

  it('the rating pad lights after complete, takes one bouncing press, and the controller accepts it (ok reply after storing)', async () => {
    // Window 11 and a discharge ticket of its own.
    const c11 = counters[10];
    const spec = loadBoardSpec('counter-pi-zero', 'counter');
    const desk = await staffSession(`http://127.0.0.1:${port}/window/11`, 's011');
    const post = (body: object) => desk.post('/action', body);
    const no = await ticket('discharge', 'rate-1');
    expect((await post({ action: 'call', ticket: no })).ok).toBe(true);
    expect((await post({ action: 'start' })).ok).toBe(true);
    expect((await post({ action: 'complete' })).ok).toBe(true);
    await until(() => c11.pad.phase === 'lit', 10_000, 'pad lit');
    const key = spec.ratingPad.keys.find((k) => k.score === 'very-satisfied')!;
    await c11.sim!.press(key.button.bcm, { bounces: 6, holdMs: 80 });
    await until(() => c11.unit.history.some((h) => h.what === 'rating very-satisfied'), 10_000, 'rating reply');
    expect(c11.unit.history.find((h) => h.what === 'rating very-satisfied')!.ok).toBe(true);
    await until(() => c11.pad.phase === 'dark', 10_000, 'pad dark');
    // A second press on a dark pad sends nothing.
    const n = c11.unit.history.length;
    await c11.sim!.press(key.button.bcm, { bounces: 2 });
    await new Promise((r) => setTimeout(r, 100));
    expect(c11.unit.history.length).toBe(n);
  });

  it('the staff page draws the LED board and the lit pad from the simulated hardware; after a low rating the pad asks the citizen why', async () => {
    // Window 13 and an enquiry ticket of its own.
    const c13 = counters[12];
    const no = await ticket('enquiry', 'staff-1');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/window/13`);
    // Staff sign in on the page itself (this opens the closed window).
    await page.fill('#staffId', 's013');
    await page.fill('#pin', '1234');
    await page.click('#loginForm button[type="submit"]');
    await page.waitForSelector('body[data-signed-in="true"]', { timeout: 10_000 });
    await page.click('button[data-a="call-next"]');
    await until(() => c13.led!.view().text.startsWith(no), 10_000, 'called');
    const shown = c13.led!.view().text;
    await page.waitForFunction((t) => document.getElementById('boardText')!.textContent === `"${t}"`, shown, { timeout: 10_000 });
    expect(await page.locator('#board svg').count()).toBe(8);
    await page.click('button[data-a="start"]');
    await page.click('button[data-a="complete"]');
    await page.waitForFunction(() => document.querySelectorAll('.lamp.on').length === 5, null, { timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'staff-page-window-13.png') });
    // The citizen presses "unsatisfied" on the (simulated) pad; the pad asks why, on its
    // display, and staff only see that it does.
    await page.click('.lamp[data-s="unsatisfied"]');
    await page.waitForFunction(() => /choosing a reason/.test(document.getElementById('padPhase')!.textContent ?? ''), null, { timeout: 10_000 });
    expect(await page.locator('button[data-r]').count()).toBe(0);
    // The citizen presses the second button, which stands for the hall's second reason.
    const second = HALL.rating.reasons[1];
    await page.click('.lamp[data-s="satisfied"]');
    await until(() => c13.unit.history.some((h) => h.what === `rating unsatisfied (${second.code})` && h.ok), 10_000, 'rating with the citizen\'s reason');
    await page.close();
  });
});
