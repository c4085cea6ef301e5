// Security (issue #10): the broker's two measured promises, each beside the same
// broker with its protection turned off (the "before"), in the same run:
//  1. a real device's connect time while 100 wrong-password logins arrive at once
//     from a stranger's address (real scrypt cost, N = 2^14, as provisioned);
//  2. the broker's resident memory while three anonymous sockets each announce a
//     268 MB CONNECT and stream zeros, and after they close.
// The broker runs alone in a child process (tests/broker/broker-process.ts) so the
// attackers' sockets do not count in its memory.
// `npm run bench -- --only security [--stream-mb N]`
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { addDevice, emptyRegistry, saveRegistry } from '../../firmware/security/registry.ts';
import { tempDir } from '../maint/helpers.ts';
import { client, rawFrom, stream, varint } from '../broker/helpers.ts';

const PW = 'counter-secret';
const HUGE_CONNECT = Buffer.concat([Buffer.from([0x10]), varint(268_435_455)]);
const mb = (n: number) => (n / 1048576).toFixed(0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Broker { child: ChildProcess; url: string; port: number; mem(): Promise<{ rss: number; refused: Record<string, number> }>; stop(): Promise<void> }

async function broker(file: string, opts: object): Promise<Broker> {
  const child = fork(new URL('../broker/broker-process.ts', import.meta.url).pathname, [file, JSON.stringify(opts)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = <T>() => new Promise<T>((resolve, reject) => {
    const died = () => reject(new Error('the broker process exited'));
    child.once('exit', died);
    child.once('message', (m) => { child.off('exit', died); resolve(m as T); });
  });
  const { port } = await next<{ port: number }>();
  return {
    child, port, url: `mqtt://127.0.0.1:${port}`,
    async mem() { const r = next<{ rss: number; refused: Record<string, number> }>(); child.send({ mem: true }); return r; },
    async stop() { const exit = new Promise((r) => child.once('exit', r)); child.send({ stop: true }); await exit; },
  };
}

/** Time for the real device (its usual address) to be admitted, ms. */
async function realConnect(url: string): Promise<number> {
  const t0 = performance.now();
  const c = await client(url, { clientId: 'counter-5', username: 'counter-5', password: PW, connectTimeout: 60_000 });
  const took = performance.now() - t0;
  c.end(true);
  return took;
}

async function badLogins(file: string, opts: object): Promise<{ baseline: number; underAttack: number; attackDone: number; refused: Record<string, number> }> {
  const b = await broker(file, opts);
  try {
    const base: number[] = [];
    for (let i = 0; i < 5; i++) base.push(await realConnect(b.url));
    const t0 = performance.now();
    const attack = Array.from({ length: 100 }, (_, i) => client(b.url, { from: '127.0.0.2', clientId: 'counter-5', username: i % 2 ? 'counter-5' : `nobody-${i}`, password: 'guess', connectTimeout: 60_000 })
      .then((c) => { c.end(true); }, () => undefined));
    const underAttack = await realConnect(b.url);
    await Promise.all(attack);
    const attackDone = performance.now() - t0;
    return { baseline: median(base), underAttack, attackDone, refused: (await b.mem()).refused };
  } finally { await b.stop(); }
}

async function hugeConnects(file: string, opts: object, perSocket: number): Promise<{ before: number; peak: number; after: number; sent: number; realMs: number }> {
  const b = await broker(file, opts);
  try {
    await realConnect(b.url); // warm: one admitted client, as in a hall
    const before = (await b.mem()).rss;
    let peak = before;
    let sampling = true;
    const sampler = (async () => { while (sampling) { peak = Math.max(peak, (await b.mem()).rss); await new Promise((r) => setTimeout(r, 100)); } })();
    const socks = await Promise.all([1, 2, 3].map(() => rawFrom(b.port)));
    const sent = await Promise.all(socks.map((s) => { s.write(HUGE_CONNECT); return stream(s, perSocket); }));
    for (const s of socks) s.destroy();
    // Let the broker see the closes and its collector run: a measuring interval, not a wait for an event.
    await new Promise((r) => setTimeout(r, 3000));
    sampling = false;
    await sampler;
    const after = (await b.mem()).rss;
    const realMs = await realConnect(b.url);
    return { before, peak, after, sent: sent.reduce((a, x) => a + x, 0), realMs };
  } finally { await b.stop(); }
}

export default async function bench(args: string[]): Promise<void> {
  const at = args.indexOf('--stream-mb');
  const perSocket = (at >= 0 ? Number(args[at + 1]) : 160) << 20;
  const dir = tempDir('manyi-bench-sec-');
  const file = join(dir, 'devices.json');
  // The production hash cost (scrypt N = 2^14), as `manyi provision` stores it.
  saveRegistry(file, await addDevice(emptyRegistry(), { device: 'counter-5', role: 'counter', hall: 'h1', window: 'w5' }, PW));

  const off = { guard: false, throttle: { freeFailures: 1_000_000 }, concurrentLogins: 1000, connectionsPerAddress: 1_000_000 };
  console.log('100 wrong-password logins at once from 127.0.0.2; the real device connects from 127.0.0.1');
  console.log('broker                       device alone  device under attack  all 100 answered  refusals');
  for (const [name, opts] of [['protection off (before)', off], ['as shipped (after)', {}]] as const) {
    const r = await badLogins(file, opts);
    console.log(`${name.padEnd(28)} ${`${r.baseline.toFixed(0)} ms`.padStart(12)}  ${`${r.underAttack.toFixed(0)} ms`.padStart(19)}  ${`${r.attackDone.toFixed(0)} ms`.padStart(16)}  ${JSON.stringify(r.refused)}`);
  }

  console.log(`\nthree anonymous sockets, each a CONNECT announcing 268 MB then up to ${mb(perSocket)} MB of zeros (broker's RSS)`);
  console.log('broker                       before   peak   after  bytes the attackers got out  then a device connects');
  for (const [name, opts] of [['protection off (before)', off], ['as shipped (after)', {}]] as const) {
    const r = await hugeConnects(file, opts, perSocket);
    console.log(`${name.padEnd(28)} ${`${mb(r.before)} MB`.padStart(6)} ${`${mb(r.peak)} MB`.padStart(6)} ${`${mb(r.after)} MB`.padStart(7)}  ${`${mb(r.sent)} MB`.padStart(27)}  ${`${r.realMs.toFixed(0)} ms`.padStart(22)}`);
  }
}
