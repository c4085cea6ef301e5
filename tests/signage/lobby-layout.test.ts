// The lobby page at the screens halls have (1920×1080 and 1366×768), in both
// languages, on a busy day: the recent calls show as whole rows, nothing spills
// out of its panel or off the screen, no text is cut except names that end in an
// ellipsis, and the advice footer is there only when there is advice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { join } from 'node:path';
import type { EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { startBoard } from '../../signage/board/role.ts';
import { loadBoardSpec } from '../../hw-specs/schema.ts';
import { ARTIFACTS } from '../setup/global.ts';
import { fakeController, HALL, hallState, iso, makeContext, startBroker, until } from './helpers.ts';

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

const WINDOWS = HALL.windows;
const busy = (advice: boolean) => hallState({
  // Six calls, the longest window names and floors first.
  recentCalls: [...WINDOWS].sort((a, b) => b.name.length - a.name.length).slice(0, 6).map((w, i) => ({
    no: `${'ABCD'[i % 4]}${String(100 + i * 37).padStart(3, '0')}`, window: w.id, service: HALL.services[i % HALL.services.length].id, at: iso(Date.now() - i * 20_000),
  })),
  advice: advice ? [{ service: 'payment', text: { zh: '收费排队较长：2楼15、16号窗口也办理收费，约等4分钟', en: 'Payment queue is long: 2F windows 15 and 16 also take payment, about 4 min' }, windows: ['15', '16'] }] : [],
  windows: WINDOWS.map((w) => ({ id: w.id, name: w.name, floor: w.floor, status: w.id === '4' ? 'paused' as const : 'open' as const, serving: `A${w.id.padStart(3, '0')}` })),
});

interface Problem { what: string; where: string }

/** Everything on the page that is outside the screen, out of its panel, or cut without an ellipsis. */
function problems(page: Page): Promise<Problem[]> {
  return page.evaluate(() => {
    const out: Array<{ what: string; where: string }> = [];
    const name = (e: Element) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} "${(e.textContent ?? '').trim().slice(0, 40)}"`;
    const W = innerWidth, H = innerHeight;
    for (const e of Array.from(document.body.querySelectorAll('*'))) {
      const st = getComputedStyle(e);
      if (st.display === 'none' || st.visibility === 'hidden' || e.closest('#flash:not(.on)') || e.closest('#stale') || e.tagName === 'SCRIPT') continue;
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1) out.push({ what: `off the ${W}×${H} screen (${Math.round(r.left)},${Math.round(r.top)})–(${Math.round(r.right)},${Math.round(r.bottom)})`, where: name(e) });
      const panel = e.parentElement?.closest('.panel, header, footer');
      if (panel) {
        const p = panel.getBoundingClientRect();
        if (r.bottom > p.bottom + 1 || r.right > p.right + 1) out.push({ what: `spills out of ${panel.tagName.toLowerCase()}${panel.className ? '.' + panel.className : ''}`, where: name(e) });
      }
      const cut = (e as HTMLElement).scrollWidth > (e as HTMLElement).clientWidth + 1 && st.overflowX !== 'visible';
      if (cut && st.textOverflow !== 'ellipsis' && e.id !== 'recent') out.push({ what: 'text cut without an ellipsis', where: name(e) });
    }
    // A recent call is read in full: its number and its window, never half a row.
    const recent = document.getElementById('recent')!.getBoundingClientRect();
    for (const row of Array.from(document.querySelectorAll('#recent > div'))) {
      const r = row.getBoundingClientRect();
      if (r.bottom > recent.bottom + 1) out.push({ what: 'recent call cut at the bottom', where: name(row) });
      const w = row.lastElementChild as HTMLElement;
      if (w.scrollWidth > w.clientWidth + 1) out.push({ what: 'recent call\'s window cut', where: name(row) });
    }
    return out;
  });
}

describe('lobby page layout', () => {
  it('fits its recent calls and everything else at 1920×1080 and 1366×768 in Chinese and English; the footer only with advice', async () => {
    ctl.beat(200, () => busy(true));
    const rig = await makeContext(broker, { device: 'board-layout', role: 'board' });
    const board = await startBoard(rig.ctx, { speaker: null, spec: { ...loadBoardSpec('board-pi4', 'board'), ledMatrix: undefined } });
    await until(() => board.view().calls.length === 6, 10_000, 'six calls');
    try {
      for (const [w, h] of [[1920, 1080], [1366, 768]] as const) {
        for (const lang of ['zh', 'en'] as const) {
          const page = await browser.newPage({ viewport: { width: w, height: h } });
          await page.goto(`http://127.0.0.1:${rig.port}/board/board-layout?lang=${lang}`);
          await page.waitForFunction(() => document.querySelectorAll('#recent > div').length > 0 && document.querySelectorAll('#services tr').length > 1, null, { timeout: 10_000 });
          await page.evaluate(() => document.fonts.ready);
          const found = await problems(page);
          expect(found, `${w}×${h} ${lang}`).toEqual([]);
          const rows = await page.locator('#recent > div').count();
          expect(rows, `${w}×${h} ${lang}: recent calls shown`).toBeGreaterThanOrEqual(4);
          expect(await page.locator('footer').isVisible()).toBe(true);
          expect((await page.textContent('#advice'))!.length).toBeGreaterThan(10);
          await page.screenshot({ path: join(ARTIFACTS, `lobby-${lang}-${w}x${h}.png`) });
          await page.close();
        }
      }
      // The controller's advice goes away: so does the footer, label and all.
      ctl.stopBeat();
      ctl.beat(200, () => busy(false));
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(`http://127.0.0.1:${rig.port}/board/board-layout?lang=en`);
      await page.waitForFunction(() => document.querySelectorAll('#recent > div').length > 0, null, { timeout: 10_000 });
      await until(() => board.view().advice.length === 0, 5000, 'no advice');
      await page.waitForFunction(() => getComputedStyle(document.querySelector('footer')!).display === 'none', null, { timeout: 5000 });
      expect(await page.isVisible('#adviceLabel')).toBe(false);
      expect(await problems(page)).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'lobby-en-1366x768-no-advice.png') });
      await page.close();
    } finally {
      ctl.stopBeat();
      await board.stop();
      await rig.close();
    }
  }, 90_000);
});
