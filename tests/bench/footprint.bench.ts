// Footprint of the compiled app as boards run it (`npm run build`, each role in its
// own process with manyi.service's node flags), beside a plain `node` measured in
// the same run:
//  - `manyi --version`: wall time and peak RSS (aim ≤ 0.3 s);
//  - a kiosk, a counter and a lobby board after an hour of demo traffic, compressed:
//    an hour's tickets pulled at the kiosk's touch page (1,400: the demo's 23 a
//    minute), the counter serving through its staff page and rating pad, the other
//    15 windows calling, so the board follows every call (aim ≤ 60 MB RSS);
//  - the controller after a 5,000-ticket day, all of it over MQTT (aim ≤ 150 MB).
//   npm run bench -- --only footprint [--tickets N] [--day N]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { compile } from '../../firmware/build/compile.ts';
import { DEMO_HALL_PATH } from '../../firmware/config/hall.ts';
import { ROLE_NODE_FLAGS } from '../../firmware/maint/boot.ts';
import type { Role } from '../../firmware/protocol/messages.ts';
import { freePort } from '../setup/free-port.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
/** Node's flags per role, as manyi.service runs them (MANYI_BENCH_FLAGS overrides them to compare). */
const flagsOf = (role: Role) => process.env.MANYI_BENCH_FLAGS?.split(' ') ?? ROLE_NODE_FLAGS[role];
const H = 'demo-hospital';
const T = `manyi/v1/${H}`;

const arg = (args: string[], name: string, def: number) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A plain node process, idle, sampled like the boards: the floor every figure sits on. */
async function baselineRSS(): Promise<number> {
  const p = spawn(process.execPath, ['-e', "setInterval(() => {}, 1000); console.log('up')"], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => p.stdout!.once('data', r)); // started (on a busy machine a fixed wait can sample it half-loaded)
  await sleep(500);
  const r = rssMB(p.pid!);
  p.kill();
  return r;
}

