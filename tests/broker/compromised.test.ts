// A compromised kiosk does little, on aedes and on Mosquitto with the generated
// files: a retained request is never replayed into a ticket, offline blocks stop at
// the hall's limit (with one alert), an impossible date gets a reply, not silence;
// and the hall still serves a normal ticket afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pino from 'pino';
import type { MqttClient } from 'mqtt';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { startController, type Controller } from '../../firmware/controller/service.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { FileBrokerAuth } from '../../firmware/security/file-auth.ts';
import { addDevice, emptyRegistry, saveRegistry } from '../../firmware/security/registry.ts';
import { writeMosquittoFiles, mosquittoConfLines } from '../../firmware/broker/mosquitto-files.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { startMosquitto, type RunningMosquitto } from '../setup/mosquitto.ts';
import { tempDir } from '../maint/helpers.ts';
import { client, FAST } from './helpers.ts';

const base = loadHallConfig();
// Open all day, so the test holds at any hour; small offline limits.
const hall = { ...base, hours: [{ open: '00:00', close: '23:59' }], services: base.services.map((s) => ({ ...s, hours: undefined })), offline: { blockSize: 30, blocksPerDay: 2 } };
const H = hall.hall.id;

function suite(name: string, start: (dir: string, reg: Parameters<typeof writeMosquittoFiles>[0]) => Promise<{ url: string; stop(): Promise<void> }>) {
  describe(`a compromised kiosk on ${name}`, () => {
    let broker: { url: string; stop(): Promise<void> };
    let ctlClient: MqttClient;
    let controller: Controller | undefined;
    let kiosk: MqttClient;
    const alerts: Array<Record<string, unknown>> = [];
    const replies = new Map<string, Record<string, unknown>>();

    const startCtl = async () => {
      ctlClient = await client(broker.url, { clientId: 'ctl', username: 'ctl', password: 'ctl-pw' });
      ctlClient.on('message', (t, p) => { if (t === topics.alert(H)) alerts.push(JSON.parse(String(p))); });
      await ctlClient.subscribeAsync(topics.alert(H), { qos: 1 });
      controller = await startController({ hall, dbPath: ':memory:', bus: new MqttBus(ctlClient, hall.hall.id), log: pino({ level: 'silent' }), supervise: false });
    };
    const ask = async (body: Record<string, unknown>, opts: { retain?: boolean } = {}) => {
      const id = String(body.id);
      await kiosk.publishAsync(topics.kioskRequest(H, 'k1'), JSON.stringify(body), { qos: 1, retain: opts.retain ?? false });
      for (let i = 0; i < 200 && !replies.has(id); i++) await new Promise((r) => setTimeout(r, 25));
      return replies.get(id);
    };

    beforeAll(async () => {
      const dir = tempDir('manyi-compromised-');
      let reg = emptyRegistry();
      reg = await addDevice(reg, { device: 'ctl', role: 'controller', hall: H }, 'ctl-pw', { scrypt: FAST });
      reg = await addDevice(reg, { device: 'kiosk-1', role: 'kiosk', hall: H, kiosk: 'k1' }, 'k1-pw', { scrypt: FAST });
      saveRegistry(join(dir, 'registry.json'), reg);
      broker = await start(dir, reg);
      kiosk = await client(broker.url, { clientId: 'kiosk-1', username: 'kiosk-1', password: 'k1-pw' });
      kiosk.on('message', (_t, p) => { const m = JSON.parse(String(p)); replies.set(String(m.id), m); });
      await kiosk.subscribeAsync(topics.kioskReply(H, 'k1'), { qos: 1 });
    });
    afterAll(async () => {
      await controller?.stop();
      kiosk?.end(true); ctlClient?.end(true);
      await broker?.stop();
    });

    it('a retained request is never turned into a ticket when the controller (re)subscribes', async () => {
      // Sent while no controller listens, retained: it would replay on every controller start.
      await kiosk.publishAsync(topics.kioskRequest(H, 'k1'), JSON.stringify({ id: 'replayed', service: 'registration', priority: 'priority' }), { qos: 1, retain: true });
      await startCtl();
      // A normal request after it is answered; the retained one never is.
      expect(await ask({ id: 'normal-1', service: 'registration' })).toMatchObject({ ok: true });
      expect(replies.has('replayed')).toBe(false);
      expect(controller!.engine.model.tickets.size).toBe(1);
    });

    it('offline blocks stop at the hall\'s limit, with one alert', async () => {
      expect(await ask({ id: 'big', op: 'reserve', service: 'payment', count: 200 })).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
      expect(await ask({ id: 'b1', op: 'reserve', service: 'payment', count: 30 })).toMatchObject({ ok: true });
      expect(await ask({ id: 'b2', op: 'reserve', service: 'payment', count: 30 })).toMatchObject({ ok: true });
      for (let i = 3; i < 20; i++) expect(await ask({ id: `b${i}`, op: 'reserve', service: 'payment', count: 30 })).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
      await expect.poll(() => alerts.filter((a) => a.kind === 'offline-blocks-over-limit'), { timeout: 5000 }).toHaveLength(1);
      // The next citizen gets an ordinary number, not one past a hoard.
      const t = await ask({ id: 'citizen', service: 'payment' }) as { ticket: { no: string } };
      expect(Number(t.ticket.no.slice(1))).toBeLessThanOrEqual(61);
    });

    it('a handover with an impossible date gets a bad-request reply, not silence', async () => {
      const r = await ask({ id: 'feb30', op: 'handover', service: 'payment', offline: { no: 'B001', issuedAt: '2026-02-30T25:61:00+08:00' } });
      expect(r).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      expect((r as { error: { message: string } }).error.message).toMatch(/real date and time/);
      expect(await ask({ id: 'normal-2', service: 'registration' })).toMatchObject({ ok: true });
    });
  });
}

suite('the embedded broker (aedes)', async (dir) => {
  const b: EmbeddedBroker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', auth: new FileBrokerAuth(join(dir, 'registry.json')) });
  return { url: b.url, stop: () => b.close() };
});
suite('Mosquitto with the generated files', async (dir, reg) => {
  const f = writeMosquittoFiles(reg, join(dir, 'mosquitto'));
  const m: RunningMosquitto = await startMosquitto({ config: ['user root', ...mosquittoConfLines(f.passwordFile, f.aclFile)].join('\n') });
  return { url: m.url, stop: () => m.stop() };
});
