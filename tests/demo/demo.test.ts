// The demo hall from the outside: a client that knows only the MQTT contract pulls
// a ticket, calls it at a window, completes and rates it; the lobby page shows the
// call (how fast: `npm run bench -- --only signage`); Ctrl-C stops the hall with exit code 0.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HallState, KioskReply, WindowReply, WindowState } from '../../firmware/protocol/messages.ts';
import { ARTIFACTS } from '../setup/global.ts';
import { startDemo, type DemoProcess } from './demo-process.ts';
import { DEMO_PIN } from '../../firmware/demo/people.ts';

const H = 'manyi/v1/demo-hospital';
const RUN = Date.now().toString(36);
const hasMosquitto = spawnSync('sh', ['-c', 'command -v mosquitto_pub && command -v mosquitto_sub']).status === 0;

let demo: DemoProcess;
let client: MqttClient;
let browser: Browser | undefined;
const seen: Array<{ topic: string; msg: Record<string, unknown>; retained: boolean }> = [];

/** The first message on `topic` after index `from` that satisfies `pred`. */
function next(topic: string, pred: (m: Record<string, unknown>) => boolean = () => true, timeoutMs = 5_000, from = 0): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const hit = seen.slice(from).find((s) => s.topic === topic && pred(s.msg));
      if (hit) { client.off('message', check); clearTimeout(t); resolve(hit.msg); }
    };
    const t = setTimeout(() => { client.off('message', check); reject(new Error(`nothing matching on ${topic} in ${timeoutMs} ms`)); }, timeoutMs);
    client.on('message', check);
    check();
  });
}

async function ask(topic: string, replyTopic: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const id = `${RUN}-${Math.random().toString(36).slice(2, 10)}`;
  const from = seen.length;
  await client.publishAsync(topic, JSON.stringify({ id, ...body }), { qos: 1 });
  return next(replyTopic, (m) => m.id === id, 5_000, from);
}

