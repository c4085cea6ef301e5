// The demo hall end to end with the real controller: 16 counters on simulated
// hardware, a lobby board in headless Chromium, and its voice queue. One
// call-next at window 5 must appear on window 5's LED board (decoded from the
// MAX7219 bytes), on the lobby page, and in the voice queue.
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
import { connect, H, HALL, makeContext, startBroker, until } from './helpers.ts';

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
  controller = await startController({ hall: HALL, dbPath: ':memory:', mqtt: ctlClient, clock, log: pino({ level: 'silent' }) });
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
  it('call-next at window 5 shows on its LED board, on the lobby page and in the voice queue', async () => {
    const c5 = counters[4];
    await until(() => counters.every((c) => c.led!.view().text.trim() === 'CLOSED'), 5000, 'all windows closed at start');
    // Staff open windows 5 and 6 from their pages.
    for (const [w, staff] of [['5', 's005'], ['6', 's006']]) {
      const r = await fetch(`http://127.0.0.1:${port}/window/${w}/action`, { method: 'POST', body: JSON.stringify({ action: 'open', staff }) });
      expect((await r.json()).ok).toBe(true);
    }
    await until(() => c5.led!.view().text === '       5', 3000, 'window 5 open and idle');
    const no = await ticket('registration', 't-1');
    await ticket('registration', 't-2');

    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`http://127.0.0.1:${port}/board/lobby-1?lang=zh`);
    await page.waitForFunction(() => document.querySelectorAll('#services tr').length === 5, null, { timeout: 5000 });

    const sent = Date.now();
    // The clerk presses the keypad's call-next key (a bouncing contact).
    await c5.simGpio!.press(loadBoardSpec('counter-pi-zero', 'counter').keypad['call-next']!.bcm, { bounces: 3, holdMs: 60 });
    await until(() => c5.led!.view().text === `${no}   5`, 2000, 'window 5 board shows the ticket');
    await page.waitForSelector(`body[data-last-call="${no}"]`, { timeout: 2000 });
    const shownAt = await page.evaluate(() => (window as unknown as { __shown: { at: number } }).__shown.at);
    expect(shownAt - sent).toBeLessThan(1000);
    expect(await page.textContent('#flash .where')).toBe('请到 1楼 5号窗口');
    await page.screenshot({ path: join(ARTIFACTS, 'hall-16-counters-lobby-zh.png') });
    await until(() => speaker.spoken.length >= 1, 3000, 'voice');
    expect(speaker.spoken[0].text).toBe(`请${no[0]}零零一号到一楼五号窗口`);
    expect(board.voice!.started[0]).toMatchObject({ no, window: '5', recall: false });

    // Recall: spoken again, board unchanged, lobby lists it once.
    const r = await fetch(`http://127.0.0.1:${port}/window/5/action`, { method: 'POST', body: JSON.stringify({ action: 'recall' }) });
    expect((await r.json()).ok).toBe(true);
    await until(() => board.voice!.started.length === 2, 3000, 'recall queued');
    expect(board.voice!.started[1]).toMatchObject({ no, recall: true });
    expect(board.view().calls.filter((c) => c.no === no)).toHaveLength(1);
    expect(c5.led!.view().text).toBe(`${no}   5`);
    // Other windows' boards did not change.
    expect(counters[5].led!.view().text).toBe('       6');
    await page.close();
  });

  it('the rating pad lights after complete, takes one bouncing press, and the controller accepts it (ok reply after storing)', async () => {
    const c5 = counters[4];
    const spec = loadBoardSpec('counter-pi-zero', 'counter');
    const post = (body: object) => fetch(`http://127.0.0.1:${port}/window/5/action`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
    expect((await post({ action: 'start' })).ok).toBe(true);
    expect((await post({ action: 'complete' })).ok).toBe(true);
    await until(() => c5.pad.phase === 'lit', 3000, 'pad lit');
    const key = spec.ratingPad.keys.find((k) => k.score === 'very-satisfied')!;
    await c5.simGpio!.press(key.button.bcm, { bounces: 6, holdMs: 80 });
    await until(() => c5.unit.history.some((h) => h.what === 'rating very-satisfied'), 3000, 'rating reply');
    expect(c5.unit.history.find((h) => h.what === 'rating very-satisfied')!.ok).toBe(true);
    await until(() => c5.pad.phase === 'dark', 5000, 'pad dark');
    // A second press on a dark pad sends nothing.
    const n = c5.unit.history.length;
    await c5.simGpio!.press(key.button.bcm, { bounces: 2 });
    await new Promise((r) => setTimeout(r, 100));
    expect(c5.unit.history.length).toBe(n);
  });

  it('the staff page draws the LED board and the lit pad from the simulated hardware, and asks the reason for a low rating', async () => {
    const c5 = counters[4];
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/window/5`);
    await page.click('button[data-a="call-next"]');
    await until(() => /^A\d{3}/.test(c5.led!.view().text), 3000, 'called');
    const no = c5.led!.view().text.slice(0, 4);
    await page.waitForFunction((n) => document.getElementById('boardText')!.textContent === `"${n}   5"`, no, { timeout: 3000 });
    expect(await page.locator('#board svg').count()).toBe(8);
    await page.click('button[data-a="start"]');
    await page.click('button[data-a="complete"]');
    await page.waitForFunction(() => document.querySelectorAll('.lamp.on').length === 4, null, { timeout: 3000 });
    await page.screenshot({ path: join(ARTIFACTS, 'staff-page-window-5.png') });
    // The citizen presses "unsatisfied" (the demo's simulated pad); staff pick the reason.
    await page.click('.lamp[data-s="unsatisfied"]');
    await page.waitForSelector('#reason:not([hidden]) button[data-r="slow"]', { timeout: 3000 });
    await page.click('button[data-r="slow"]');
    await until(() => c5.unit.history.some((h) => h.what === 'rating unsatisfied (slow)' && h.ok), 3000, 'rating with reason');
    await page.close();
  });
});
