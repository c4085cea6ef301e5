// Shared by the maint tests: clients and temp folders.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort } from '../setup/free-port.ts';
export { freePort };

export function tempDir(prefix = 'manyi-maint-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
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
