// The update agent on real files and real processes: install, refuse, roll back,
// and survive a kill at every step of an install.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer as httpServer } from 'node:http';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import * as ed from '@noble/ed25519';
import { topics } from '../../firmware/protocol/topics.ts';
import type { UpdateOffer, UpdateStatus, Role } from '../../firmware/protocol/messages.ts';
import { startUpdateAgent } from '../../firmware/update/agent.ts';
import { serveBundles, type BundleServer } from '../../firmware/update/serve.ts';
import { bootCheck, currentSlot, slotVersion } from '../../firmware/update/slots.ts';
import { publicKeyOf } from '../../firmware/security/keys.ts';
import { makeBoard, makeBundle, offerFor, plainBroker, startApp, stopApp } from './update-helpers.ts';
import { tempDir } from './helpers.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

const HALL = 'h1';
const run = promisify(execFile);
const secret = ed.utils.randomSecretKey();
let pub: string;
let broker: Awaited<ReturnType<typeof plainBroker>>;
let server: BundleServer;
let bundles: string;
let maint: MqttClient;
const built: Record<string, Awaited<ReturnType<typeof makeBundle>>> = {};

beforeAll(async () => {
  pub = await publicKeyOf(secret);
  broker = await plainBroker();
  bundles = tempDir('manyi-bundles-');
  built.good = await makeBundle('2.0.0', secret, bundles);
  built.broken = await makeBundle('3.0.0-broken', secret, bundles, true);
  server = await serveBundles(bundles, { host: '127.0.0.1' });
  maint = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
});
afterAll(async () => {
  maint?.end(true);
  await server?.close();
  await broker?.stop();
});

/** One simulated board: an agent whose restart() runs `current` as a child process. */
async function board(device: string, opts: { role?: Role; busy?: string } = {}) {
  const root = makeBoard();
  let app = await startApp(root);
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: device });
  const statuses: UpdateStatus[] = [];
  client.on('message', (t, p) => { if (t === topics.deviceUpdateStatus(HALL, device) && p.length) statuses.push(JSON.parse(String(p))); });
  await client.subscribeAsync(topics.deviceUpdateStatus(HALL, device), { qos: 1 });
  const agent = await startUpdateAgent({
    bus: new MqttBus(client, HALL), device, role: opts.role ?? 'board', root, publicKey: pub,
    restart: async () => { await stopApp(app.proc); app = await startApp(root); },
    healthy: () => app.ready,
    healthDeadlineMs: 10_000,
    busyReason: () => opts.busy ?? null,
  });
  const final = (id: string) => new Promise<UpdateStatus>((res) => {
    const check = () => { const s = statuses.find((x) => x.id === id && ['healthy', 'rolled-back', 'failed'].includes(x.state)); if (s) { clearInterval(t); res(s); } };
    const t = setInterval(check, 20);
  });
  return {
    root, statuses, final, get app() { return app; },
    async offer(o: UpdateOffer) {
      await maint.publishAsync(topics.deviceUpdate(HALL, device), JSON.stringify(o), { qos: 1, retain: true });
      return final(o.id);
    },
    async close() { await agent.stop(); client.end(true); await stopApp(app.proc as ChildProcess); },
  };
}

