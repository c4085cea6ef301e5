// A rollout over 20 simulated devices (real update agents, real downloads and
// slots in temp folders) stops at the one whose new version is unhealthy.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import * as ed from '@noble/ed25519';
import { topics } from '../../firmware/protocol/topics.ts';
import { startUpdateAgent } from '../../firmware/update/agent.ts';
import { serveBundles, type BundleServer } from '../../firmware/update/serve.ts';
import { currentSlot, slotVersion } from '../../firmware/update/slots.ts';
import { publicKeyOf } from '../../firmware/security/keys.ts';
import { rollout, resolveTargets, waves } from '../../firmware/maint/rollout.ts';
import { makeBoard, makeBundle, plainBroker } from './update-helpers.ts';
import type { BundleFile } from '../../firmware/update/bundle.ts';
import { tempDir } from './helpers.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

const HALL = 'h1';
const N = 20;
const FAILING = 'dev-10';

describe('rollout', () => {
  let broker: Awaited<ReturnType<typeof plainBroker>>;
  let server: BundleServer;
  let maint: MqttClient;
  let bundle: BundleFile;
  const boards: Array<{ device: string; root: string; offers: number; client: MqttClient; stop(): Promise<void> }> = [];

  beforeAll(async () => {
    const secret = ed.utils.randomSecretKey();
    const pub = await publicKeyOf(secret);
    broker = await plainBroker();
    const dir = tempDir('manyi-rollout-');
    ({ bundle } = await makeBundle('2.0.0', secret, dir));
    server = await serveBundles(dir, { host: '127.0.0.1' });
    maint = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    for (let i = 0; i < N; i++) {
      const device = `dev-${String(i).padStart(2, '0')}`;
      const root = makeBoard();
      const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: device });
      await client.publishAsync(topics.deviceStatus(HALL, device), JSON.stringify({ state: 'online', role: 'board', version: '1.0.0', at: new Date().toISOString() }), { qos: 1, retain: true });
      const b = { device, root, offers: 0, client, stop: async () => {} };
      client.on('message', (t) => { if (t === topics.deviceUpdate(HALL, device)) b.offers++; });
      const agent = await startUpdateAgent({
        bus: new MqttBus(client, HALL), device, role: 'board', root, publicKey: pub,
        restart: async () => {},
        // The failing device's hardware does not come up with the new version.
        healthy: async () => !(device === FAILING && slotVersion(root, currentSlot(root)!) === '2.0.0'),
        healthDeadlineMs: 5000,
      });
      b.stop = async () => { await agent.stop(); client.end(true); };
      boards.push(b);
    }
  }, 60_000);
  afterAll(async () => {
    for (const b of boards) await b.stop();
    maint?.end(true);
    await server?.close();
    await broker?.stop();
  });

  it('plans waves of 1, 2, 4, 8 … devices', () => {
    expect(waves(Array.from({ length: 20 }, (_, i) => `d${i}`)).map((w) => w.length)).toEqual([1, 2, 4, 8, 5]);
  });

  it('updates wave by wave and stops at the failing device, naming it and why', async () => {
    const targets = await resolveTargets(new MqttBus(maint, HALL), 'board', 300);
    expect(targets).toHaveLength(N);
    const lines: string[] = [];
    const r = await rollout({ bus: new MqttBus(maint, HALL), bundle, baseUrl: server.url, devices: targets, waveTimeoutMs: 20_000, onProgress: (l) => lines.push(l) });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failed.device).toBe(FAILING);
    expect(r.failed.state).toBe('rolled-back');
    expect(r.failed.reason).toMatch(/did not report healthy/);
    // dev-10 is in the fourth wave (dev-07 … dev-14); the fifth was never offered.
    expect(r.notOffered).toEqual(['dev-15', 'dev-16', 'dev-17', 'dev-18', 'dev-19']);
    for (const b of boards) {
      const v = slotVersion(b.root, currentSlot(b.root)!);
      const idx = Number(b.device.slice(4));
      if (idx >= 15) { expect(v).toBe('1.0.0'); expect(b.offers).toBe(0); }
      else if (b.device === FAILING) expect(v).toBe('1.0.0');
      else if (idx < 7) expect(v).toBe('2.0.0');
    }
    expect(r.updated).toEqual(expect.arrayContaining(['dev-00', 'dev-01', 'dev-02', 'dev-03', 'dev-04', 'dev-05', 'dev-06']));
    expect(lines[0]).toBe('wave 1/5: dev-00');
  });

  it('refuses unknown device names in --to', async () => {
    await expect(resolveTargets(new MqttBus(maint, HALL), 'dev-00,nope', 200)).rejects.toThrow(/unknown device\(s\): nope/);
  });
});
