import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { WebApp } from '../../firmware/web/app.ts';
import type { BrokerAuth, DeviceIdentity } from '../../firmware/security/identity.ts';
import { startMosquitto } from '../setup/mosquitto.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

async function client(url: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts });
  cleanups.push(async () => { c.end(true); });
  return c;
}

async function roundTrip(pub: MqttClient, sub: MqttClient, topic: string): Promise<string> {
  await sub.subscribeAsync(topic, { qos: 1 });
  const got = new Promise<string>((resolve) => sub.on('message', (t, p) => { if (t === topic) resolve(p.toString()); }));
  await pub.publishAsync(topic, 'hello', { qos: 1 });
  return got;
}

// A tiny auth: user "kiosk-1"/"pw" may publish only under its kiosk topics.
const auth: BrokerAuth = {
  async authenticate(_cid, user, pw): Promise<DeviceIdentity | null> {
    return user === 'kiosk-1' && pw?.toString() === 'pw' ? { device: 'kiosk-1', role: 'kiosk', hall: 'h', kiosk: 'k1' } : null;
  },
  canPublish: (_who, topic) => topic.startsWith('manyi/v1/h/kiosk/k1/'),
  canSubscribe: (_who, filter) => filter.startsWith('manyi/v1/h/kiosk/k1/'),
};

describe('embedded broker', () => {
  it('relays QoS 1 over TCP and over WebSocket on the web host', async () => {
    const web = new WebApp();
    const webPort = await web.listen(0, '127.0.0.1');
    const b: EmbeddedBroker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', web });
    cleanups.push(() => web.close(), () => b.close());
    const tcp = await client(b.url);
    const ws = await client(`ws://127.0.0.1:${webPort}/mqtt`);
    expect(await roundTrip(tcp, ws, 'manyi/v1/h/call')).toBe('hello');
    expect(await roundTrip(ws, tcp, 'manyi/v1/h/alert')).toBe('hello');
  });

  it('with auth: refuses bad passwords, enforces publish rights, admits loopback anonymous only when asked', async () => {
    const b = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', auth });
    cleanups.push(() => b.close());
    await expect(mqtt.connectAsync(b.url, { reconnectPeriod: 0, username: 'kiosk-1', password: 'nope' })).rejects.toThrow();
    await expect(mqtt.connectAsync(b.url, { reconnectPeriod: 0 })).rejects.toThrow();
    const k = await client(b.url, { username: 'kiosk-1', password: 'pw' });
    const seen: string[] = [];
    b.aedes.on('publish', (p, c) => { if (c) seen.push(p.topic); });
    await k.publishAsync('manyi/v1/h/kiosk/k1/request', '{}', { qos: 1 });
    // Refused subscription: SUBACK 0x80, which mqtt.js turns into an error.
    await expect(k.subscribeAsync('manyi/v1/h/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    // A refused publish: aedes drops it and disconnects the 3.1.1 client.
    const closed = new Promise<void>((resolve) => k.once('close', () => resolve()));
    k.publish('manyi/v1/h/state', '{}', { qos: 1 });
    await closed;
    expect(seen).toEqual(['manyi/v1/h/kiosk/k1/request']);

    const open = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', auth, anonymousLoopback: true });
    cleanups.push(() => open.close());
    const anon = await client(open.url);
    const sub = await client(open.url);
    expect(await roundTrip(anon, sub, 'manyi/v1/h/state')).toBe('hello');
  });
});

describe('mosquitto test broker', () => {
  it('starts on a free port, relays QoS 1, stops by PID', async () => {
    const m = await startMosquitto();
    const a = await mqtt.connectAsync(m.url, { reconnectPeriod: 0 });
    const c = await mqtt.connectAsync(m.url, { reconnectPeriod: 0 });
    expect(await roundTrip(a, c, 'manyi/v1/h/call')).toBe('hello');
    await a.endAsync(); await c.endAsync();
    await m.stop();
    await expect(mqtt.connectAsync(m.url, { reconnectPeriod: 0, connectTimeout: 1000 })).rejects.toThrow();
  });
});
