// Messaging: ticket request → reply and call-next → window state through the
// controller, on the embedded aedes broker and on Mosquitto, next to each broker's
// plain QoS 1 request/echo round trip (the floor); and the controller's RSS after
// a simulated day of 5,000 tickets. Aims: p99 < 5 ms, RSS < 150 MB.
//   npm run bench -- --only messaging [--n 400]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { parseHallConfig, DEMO_HALL_PATH, type HallConfig } from '../../firmware/config/hall.ts';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { startController } from '../../firmware/controller/service.ts';
import { SqliteStore } from '../../firmware/eventlog/sqlite-store.ts';
import { systemClock } from '../../firmware/lib/time.ts';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { localToMs } from '../../firmware/lib/time.ts';
import { startMosquitto } from '../setup/mosquitto.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

/** The demo hall, open around the clock so the bench runs at any hour. */
function allDayHall(): HallConfig {
  const j = JSON.parse(readFileSync(DEMO_HALL_PATH, 'utf8'));
  j.hours = [{ open: '00:00', close: '23:59' }];
  for (const s of j.services) delete s.hours;
  return parseHallConfig(j);
}

async function connect(url: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
  (c.stream as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
  return c;
}

/** Sends `n` messages one after another; each waits for its answer. Returns latencies in ms. */
async function timed(n: number, send: (i: number) => void, on: (fn: (i: number) => void) => void): Promise<number[]> {
  const out: number[] = [];
  let resolve: (() => void) | null = null;
  let expect = -1;
  on((i) => { if (i === expect && resolve) { const r = resolve; resolve = null; r(); } });
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    expect = i;
    const p = new Promise<void>((r) => { resolve = r; });
    send(i);
    await p;
    out.push(performance.now() - t);
  }
  return out;
}

function stats(xs: number[]): { median: number; p99: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * s.length))]!;
  return { median: q(0.5), p99: q(0.99) };
}

interface Row { broker: string; what: string; n: number; median: number; p99: number }

async function measure(broker: string, url: string, hall: HallConfig, n: number, sync: 'FULL' | 'NORMAL', rows: Row[]): Promise<void> {
  const H = hall.hall.id;
  // floor: QoS 1 request → echo → reply through the broker
  const echo = await connect(url);
  await echo.subscribeAsync('bench/ping', { qos: 1 });
  echo.on('message', (_t, p) => echo.publish('bench/pong', p, { qos: 1 }));
  const cli = await connect(url);
  await cli.subscribeAsync('bench/pong', { qos: 1 });
  const listeners: Array<(t: string, p: Buffer) => void> = [];
  cli.on('message', (t, p) => { for (const l of listeners) l(t, p); });
  const floor = await timed(n, (i) => cli.publish('bench/ping', String(i), { qos: 1 }),
    (fn) => listeners.push((t, p) => { if (t === 'bench/pong') fn(Number(p.toString())); }));
  if (sync === 'FULL') rows.push({ broker, what: 'QoS 1 request/echo (floor)', n, ...stats(floor) });
  await echo.endAsync();

  const dir = mkdtempSync(join(tmpdir(), 'manyi-bench-'));
  const store = new SqliteStore(join(dir, 'c.db'), { clock: systemClock, synchronous: sync });
  const ctlClient = await connect(url);
  const ctl = await startController({ hall, dbPath: '', store, bus: new MqttBus(ctlClient, hall.hall.id), log: pino({ level: 'silent' }) });
  await cli.subscribeAsync([`manyi/v1/${H}/kiosk/+/reply`, `manyi/v1/${H}/window/1/state`, `manyi/v1/${H}/window/1/reply`], { qos: 1 });
  const tickets = await timed(n, (i) => cli.publish(topics.kioskRequest(H, 'k1'), JSON.stringify({ id: `${sync}-${i}`, service: 'registration' }), { qos: 1 }),
    (fn) => listeners.push((t, p) => { if (t.endsWith('/kiosk/k1/reply')) fn(Number(JSON.parse(p.toString()).id.split('-')[1])); }));
  rows.push({ broker, what: `ticket request → reply (sync ${sync})`, n, ...stats(tickets) });

  if (sync === 'FULL') {
    // call-next → retained window state showing the ticket; then no-show frees the window (not timed)
    ctl.engine.window('1', { id: 'open', action: 'open' });
    let state: (() => void) | null = null;
    let reply: (() => void) | null = null;
    listeners.push((t, p) => {
      if (t.endsWith('/window/1/state') && JSON.parse(p.toString()).serving && state) { const s = state; state = null; s(); }
      if (t.endsWith('/window/1/reply') && reply) { const r = reply; reply = null; r(); }
    });
    const calls: number[] = [];
    for (let i = 0; i < Math.min(n, 300); i++) {
      const t0 = performance.now();
      const got = new Promise<void>((r) => { state = r; });
      cli.publish(topics.windowCommand(H, '1'), JSON.stringify({ id: `c${i}`, action: 'call-next' }), { qos: 1 });
      await got;
      calls.push(performance.now() - t0);
      const freed = new Promise<void>((r) => { reply = r; });
      cli.publish(topics.windowCommand(H, '1'), JSON.stringify({ id: `n${i}`, action: 'no-show' }), { qos: 1 });
      await freed;
    }
    rows.push({ broker, what: 'call-next → window state', n: calls.length, ...stats(calls) });
  }
  await ctl.stop();
  store.close();
  await ctlClient.endAsync();
  await cli.endAsync();
  rmSync(dir, { recursive: true, force: true });
}