/** Wall time (median of n) and peak RSS of a short command. */
function timed(argv: string[], n = 9): { s: number; peakMB: number } {
  const peak = "data:text/javascript,process.on('exit',()=>process.stderr.write('PEAK '+process.resourceUsage().maxRSS+'\\n'))";
  const times: number[] = []; let peakMB = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--import', peak, ...argv], { encoding: 'utf8' });
    times.push((performance.now() - t) / 1000);
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    peakMB = Math.max(peakMB, Number(/PEAK (\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024);
  }
  return { s: median(times), peakMB };
}

function start(role: Role, manyi: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const p = spawn(process.execPath, [...flagsOf(role), manyi, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  p.stderr!.on('data', (d: Buffer) => { if (/"level":(50|60)/.test(d.toString())) process.stderr.write(d); });
  return p;
}

async function startController(manyi: string, hallFile: string, db: string): Promise<{ p: ChildProcess; url: string }> {
  const p = start('controller', manyi, ['controller', '--hall', hallFile, '--db', db, '--port', '0', '--ws-port', '0', '--host', '127.0.0.1', '--open-broker']);
  const ready = await new Promise<{ mqtt: string }>((resolve, reject) => {
    let out = '';
    p.stdout!.on('data', (d: Buffer) => { out += d; const l = out.split('\n').find((x) => x.includes('"ready"')); if (l) resolve(JSON.parse(l)); });
    p.once('exit', (c) => reject(new Error(`controller exited ${c}`)));
  });
  return { p, url: ready.mqtt };
}

/** Request/reply over MQTT with a few in flight (the way kiosks and counters use the controller). */
class Client {
  private n = 0;
  private waiting = new Map<string, (v: { ok: boolean; ticket?: { no: string } }) => void>();
  constructor(readonly c: MqttClient) {
    c.on('message', (_t, p) => { const m = JSON.parse(p.toString()); const w = this.waiting.get(m.id); if (w) { this.waiting.delete(m.id); w(m); } });
  }
  static async open(url: string): Promise<Client> {
    const c = await mqtt.connectAsync(url, { protocolVersion: 4, writeCache: false });
    (c.stream as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    await c.subscribeAsync([`${T}/kiosk/+/reply`, `${T}/window/+/reply`], { qos: 1 });
    return new Client(c);
  }
  ask(topic: string, body: Record<string, unknown>): Promise<{ ok: boolean; ticket?: { no: string } }> {
    const id = `fp-${process.pid}-${++this.n}`;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      setTimeout(() => { if (this.waiting.delete(id)) resolve({ ok: false }); }, 10_000).unref();
      this.c.publish(topic, JSON.stringify({ id, ...body }), { qos: 1 });
    });
  }
}

/** The staff page's session (cookie + CSRF token), once signed in; the kiosk page needs none. */
const staffAuth = { cookie: '', csrf: '' };
async function post(url: string, body: unknown): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (url.includes('/window/')) Object.assign(headers, { cookie: staffAuth.cookie, 'x-csrf-token': staffAuth.csrf });
  const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  for (const c of r.headers.getSetCookie()) staffAuth.cookie = c.split(';')[0];
  const j = await r.json().catch(() => null) as { csrf?: string } | null;
  if (j?.csrf) staffAuth.csrf = j.csrf;
  return j;
}

/** Signs in at a window's staff page (this bench's controller has no people file: any PIN opens it). */
async function signIn(counterUrl: string, staff: string): Promise<void> {
  const r = await fetch(`${counterUrl}/session`);
  for (const c of r.headers.getSetCookie()) staffAuth.cookie = c.split(';')[0];
  staffAuth.csrf = ((await r.json()) as { csrf: string }).csrf;
  await post(`${counterUrl}/sign-in`, { staff, pin: '1234' });
}

export default async function bench(args: string[]): Promise<void> {
  const tickets = arg(args, '--tickets', 1400);
  const dayTickets = arg(args, '--day', 5000);
  const dir = mkdtempSync(join(tmpdir(), 'manyi-footprint-'));
  const built = await compile({ outDir: join(dir, 'dist') });
  symlinkSync(join(ROOT, 'node_modules'), join(built.outDir, 'node_modules'));
  const manyi = join(built.outDir, 'firmware/bin/manyi.mjs');
  const hall = JSON.parse(readFileSync(DEMO_HALL_PATH, 'utf8'));
  hall.hours = [{ open: '00:00', close: '23:59' }]; // open around the clock, so the bench runs at any hour
  for (const s of hall.services) delete s.hours;
  const hallFile = join(dir, 'hall.json');
  writeFileSync(hallFile, JSON.stringify(hall));
  const children: ChildProcess[] = [];
  try {
    // Start-up.
    const base = await baselineRSS();
    const nodeE = timed(['-e', '1']);
    const version = timed([manyi, '--version']);
    console.log(`compiled ${built.modules} modules into ${(built.bytes / 1048576).toFixed(1)} MB of JavaScript in ${Math.round(built.ms)} ms`);
    console.log('\n| start-up | wall s (median of 9) | peak RSS MB |');
    console.log('|---|---|---|');
    console.log(`| node -e 1 (baseline) | ${nodeE.s.toFixed(3)} | ${nodeE.peakMB.toFixed(1)} |`);
    console.log(`| manyi --version (aim ≤ 0.3 s) | ${version.s.toFixed(3)} | ${version.peakMB.toFixed(1)} |`);

    // Boards after an hour of demo traffic.
    const ctl = await startController(manyi, hallFile, join(dir, 'hour.db'));
    children.push(ctl.p);
    const ports = { kiosk: await freePort(), counter: await freePort(), board: await freePort() };
    const cfgs = {
      kiosk: { device: 'kiosk-1', role: 'kiosk', kiosk: 'k1', spec: 'kiosk-pi4', httpPort: ports.kiosk },
      counter: { device: 'counter-1', role: 'counter', window: '1', httpPort: ports.counter },
      board: { device: 'lobby', role: 'board', httpPort: ports.board },
    };
    const watch = await Client.open(ctl.url);
    const online = new Set<string>();
    watch.c.on('message', (t, p) => { if (t.endsWith('/status') && JSON.parse(p.toString()).state === 'online') online.add(t.split('/')[4]); });
    await watch.c.subscribeAsync(`${T}/device/+/status`, { qos: 1 });
    const boards: Record<string, ChildProcess> = {};
    for (const [role, c] of Object.entries(cfgs)) {
      const file = join(dir, `${role}.json`);
      writeFileSync(file, JSON.stringify({ ...c, hall: H, broker: { url: ctl.url }, simulated: true, dataDir: join(dir, role) }));
      boards[role] = start(role as Role, manyi, ['run', '--config', file, '--hall', hallFile, '--no-updates', '--log-level', 'warn'],
        // A kiosk's printer is real: the simulated one's PNG previews (headless Chromium) are the demo's.
        role === 'kiosk' ? { MANYI_PRINT_PREVIEW: '0' } : {});
      children.push(boards[role]);
    }
    for (let i = 0; i < 300 && online.size < 3; i++) await sleep(100);
    if (online.size < 3) throw new Error(`boards not online: ${[...online].join(', ')}`);
    await sleep(2000); // the kiosk reserves its offline block, the board draws its first page
    const atStart = Object.fromEntries(Object.entries(boards).map(([r, p]) => [r, rssMB(p.pid!)]));

    const started = performance.now();
    const kioskUrl = `http://127.0.0.1:${ports.kiosk}/kiosk/k1/api/ticket`;
    const counterUrl = `http://127.0.0.1:${ports.counter}/window/1`;
    const services = hall.services.map((s: { id: string }) => s.id);
    let pulled = 0; let served = 0; let calls = 0;
    const kioskLoop = (async () => {
      for (let i = 0; i < tickets; i++) {
        const r = await post(kioskUrl, { service: services[i % services.length], lang: i % 5 ? 'zh' : 'en' }) as { ok?: boolean } | null;
        if (r?.ok) pulled++;
      }
    })();
    let running = true;
    const counterLoop = (async () => {
      await signIn(counterUrl, 's001'); // opens the window
      while (running) {
        const r = await post(`${counterUrl}/action`, { action: 'call-next' }) as { ok?: boolean; ticket?: unknown } | null;
        if (!r?.ok || !r.ticket) { await sleep(50); continue; }
        await post(`${counterUrl}/action`, { action: 'start' });
        const done = await post(`${counterUrl}/action`, { action: 'complete' }) as { ok?: boolean } | null;
        if (done?.ok) { served++; await post(`${counterUrl}/sim/pad`, { score: 'satisfied' }); }
      }
    })();
    const windowLoops = hall.windows.filter((w: { id: string }) => w.id !== '1').map(async (w: { id: string }) => {
      await watch.ask(`${T}/window/${w.id}/command`, { action: 'open', staff: 's002' });
      while (running) {
        const r = await watch.ask(`${T}/window/${w.id}/command`, { action: 'call-next' });
        if (!r.ok || !r.ticket) { await sleep(200); continue; }
        calls++;
        await watch.ask(`${T}/window/${w.id}/command`, { action: 'start' });
        await watch.ask(`${T}/window/${w.id}/command`, { action: 'complete' });
        await sleep(100);
      }
    });
    await kioskLoop;
    // Until the queues drain, then a moment for the boards to settle.
    for (let i = 0; i < 600; i++) { await sleep(100); if (served + calls >= pulled) break; }
    running = false;
    await Promise.all([counterLoop, ...windowLoops]);
    await sleep(3000);
    const hourS = (performance.now() - started) / 1000;
    console.log(`\nAn hour of demo traffic in ${hourS.toFixed(0)} s: ${pulled} tickets printed at the kiosk, ${served} served and rated at counter 1, ${calls} calls at the 15 other windows.`);
    console.log(`| process (node ${flagsOf('counter').join(' ')}) | RSS at start MB | RSS after the hour MB | over plain node MB |`);
    console.log('|---|---|---|---|');
    console.log(`| plain node, idle (baseline) | ${base.toFixed(1)} | | |`);
    for (const [role, p] of Object.entries(boards)) {
      const after = rssMB(p.pid!);
      console.log(`| ${role} (aim ≤ 60 MB) | ${atStart[role].toFixed(1)} | ${after.toFixed(1)} | ${(after - base).toFixed(1)} |`);
    }
    for (const p of Object.values(boards)) p.kill('SIGTERM');
    ctl.p.kill('SIGTERM');
    await watch.c.endAsync();
    await sleep(500);

    // The controller through a 5,000-ticket day.
    if (dayTickets === 0) return;
    const day = await startController(manyi, hallFile, join(dir, 'day.db'));
    children.push(day.p);
    await sleep(1000);
    const idle = rssMB(day.p.pid!);
    const cl = await Client.open(day.url);
    const dayStart = performance.now();
    let issued = 0;
    const issue = (async () => {
      const inflight: Array<Promise<unknown>> = [];
      for (let i = 0; i < dayTickets; i++) {
        inflight.push(cl.ask(`${T}/kiosk/k${i % 4}/request`, { service: services[i % services.length] }).then((r) => { if (r.ok) issued++; }));
        if (inflight.length >= 20) await Promise.all(inflight.splice(0));
      }
      await Promise.all(inflight);
    })();
    let dayCalls = 0; let issuing = true;
    void issue.then(() => { issuing = false; });
    await Promise.all(hall.windows.map(async (w: { id: string }) => {
      await cl.ask(`${T}/window/${w.id}/command`, { action: 'open', staff: 's001' });
      for (;;) {
        const r = await cl.ask(`${T}/window/${w.id}/command`, { action: 'call-next' });
        if (!r.ok || !r.ticket) { if (!issuing && dayCalls >= issued) break; await sleep(20); continue; }
        dayCalls++;
        await cl.ask(`${T}/window/${w.id}/command`, { action: 'start' });
        await cl.ask(`${T}/window/${w.id}/command`, { action: 'complete' });
        await cl.ask(`${T}/window/${w.id}/rating`, { ticket: r.ticket.no, score: 'satisfied' });
      }
    }));
    await issue;
    await sleep(2000);
    const after = rssMB(day.p.pid!);
    console.log(`\nThe controller (compiled, embedded broker) through a day of ${issued} tickets, ${dayCalls} served and rated, over MQTT, in ${((performance.now() - dayStart) / 1000).toFixed(0)} s:`);
    console.log(`| process (node ${flagsOf('controller').join(' ')}) | RSS MB | over plain node MB |`);
    console.log('|---|---|---|');
    console.log(`| plain node, idle (baseline) | ${base.toFixed(1)} | |`);
    console.log(`| controller before the day | ${idle.toFixed(1)} | ${(idle - base).toFixed(1)} |`);
    console.log(`| controller after the day (aim ≤ 150 MB) | ${after.toFixed(1)} | ${(after - base).toFixed(1)} |`);
    await cl.c.endAsync();
  } finally {
    for (const p of children) if (p.exitCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
