import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { join } from 'node:path';
import type { EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { topics } from '../../firmware/protocol/index.ts';
import { startBoard } from '../../signage/board/role.ts';
import { SimSpeaker } from '../../signage/voice/speaker.ts';
import { rowsToColumns } from '../../signage/led/matrix-font.ts';
import { renderColumns16 } from '../../signage/led/font/font16.ts';
import { callLine } from '../../signage/led/scroller.ts';
import { loadBoardSpec } from '../../hw-specs/schema.ts';
import { ARTIFACTS } from '../setup/global.ts';
import { localDay, localToMs } from '../../firmware/lib/time.ts';
import { fakeController, H, HALL, hallState, iso, makeContext, startBroker, until, windowState } from './helpers.ts';

let broker: EmbeddedBroker;
let ctl: Awaited<ReturnType<typeof fakeController>>;
let browser: Browser;

beforeAll(async () => {
  broker = await startBroker();
  ctl = await fakeController(broker.url);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await ctl.close();
  await broker.close();
});

const midday = () => hallState({
  recentCalls: [
    { no: 'B045', window: '7', service: 'payment', at: iso(Date.now() - 20_000) },
    { no: 'A031', window: '2', service: 'registration', at: iso(Date.now() - 40_000) },
    { no: 'C007', window: '11', service: 'discharge', at: iso(Date.now() - 60_000) },
  ],
  advice: [{ service: 'payment', text: { zh: '收费排队较长：2楼15、16号窗口也办理收费，约等4分钟', en: 'Payment queue is long: 2F windows 15 and 16 also take payment, about 4 min' }, windows: ['15', '16'] }],
  windows: HALL.windows.map((w) => ({ id: w.id, name: w.name, floor: w.floor, status: w.id === '4' ? 'paused' as const : 'open' as const, serving: w.id === '7' ? 'B045' : null })),
});

function call(no: string, window: string, recall = false) {
  return JSON.stringify({ no, window, service: 'registration', at: iso(), recall, text: { zh: `请${no}号到${window}号窗口`, en: `${no} to window ${window}` } });
}

describe('lobby board', () => {
  it('a board rebooted mid-day shows the current state and the last calls at once (retained)', async () => {
    await ctl.hallState(midday());
    await ctl.windowState('7', windowState({ serving: { no: 'B045', service: 'payment', calledAt: iso() } }));
    const rig = await makeContext(broker, { device: 'board-reboot', role: 'board' });
    const board = await startBoard(rig.ctx, { speaker: null, spec: { ...loadBoardSpec('board-pi4', 'board'), ledMatrix: undefined } });
    // Retained: shown without any new message (how fast: `npm run bench -- --only signage`).
    await until(() => board.view().calls.length === 3 && board.view().windows.find((w) => w.id === '7')?.serving === 'B045', 10_000, 'retained state');
    const v = board.view();
    expect(v.calls.map((c) => c.no)).toEqual(['B045', 'A031', 'C007']);
    expect(v.services.map((s) => s.waiting)).toEqual([1, 4, 7, 10]);
    expect(v.windows.find((w) => w.id === '4')?.status).toBe('paused');
    expect(v.advice).toHaveLength(1);
    expect(v.stale).toBe(false);
    await board.stop();
    await rig.close();
  });

  it('the page shows a new call, in both languages at 1920×1080, and speaks it (latency: npm run bench -- --only signage)', async () => {
    ctl.beat(200, midday);
    const speaker = new SimSpeaker({ msPerChar: 1 });
    const rig = await makeContext(broker, { device: 'board-lobby', role: 'board' });
    const board = await startBoard(rig.ctx, { speaker, voice: { gapMs: 10, langGapMs: 5 }, spec: { ...loadBoardSpec('board-pi4', 'board'), ledMatrix: undefined } });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`http://127.0.0.1:${rig.port}/?lang=zh`);
    expect(page.url()).toMatch(/\/board\/board-lobby\?lang=zh$/);
    await page.waitForFunction(() => document.querySelectorAll('#services tr').length === 5, null, { timeout: 5000 });

    await ctl.client.publishAsync(topics.call(H), call('A032', '2'), { qos: 1 });
    await page.waitForSelector('body[data-last-call="A032"]', { timeout: 10_000 });
    expect(await page.textContent('#flash .where')).toBe('请到 1楼 2号窗口');
    expect(await page.textContent('#now .no')).toBe('A032');
    await page.screenshot({ path: join(ARTIFACTS, 'lobby-board-zh-call-1920x1080.png') });
    await page.goto(`http://127.0.0.1:${rig.port}/board/board-lobby?lang=zh&flashMs=1`);
    await page.waitForFunction(() => document.querySelectorAll('#recent div').length >= 3, null, { timeout: 5000 });
    expect(await page.textContent('#now .where')).toBe('请到 1楼 2号窗口');
    await page.screenshot({ path: join(ARTIFACTS, 'lobby-board-zh-1920x1080.png') });

    await page.goto(`http://127.0.0.1:${rig.port}/board/board-lobby?lang=en&flashMs=1`);
    await page.waitForFunction(() => document.querySelectorAll('#recent div').length >= 3, null, { timeout: 5000 });
    expect(await page.textContent('#now .where')).toBe('Window 2, 1F');
    expect(await page.textContent('#advice')).toContain('2F windows 15 and 16');
    await page.screenshot({ path: join(ARTIFACTS, 'lobby-board-en-1920x1080.png') });

    await board.voice!.idle();
    expect(speaker.spoken.map((s) => s.text)).toEqual(['请A零三二号到一楼二号窗口', 'Number A, zero, three, two, please go to window 2, 1F.']);
    await page.close();
    ctl.stopBeat();
    await board.stop();
    await rig.close();
  });

  it('marks itself stale when the controller stops publishing', async () => {
    ctl.beat(100, midday);
    const rig = await makeContext(broker, { device: 'board-stale', role: 'board' });
    const board = await startBoard(rig.ctx, { speaker: null, staleAfterMs: 1500, spec: { ...loadBoardSpec('board-pi4', 'board'), ledMatrix: undefined } });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`http://127.0.0.1:${rig.port}/board/board-stale?lang=en`);
    await page.waitForFunction(() => document.querySelectorAll('#services tr').length === 5, null, { timeout: 5000 });
    expect(await page.evaluate(() => document.body.classList.contains('stale'))).toBe(false);
    ctl.stopBeat();
    await page.waitForFunction(() => document.body.classList.contains('stale'), null, { timeout: 6000 });
    expect(await page.textContent('#stale')).toContain('out of date');
    expect(board.view().stale).toBe(true);
    await page.close();
    await board.stop();
    await rig.close();
  });

  it("the page's clock shows the hall's time in the hall's zone, not the browser's (a shifted hall clock, a screen set to New York)", async () => {
    ctl.beat(200, midday);
    const rig = await makeContext(broker, { device: 'board-clock', role: 'board' });
    // The hall's clock reads 08:30:05 in the hall's zone now (a demo's shifted clock does this).
    const tz = HALL.hall.timezone;
    const offset = localToMs(localDay(Date.now(), tz), 8 * 3600 + 30 * 60 + 5, tz) - Date.now();
    rig.ctx.clock = { now: () => Date.now() + offset };
    const board = await startBoard(rig.ctx, { speaker: null, spec: { ...loadBoardSpec('board-pi4', 'board'), ledMatrix: undefined } });
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, timezoneId: 'America/New_York' });
    try {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${rig.port}/board/board-clock?lang=zh`);
      expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('America/New_York');
      await page.waitForFunction(() => /\d\d:\d\d:\d\d/.test(document.getElementById('clock')!.textContent ?? ''), null, { timeout: 10_000 });
      // Minutes only: the test may cross a second, never half an hour.
      expect(await page.textContent('#clock')).toMatch(/^08:3\d:\d\d$/);
    } finally {
      await context.close();
      ctl.stopBeat();
      await board.stop();
      await rig.close();
    }
  });

  it('a floor board shows its floor and points to the other floor; its LED matrix scrolls the newest call', async () => {
    ctl.beat(100, midday);
    const rig = await makeContext(broker, { device: 'board-2f', role: 'board', floor: '2F' });
    const board = await startBoard(rig.ctx, { speaker: null, scrollStepMs: 60_000 });
    await until(() => board.view().services.length > 0, 2000, 'hall state');
    const v = board.view();
    expect(v.windows.every((w) => w.floor === '2F')).toBe(true);
    expect(v.services.map((s) => s.id).sort()).toEqual(['discharge', 'enquiry', 'payment']);
    expect(v.others.map((o) => o.floor)).toEqual(['1F']);
    await ctl.client.publishAsync(topics.call(H), call('D012', '13'), { qos: 1 });
    await until(() => board.view().calls[0]?.no === 'D012', 2000, 'call');
    // The text enters from the right; after one screen width of steps it fills the strip:
    // two rows of modules, the call in Chinese first, in the 16-pixel font.
    for (let i = 0; i < board.scroller!.width; i++) board.scroller!.step();
    const shown = rowsToColumns(board.matrix!.devices.map((_d, i) => board.matrix!.visible(i)), 2);
    const zh = callLine(board.view().calls[0]).zh!;
    expect(zh).toMatch(/^请D012号到.+13号窗口$/);
    expect(shown).toEqual(renderColumns16(zh).slice(0, 64));
    ctl.stopBeat();
    await board.stop();
    await rig.close();
  });
});
