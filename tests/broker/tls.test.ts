// TLS with the hall CA of `manyi keys tls`: the embedded broker serves MQTT over TLS
// and over WSS, the web host HTTPS (its cookies then Secure); `mosquitto_sub
// --cafile` and the boards' own session client verify the server, and refuse it
// without the hall's CA. `manyi run` with a certificate keeps plain MQTT on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import mqtt from 'mqtt';
import { makeTls, loadServerTls, type TlsFiles } from '../../firmware/security/tls.ts';
import { FileBrokerAuth } from '../../firmware/security/file-auth.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { openSession } from '../../firmware/runtime/session.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { mountManagerLogin } from '../../firmware/security/manager-login.ts';
import { PeopleAuth } from '../../firmware/security/people.ts';
import { DEMO_HALL_PATH } from '../../firmware/config/hall.ts';
import { freePort, tempDir } from '../maint/helpers.ts';
import { HALL, makeRegistry, PW, client } from './helpers.ts';

const run = promisify(execFile);
let files: TlsFiles;
let other: TlsFiles;
let broker: EmbeddedBroker;
let web: WebApp;
let webPort: number;
let regFile: string;

beforeAll(async () => {
  const dir = tempDir('manyi-tls-');
  files = makeTls({ dir: join(dir, 'hall'), hall: HALL, names: ['localhost', '127.0.0.1'] });
  other = makeTls({ dir: join(dir, 'other'), hall: 'elsewhere', names: ['localhost'] });
  const { file } = await makeRegistry();
  regFile = file;
  const tls = loadServerTls(files.cert, files.key);
  web = new WebApp({ tls });
  mountManagerLogin(web, new PeopleAuth(join(dir, 'people.json')), { title: 'x' });
  webPort = await web.listen(0, '127.0.0.1');
  broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', web, auth: new FileBrokerAuth(file), tls: { ...tls, port: 0, host: '127.0.0.1' } });
}, 60_000);
afterAll(async () => { await broker?.close(); await web?.close(); });

describe('TLS with the hall CA', () => {
  it('makes a CA and a server certificate for the names given, keys readable only by their owner', async () => {
    const { stdout } = await run('openssl', ['verify', '-CAfile', files.caCert, files.cert]);
    expect(stdout).toContain(': OK');
    const { X509Certificate } = await import('node:crypto');
    const x = new X509Certificate(readFileSync(files.cert));
    expect(x.subjectAltName).toContain('DNS:localhost');
    expect(x.subjectAltName).toContain('IP Address:127.0.0.1');
    const { statSync } = await import('node:fs');
    for (const k of [files.key, files.caKey]) expect(statSync(k).mode & 0o077).toBe(0);
    expect(() => makeTls({ dir: join(files.caKey, '..'), hall: HALL, names: ['x'] })).toThrow(/exists/);
  });

  it('mosquitto_sub --cafile reads over MQTT/TLS; without the hall CA it is refused', async () => {
    const ctl = await client(`mqtts://localhost:${broker.tlsPort}`, { clientId: 'ctl', username: 'ctl', password: PW.ctl, ca: readFileSync(files.caCert) });
    await ctl.publishAsync(topics.hallState(HALL), '{"over":"tls"}', { qos: 1, retain: true });
    const args = ['-h', 'localhost', '-p', String(broker.tlsPort), '-u', 'board-1', '-P', PW.b1, '-i', 'board-1', '-t', topics.hallState(HALL), '-C', '1', '-W', '10'];
    const { stdout } = await run('mosquitto_sub', [...args, '--cafile', files.caCert]);
    expect(stdout.trim()).toBe('{"over":"tls"}');
    await expect(run('mosquitto_sub', [...args, '--cafile', other.caCert])).rejects.toThrow();
    ctl.end(true);
  });

  it("the boards' session client verifies the server: connects with the hall CA, not with another", async () => {
    const log = pino({ level: 'silent' });
    const base = { hall: HALL, device: 'kiosk-1', role: 'kiosk' as const, version: '1', isoNow: () => new Date().toISOString(), log, backoff: { initialMs: 50, maxMs: 100 } };
    const ok = await openSession({ ...base, broker: { url: `mqtts://localhost:${broker.tlsPort}`, username: 'kiosk-1', password: PW.k1, ca: files.caCert } });
    expect(ok.client.connected).toBe(true);
    await ok.close();
    const bad = mqtt.connect(`mqtts://localhost:${broker.tlsPort}`, { protocolVersion: 4, clientId: 'kiosk-1', username: 'kiosk-1', password: PW.k1, ca: readFileSync(other.caCert), reconnectPeriod: 0 });
    const err = await new Promise<Error>((res) => bad.once('error', res));
    expect(err.message).toMatch(/certificate|self.signed|verify/i);
    bad.end(true);
  });

  it('serves MQTT over WSS and pages over HTTPS, with Secure cookies', async () => {
    const ws = await client(`wss://localhost:${webPort}/mqtt`, { clientId: 'board-1', username: 'board-1', password: PW.b1, ca: readFileSync(files.caCert) });
    expect(ws.connected).toBe(true);
    ws.end(true);
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      request({ host: 'localhost', port: webPort, path: '/login', ca: readFileSync(files.caCert) }, resolve).on('error', reject).end();
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['strict-transport-security']).toMatch(/max-age/);
    const cookie = (res.headers['set-cookie'] ?? [])[0];
    expect(cookie).toMatch(/^__Secure-manyi-m=/);
    expect(cookie).toMatch(/Secure/);
    res.resume();
  });
});

