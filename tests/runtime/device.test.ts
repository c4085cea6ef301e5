import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { DeviceHealth, DeviceStatus } from '../../firmware/protocol/messages.ts';
import { runDevice } from '../../firmware/runtime/device.ts';
import { makeTls } from '../../firmware/security/tls.ts';
import { createLogger } from '../../firmware/runtime/logger.ts';
import type { RoleContext } from '../../firmware/runtime/role.ts';
import { deviceConfig, hall, watch } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });
const silent = createLogger({ level: 'silent' });
const tmp = () => mkdtempSync(join(tmpdir(), 'manyi-rt-'));
const H = hall.hall.id;

describe('device runtime', () => {
  it('publishes online (retained) and health with the role fields, starts and stops the role, then says offline', async () => {
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => broker.close());
    const w = await watch(broker.url, `manyi/v1/${H}/device/#`);
    cleanups.push(() => w.close());
    let ctx: RoleContext | undefined;
    let stopped = false;
    const dev = await runDevice({
      device: deviceConfig(broker.url, { dataDir: tmp() }), hall, log: silent, healthEveryS: 0.1,
      starters: { board: async (c) => { ctx = c; c.setHealth({ screen: 'ok' }); return { async stop() { stopped = true; } }; } },
    });
    const status = DeviceStatus.parse(await w.next(topics.deviceStatus(H, 'test-board-1')));
    expect(status).toMatchObject({ state: 'online', role: 'board' });
    expect(status.at).toMatch(/\+08:00$/); // hall-local time
    expect(ctx?.bus.connected).toBe(true);
    const health = DeviceHealth.parse(await w.next(topics.deviceHealth(H, 'test-board-1')));
    expect(health).toMatchObject({ screen: 'ok' });
    expect(health.rssMB).toBeGreaterThan(10);
    ctx!.setHealth({ screen: 'off' });
    await w.next(topics.deviceHealth(H, 'test-board-1'), (m) => m.screen === 'off');

    await dev.stop();
    expect(stopped).toBe(true);
    expect(await w.next(topics.deviceStatus(H, 'test-board-1'))).toMatchObject({ state: 'offline', role: 'board' });
    // Retained: a board that connects later learns the device is offline at once.
    const late = await watch(broker.url, topics.deviceStatus(H, 'test-board-1'));
    cleanups.push(() => late.close());
    expect(await late.next(topics.deviceStatus(H, 'test-board-1'), (_m, retained) => retained)).toMatchObject({ state: 'offline' });
  });

  it('serves its pages over HTTPS with the certificate its configuration names (the hall CA verifies it)', async () => {
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => broker.close());
    const files = makeTls({ dir: join(tmp(), 'tls'), hall: H, names: ['localhost', '127.0.0.1'] });
    let ctx: RoleContext | undefined;
    const dev = await runDevice({
      device: deviceConfig(broker.url, { dataDir: tmp(), httpPort: 0, tls: { cert: files.cert, key: files.key } }), hall, log: silent,
      starters: { board: async (c) => { ctx = c; c.web.get('/hello', (_req, res) => { res.end('hi'); }); return { async stop() {} }; } },
    });
    cleanups.push(() => dev.stop());
    expect(ctx!.web.secure).toBe(true);
    const port = (ctx!.web.server.address() as AddressInfo).port;
    const get = (ca?: Buffer) => new Promise<string>((resolve, reject) => {
      httpsGet({ host: 'localhost', port, path: '/hello', ca }, (res) => { let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => resolve(b)); }).on('error', reject);
    });
    expect(await get(readFileSync(files.caCert))).toBe('hi');
    await expect(get()).rejects.toThrow(/self-signed|issuer|certificate/i);
  });

  it('a role that fails to start is reported and leaves no session behind', async () => {
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => broker.close());
    await expect(runDevice({
      device: deviceConfig(broker.url, { dataDir: tmp() }), hall, log: silent,
      starters: { board: async () => { throw new Error('no screen'); } },
    })).rejects.toThrow('no screen');
    const w = await watch(broker.url, topics.deviceStatus(H, 'test-board-1'));
    cleanups.push(() => w.close());
    expect(await w.next(topics.deviceStatus(H, 'test-board-1'), (_m, r) => r)).toMatchObject({ state: 'offline' });
  });

  it('refuses a device configured for another hall', async () => {
    await expect(runDevice({ device: deviceConfig('mqtt://127.0.0.1:1', { hall: 'other-hall' }), hall, log: silent }))
      .rejects.toThrow(/belongs to hall other-hall/);
  });

  it('its last will marks it offline when the process is killed', async () => {
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => broker.close());
    const w = await watch(broker.url, `manyi/v1/${H}/device/+/status`);
    cleanups.push(() => w.close());
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/device-child.ts', import.meta.url).pathname, broker.url, 'doomed-1', tmp()], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => { child.kill('SIGKILL'); });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
      child.once('exit', (code) => reject(new Error(`device exited early (${code})`)));
    });
    await w.next(topics.deviceStatus(H, 'doomed-1'), (m) => m.state === 'online');
    child.kill('SIGKILL');
    const will = DeviceStatus.parse(await w.next(topics.deviceStatus(H, 'doomed-1'), (m) => m.state === 'offline'));
    expect(will.role).toBe('board');
  });

  it('reconnects after the broker restarts and says online again (the waits between attempts: session.test.ts)', async () => {
    let broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    const port = broker.port;
    cleanups.push(() => broker.close());
    let attempts = 0;
    const dev = await runDevice({
      device: deviceConfig(broker.url, { dataDir: tmp() }), hall, log: silent, keepaliveS: 1,
      backoff: { initialMs: 50, maxMs: 400 },
      starters: { board: async () => ({ async stop() {} }) },
    });
    dev.client.on('reconnect', () => { attempts++; });
    cleanups.push(() => dev.stop());
    await broker.close();
    // Let a few attempts fail against the closed port before the broker returns.
    const deadline = Date.now() + 10_000;
    while (attempts < 3) {
      if (Date.now() > deadline) throw new Error(`only ${attempts} reconnect attempts within 10 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    broker = await startEmbeddedBroker({ port, host: '127.0.0.1' });
    const w = await watch(broker.url, topics.deviceStatus(H, 'test-board-1'));
    cleanups.push(() => w.close());
    // The new broker has no retained state: this `online` was published on reconnect.
    expect(await w.next(topics.deviceStatus(H, 'test-board-1'), (m) => m.state === 'online', 10_000)).toMatchObject({ role: 'board' });
  });
});
