// With authentication on, only provisioned devices get in, and each may publish only
// on its own topics — on the embedded broker (aedes) and on Mosquitto with the
// generated password and ACL files.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { topics, filters } from '../../firmware/protocol/topics.ts';
import { addDevice, emptyRegistry, saveRegistry, type Registry } from '../../firmware/security/registry.ts';
import { FileBrokerAuth } from '../../firmware/security/file-auth.ts';
import { writeMosquittoFiles, mosquittoConfLines } from '../../firmware/broker/mosquitto-files.ts';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { startMosquitto } from '../setup/mosquitto.ts';
import { connect, tempDir } from './helpers.ts';

interface TestBroker { url: string; stop(): Promise<void> }

const HALL = 'h1';
const FAST = { N: 1024, r: 8, p: 1 }; // tests only: the default is 2^14
const PW = { ctl: 'ctl-secret', k1: 'kiosk-secret', c5: 'counter-secret', b1: 'board-secret' };

async function makeRegistry(): Promise<Registry> {
  let reg = emptyRegistry();
  reg = await addDevice(reg, { device: 'ctl', role: 'controller', hall: HALL }, PW.ctl, { scrypt: FAST });
  reg = await addDevice(reg, { device: 'kiosk-1', role: 'kiosk', hall: HALL, kiosk: 'k1' }, PW.k1, { scrypt: FAST });
  reg = await addDevice(reg, { device: 'counter-5', role: 'counter', hall: HALL, window: 'w5' }, PW.c5, { scrypt: FAST });
  reg = await addDevice(reg, { device: 'board-1', role: 'board', hall: HALL }, PW.b1, { scrypt: FAST });
  return reg;
}

/** Publishes from `from`; resolves whether `observer` (subscribed to everything) received it. */
async function delivered(observer: MqttClient, from: MqttClient, marker: MqttClient, topic: string): Promise<boolean> {
  const seen: string[] = [];
  const onMsg = (t: string, p: Buffer) => { try { seen.push(`${t} ${JSON.parse(String(p)).tag}`); } catch { /* not ours */ } };
  observer.on('message', onMsg);
  const tag = Math.random().toString(36).slice(2);
  // aedes drops a client that publishes where it may not; Mosquitto acknowledges and discards.
  await new Promise<void>((res) => {
    from.once('close', () => res());
    from.publish(topic, JSON.stringify({ tag }), { qos: 1 }, () => res());
  });
  // A marker the observer is allowed to get, sent after: once it arrives, the first would have too.
  const markTopic = topics.hallState(HALL);
  const got = new Promise<void>((res) => observer.on('message', (t, p) => { if (t === markTopic && String(p).includes(`m-${tag}`)) res(); }));
  marker.publish(markTopic, JSON.stringify({ mark: `m-${tag}` }), { qos: 1 });
  await got;
  observer.off('message', onMsg);
  return seen.includes(`${topic} ${tag}`);
}