describe('manyi run with a certificate', () => {
  let child: ChildProcess | undefined;
  afterAll(() => { if (child && child.exitCode === null) child.kill('SIGKILL'); });

  it('serves MQTT over TLS to the LAN and plain MQTT to this machine only, from the tls block of its configuration', async () => {
    const dir = tempDir('manyi-tls-run-');
    const port = await freePort();
    const tlsPort = await freePort();
    const hall = JSON.parse(readFileSync(DEMO_HALL_PATH, 'utf8')).hall.id as string;
    const { reg } = await makeRegistry();
    const { saveRegistry } = await import('../../firmware/security/registry.ts');
    saveRegistry(join(dir, 'registry.json'), { ...reg, devices: reg.devices.map((d) => ({ ...d, hall })) });
    void regFile;
    // TLS from the configuration's `tls` block, paths relative to it: how manyi.service (no flags) turns it on.
    mkdirSync(join(dir, 'tls'));
    copyFileSync(files.cert, join(dir, 'tls', 'server.crt'));
    copyFileSync(files.key, join(dir, 'tls', 'server.key'));
    writeFileSync(join(dir, 'ctl.json'), JSON.stringify({
      device: 'ctl', role: 'controller', hall, broker: { url: `mqtt://127.0.0.1:${port}`, username: 'ctl', password: PW.ctl }, httpPort: 0, dataDir: 'ctl',
      tls: { cert: 'tls/server.crt', key: 'tls/server.key', port: tlsPort },
    }));
    child = spawn(process.execPath, [new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname, 'run', '--config', join(dir, 'ctl.json'),
      '--registry', join(dir, 'registry.json'), '--no-updates', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'], cwd: tmpdir() });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const ca = readFileSync(files.caCert);
    let k: mqtt.MqttClient | undefined;
    for (let i = 0; i < 150 && !k; i++) {
      k = await client(`mqtts://localhost:${tlsPort}`, { clientId: 'kiosk-1', username: 'kiosk-1', password: PW.k1, ca }).catch(() => undefined);
      if (!k) await new Promise((r) => setTimeout(r, 200));
    }
    expect(k, err).toBeDefined();
    // The controller answers over it (its own session is the plain loopback one).
    await k!.subscribeAsync(topics.kioskReply(hall, 'k1'), { qos: 1 });
    const reply = new Promise<Record<string, unknown>>((res) => k!.on('message', (_t, p) => res(JSON.parse(String(p)))));
    // Until the controller has subscribed (it starts after its broker), a request may go unheard: retry with the same id, as kiosks do.
    const ask = () => k!.publishAsync(topics.kioskRequest(hall, 'k1'), JSON.stringify({ id: 'tls-1', service: 'registration' }), { qos: 1 });
    await ask();
    const retry = setInterval(() => void ask().catch(() => undefined), 500);
    try { expect((await reply).id).toBe('tls-1'); } finally { clearInterval(retry); }
    k!.end(true);
    // Plain MQTT listens on loopback only (read from the kernel's socket table, no traffic off this host).
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const listening = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((f) => readFileSync(f, 'utf8').split('\n').slice(1))
      .map((l) => l.trim().split(/\s+/)).filter((c) => c[1]?.endsWith(`:${hex}`) && c[3] === '0A').map((c) => c[1].split(':')[0]);
    expect(listening).toEqual(['0100007F']);
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }, 60_000);
});
