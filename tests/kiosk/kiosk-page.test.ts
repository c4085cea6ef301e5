// The kiosk end to end: headless Chromium pulls tickets on the touch page in each
// language; the printer (a mock serial port answering DLE EOT like an Epson) goes
// through paper-low, paper-out, cover-open and offline, each shown on the page and
// in health; with paper out the ticket is shown on screen with a QR code that
// opens its status page; appointment check-in gives a priority ticket; a bouncing
// GPIO button issues one ticket. Screenshots are kept in tests/artifacts/kiosk/.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MockBinding } from '@serialport/binding-mock';
import { ARTIFACTS } from '../setup/global.ts';
import { createKioskRole, type KioskHandle } from '../../kiosk/role.ts';
import { serialLink, type SerialBinding } from '../../kiosk/printer/links.ts';
import { LinkPrinter } from '../../kiosk/printer/link-printer.ts';
import { EpsonSerialTwin } from '../../kiosk/printer/sim.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../kiosk/preview/render.ts';
import { decodeEscPos, docLines, docQrCodes } from '../../kiosk/preview/decode.ts';
import { SimGpioChip } from '../../firmware/hw/gpio-sim.ts';
import { localToMs } from '../../firmware/lib/time.ts';
import type { KioskSpec } from '../../hw-specs/schema.ts';
import { kioskHarness, until, type KioskHarness } from './helpers.ts';
import { readQrPng } from './qr.ts';

const SHOTS = `${ARTIFACTS}kiosk/`;
mkdirSync(SHOTS, { recursive: true });

let h: KioskHarness, kiosk: KioskHandle, twin!: EpsonSerialTwin, browser: Browser, page: Page, gpio: SimGpioChip;

const spec: KioskSpec = {
  type: 'kiosk', name: 'kiosk-test', description: 'test kiosk', computer: 'Pi 4', wiring: 'kiosk.md',
  bom: [{ part: 'x', qty: 1 }],
  printer: { model: 'Epson TM-T82III', paperMm: 80, connection: { type: 'serial', path: '/dev/ttyMOCK', baudRate: 19200 }, qr: 'native' },
  buttons: [{ bcm: 5, service: 'registration', activeLow: true, debounceMs: 20 }],
  statusLeds: { ok: { bcm: 20, activeLow: false }, fault: { bcm: 21, activeLow: false }, paper: { bcm: 16, activeLow: false } },
};

beforeAll(async () => {
  h = await kioskHarness();
  const path = `/dev/ttyKIOSKPAGE${process.pid}`;
  MockBinding.createPort(path, { echo: false, record: false });
  const binding = { ...MockBinding, async open(o: Parameters<typeof MockBinding.open>[0]) { const p = await MockBinding.open(o); twin = new EpsonSerialTwin(p); return p; } };
  const printer = new LinkPrinter(await serialLink(path, 19200, binding as unknown as SerialBinding), { statusTimeoutMs: 150 });
  gpio = new SimGpioChip();
  kiosk = await createKioskRole({ printer, gpio, spec, previews: false, statusPollMs: 100, issuer: { replyTimeoutMs: 500 } })(h.ctx);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1080, height: 1920 }, deviceScaleFactor: 0.5 });
  await page.goto(`http://127.0.0.1:${h.webPort}/kiosk/k1`);
  await page.waitForSelector('body[data-ready="1"]');
});

afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
  await h?.close();
  MockBinding.reset();
});

/** The ticket numbers in what the printer received. */
const printedNumbers = () => twin.printed.flatMap((b) => docLines(decodeEscPos(b)).filter((l) => /^[A-Z]\d{3}$/.test(l)));

