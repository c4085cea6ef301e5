// Markup injected through every field a device, a person or the hall file can set
// (hall, service, floor, window, staff and reason names, help text, the staff id on
// `open`, an appointment code) reaches no page as markup and runs nowhere: every
// page of every role in Chromium, with the CSP header on every response.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import mqtt, { type MqttClient } from 'mqtt';
import { chromium, type Browser } from 'playwright-core';
import { DEMO_HALL_PATH } from '../../firmware/config/hall.ts';
import { startDemoHall, type DemoHall } from '../../firmware/demo/hall.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../kiosk/preview/render.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { DEMO_MANAGER, DEMO_PIN } from '../../firmware/demo/people.ts';

/** Each payload calls __x() if it ever runs; an <img id=pwn…> in the DOM means it was parsed as markup. */
const IMG = '<img id=pwn src=x onerror=__x()>';
const SCRIPT = '</script><script>__x()</script>';
const ATTR = '"><img id=pwn2 src=x onerror=__x()>';

let demo: DemoHall;
let browser: Browser;
let client: MqttClient;
let base: string;
let hallId: string;
let ticket: { day: string; no: string };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'manyi-inject-'));
  const hall = JSON.parse(readFileSync(DEMO_HALL_PATH, 'utf8'));
  hall.hours = [{ open: '00:00', close: '23:59' }];
  hall.hall.name = { zh: IMG, en: SCRIPT };
  hall.hall.help = { zh: ATTR, en: IMG };
  for (const s of hall.services) { delete s.hours; s.name = { zh: `${s.name.zh}${IMG}`.slice(0, 200), en: ATTR }; }
  for (const f of hall.floors) f.name = { zh: SCRIPT, en: ATTR };
  hall.windows[0].name = IMG;
  hall.staff = [{ id: 's-x', name: IMG, badge: ATTR }, ...hall.staff];
  for (const r of hall.rating.reasons) r.name = { zh: IMG, en: SCRIPT };
  const hallFile = join(dir, 'hall.json');
  writeFileSync(hallFile, JSON.stringify(hall));
  hallId = hall.hall.id;
  demo = await startDemoHall({ port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: dir, hallFile, log: pino({ level: 'silent' }) });
  base = `http://127.0.0.1:${demo.httpPort}`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  client = await mqtt.connectAsync(demo.brokerUrl, { protocolVersion: 4, reconnectPeriod: 0 });

  const ask = async (topic: string, reply: string, body: object) => {
    const id = `inj-${Math.random().toString(36).slice(2)}`;
    await client.subscribeAsync(reply, { qos: 1 });
    const got = new Promise<Record<string, unknown>>((res) => client.on('message', (t, p) => { const m = JSON.parse(String(p)); if (t === reply && m.id === id) res(m); }));
    await client.publishAsync(topic, JSON.stringify({ id, ...body }), { qos: 1 });
    return got;
  };
  const w = hall.windows[0].id as string;
  // A person's input over the contract: a staff id of markup on `open` (refused now: staff sign in with a
  // known id and PIN), then the staff member whose name in the hall file is markup; an appointment code of markup.
  const refused = await ask(topics.windowCommand(hallId, w), topics.windowReply(hallId, w), { action: 'open', staff: IMG, pin: DEMO_PIN });
  expect(refused).toMatchObject({ ok: false, error: { code: 'bad-login' } });
  await ask(topics.windowCommand(hallId, w), topics.windowReply(hallId, w), { action: 'open', staff: 's-x', pin: DEMO_PIN });
  const r = await ask(topics.kioskRequest(hallId, 'k1'), topics.kioskReply(hallId, 'k1'), { service: hall.windows[0].own[0], appointment: IMG, priority: 'priority' }) as { ticket?: { no: string; issuedAt: string } };
  const t = await ask(topics.kioskRequest(hallId, 'k1'), topics.kioskReply(hallId, 'k1'), { service: hall.windows[0].own[0] }) as { ticket: { no: string; issuedAt: string } };
  ticket = { day: t.ticket.issuedAt.slice(0, 10), no: t.ticket.no };
  void r;
  await ask(topics.windowCommand(hallId, w), topics.windowReply(hallId, w), { action: 'call-next' });
}, 90_000);

afterAll(async () => {
  await client?.endAsync(true);
  await browser?.close();
  await demo?.stop();
});

/** Signs the page's person in first: the staff member at their window, the manager for /manager. */
async function signInFor(page: import('playwright-core').Page, path: string): Promise<void> {
  if (path.startsWith('/window/')) {
    await page.goto(base + path);
    await page.fill('#staffId', 's-x');
    await page.fill('#pin', DEMO_PIN);
    await page.click('#loginForm button[type="submit"]');
    await page.waitForSelector('body[data-signed-in="true"]', { timeout: 10_000 });
  } else if (path.startsWith('/manager')) {
    await page.goto(`${base}/login`);
    await page.fill('#id', DEMO_MANAGER.id);
    await page.fill('#password', DEMO_MANAGER.password);
    await Promise.all([page.waitForURL(/\/manager/), page.click('button[type="submit"]')]);
  }
}

describe('markup injected through every field', () => {
  it('runs on no page, and is shown as text', async () => {
    const w = demo.hall.windows[0].id;
    const pages = ['/', '/kiosk/k1', `/window/${w}`, `/t/${ticket.day}/${ticket.no}`, '/manager', '/manager?lang=en'];
    for (const path of pages) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.addInitScript(() => { (window as unknown as { __x: () => void }).__x = () => { (window as unknown as { __ran: number }).__ran = 1; }; });
      await signInFor(page, path);
      const res = await page.goto(base + path);
      expect(res?.headers()['content-security-policy'], path).toMatch(/script-src 'self'/);
      // Let the live pages render what their WebSocket sends.
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.waitForFunction(() => document.body.innerText.length > 20, undefined, { timeout: 10_000 });
      const verdict = await page.evaluate(() => ({
        ran: (window as unknown as { __ran?: number }).__ran ?? 0,
        parsed: document.querySelectorAll('#pwn, #pwn2, img[src="x"]').length,
        scripts: Array.from(document.scripts).filter((s) => !s.src).length,
        text: document.body.innerText,
      }));
      expect({ path, ran: verdict.ran, parsed: verdict.parsed, inlineScripts: verdict.scripts }).toEqual({ path, ran: 0, parsed: 0, inlineScripts: 0 });
      await ctx.close();
    }
  }, 120_000);

  it('shows the markup as text where a person would see the field', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await signInFor(page, `/window/${demo.hall.windows[0].id}`);
    await page.goto(`${base}/window/${demo.hall.windows[0].id}`);
    // The staff id from `open` is in the window's status line, as text.
    await page.waitForFunction((img) => document.getElementById('status')?.textContent?.includes(img), IMG, { timeout: 10_000 });
    await page.goto(`${base}/kiosk/k1`);
    await page.waitForFunction((img) => document.body.innerText.includes(img), IMG, { timeout: 10_000 });
    await ctx.close();
  }, 60_000);
});
