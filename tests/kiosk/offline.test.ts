// The kiosk cut from the broker for a simulated half hour of arrivals keeps issuing
// from its reserved blocks; restored, it hands every offline ticket over, and the
// controller holds every ticket once, in issue order, with no number reused.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKioskRole, type KioskHandle } from '../../kiosk/role.ts';
import { SimPrinter } from '../../kiosk/printer/sim.ts';
import { OfflineStore } from '../../kiosk/offline/store.ts';
import { decodeEscPos, docLines } from '../../kiosk/preview/decode.ts';
import { kioskHarness, until, type KioskHarness } from './helpers.ts';
import { topics } from '../../firmware/protocol/index.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

// A reply later than replyTimeoutMs ends a handover run until the next sync (on
// reconnect, a ticket, or the 30 s tick): 1 s leaves room for a busy machine, and
// costs one second where the test wants the controller silent.
async function start(): Promise<{ h: KioskHarness; kiosk: KioskHandle; printer: SimPrinter }> {
  const h = await kioskHarness();
  const printer = new SimPrinter({ dir: mkdtempSync(join(tmpdir(), 'manyi-print-')) });
  const kiosk = await createKioskRole({ printer, previews: false, statusPollMs: 200, issuer: { replyTimeoutMs: 1000, lowWater: 10, blockSize: 30 } })(h.ctx);
  cleanups.push(async () => { await kiosk.stop(); await h.close(); });
  return { h, kiosk, printer };
}

describe('offline number blocks', () => {
  it('issues through a half-hour outage and hands every ticket over in order', async () => {
    const { h, kiosk, printer } = await start();
    const day = kiosk.issuer.day();
    const services = h.hall.services.map((s) => s.id);
    await until(() => services.every((s) => kiosk.store.available(day, s) >= 10), 5000, 'blocks reserved');

    const issued: Array<{ no: string; offline: boolean }> = [];
    const pull = async (service: string) => {
      const r = await kiosk.pull({ service, lang: 'zh' });
      if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
      expect(r.printed).toBe(true);
      issued.push({ no: r.ticket.no, offline: r.offline });
      h.clock.advance(30_000); // an arrival every 30 s
    };
    for (let i = 0; i < 4; i++) await pull(services[i % 4]);

    // A controller that hears but does not answer: the kiosk waits a moment, then issues offline.
    h.controller.silent = true;
    await pull('registration');
    h.controller.silent = false;

    // The network goes: 60 arrivals (half an hour) with the broker unreachable.
    h.proxy.cut();
    await until(() => !h.ctx.bus.connected, 3000, 'disconnect');
    const before = h.controller.filed.length;
    for (let i = 0; i < 60; i++) await pull(services[[0, 0, 1, 1, 1, 2, 3][i % 7]]);
    expect(issued.filter((t) => t.offline)).toHaveLength(61);
    expect(h.controller.filed.length).toBe(before); // nothing reached the controller

    h.proxy.restore();
    await until(() => kiosk.store.pending().length === 0, 20_000, 'handover');
    for (let i = 0; i < 4; i++) await pull(services[i % 4]);
    expect(issued.slice(-4).every((t) => !t.offline)).toBe(true);

    // Every ticket printed is filed once, in issue order; no number was ever handed out twice.
    const printedNos = printer.jobs.map((j) => docLines(decodeEscPos(j.bytes)).find((l) => /^[A-Z]\d{3}$/.test(l)));
    expect(printedNos).toEqual(issued.map((t) => t.no));
    expect(new Set(printedNos).size).toBe(printedNos.length);
    expect(h.controller.filed.map((f) => f.no)).toEqual(issued.map((t) => t.no));
    expect(new Set(h.controller.handedOut).size).toBe(h.controller.handedOut.length);
    // Blocks were topped up after the outage.
    await until(() => services.every((s) => kiosk.store.available(day, s) >= 10), 5000, 'refill');
  });

  it('says so when the controller is gone and the block is used up', async () => {
    const { h, kiosk } = await start();
    const day = kiosk.issuer.day();
    await until(() => kiosk.store.available(day, 'discharge') >= 10, 5000, 'blocks reserved');
    h.proxy.cut();
    await until(() => !h.ctx.bus.connected, 3000, 'disconnect');
    const n = kiosk.store.available(day, 'discharge');
    for (let i = 0; i < n; i++) expect((await kiosk.pull({ service: 'discharge' })).ok).toBe(true);
    const r = await kiosk.pull({ service: 'discharge' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('offline-no-numbers');
  });
});

describe('handover retries', () => {
  it('keeps an offline ticket the controller failed to store, and hands it over first next time', async () => {
    const { h, kiosk } = await start();
    const day = kiosk.issuer.day();
    await until(() => kiosk.store.available(day, 'payment') >= 10, 5000, 'blocks reserved');
    h.proxy.cut();
    await until(() => !h.ctx.bus.connected, 3000, 'disconnect');
    const off: string[] = [];
    for (let i = 0; i < 2; i++) { const r = await kiosk.pull({ service: 'payment' }); if (r.ok) off.push(r.ticket.no); h.clock.advance(60_000); }
    h.controller.failHandovers = 1;
    h.proxy.restore();
    await until(() => h.ctx.bus.connected, 5000, 'reconnect');
    await until(() => h.controller.log.some((r) => r.op === 'handover'), 5000, 'a handover attempt');
    await until(() => h.controller.failHandovers === 0, 5000, 'the failure');
    const r = await kiosk.pull({ service: 'payment' }); // any still pending go first, then it asks online
    expect(r.ok && !r.offline).toBe(true);
    expect(kiosk.store.pending()).toEqual([]);
    expect(h.controller.filed.map((f) => f.no)).toEqual([...off, r.ok ? r.ticket.no : '']);
    // The first ticket was offered twice: the failed attempt and the retry that filed it.
    expect(h.controller.log.filter((q) => q.op === 'handover' && q.offline.no === off[0])).toHaveLength(2);
  });
});

describe('OfflineStore on disk', () => {
  it('survives a restart without reusing a number, and keeps pending tickets in order', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'manyi-store-')), 'offline.jsonl');
    const a = new OfflineStore(file);
    a.addBlock({ service: 'payment', day: '2026-11-26', numbers: ['B010', 'B011', 'B012'] });
    const t1 = a.take({ service: 'payment', day: '2026-11-26', issuedAt: '2026-11-26T09:00:00.000+08:00' });
    const t2 = a.take({ service: 'payment', day: '2026-11-26', issuedAt: '2026-11-26T09:01:00.000+08:00' });
    a.markHanded('2026-11-26', t1!.no);
    a.close();
    const b = new OfflineStore(file);
    expect(b.pending().map((t) => t.no)).toEqual([t2!.no]);
    expect(b.available('2026-11-26', 'payment')).toBe(1);
    // The same block offered again (a retried reserve) cannot bring used numbers back.
    b.addBlock({ service: 'payment', day: '2026-11-26', numbers: ['B010', 'B011', 'B012'] });
    expect(b.take({ service: 'payment', day: '2026-11-26', issuedAt: '2026-11-26T09:02:00.000+08:00' })!.no).toBe('B012');
    expect(b.take({ service: 'payment', day: '2026-11-26', issuedAt: '2026-11-26T09:03:00.000+08:00' })).toBeNull();
    // Another day's block is not used today.
    b.addBlock({ service: 'payment', day: '2026-11-27', numbers: ['B001'] });
    expect(b.available('2026-11-26', 'payment')).toBe(0);
    b.close();
  });
});

