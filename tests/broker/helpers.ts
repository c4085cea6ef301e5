// Shared by the broker attack tests: a registry of four devices, raw MQTT packets,
// and clients that connect from a chosen loopback address (127.0.0.2 plays the
// stranger on the hall's LAN, 127.0.0.1 the real devices).
import { connect as tcp, type Socket } from 'node:net';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { addDevice, emptyRegistry, saveRegistry, type Registry } from '../../firmware/security/registry.ts';
import { tempDir } from '../maint/helpers.ts';

export const HALL = 'h1';
export const FAST = { N: 1024, r: 8, p: 1 }; // tests only: the default is 2^14
export const PW = { ctl: 'ctl-secret', k1: 'kiosk-secret', c5: 'counter-secret', b1: 'board-secret' };

export async function makeRegistry(scrypt = FAST): Promise<{ reg: Registry; dir: string; file: string }> {
  let reg = emptyRegistry();
  reg = await addDevice(reg, { device: 'ctl', role: 'controller', hall: HALL }, PW.ctl, { scrypt });
  reg = await addDevice(reg, { device: 'kiosk-1', role: 'kiosk', hall: HALL, kiosk: 'k1' }, PW.k1, { scrypt });
  reg = await addDevice(reg, { device: 'counter-5', role: 'counter', hall: HALL, window: 'w5' }, PW.c5, { scrypt });
  reg = await addDevice(reg, { device: 'board-1', role: 'board', hall: HALL }, PW.b1, { scrypt });
  const dir = tempDir('manyi-broker-');
  const file = join(dir, 'devices.json');
  saveRegistry(file, reg);
  return { reg, dir, file };
}

/** MQTT remaining-length encoding. */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

const str = (s: string) => { const b = Buffer.from(s); const l = Buffer.alloc(2); l.writeUInt16BE(b.length); return Buffer.concat([l, b]); };

/** A CONNECT packet (MQTT 3.1.1). */
export function connectPacket(clientId: string, user?: string, password?: string): Buffer {
  const flags = 0x02 | (user !== undefined ? 0x80 : 0) | (password !== undefined ? 0x40 : 0);
  const body = Buffer.concat([str('MQTT'), Buffer.from([4, flags, 0, 30]), str(clientId),
    ...(user !== undefined ? [str(user)] : []), ...(password !== undefined ? [str(password)] : [])]);
  return Buffer.concat([Buffer.from([0x10]), varint(body.length), body]);
}

export function publishPacket(topic: string, payload: Buffer, retain = false): Buffer {
  const body = Buffer.concat([str(topic), payload]);
  return Buffer.concat([Buffer.from([0x30 | (retain ? 1 : 0)]), varint(body.length), body]);
}

/** Opens a raw TCP connection from `from`; resolves once connected. */
export function rawFrom(port: number, from = '127.0.0.2'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcp({ port, host: '127.0.0.1', localAddress: from });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves with how long until the server closed `s` (ms), or null after `ms`. */
export function closedWithin(s: Socket, ms: number): Promise<number | null> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    if (s.destroyed) return resolve(0);
    const t = setTimeout(() => resolve(null), ms);
    s.once('close', () => { clearTimeout(t); resolve(performance.now() - t0); });
  });
}

/** Writes as fast as the socket takes it, up to `total` bytes or until it closes; resolves with bytes written. */
export function stream(s: Socket, total: number, chunk = Buffer.alloc(64 * 1024)): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    const pump = () => {
      while (sent < total && !s.destroyed) {
        sent += chunk.length;
        if (!s.write(chunk)) { s.once('drain', pump); return; }
      }
      resolve(sent);
    };
    s.once('close', () => resolve(sent));
    s.on('error', () => undefined);
    pump();
  });
}

/** An mqtt.js client, from the address `from` if given; rejects with the broker's refusal. */
export function client(url: string, o: IClientOptions & { from?: string } = {}): Promise<MqttClient> {
  const { from, ...opts } = o;
  const full: IClientOptions = { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...opts };
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const c = from
      ? new mqtt.MqttClient(() => tcp({ port: Number(u.port), host: u.hostname, localAddress: from }), full)
      : mqtt.connect(url, full);
    c.once('connect', () => resolve(c));
    // `on`, not `once`: a refused client may report more than one error.
    c.on('error', (e) => { c.end(true); reject(e); });
    c.once('close', () => reject(new Error('connection closed')));
  });
}
