// `npm start`'s hall (`manyi demo --traffic`, its default hospital day) from a
// visitor's side: the lobby page answers as soon as the demo says `ready`, the
// kiosks print tickets into MANYI_PRINT_DIR without anyone touching a page, and
// within five minutes of the morning peak the lobby page shows queues and advice.
// --start-at 08:00 makes the hall's clock the morning peak at any hour of the day.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from '../setup/global.ts';
import { startDemo, type DemoProcess } from './demo-process.ts';

const printDir = mkdtempSync(join(tmpdir(), 'manyi-printed-'));
let demo: DemoProcess;
let browser: Browser | undefined;
let lobbyAtReady: number;
let startedAt: number;

beforeAll(async () => {
  demo = await startDemo(['--traffic', '--start-at', '08:00'], { MANYI_PRINT_DIR: printDir, MANYI_PRINT_PREVIEW: '0' });
  startedAt = Date.now();
  // The very first request after `ready`: the lobby must already be there.
  lobbyAtReady = (await fetch(`http://127.0.0.1:${demo.http}/`, { redirect: 'follow' })).status;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await demo?.stop('SIGKILL');
});

describe("npm start's demo hall", () => {
  it('prints tickets at the kiosks on its own, and the lobby page shows the queues and advice of the morning peak within five minutes', async () => {
    expect(lobbyAtReady).toBe(200);
    expect(demo.stdout()).toMatch(/hall clock\s+shifted to \d{4}-\d\d-\d\dT08:00/);
    expect(demo.stdout()).toMatch(/traffic\s+simulated citizens \(a hospital's day/);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`http://127.0.0.1:${demo.http}/?lang=zh`);
    // Five demo minutes from `ready` (the hall clock runs in real time from 08:00).
    const deadline = startedAt + 300_000;
    // Queues: some service with five or more waiting, on the page itself.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#services tr')).some((tr) => Number(tr.querySelectorAll('td')[1]?.textContent) >= 5),
      null, { timeout: Math.max(1, deadline - Date.now()), polling: 1000 });
    // Advice: the controller's, in the footer (shown only when there is some).
    await page.waitForFunction(() => (document.getElementById('advice')?.textContent ?? '').trim().length > 0 && !document.body.classList.contains('no-advice'),
      null, { timeout: Math.max(1, deadline - Date.now()), polling: 1000 });
    expect(await page.textContent('#advice')).toMatch(/等候|waiting/);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-lobby-morning-queues.png') });
    const rows = await page.$$eval('#services tr', (trs) => trs.slice(1).map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)));
    expect(rows.length).toBe(4);
    // Calls on the board too: the clerks are working.
    expect(await page.textContent('#now .no')).toMatch(/^[A-Z]\d{3}$/);
    // Nobody touched a page: the kiosks printed every ticket from their buttons and touch pages.
    const printed = readdirSync(printDir).filter((f) => /^k[12]-\d{4}-[A-Z]\d{3}\.bin$/.test(f));
    expect(printed.length).toBeGreaterThanOrEqual(5);
  }, 360_000);
});