beforeAll(async () => {
  demo = await startDemo();
  client = await mqtt.connectAsync(`mqtt://127.0.0.1:${demo.mqtt}`, { protocolVersion: 4, reconnectPeriod: 0 });
  client.on('message', (topic, payload, packet) => {
    try { seen.push({ topic, msg: JSON.parse(payload.toString()) as Record<string, unknown>, retained: packet.retain }); } catch { /* not JSON: not ours */ }
  });
  await client.subscribeAsync(`${H}/#`, { qos: 1 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await client?.endAsync(true);
  await demo?.stop('SIGKILL');
});

describe('the demo hall', () => {
  it('starts every role and says where to look', () => {
    const out = demo.stdout();
    expect(out).toContain(`http://localhost:${demo.http}/`);
    expect(out).toContain(`mosquitto_sub -h localhost -p ${demo.mqtt} -t 'manyi/#' -v`);
    expect(out).toMatch(/devices\s+20 running: 1 controller, 2 kiosk, 16 counter, 1 board/);
    expect(out).not.toContain('MISSING');
  });

  it('an outside client pulls a ticket, calls, completes and rates it by the contract; the lobby shows the call', async () => {
    const opened = WindowReply.parse(await ask(`${H}/window/1/command`, `${H}/window/1/reply`, { action: 'open', staff: 's001', pin: DEMO_PIN }));
    expect(opened.ok).toBe(true);
    expect(WindowState.parse(await next(`${H}/window/1/state`, (m) => m.status === 'open'))).toMatchObject({ status: 'open' });

    const reply = KioskReply.parse(await ask(`${H}/kiosk/k1/request`, `${H}/kiosk/k1/reply`, { service: 'registration' }));
    if (!reply.ok || !reply.ticket) throw new Error(`no ticket: ${JSON.stringify(reply)}`);
    const no = reply.ticket.no;
    expect(no).toMatch(/^A\d{3}$/);
    expect(reply.ticket.windows).toContain('1');
    // Every page the demo prints is there: the ticket's own status page among them.
    const base = `http://127.0.0.1:${demo.http}`;
    for (const path of ['/', '/kiosk/k1', '/kiosk/k2', '/window/1', '/window/16', `/t/${reply.ticket.day}/${no}`, '/manager']) {
      const res = await fetch(base + path);
      expect(`${path} ${res.status}`).toBe(`${path} 200`);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    }
    const state = HallState.parse(await next(`${H}/state`, (m) => (m as { services?: Array<{ id: string; waiting: number }> }).services?.some((s) => s.id === 'registration' && s.waiting >= 1) ?? false));
    expect(state.services.find((s) => s.id === 'registration')!.waiting).toBeGreaterThanOrEqual(1);

    // The lobby page, open before the call.
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'], // playwright gives it a fresh user-data-dir
    });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`http://127.0.0.1:${demo.http}/`);
    await page.waitForLoadState('networkidle');
    expect(await page.locator('body').innerText()).not.toContain(no);

    // By number: another test's tickets may be waiting too (window 1 also takes payment).
    const called = WindowReply.parse(await ask(`${H}/window/1/command`, `${H}/window/1/reply`, { action: 'call', ticket: no }));
    expect(called).toMatchObject({ ok: true, ticket: { no, service: 'registration' } });
    // How fast it shows is measured by `npm run bench -- --only signage`, not asserted on a busy machine.
    await page.waitForFunction((n) => document.body.innerText.includes(n), no, { timeout: 10_000 });
    await page.screenshot({ path: `${ARTIFACTS}demo-lobby-call.png` });
    expect(await next(`${H}/call`, (m) => m.no === no)).toMatchObject({ window: '1', recall: false });
    expect(await next(`${H}/window/1/state`, (m) => (m.serving as { no?: string } | null)?.no === no)).toMatchObject({ status: 'open' });

    expect(WindowReply.parse(await ask(`${H}/window/1/command`, `${H}/window/1/reply`, { action: 'start' })).ok).toBe(true);
    expect(WindowReply.parse(await ask(`${H}/window/1/command`, `${H}/window/1/reply`, { action: 'complete' })).ok).toBe(true);
    await next(`${H}/window/1/state`, (m) => m.rating === 'waiting');
    const rated = WindowReply.parse(await ask(`${H}/window/1/rating`, `${H}/window/1/reply`, { ticket: no, score: 'very-satisfied' }));
    expect(rated.ok).toBe(true);
    await next(`${H}/window/1/state`, (m) => m.rating === 'idle' && m.serving === null);
    // Rated once: a second press for the same ticket is refused.
    const again = WindowReply.parse(await ask(`${H}/window/1/rating`, `${H}/window/1/reply`, { ticket: no, score: 'unsatisfied' }));
    expect(again.ok).toBe(false);
  });

  it('mosquitto_pub and mosquitto_sub pull a ticket and read the retained window state', async () => {
    // Fails, not skips, without the clients: the README tells people to use them.
    expect(hasMosquitto, 'mosquitto-clients must be installed (apt-get install mosquitto-clients)').toBe(true);
    // -d: mosquitto_sub says when the broker has acknowledged its subscription (SUBACK);
    // stdbuf: line by line, not when its pipe buffer fills.
    const sub = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-d', '-h', '127.0.0.1', '-p', String(demo.mqtt), '-t', `${H}/kiosk/k2/reply`, '-C', '1', '-W', '20']);
    let out = '';
    const subscribed = new Promise<void>((resolve, reject) => {
      sub.stdout.on('data', (d: Buffer) => { out += d.toString(); if (/received SUBACK/.test(out)) resolve(); });
      sub.once('close', (code) => reject(new Error(`mosquitto_sub exited (${code}) before it subscribed:\n${out}`)));
    });
    const done = new Promise<number | null>((resolve) => sub.once('close', resolve));
    await subscribed;
    execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(demo.mqtt), '-q', '1', '-t', `${H}/kiosk/k2/request`, '-m', JSON.stringify({ id: `${RUN}-pub`, service: 'payment' })]);
    expect(await done).toBe(0);
    const reply = KioskReply.parse(JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!));
    expect(reply).toMatchObject({ id: `${RUN}-pub`, ok: true, ticket: { service: 'payment' } });
    // This test opens its own window (2), then reads its retained state as a newcomer would.
    const from = seen.length;
    execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(demo.mqtt), '-q', '1', '-t', `${H}/window/2/command`, '-m', JSON.stringify({ id: `${RUN}-open2`, action: 'open', staff: 's002', pin: DEMO_PIN })]);
    await next(`${H}/window/2/state`, (m) => m.status === 'open', 10_000, from);
    const state = execFileSync('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(demo.mqtt), '-t', `${H}/window/2/state`, '-C', '1', '-W', '5'], { encoding: 'utf8' });
    expect(WindowState.parse(JSON.parse(state))).toMatchObject({ status: 'open', staff: { id: 's002' } });
  });

});

describe('stopping the demo hall', () => {
  it('Ctrl-C stops the hall: devices say offline, exit code 0', async () => {
    // Its own hall: stopping the shared one would break whichever test ran after.
    const own = await startDemo();
    const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${own.mqtt}`, { protocolVersion: 4, reconnectPeriod: 0 });
    try {
      const offline = new Promise<void>((resolve) => {
        watcher.on('message', (topic, payload) => {
          if (topic === `${H}/device/counter-16/status` && JSON.parse(payload.toString()).state === 'offline') resolve();
        });
      });
      await watcher.subscribeAsync(`${H}/device/counter-16/status`, { qos: 1 });
      const code = await own.stop('SIGINT');
      expect(code).toBe(0);
      await offline; // bounded by the test's timeout
      expect(own.stdout()).toContain('manyi demo: stopped');
    } finally {
      await watcher.endAsync(true);
      await own.stop('SIGKILL');
    }
  }, 90_000);
});
