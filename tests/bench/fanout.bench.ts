// Fan-out at scale: a counter's call-next → the controller's reply, with the
// controller and its embedded broker in this process (as on the controller board)
// and N other devices of a big hall in a separate process, each following the hall
// like a lobby board (hall state, calls, window states) and reporting health every
// 10 s. Printed beside the same run without them; with the CPU the controller's
// process spends per call-next + no-show (the broker's fan-out is most of it).
// The lobby page's side of the same call is in the signage bench.
//   npm run bench -- --only fanout [--devices 300] [--calls 120]
import { spawn, type ChildProcess } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { startController } from '../../firmware/controller/service.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

const HALL = loadHallConfig();
const T = `manyi/v1/${HALL.hall.id}`;
const arg = (args: string[], name: string, def: number) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };

/** `n` sessions in a child process; `stateQos` for the retained states (calls stay QoS 1). */
function startDevices(url: string, n: number, stateQos: 0 | 1): Promise<ChildProcess | null> {
  if (n === 0) return Promise.resolve(null);
  const code = `
    import mqtt from 'mqtt';
    const [url, n, q, root] = process.argv.slice(1);
    let ready = 0;
    for (let i = 0; i < Number(n); i++) {
      const c = mqtt.connect(url, { protocolVersion: 4, clientId: 'fan-' + i, writeCache: false });
      c.on('connect', () => {
        c.stream.setNoDelay?.(true);
        c.subscribe({ [root + '/state']: { qos: Number(q) }, [root + '/call']: { qos: 1 }, [root + '/window/+/state']: { qos: Number(q) } }, () => {
          const health = () => c.publish(root + '/device/fan-' + i + '/health', JSON.stringify({ at: new Date().toISOString(), uptimeS: 1, rssMB: 50 }), { qos: 0 });
          setTimeout(() => { health(); setInterval(health, 10000); }, Math.random() * 10000);
          if (++ready === Number(n)) process.stdout.write('ready\\n');
        });
      });
    }`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', code, url, String(n), String(stateQos), T], { stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(p); });
    p.on('exit', (c) => reject(new Error(`device process exited ${c}`)));
  });
}

async function run(devicesN: number, stateQos: 0 | 1, calls: number) {
  const offset = Date.parse('2026-11-26T10:00:00+08:00') - Date.now();
  const clock = { now: () => Date.now() + offset };
  const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const conn = async (id: string): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: id, writeCache: false });
    (c.stream as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    return c;
  };
  const ctlClient = await conn('controller');
  const ctl = await startController({ hall: HALL, dbPath: ':memory:', bus: new MqttBus(ctlClient, HALL.hall.id), clock, log: pino({ level: 'silent' }) });
  const devices = await startDevices(broker.url, devicesN, stateQos);
  const cli = await conn('counter-bench');
  await cli.subscribeAsync([`${T}/window/+/reply`, `${T}/kiosk/kb/reply`], { qos: 1 });
  const waiting = new Map<string, () => void>();
  cli.on('message', (_t, p) => { const m = JSON.parse(p.toString()) as { id: string }; waiting.get(m.id)?.(); waiting.delete(m.id); });
  let k = 0;
  const ask = (topic: string, body: object) => new Promise<number>((res) => {
    const id = `f${k++}`; const t0 = performance.now();
    waiting.set(id, () => res(performance.now() - t0));
    cli.publish(topic, JSON.stringify({ id, ...body }), { qos: 1 });
  });
  for (let i = 0; i < calls + 16; i++) await ask(`${T}/kiosk/kb/request`, { service: HALL.services[i % HALL.services.length].id });
  for (const w of HALL.windows) await ask(`${T}/window/${w.id}/command`, { action: 'open', staff: 's001' });
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const w = HALL.windows[i % HALL.windows.length].id;
    lat.push(await ask(`${T}/window/${w}/command`, { action: 'call-next' }));
    await ask(`${T}/window/${w}/command`, { action: 'no-show' });
    await new Promise((r) => setTimeout(r, 50)); // a hall's pace, not a flood
  }
  const cpu = process.cpuUsage(cpu0);
  devices?.kill();
  await ctl.stop();
  await cli.endAsync(true);
  await ctlClient.endAsync(true);
  await broker.close();
  const s = [...lat].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { median: q(0.5), p90: q(0.9), p99: q(0.99), cpuMs: (cpu.user + cpu.system) / 1000 / calls };
}

export default async function bench(args: string[]): Promise<void> {
  const n = arg(args, '--devices', 300);
  const calls = arg(args, '--calls', 120);
  console.log(`call-next → reply to the counter, ${calls} calls, controller + embedded broker in this process, devices in another (ms)`);
  console.log('| devices connected | their state subscriptions | median | p90 | p99 | CPU of the controller process per call-next + no-show (ms) |');
  console.log('|---|---|---|---|---|---|');
  for (const [devicesN, qos] of [[0, 1], [n, 1], [n, 0]] as const) {
    const r = await run(devicesN, qos, calls);
    console.log(`| ${devicesN}${devicesN === 0 ? ' (baseline)' : ''} | ${devicesN ? `QoS ${qos}` : '–'} | ${r.median.toFixed(1)} | ${r.p90.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpuMs.toFixed(1)} |`);
  }
}
