// Staff sign in at their window with their id and PIN, checked by the real
// controller against the people file (the demo hall's): a window's page then acts
// only for the signed-in staff member of that window; wrong PINs are throttled; a
// closed window ends the session. The kiosk's touch page answers its own screen only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import mqtt from 'mqtt';
import { topics } from '../../firmware/protocol/topics.ts';
import { startDemoHall, type DemoHall } from '../../firmware/demo/hall.ts';
import { DEMO_PIN } from '../../firmware/demo/people.ts';
import { staffSession } from '../signage/helpers.ts';

let demo: DemoHall;
let base: string;

beforeAll(async () => {
  demo = await startDemoHall({ port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: mkdtempSync(join(tmpdir(), 'manyi-staff-login-')), log: pino({ level: 'silent' }) });
  base = `http://127.0.0.1:${demo.httpPort}`;
}, 60_000);
afterAll(async () => { await demo?.stop(); });


describe('staff sign-in at the window', () => {
  it('refuses a wrong PIN and opens the window with the right one', async () => {
    await expect(staffSession(`${base}/window/1`, 's001', '0000')).rejects.toThrow(/wrong staff id or PIN/);
    await expect(staffSession(`${base}/window/1`, 'nobody', DEMO_PIN)).rejects.toThrow(/wrong staff id or PIN/);
    const s001 = await staffSession(`${base}/window/1`, 's001', DEMO_PIN);
    const view = await s001.get('/view') as { state: { status: string; staff?: { id: string } } | null };
    expect(view.state?.status ?? 'open').toBe('open');
    expect((await s001.post('/action', { action: 'call-next' })).ok).toBe(true);
  });

  it("acts only for the window's own signed-in staff member", async () => {
    // Someone else cannot sign in at a window open for s001 …
    await expect(staffSession(`${base}/window/1`, 's002', DEMO_PIN)).rejects.toThrow(/open for s001/);
    // … a session of window 1 is nothing at window 2 …
    const s001 = await staffSession(`${base}/window/1`, 's001', DEMO_PIN);
    const r = await fetch(`${base}/window/2/action`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: s001.cookie }, body: JSON.stringify({ action: 'pause' }) });
    expect(r.status).toBe(401);
    // … and a stranger gets nothing: no action, no view, no live socket.
    expect((await fetch(`${base}/window/1/action`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'pause' }) })).status).toBe(401);
    expect((await fetch(`${base}/window/1/view`)).status).toBe(401);
    const ws = new WebSocket(`ws://127.0.0.1:${demo.httpPort}/window/1/ws`);
    const code = await new Promise<number>((res) => ws.on('close', (c) => res(c)));
    expect(code).toBe(1008);
  });

  it('throttles wrong PINs: after five, even the right one waits', async () => {
    // Straight to the controller over MQTT (what the page sends), waiting for each reply.
    const c = await mqtt.connectAsync(demo.brokerUrl, { protocolVersion: 4, reconnectPeriod: 0 });
    const H = demo.hall.hall.id;
    await c.subscribeAsync(topics.windowReply(H, '3'), { qos: 1 });
    const ask = async (id: string, pin: string) => {
      const got = new Promise<{ ok: boolean; error?: { code: string; message: string } }>((res) => c.on('message', (_t, p) => { const m = JSON.parse(String(p)); if (m.id === id) res(m); }));
      await c.publishAsync(topics.windowCommand(H, '3'), JSON.stringify({ id, action: 'open', staff: 's003', pin }), { qos: 1 });
      return got;
    };
    for (let i = 0; i < 5; i++) expect(await ask(`wrong-${i}`, `99${i}9`)).toMatchObject({ ok: false, error: { code: 'bad-login', message: 'wrong staff id or PIN' } });
    // The same request again (a retry) is not another guess: same answer.
    expect((await ask('wrong-4', '9949')).error?.message).toBe('wrong staff id or PIN');
    expect((await ask('right', DEMO_PIN)).error?.message).toMatch(/too many failed sign-ins/);
    await c.endAsync(true);
  });

  it('closing the window ends the session there', async () => {
    const s = await staffSession(`${base}/window/4`, 's004', DEMO_PIN);
    expect((await s.post('/action', { action: 'close' })).ok).toBe(true);
    expect((await s.postRaw('/action', { action: 'pause' })).status).toBe(401);
  });
});

describe("the kiosk's touch page", () => {
  it('answers only on the kiosk itself (loopback), and only to its own pages', async () => {
    const kiosk = demo.web.mounted().filter((r) => r.pattern.startsWith('/kiosk/'));
    expect(kiosk.length).toBeGreaterThan(4);
    expect(kiosk.filter((r) => !r.loopbackOnly)).toEqual([]);
    // The ticket page behind the QR code is for phones on the LAN.
    expect(demo.web.mounted().filter((r) => r.pattern.startsWith('/t/')).every((r) => !r.loopbackOnly)).toBe(true);
    const other = await fetch(`${base}/kiosk/k1/api/ticket`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: JSON.stringify({ service: 'registration' }) });
    expect(other.status).toBe(403);
    const form = await fetch(`${base}/kiosk/k1/api/ticket`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ service: 'registration' }) });
    expect(form.status).toBe(415);
  });
});