describe('advice on the ticket', () => {
  it('prints the hall\'s current advice for the service when the reply has none', async () => {
    const { h, kiosk, printer } = await start();
    const text = { zh: '收费排队较长：2楼12–14号窗口也可办理，约4分钟', en: 'Payment is busy: 2F windows 12–14 also take it, about 4 min' };
    const state = {
      at: '2026-11-26T09:00:00.000+08:00',
      services: h.hall.services.map((s) => ({ id: s.id, name: s.name, waiting: 23, estWaitS: 1080, longestWaitS: 900 })),
      windows: [], advice: [{ service: 'payment', text, windows: ['12', '13', '14'] }],
    };
    await h.controller.mqtt.publishAsync(topics.hallState(h.hall.hall.id), JSON.stringify(state), { qos: 1, retain: true });
    // The kiosk has the retained state once its menu shows the queue figures.
    const waitingShown = async () => {
      const m = await (await fetch(`http://127.0.0.1:${h.webPort}/kiosk/k1/api/menu`)).json() as { services: Array<{ id: string; waiting: number | null }> };
      return m.services.find((x) => x.id === 'payment')?.waiting === 23;
    };
    for (let i = 0; i < 200 && !(await waitingShown()); i++) await new Promise((res) => setTimeout(res, 10));
    const r = await kiosk.pull({ service: 'payment', lang: 'en' });
    expect(r.ok && r.ticket.advice).toEqual(text);
    const last = docLines(decodeEscPos(printer.jobs.at(-1)!.bytes)).join(' ');
    expect(last).toContain('Payment is busy: 2F windows 12–14 also take');
    const reg = await kiosk.pull({ service: 'registration', lang: 'en' });
    expect(reg.ok && reg.ticket.advice).toBeFalsy();
  });
});

describe('kiosk page API at the edge', () => {
  it('refuses bad input with a clear message and issues nothing', async () => {
    const { h } = await start();
    const url = `http://127.0.0.1:${h.webPort}/kiosk/k1/api/ticket`;
    const post = async (body: string) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: r.status, body: await r.json() as { ok: boolean; code?: string; message?: string } };
    };
    const tickets = () => h.controller.log.filter((r) => r.op === 'ticket').length;
    const before = tickets();
    expect(await post('{not json')).toMatchObject({ status: 400, body: { ok: false, code: 'bad-request' } });
    const bad = await post(JSON.stringify({ service: 'registration', lang: 'fr' }));
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/lang/);
    expect((await post(JSON.stringify({ service: 'registration', appointment: '<script>' }))).body.message).toMatch(/appointment/);
    expect((await post(JSON.stringify({ service: 'registration', extra: 1 }))).status).toBe(400);
    expect(await post(JSON.stringify({ service: 'x-ray' }))).toMatchObject({ status: 200, body: { ok: false, code: 'unknown-service' } });
    expect(tickets()).toBe(before);
    expect((await fetch(`http://127.0.0.1:${h.webPort}/kiosk/other`)).status).toBe(404);
  });
});