describe('kiosk touch page', () => {
  it('pulls a ticket by clicking, in Chinese', async () => {
    await page.click('button.svc[data-service="registration"]');
    await page.waitForSelector('#ticket.show');
    const no = await page.textContent('#ticket-no');
    expect(no).toMatch(/^A\d{3}$/);
    expect(await page.textContent('#ticket-status')).toBe('请取走您的号票');
    expect(await page.textContent('#ticket-service')).toBe('挂号');
    await until(() => printedNumbers().includes(no!), 3000, 'print');
    await page.screenshot({ path: `${SHOTS}kiosk-zh-ticket.png` });
    await page.click('#ticket-close');
  });

  it('pulls a ticket by clicking, in English', async () => {
    await page.click('#lang-en');
    expect(await page.textContent('#pick')).toBe('Choose a service');
    await page.click('button.svc[data-service="payment"]');
    await page.waitForSelector('#ticket.show');
    const no = await page.textContent('#ticket-no');
    expect(no).toMatch(/^B\d{3}$/);
    expect(await page.textContent('#ticket-status')).toBe('Please take your ticket');
    expect(await page.textContent('#ticket-info')).toMatch(/ahead of you/);
    await until(() => printedNumbers().includes(no!), 3000, 'print');
    const bytes = twin.printed.find((b) => docLines(decodeEscPos(b)).includes(no!))!;
    expect(docLines(decodeEscPos(bytes))).toContain('Payment'); // printed in the language chosen
    await page.screenshot({ path: `${SHOTS}kiosk-en-ticket.png` });
    await page.click('#ticket-close');
  });

  it('shows each printer fault on the page and in health', async () => {
    for (const s of ['paper-low', 'paper-out', 'cover-open', 'offline', 'ok'] as const) {
      if (s === 'offline') twin.powered = false;
      else { twin.powered = true; twin.state = s; }
      await until(() => h.health.printer === s, 3000, `health ${s}`);
      await page.waitForSelector(`#printer[data-state="${s}"]`, { state: 'attached' });
      // The box's lamps: green while tickets print, red when they cannot, amber for paper.
      const canPrint = s === 'ok' || s === 'paper-low';
      expect([gpio.level(20), gpio.level(21), gpio.level(16)]).toEqual([canPrint ? 1 : 0, canPrint ? 0 : 1, s === 'paper-low' || s === 'paper-out' ? 1 : 0]);
      if (s !== 'ok') {
        expect(await page.isVisible('#printer')).toBe(true);
        await page.screenshot({ path: `${SHOTS}kiosk-printer-${s}.png` });
      } else expect(await page.isVisible('#printer')).toBe(false);
    }
    expect(h.healthChanges.map((c) => c.printer)).toEqual(expect.arrayContaining(['ok', 'paper-low', 'paper-out', 'cover-open', 'offline']));
  });

  it('with paper out, shows the ticket on screen with its QR code and where to get help', async () => {
    twin.state = 'paper-out';
    await until(() => h.health.printer === 'paper-out', 3000, 'paper-out');
    const before = twin.printed.length;
    await page.click('#lang-zh');
    await page.click('button.svc[data-service="discharge"]');
    await page.waitForSelector('#ticket.show[data-printed="false"]');
    const no = await page.textContent('#ticket-no');
    expect(await page.textContent('#ticket-help')).toBe(h.hall.hall.help!.zh);
    const qr = readQrPng(await page.locator('#ticket-qr svg').screenshot());
    expect(qr).toBe(`https://queue.demo-hospital.example/t/2026-11-26/${no}`);
    expect(twin.printed.length).toBe(before);
    expect(h.controller.filed.some((f) => f.no === no)).toBe(true); // the ticket stays valid
    await page.screenshot({ path: `${SHOTS}kiosk-zh-paper-out.png` });
    await page.click('#ticket-close');
    twin.state = 'ok';
    await until(() => h.health.printer === 'ok', 3000, 'ok again');
  });

  it('checks in an appointment code for a priority ticket', async () => {
    await page.fill('#appt-code', 'APT-2026-0042');
    await page.selectOption('#appt-service', 'payment');
    await page.click('#appt-go');
    await page.waitForSelector('#ticket.show');
    const req = h.controller.log.at(-1)!;
    expect(req).toMatchObject({ op: 'ticket', service: 'payment', priority: 'priority', appointment: 'APT-2026-0042', lang: 'zh' });
    await page.click('#ticket-close');
  });

  it('shows closed services as closed with their hours', async () => {
    h.clock.set(localToMs('2026-11-26', 12 * 3600 + 30 * 60, h.hall.hall.timezone)); // insurance enquiries close 12:00–13:30
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    const btn = page.locator('button.svc[data-service="enquiry"]');
    expect(await btn.isDisabled()).toBe(true);
    expect(await btn.textContent()).toContain('08:00–12:00, 13:30–17:00');
    expect(await page.locator('button.svc[data-service="registration"]').isDisabled()).toBe(false);
    const r = await kiosk.pull({ service: 'enquiry' });
    expect(r.ok ? 'issued' : r.code).toBe('service-closed');
    await page.screenshot({ path: `${SHOTS}kiosk-zh-closed.png` });
  });

  it('a bouncing, held GPIO button issues one ticket', async () => {
    const before = h.controller.filed.length;
    await gpio.press(5, { bounces: 5, bounceMs: 2, holdMs: 150 });
    await until(() => h.controller.filed.length > before, 3000, 'button ticket');
    await new Promise((r) => setTimeout(r, 200)); // any second ticket would be on its way by now
    expect(h.controller.filed.length).toBe(before + 1);
    const no = h.controller.filed.at(-1)!.no;
    await until(() => printedNumbers().includes(no), 3000, 'button print');
    const bytes = twin.printed.find((b) => docLines(decodeEscPos(b)).includes(no))!;
    expect(docQrCodes(decodeEscPos(bytes))[0]).toMatch(new RegExp(`/t/\\d{4}-\\d{2}-\\d{2}/${no}$`));
  });

  it('its GPIO buttons print in the language last chosen on the screen (the hall\'s until then)', async () => {
    const menu = async () => (await (await fetch(`http://127.0.0.1:${h.webPort}/kiosk/k1/api/menu`)).json()) as { lang: string };
    const langIs = async (want: string) => {
      for (const end = Date.now() + 3000; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if ((await menu()).lang === want) return;
      throw new Error(`the kiosk's language did not become ${want}`);
    };
    const pressAndRead = async () => {
      const before = h.controller.filed.length;
      await gpio.press(5, { bounces: 2, holdMs: 80 });
      await until(() => h.controller.filed.length > before, 3000, 'button ticket');
      const no = h.controller.filed.at(-1)!.no;
      await until(() => printedNumbers().includes(no), 3000, 'button print');
      return docLines(decodeEscPos(twin.printed.find((b) => docLines(decodeEscPos(b)).includes(no))!));
    };
    await page.click('#lang-en');
    await langIs('en');
    const en = await pressAndRead();
    expect(en).toContain('Registration');
    expect(en.some((l) => /(people|person) ahead/.test(l))).toBe(true);
    expect(en.indexOf('Registration')).toBeLessThan(en.indexOf('挂号'));
    await page.click('#lang-zh');
    await langIs('zh');
    const zh = await pressAndRead();
    expect(zh.some((l) => l.startsWith('前面还有'))).toBe(true);
    expect(zh.indexOf('挂号')).toBeLessThan(zh.indexOf('Registration'));
    // A bad language is refused and changes nothing.
    const bad = await fetch(`http://127.0.0.1:${h.webPort}/kiosk/k1/api/lang`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lang: 'fr' }) });
    expect(bad.status).toBe(400);
    expect((await menu()).lang).toBe('zh');
  });
});