describe('update agent', () => {
  it('installs a good bundle into the other slot, restarts into it and reports healthy', async () => {
    const b = await board('good-1');
    const s = await b.offer(offerFor(built.good.bundle, server.url));
    expect(s.state).toBe('healthy');
    expect(b.statuses.map((x) => x.state)).toEqual(['downloading', 'verifying', 'installing', 'restarting', 'healthy']);
    expect(currentSlot(b.root)).toBe('b');
    expect(b.app.version).toBe('2.0.0');
    expect(slotVersion(b.root, 'a')).toBe('1.0.0'); // the old version stays for a rollback
    await b.close();
  });

  it('refuses a bundle signed with another key without downloading it', async () => {
    const b = await board('badsig-1');
    const before = server.downloads.get(built.good.bundle.archive) ?? 0;
    const other = await makeBundle('2.0.1', ed.utils.randomSecretKey(), bundles);
    const s = await b.offer(offerFor(other.bundle, server.url));
    expect(s.state).toBe('failed');
    expect(s.error).toMatch(/bad signature/);
    expect(server.downloads.get(other.bundle.archive) ?? 0).toBe(0);
    expect(server.downloads.get(built.good.bundle.archive) ?? 0).toBe(before);
    expect(currentSlot(b.root)).toBe('a');
    expect(b.app.version).toBe('1.0.0');
    await b.close();
  });

  it('refuses a download whose SHA-256 is not the signed one', async () => {
    const b = await board('hash-1');
    // A signed manifest for the broken archive, served under the good archive's name.
    const o = { ...offerFor(built.good.bundle, server.url, 'u-hash'), sha256: built.broken.bundle.manifest.sha256, size: built.good.bundle.manifest.size };
    const sig = await (await import('../../firmware/update/manifest.ts')).signManifest(o, secret);
    const s = await b.offer({ ...o, signature: sig });
    expect(s.state).toBe('failed');
    expect(s.error).toMatch(/SHA-256 mismatch/);
    expect(currentSlot(b.root)).toBe('a');
    await b.close();
  });

  it('refuses a truncated download', async () => {
    const data = readFileSync(join(bundles, built.good.bundle.archive));
    const half = httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': data.length });
      res.write(data.subarray(0, data.length >> 1), () => res.destroy());
    });
    half.listen(0, '127.0.0.1');
    await new Promise((r) => half.once('listening', r));
    const b = await board('trunc-1');
    const url = `http://127.0.0.1:${(half.address() as AddressInfo).port}/bundles/`;
    const s = await b.offer(offerFor(built.good.bundle, url, 'u-trunc'));
    expect(s.state).toBe('failed');
    expect(s.error).toMatch(/truncated|interrupted/);
    expect(currentSlot(b.root)).toBe('a');
    expect(b.app.version).toBe('1.0.0');
    await b.close();
    half.closeAllConnections();
    half.close();
  });

  it('rolls back a version that fails its health check and runs the old one again', async () => {
    const b = await board('broken-1');
    const s = await b.offer(offerFor(built.broken.bundle, server.url));
    expect(s.state).toBe('rolled-back');
    expect(s.error).toMatch(/3\.0\.0-broken did not report healthy/);
    expect(currentSlot(b.root)).toBe('a');
    expect(b.app.version).toBe('1.0.0');
    expect(await b.app.ready).toBe(true);
    await b.close();
  });

  it('refuses a kiosk install inside opening hours unless forced', async () => {
    const b = await board('kiosk-9', { role: 'kiosk', busy: 'inside opening hours (08:00–17:00)' });
    const s = await b.offer(offerFor(built.good.bundle, server.url, 'u-hours'));
    expect(s.state).toBe('failed');
    expect(s.error).toMatch(/opening hours/);
    expect(currentSlot(b.root)).toBe('a');
    const f = await b.offer({ ...offerFor(built.good.bundle, server.url, 'u-forced'), force: true });
    expect(f.state).toBe('healthy');
    expect(b.app.version).toBe('2.0.0');
    await b.close();
  });
});

