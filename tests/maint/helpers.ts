// Shared by the maint tests: clients and temp folders.
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';

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

/** Connects; resolves the client, or rejects with the broker's refusal. */
export function connect(url: string, username?: string, password?: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { username, password, reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, clientId: username ?? `anon-${Math.random().toString(16).slice(2, 8)}` });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => { c.end(true); reject(e); });
    c.once('close', () => reject(new Error('connection closed')));
  });
}