/** In a child process: the controller (engine, SQLite, broker, MQTT service) through a day of 5,000 tickets. */
async function dayChild(): Promise<void> {
  const hall = allDayHall();
  const dir = mkdtempSync(join(tmpdir(), 'manyi-bench-day-'));
  const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const client = await connect(broker.url);
  const store = new SqliteStore(join(dir, 'c.db'), { clock: systemClock, synchronous: 'NORMAL' }); // the day's speed, not fsync, is measured here
  const ctl = await startController({ hall, dbPath: '', store, bus: new MqttBus(client, hall.hall.id), log: pino({ level: 'silent' }) });
  const e: HallEngine = ctl.engine;
  (globalThis as { gc?: () => void }).gc?.();
  const idleMB = process.memoryUsage().rss / 1048576;
  const day = '2026-11-26';
  const t0 = localToMs(day, 7.5 * 3600, hall.hall.timezone);
  for (const w of hall.windows) e.window(w.id, { id: `o${w.id}`, action: 'open', staff: 's001' }, t0);
  const svcs = hall.services.map((s) => s.id);
  let now = t0;
  const started = performance.now();
  for (let i = 0; i < 5000; i++) {
    now += 6000; // 5,000 citizens over about 8 hours
    e.kiosk(`k${i % 4}`, { op: 'ticket', id: `t${i}`, service: svcs[i % svcs.length]! }, now, { sender: `kiosk/k${i % 4}`, topic: 'x' });
    for (const w of e.model.windowList) {
      const cur = w.current;
      if (!cur) e.window(w.id, { id: `n${i}`, action: 'call-next' }, now);
      else if (cur.state === 'called') e.window(w.id, { id: `s${i}`, action: 'start' }, now);
      else if (now - (cur.startedAt ?? now) > 45_000) {
        e.window(w.id, { id: `d${i}`, action: 'complete' }, now);
        e.rate(w.id, { id: `r${i}`, ticket: cur.no, score: 'satisfied' }, now + 1000);
      }
    }
    if (i % 10 === 0) e.tick(now);
    // let the MQTT service publish as it would between messages
    await new Promise((r) => setImmediate(r));
  }
  const dayMs = performance.now() - started;
  e.hallState(now);
  (globalThis as { gc?: () => void }).gc?.();
  const rssMB = process.memoryUsage().rss / 1048576;
  const events = (store.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  // the simulator's path: the same day through HallEngine + MemoryStore, nothing else
  const sim = new HallEngine({ hall });
  const simStart = performance.now();
  let t = t0;
  for (const w of hall.windows) sim.window(w.id, { id: 'o', action: 'open' }, t);
  for (let i = 0; i < 5000; i++) {
    t += 6000;
    sim.kiosk('k', { op: 'ticket', id: `t${i}`, service: svcs[i % svcs.length]! }, t);
    for (const w of sim.model.windowList) {
      const cur = w.current;
      if (!cur) sim.window(w.id, { id: 'n', action: 'call-next' }, t);
      else if (cur.state === 'called') sim.window(w.id, { id: 's', action: 'start' }, t);
      else if (t - (cur.startedAt ?? t) > 45_000) sim.window(w.id, { id: 'd', action: 'complete' }, t);
    }
  }
  const simMs = performance.now() - simStart;
  process.stdout.write(JSON.stringify({ rssMB, idleMB, dayMs, events, simMs }));
  await ctl.stop();
  store.close();
  await client.endAsync();
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
}

export default async function bench(args: string[]): Promise<void> {
  const nAt = args.indexOf('--n');
  const n = nAt >= 0 ? Number(args[nAt + 1]) : 400;
  const hall = allDayHall();
  const rows: Row[] = [];
  const aedes = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
  for (const sync of ['FULL', 'NORMAL'] as const) await measure('aedes (embedded)', aedes.url, hall, n, sync, rows);
  await aedes.close();
  const mosq = await startMosquitto();
  for (const sync of ['FULL', 'NORMAL'] as const) await measure('mosquitto', mosq.url, hall, n, sync, rows);
  await mosq.stop();

  console.log('| broker | path | n | median ms | p99 ms |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.broker} | ${r.what} | ${r.n} | ${r.median.toFixed(2)} | ${r.p99.toFixed(2)} |`);

  // V8 grows its young generation to the maximum under the day's allocation churn
  // and keeps it; --max-semi-space-size caps that (the live heap is ~10 MB either way).
  console.log('\n| controller after a simulated day (5,000 tickets) | node flags | value |');
  console.log('|---|---|---|');
  for (const flags of [[], ['--max-semi-space-size=2']]) {
    const child = spawnSync(process.execPath, ['--expose-gc', ...flags, '--import', 'tsx', new URL(import.meta.url).pathname, '--child-day'], { encoding: 'utf8' });
    if (child.status !== 0) { console.log(`day child failed: ${child.stderr.slice(-800)}`); return; }
    const day = JSON.parse(child.stdout) as { rssMB: number; idleMB: number; dayMs: number; events: number; simMs: number };
    const f = flags.join(' ') || '(default)';
    console.log(`| RSS after the day (engine + SQLite + aedes + MQTT service, after gc; aim < 150 MB) | ${f} | ${day.rssMB.toFixed(1)} MB |`);
    console.log(`| RSS of the same process before the day | ${f} | ${day.idleMB.toFixed(1)} MB |`);
    console.log(`| events in SQLite | ${f} | ${day.events} |`);
    console.log(`| the day through the controller (SQLite NORMAL, publishing over MQTT) | ${f} | ${day.dayMs.toFixed(0)} ms |`);
    console.log(`| the day through HallEngine + MemoryStore (the simulator's path) | ${f} | ${day.simMs.toFixed(0)} ms |`);
  }
}

if (process.argv.includes('--child-day')) {
  await dayChild();
  process.exit(0);
}