describe('a power cut during an install', () => {
  const steps = ['verified-offer', 'downloading', 'downloaded', 'unpacking', 'unpacked', 'journaled', 'switched'] as const;
  it.each(steps)('a kill after "%s" leaves the old or the new version startable', async (step) => {
    const root = makeBoard();
    const offer = offerFor(built.good.bundle, server.url, `u-kill-${step}`);
    const fixture = join(import.meta.dirname, 'fixtures', 'install-and-die.ts');
    const r = await run(process.execPath, ['--import', 'tsx', fixture, root, pub, JSON.stringify(offer), step]).then(() => 'completed', (e) => e.signal as string);
    expect(r).toBe('SIGKILL');
    const d = bootCheck(root);
    const app = await startApp(root);
    expect(await app.ready).toBe(true);
    expect(['1.0.0', '2.0.0']).toContain(app.version);
    expect(app.version).toBe(d.version);
    // Switched means the new version is what boots; before that, the old one.
    expect(app.version).toBe(step === 'switched' ? '2.0.0' : '1.0.0');
    await stopApp(app.proc);
  });

  it('rolls a trial version back after it fails to start three times', async () => {
    const root = makeBoard();
    const offer = offerFor(built.broken.bundle, server.url, 'u-boots');
    const fixture = join(import.meta.dirname, 'fixtures', 'install-and-die.ts');
    const r = await run(process.execPath, ['--import', 'tsx', fixture, root, pub, JSON.stringify(offer), 'none']);
    expect(r.stdout).toContain('completed');
    const seen: string[] = [];
    for (let boot = 0; boot < 5; boot++) {
      const d = bootCheck(root);
      const app = await startApp(root);
      seen.push(`${d.version}:${await app.ready}`);
      await stopApp(app.proc);
      if (d.rolledBack) break;
    }
    expect(seen).toEqual(['3.0.0-broken:false', '3.0.0-broken:false', '3.0.0-broken:false', '1.0.0:true']);
  });

  it('after the restart, the new process confirms a healthy trial version, or rolls back one that is not', async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'install-and-die.ts');
    for (const healthy of [true, false]) {
      const root = makeBoard();
      const device = `trial-${healthy}`;
      const offer = offerFor(built.good.bundle, server.url, `u-trial-${healthy}`);
      // The old process installs, switches and is "restarted" (it exits).
      await run(process.execPath, ['--import', 'tsx', fixture, root, pub, JSON.stringify(offer), 'none']);
      expect(bootCheck(root).version).toBe('2.0.0');
      // The new process starts its agent: it must settle the trial before anything else.
      const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: device });
      const seen = new Promise<UpdateStatus>((res) => client.on('message', (t, p) => { if (p.length) res(JSON.parse(String(p))); }));
      await client.subscribeAsync(topics.deviceUpdateStatus(HALL, device), { qos: 1 });
      let restarts = 0;
      const agent = await startUpdateAgent({
        bus: new MqttBus(client, HALL), device, role: 'board', root, publicKey: pub,
        restart: async () => { restarts++; }, healthy: async () => healthy,
      });
      const s = await seen;
      expect(s.id).toBe(offer.id);
      expect(s.state).toBe(healthy ? 'healthy' : 'rolled-back');
      expect(currentSlot(root)).toBe(healthy ? 'b' : 'a');
      expect(restarts).toBe(healthy ? 0 : 1);
      await agent.stop();
      client.end(true);
    }
  });

  it('a cut in the middle of a download or an unpack leaves only leftovers the boot check removes', async () => {
    const root = makeBoard();
    writeFileSync(join(root, 'download.part'), randomBytes(5000));
    mkdirSync(join(root, 'slots', 'b.new', 'firmware'), { recursive: true });
    writeFileSync(join(root, 'slots', 'b.new', 'firmware', 'app.mjs'), 'half a fi');
    const d = bootCheck(root);
    expect(d).toEqual({ slot: 'a', version: '1.0.0' });
    expect(existsSync(join(root, 'slots', 'b.new'))).toBe(false);
    expect(existsSync(join(root, 'download.part'))).toBe(false);
    const app = await startApp(root);
    expect(await app.ready).toBe(true);
    await stopApp(app.proc);
  });

  it("serves bundles from the controller's web host, and only archives", async () => {
    const { WebApp } = await import('../../firmware/web/app.ts');
    const { mountBundles } = await import('../../firmware/update/serve.ts');
    const { sha256File } = await import('../../firmware/update/bundle.ts');
    const web = new WebApp();
    const downloads = mountBundles(web, bundles);
    const port = await web.listen(0, '127.0.0.1');
    try {
      const b = await board('via-controller');
      const s = await b.offer(offerFor(built.good.bundle, `http://127.0.0.1:${port}/bundles/`, 'u-ctl'));
      expect(s.state).toBe('healthy');
      expect(downloads.get(built.good.bundle.archive)).toBe(1);
      expect(await sha256File(join(bundles, built.good.bundle.archive))).toBe(built.good.bundle.manifest.sha256);
      expect((await fetch(`http://127.0.0.1:${port}/bundles/${built.good.bundle.archive.replace('.tar.gz', '.json')}`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/bundles/..%2Fetc%2Fpasswd.tar.gz`)).status).toBe(404);
      await b.close();
    } finally { await web.close(); }
  });
});
