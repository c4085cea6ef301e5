// `npm run bench -- --only signage [--calls N] [--devices N] [--led-only]`: LED frame
// costs (led-frames.ts), then the delay from a
// counter's `call-next` to the call showing on the window's LED board (decoded
// from the simulated MAX7219), on the lobby page in headless Chromium, and in
// the lobby's voice queue — with the demo hall's 16 counters, the real
// controller and N further simulated devices connected (default 300).
import pino from 'pino';
import { chromium } from 'playwright-core';
import { spawn, type ChildProcess } from 'node:child_process';
import { startController } from '../../firmware/controller/service.ts';
import { startCounter } from '../../firmware/counter/role.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { topics } from '../../firmware/protocol/index.ts';
import { startBoard } from '../../signage/board/role.ts';
import { SimSpeaker } from '../../signage/voice/speaker.ts';
import { loadBoardSpec } from '../../hw-specs/schema.ts';
import { ledFrameCosts } from './led-frames.ts';
import { connect, H, HALL, makeContext, startBroker, until } from '../signage/helpers.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

const now = () => performance.timeOrigin + performance.now();
function arg(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}
function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1] };
}

/** `n` MQTT sessions in a child process; resolves once all are subscribed. */
function startDevices(url: string, n: number): Promise<ChildProcess> {
  const code = `
    import mqtt from 'mqtt';
    const [url, n, hall] = process.argv.slice(1);
    const root = 'manyi/v1/' + hall;
    let ready = 0;
    for (let i = 0; i < Number(n); i++) {
      const c = mqtt.connect(url, { protocolVersion: 4, clientId: 'sim-dev-' + i });
      c.on('connect', () => {
        c.stream.setNoDelay?.(true);
        c.subscribe([root + '/state', root + '/call', root + '/window/+/state'], { qos: 1 }, () => {
          c.publish(root + '/device/sim-dev-' + i + '/status', JSON.stringify({ state: 'online', role: 'board', version: '0.1.0', at: new Date().toISOString() }), { qos: 1, retain: true });
          if (++ready === Number(n)) process.stdout.write('ready\\n');
        });
      });
    }`;
  return new Promise((resolve, reject) => {
    if (n === 0) { resolve(spawn(process.execPath, ['-e', '0'])); return; }
    const p = spawn(process.execPath, ['--input-type=module', '-e', code, url, String(n), H], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(p); });
    p.on('exit', (c) => reject(new Error(`device process exited ${c}`)));
  });
}

export default async function bench(args: string[]): Promise<void> {
  await ledFrameCosts();
  if (args.includes('--led-only')) return;
  const calls = arg(args, '--calls', 100);
  const extra = arg(args, '--devices', 300);
  const offset = Date.parse('2026-11-26T10:00:00+08:00') - Date.now();
  const clock = { now: () => Date.now() + offset };
  const broker = await startBroker();
  const web = new WebApp();
  const port = await web.listen(0, '127.0.0.1');
  const ctlClient = await connect(broker.url, 'controller');
  const controller = await startController({ hall: HALL, dbPath: ':memory:', bus: new MqttBus(ctlClient, HALL.hall.id), clock, log: pino({ level: 'silent' }) });

  // The other devices of a big hall, in their own process as they would be on
  // their own boards: each holds a session and follows the hall like a board does.
  const devices = await startDevices(broker.url, extra);

  const rigs = [];
  const counters = [];
  for (const w of HALL.windows) {
    const rig = await makeContext(broker, { device: `counter-${w.id}`, role: 'counter', window: w.id }, web);
    rig.ctx.clock = clock;
    rigs.push(rig);
    counters.push(await startCounter(rig.ctx));
  }
  const speaker = new SimSpeaker({ msPerChar: 0 });
  const brig = await makeContext(broker, { device: 'lobby-1', role: 'board' }, web);
  const board = await startBoard(brig.ctx, { speaker, voice: { gapMs: 0, langGapMs: 0, maxWaiting: 1000 }, spec: { ...loadBoardSpec('board-pi4', 'board'), ledMatrix: undefined } });

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const shown = new Map<string, number>();
  await page.exposeFunction('__report', (no: string, at: number) => { shown.set(no, at); });
  await page.addInitScript(() => window.addEventListener('manyi-call', (e) => {
    const d = (e as CustomEvent<{ no: string; at: number }>).detail;
    (window as unknown as { __report(n: string, a: number): void }).__report(d.no, d.at);
  }));
  await page.goto(`http://127.0.0.1:${port}/board/lobby-1?flashMs=1`);
  await page.waitForFunction(() => document.querySelectorAll('#services tr').length === 5, null, { timeout: 10_000 });

  // Open every window, and issue enough tickets for every call.
  for (const [i, c] of counters.entries()) await c.unit.act({ action: 'open', staff: HALL.staff[i].id });
  const kiosk = await connect(broker.url, 'kiosk-bench');
  await kiosk.subscribeAsync(topics.kioskReply(H, 'kb'), { qos: 1 });
  let replies = 0;
  kiosk.on('message', () => { replies++; });
  const perService = Math.ceil(calls / HALL.services.length) + 16;
  let k = 0;
  for (const s of HALL.services) for (let i = 0; i < perService; i++) kiosk.publish(topics.kioskRequest(H, 'kb'), JSON.stringify({ id: `b${k++}`, service: s.id }), { qos: 1 });
  await until(() => replies === k, 30_000, 'tickets');

  const led: number[] = [], lobby: number[] = [], voice: number[] = [], reply: number[] = [];
  for (let i = 0; i < calls; i++) {
    const c = counters[i % counters.length];
    if (c.unit.state?.serving) { await c.unit.act({ action: 'start' }); await c.unit.act({ action: 'complete' }); }
    const t0 = now();
    let ledAt = 0;
    const off = c.led!.onChange((v) => { if (!ledAt && /^[A-Z]\d{3}/.test(v.text)) ledAt = now(); });
    const r = await c.unit.act({ action: 'call-next' });
    const tr = now();
    if (!r || !r.ok || !r.ticket) { off(); continue; }
    const no = r.ticket.no;
    await until(() => ledAt && shown.has(no) && board.voice!.started.some((x) => x.no === no), 5000, `call ${no} everywhere`);
    off();
    if (i === 0) continue; // warm-up
    reply.push(tr - t0);
    led.push(ledAt - t0);
    lobby.push(shown.get(no)! - t0);
    voice.push(board.voice!.started.find((x) => x.no === no)!.enqueuedAt - t0);
  }

  console.log(`(${calls - reply.length} call-next answered with nobody waiting, not counted; 1st call is warm-up)`);
  const rows = [['reply to the counter', reply], ['window LED board', led], ['lobby page (Chromium)', lobby], ['voice queue (enqueued)', voice]] as const;
  console.log(`call-next → shown, ${reply.length} calls, 16 counters + ${extra} devices connected (ms)`);
  console.log('| target | n | median | p90 | p99 | max |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, xs] of rows) {
    const s = stats(xs);
    console.log(`| ${name} | ${s.n} | ${s.median.toFixed(1)} | ${s.p90.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.max.toFixed(1)} |`);
  }

  await browser.close();
  await board.stop();
  for (const c of counters) await c.stop();
  await controller.stop();
  for (const r of [...rigs, brig]) await r.close();
  devices.kill();
  await kiosk.endAsync(true);
  await ctlClient.endAsync(true);
  await web.close();
  await broker.close();
}
