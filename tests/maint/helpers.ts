// Shared by the maint tests: brokers with authentication, clients, temp folders.
import { createServer, connect as tcpConnect, type AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import { Aedes } from 'aedes';
import type { BrokerAuth } from '../../firmware/security/identity.ts';
import { aedesAuthHooks } from '../../firmware/security/aedes-auth.ts';

export function tempDir(prefix = 'manyi-maint-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface TestBroker { url: string; stop(): Promise<void> }

export async function startAedesWithAuth(auth: BrokerAuth): Promise<TestBroker> {
  const broker = await Aedes.createBroker(aedesAuthHooks(auth));
  const srv = createServer({ noDelay: true }, broker.handle);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      await new Promise((r) => broker.close(() => r(null)));
      await new Promise((r) => srv.close(() => r(null)));
    },
  };
}

export async function startMosquittoWith(lines: string[]): Promise<TestBroker> {
  const dir = tempDir('manyi-mosq-');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    // Tests run as root in private temp folders: keep Mosquitto from dropping to its own user.
    writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'user root', ...lines, ''].join('\n'));
    const proc: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d) => { err += String(d); });
    const url = `mqtt://127.0.0.1:${port}`;
    // Ready when a TCP connect succeeds; bounded.
    let ready = false;
    for (let i = 0; i < 100 && proc.exitCode === null; i++) {
      ready = await new Promise<boolean>((res) => {
        const s = tcpConnect(port, '127.0.0.1');
        s.once('connect', () => { s.destroy(); res(true); });
        s.once('error', () => res(false));
      });
      if (ready) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (ready) {
      return {
        url,
        async stop() {
          if (proc.exitCode === null) { proc.kill('SIGTERM'); await once(proc, 'exit'); }
        },
      };
    }
    proc.kill('SIGKILL');
    if (attempt >= 2) throw new Error(`mosquitto did not start: ${err}`);
  }
}

/** Connects; resolves the client, or rejects with the broker's refusal. */
export function connect(url: string, username?: string, password?: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { username, password, reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, clientId: `${username ?? 'anon'}-${Math.random().toString(16).slice(2, 8)}` });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => { c.end(true); reject(e); });
    c.once('close', () => reject(new Error('connection closed')));
  });
}
