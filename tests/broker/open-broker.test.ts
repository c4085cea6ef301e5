// No open broker outside the bench: `manyi controller` needs a registry (or an
// explicit --open-broker, which listens on loopback only); with a registry an
// anonymous client gets nothing, while the controller inside answers a provisioned kiosk.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { writeFileSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_HALL_PATH } from '../../firmware/config/hall.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { addDevice, emptyRegistry, saveRegistry } from '../../firmware/security/registry.ts';
import { tempDir } from '../maint/helpers.ts';
import { client, FAST } from './helpers.ts';

const MANYI = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterAll(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

function run(args: string[]): { child: ChildProcess; ready: Promise<Record<string, unknown>>; exit: Promise<number | null>; err: () => string } {
  const child = spawn(process.execPath, [MANYI, 'controller', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exit = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => { try { const j = JSON.parse(l); if (j.ready) resolve(j); } catch { /* not ours */ } });
    void exit.then((c) => reject(new Error(`exited ${c}: ${err}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, exit, err: () => err };
}

describe('manyi controller', () => {
  const dir = tempDir('manyi-open-broker-');
  const hallFile = join(dir, 'hall.json');
  const hall = JSON.parse(readFileSync(DEMO_HALL_PATH, 'utf8'));
  hall.hours = [{ open: '00:00', close: '23:59' }];
  for (const s of hall.services) delete s.hours;
  writeFileSync(hallFile, JSON.stringify(hall));
  const H = hall.hall.id as string;

  it('refuses to start an open broker unless told to', async () => {
    const r = run(['--hall', hallFile, '--db', join(dir, 'a.db'), '--port', '0', '--ws-port', '0']);
    expect(await r.exit).toBe(2);
    expect(r.err()).toMatch(/--registry FILE is required/);
  }, 30_000);

  it('with --open-broker listens on loopback only and warns', async () => {
    const r = run(['--hall', hallFile, '--db', join(dir, 'b.db'), '--port', '0', '--ws-port', '0', '--open-broker']);
    const ready = await r.ready;
    expect(String(ready.mqtt)).toMatch(/^mqtt:\/\/127\.0\.0\.1:/);
    expect(r.err()).toMatch(/open broker/);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  }, 30_000);

  it('with --registry admits only provisioned devices, and its controller answers them', async () => {
    let reg = emptyRegistry();
    reg = await addDevice(reg, { device: 'kiosk-1', role: 'kiosk', hall: H, kiosk: 'k1' }, 'kiosk-pw', { scrypt: FAST });
    const regFile = join(dir, 'registry.json');
    saveRegistry(regFile, reg);
    const r = run(['--hall', hallFile, '--db', join(dir, 'c.db'), '--port', '0', '--ws-port', '0', '--host', '127.0.0.1', '--registry', regFile]);
    const url = String((await r.ready).mqtt);
    await expect(client(url, { clientId: 'x' })).rejects.toThrow();
    await expect(client(url, { clientId: 'kiosk-1', username: 'kiosk-1', password: 'nope' })).rejects.toThrow();
    const k = await client(url, { clientId: 'kiosk-1', username: 'kiosk-1', password: 'kiosk-pw' });
    await k.subscribeAsync(topics.kioskReply(H, 'k1'), { qos: 1 });
    const reply = new Promise<Record<string, unknown>>((res) => k.on('message', (_t, p) => res(JSON.parse(String(p)))));
    await k.publishAsync(topics.kioskRequest(H, 'k1'), JSON.stringify({ id: 'r1', service: 'registration' }), { qos: 1 });
    expect(await reply).toMatchObject({ id: 'r1', ok: true });
    k.end(true);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  }, 30_000);
});