function suite(name: string, start: (dir: string, reg: Registry) => Promise<TestBroker>) {
  describe(`authentication and access on ${name}`, () => {
    let broker: TestBroker;
    let ctl: MqttClient;
    const open: MqttClient[] = [];
    const conn = async (u?: string, p?: string) => { const c = await connect(broker.url, u, p); open.push(c); return c; };

    beforeAll(async () => {
      const dir = tempDir();
      const reg = await makeRegistry();
      saveRegistry(join(dir, 'devices.json'), reg);
      broker = await start(dir, reg);
      ctl = await conn('ctl', PW.ctl);
      await ctl.subscribeAsync(filters.all(HALL), { qos: 1 });
    });
    afterAll(async () => {
      for (const c of open) c.end(true);
      await broker?.stop();
    });

    it('refuses an unknown client, a wrong password and no credentials', async () => {
      await expect(connect(broker.url, 'intruder', 'x')).rejects.toThrow();
      await expect(connect(broker.url, 'kiosk-1', 'wrong')).rejects.toThrow();
      await expect(connect(broker.url)).rejects.toThrow();
    });

    it('lets a provisioned kiosk request a ticket and read its reply', async () => {
      const k = await conn('kiosk-1', PW.k1);
      expect(await delivered(ctl, k, ctl, topics.kioskRequest(HALL, 'k1'))).toBe(true);
      const granted = await k.subscribeAsync(topics.kioskReply(HALL, 'k1'), { qos: 1 });
      expect(granted[0].qos).toBe(1);
      const reply = new Promise<string>((res) => k.on('message', (t, p) => t === topics.kioskReply(HALL, 'k1') && res(String(p))));
      ctl.publish(topics.kioskReply(HALL, 'k1'), '{"id":"r1","ok":true}', { qos: 1 });
      expect(JSON.parse(await reply).id).toBe('r1');
    });

    it("refuses a kiosk publishing on a window's command topic or another kiosk's", async () => {
      const k = await conn('kiosk-1', PW.k1);
      expect(await delivered(ctl, k, ctl, topics.windowCommand(HALL, 'w5'))).toBe(false);
      const k2 = await conn('kiosk-1', PW.k1);
      expect(await delivered(ctl, k2, ctl, topics.kioskRequest(HALL, 'k2'))).toBe(false);
    });

    it('lets a counter command its own window only', async () => {
      const c = await conn('counter-5', PW.c5);
      expect(await delivered(ctl, c, ctl, topics.windowCommand(HALL, 'w5'))).toBe(true);
      expect(await delivered(ctl, c, ctl, topics.windowRating(HALL, 'w5'))).toBe(true);
      const c2 = await conn('counter-5', PW.c5);
      expect(await delivered(ctl, c2, ctl, topics.windowCommand(HALL, 'w6'))).toBe(false);
    });

    it('refuses a device answering for the controller (reply, state, call)', async () => {
      for (const topic of [topics.kioskReply(HALL, 'k1'), topics.windowState(HALL, 'w5'), topics.call(HALL)]) {
        const c = await conn('counter-5', PW.c5);
        expect(await delivered(ctl, c, ctl, topic)).toBe(false);
      }
      const b = await conn('board-1', PW.b1);
      expect(await delivered(ctl, b, ctl, topics.windowReply(HALL, 'w5'))).toBe(false);
      const b2 = await conn('board-1', PW.b1);
      expect(await delivered(ctl, b2, ctl, topics.hallState(HALL))).toBe(false);
    });

    it('lets a board publish its own status but not another device’s', async () => {
      const b = await conn('board-1', PW.b1);
      expect(await delivered(ctl, b, ctl, topics.deviceStatus(HALL, 'board-1'))).toBe(true);
      const b2 = await conn('board-1', PW.b1);
      expect(await delivered(ctl, b2, ctl, topics.deviceStatus(HALL, 'kiosk-1'))).toBe(false);
    });

    it("does not deliver another device's update offer or reply to a device", async () => {
      const b = await conn('board-1', PW.b1);
      const got: string[] = [];
      b.on('message', (t) => got.push(t));
      await b.subscribeAsync(topics.deviceUpdate(HALL, 'kiosk-1'), { qos: 1 }).catch(() => undefined);
      await b.subscribeAsync(topics.kioskReply(HALL, 'k1'), { qos: 1 }).catch(() => undefined);
      await b.subscribeAsync(topics.hallState(HALL), { qos: 1 });
      ctl.publish(topics.kioskReply(HALL, 'k1'), '{"id":"secret"}', { qos: 1 });
      const mark = new Promise<void>((res) => b.on('message', (t) => t === topics.hallState(HALL) && res()));
      ctl.publish(topics.hallState(HALL), '{"m":1}', { qos: 1 });
      await mark;
      expect(got).toEqual([topics.hallState(HALL)]);
    });
  });
}

suite('the embedded broker (aedes)', async (dir) => {
  const b = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', auth: new FileBrokerAuth(join(dir, 'devices.json')) });
  return { url: b.url, stop: () => b.close() };
});
suite('Mosquitto with the generated files', async (dir, reg) => {
  const f = writeMosquittoFiles(reg, join(dir, 'mosquitto'));
  // Tests run as root with files in a private temp folder: keep Mosquitto from dropping to its own user.
  return startMosquitto({ config: ['user root', ...mosquittoConfLines(f.passwordFile, f.aclFile)].join('\n') });
});

describe('session take-over on the embedded broker', () => {
  it("refuses a device's credentials under another device's client id", async () => {
    const dir = tempDir();
    saveRegistry(join(dir, 'devices.json'), await makeRegistry());
    const b = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', auth: new FileBrokerAuth(join(dir, 'devices.json')) });
    try {
      const mqttMod = (await import('mqtt')).default;
      const attempt = (clientId: string) => new Promise<boolean>((res) => {
        const c = mqttMod.connect(b.url, { username: 'kiosk-1', password: PW.k1, clientId, reconnectPeriod: 0, protocolVersion: 4 });
        c.once('connect', () => { c.end(true); res(true); });
        c.once('error', () => { c.end(true); res(false); });
      });
      expect(await attempt('counter-5')).toBe(false);
      // Not even an id that starts with its own: `board` as `board-2f` knocked that device off.
      expect(await attempt('kiosk-1-tool')).toBe(false);
      expect(await attempt('kiosk-1')).toBe(true);
    } finally { await b.close(); }
  });
});
