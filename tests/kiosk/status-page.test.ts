// The page behind the QR code on a phone: position and wait, then live to "called,
// go to 2F window 12" without a reload; unknown and malformed tickets are refused.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import WebSocket from 'ws';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { mountTicketStatusPage, type TicketStatus } from '../../firmware/controller/status-page/status-page.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../kiosk/preview/render.ts';
import { ARTIFACTS } from '../setup/global.ts';

const SHOTS = `${ARTIFACTS}kiosk/`;
mkdirSync(SHOTS, { recursive: true });
const hall = loadHallConfig();
const tickets = new Map<string, TicketStatus>();
const listeners = new Set<() => void>();
const source = {
  status: (day: string, no: string) => tickets.get(`${day}/${no}`) ?? null,
  onChange: (l: () => void) => { listeners.add(l); return () => listeners.delete(l); },
};
const change = (key: string, s: TicketStatus) => { tickets.set(key, s); for (const l of listeners) l(); };

let web: WebApp, port: number, browser: Browser;
beforeAll(async () => {
  web = new WebApp();
  mountTicketStatusPage(web, source, hall);
  port = await web.listen(0, '127.0.0.1');
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
afterAll(async () => { await browser?.close(); await web?.close(); });

describe('ticket status page', () => {
  it('shows position and wait, then the call, live, in the phone\'s language', async () => {
    change('2026-11-26/B023', { no: 'B023', service: 'payment', state: 'waiting', ahead: 3, estWaitS: 250 });
    for (const locale of ['zh-CN', 'en-US']) {
      const ctx = await browser.newContext({ locale, viewport: { width: 390, height: 844 } });
      const page = await ctx.newPage();
      await page.goto(`http://127.0.0.1:${port}/t/2026-11-26/B023`);
      await page.waitForSelector('body[data-state="waiting"]');
      expect(await page.textContent('#figures')).toBe(locale === 'zh-CN' ? '前面还有 3 人 · 预计等候约 4 分钟' : '3 ahead of you · About 4 min wait');
      expect(await page.textContent('#service')).toBe(locale === 'zh-CN' ? '收费' : 'Payment');
      change('2026-11-26/B023', { no: 'B023', service: 'payment', state: 'called', ahead: 0, estWaitS: 0, window: '12', windowName: '12', floor: '2F' });
      await page.waitForSelector('body[data-state="called"]');
      expect(await page.textContent('#state')).toBe(locale === 'zh-CN' ? '请到2楼 12号窗口办理' : 'Go to 2F window 12');
      await page.screenshot({ path: `${SHOTS}status-${locale}.png` });
      change('2026-11-26/B023', { no: 'B023', service: 'payment', state: 'waiting', ahead: 3, estWaitS: 250 });
      await ctx.close();
    }
  });

  it('says when a ticket is unknown, and refuses malformed addresses', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/t/2026-11-26/A999/json`);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ found: false, no: 'A999' });
    expect((await fetch(`http://127.0.0.1:${port}/t/yesterday/A001`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/t/2026-11-26/%3Cscript%3E`)).status).toBe(404);
  });

  it('pushes only changes to the live socket', async () => {
    change('2026-11-26/A001', { no: 'A001', service: 'registration', state: 'waiting', ahead: 1, estWaitS: 30 });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/t/2026-11-26/A001/live`);
    const got: Array<{ state: string; ahead: number }> = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    const until = async (n: number) => { for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10)); };
    await until(1);
    for (const l of listeners) l(); // a change elsewhere in the hall: nothing new for A001
    change('2026-11-26/A001', { no: 'A001', service: 'registration', state: 'waiting', ahead: 0, estWaitS: 0 });
    await until(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(got.map((g) => g.ahead)).toEqual([1, 0]);
    ws.close();
  });
});
