// The update agent's decisions, in process with a stand-in MQTT client: which
// offers it takes, refuses or ignores, the statuses it reports (retained, in
// order), and the confirmation after the restart (healthy in time, or back to
// the previous slot). The full path with real processes: tests/maint/update.test.ts.
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import type { MqttClient } from 'mqtt';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { topics } from '../../firmware/protocol/topics.ts';
import type { Role, UpdateOffer } from '../../firmware/protocol/messages.ts';
import { startUpdateAgent, systemdRestart, type UpdateAgentOptions } from '../../firmware/update/agent.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import { buildBundle } from '../../firmware/update/bundle.ts';
import { currentSlot, initSlots, readJournal, slotDir, switchTo, writeJournal } from '../../firmware/update/slots.ts';

const H = 'test-hall';
const DEV = 'kiosk-1';
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
let pub: string;
let archive: Buffer;
let offer: UpdateOffer;

beforeAll(async () => {
  const secret = ed.utils.randomSecretKey();
  pub = Buffer.from(await ed.getPublicKeyAsync(secret)).toString('hex');
  const src = tmp('manyi-src-');
  mkdirSync(join(src, 'firmware'), { recursive: true });
  writeFileSync(join(src, 'firmware', 'app.mjs'), '// 2\n');
  const out = tmp('manyi-out-');
  const { bundle } = await buildBundle({ version: '2.0.0', secretKey: secret, outDir: out, sourceRoot: src });
  archive = readFileSync(join(out, bundle.archive));
  offer = { id: 'offer-2', version: '2.0.0', url: 'http://b/x.tar.gz', sha256: bundle.manifest.sha256, size: bundle.manifest.size, signature: bundle.signature };
});

/** The few MqttClient calls the agent makes, recorded. */
class FakeMqtt extends EventEmitter {
  published: Array<{ topic: string; msg: Record<string, unknown>; retain: boolean; qos: number }> = [];
  subscribed: string[] = [];
  unsubscribed: string[] = [];
  publish(topic: string, payload: string, opts: { qos: number; retain: boolean }, cb: () => void): void {
    this.published.push({ topic, msg: JSON.parse(payload), retain: opts.retain, qos: opts.qos });
    cb();
  }
  async subscribeAsync(t: string): Promise<void> { this.subscribed.push(t); }
  async unsubscribeAsync(t: string): Promise<void> { this.unsubscribed.push(t); }
  offer(o: unknown, topic = topics.deviceUpdate(H, DEV)): void {
    this.emit('message', topic, Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)));
  }
  states(): string[] { return this.published.map((p) => `${p.msg.state}${p.msg.error ? `: ${p.msg.error}` : ''}`); }
}

function board(): string {
  const root = tmp('manyi-board-');
  initSlots(root, '1.0.0', () => undefined);
  return root;
}

async function agent(over: Partial<UpdateAgentOptions> & { role?: Role } = {}) {
  const mqtt = new FakeMqtt();
  const root = over.root ?? board();
  let restarts = 0;
  const a = await startUpdateAgent({
    bus: new MqttBus(mqtt as unknown as MqttClient, H), device: DEV, role: 'board', root, publicKey: pub,
    restart: async () => { restarts++; }, healthy: async () => true,
    fetch: (async () => new Response(new Uint8Array(archive))) as unknown as typeof fetch,
    ...over,
  });
  const settle = async () => { await a.stop(); }; // stop waits for the offer in hand
  return { mqtt, root, a, settle, restarts: () => restarts };
}

describe('update agent', () => {
  it('subscribes to its own offer topic, installs, restarts, confirms healthy, reporting each step retained', async () => {
    const { mqtt, root, settle, restarts } = await agent();
    expect(mqtt.subscribed).toEqual([topics.deviceUpdate(H, DEV)]);
    mqtt.offer(offer);
    await settle();
    expect(mqtt.states()).toEqual(['downloading', 'verifying', 'installing', 'restarting', 'healthy']);
    for (const p of mqtt.published) {
      expect(p).toMatchObject({ topic: topics.deviceUpdateStatus(H, DEV), retain: true, qos: 1, msg: { id: 'offer-2', version: '2.0.0' } });
      expect(typeof p.msg.at).toBe('string');
    }
    expect(restarts()).toBe(1);
    expect(currentSlot(root)).toBe('b');
    expect(readJournal(root)).toEqual({ last: { id: 'offer-2', version: '2.0.0', state: 'healthy' } });
    expect(mqtt.unsubscribed).toEqual([topics.deviceUpdate(H, DEV)]);
  });

  it('takes a retained offer once: seen again after the install, it is ignored', async () => {
    const root = board();
    writeJournal(root, { last: { id: 'offer-2', version: '2.0.0', state: 'failed', error: 'x' } });
    const { mqtt, settle } = await agent({ root });
    mqtt.offer(offer);
    await settle();
    expect(mqtt.published).toEqual([]);
  });

  it('answers healthy at once for the version it already runs', async () => {
    const { mqtt, root, settle, restarts } = await agent();
    mqtt.offer({ ...offer, id: 'again-1', version: '1.0.0' });
    await settle();
    expect(mqtt.states()).toEqual(['healthy']);
    expect(restarts()).toBe(0);
    expect(readJournal(root).last).toEqual({ id: 'again-1', version: '1.0.0', state: 'healthy' });
  });

  it('fails an offer on a board without an update key', async () => {
    const { mqtt, root, settle } = await agent({ publicKey: undefined });
    mqtt.offer(offer);
    await settle();
    expect(mqtt.states()).toEqual(['failed: this board has no update key (updateKey in its configuration)']);
    expect(readJournal(root).last).toMatchObject({ id: 'offer-2', state: 'failed' });
    expect(currentSlot(root)).toBe('a');
  });

  it('refuses kiosks and counters inside opening hours unless forced; boards and controllers are not held', async () => {
    for (const role of ['kiosk', 'counter'] as const) {
      const { mqtt, settle } = await agent({ role, busyReason: () => 'inside opening hours (07:30–17:00)' });
      mqtt.offer(offer);
      await settle();
      expect(mqtt.states()).toEqual(['failed: refused: inside opening hours (07:30–17:00); offer again after hours or with force']);
    }
    const forced = await agent({ role: 'kiosk', busyReason: () => 'inside opening hours (07:30–17:00)' });
    forced.mqtt.offer({ ...offer, force: true });
    await forced.settle();
    expect(forced.mqtt.states().at(-1)).toBe('healthy');
    for (const role of ['board', 'controller'] as const) {
      const b = await agent({ role, busyReason: () => 'inside opening hours (07:30–17:00)' });
      b.mqtt.offer(offer);
      await b.settle();
      expect(b.mqtt.states().at(-1)).toBe('healthy');
    }
  });

  it('reports a refused install as failed, with the reason, and keeps the old version', async () => {
    const { mqtt, root, settle, restarts } = await agent({ fetch: (async () => new Response(null, { status: 503 })) as unknown as typeof fetch });
    mqtt.offer(offer);
    await settle();
    expect(mqtt.states()).toEqual(['downloading', 'failed: download failed: HTTP 503']);
    expect(restarts()).toBe(0);
    expect(currentSlot(root)).toBe('a');
    expect(readJournal(root).last).toMatchObject({ state: 'failed', error: 'download failed: HTTP 503' });
  });

  it('rolls back a version that does not report healthy before its deadline, and restarts the old one', async () => {
    let restarts = 0;
    const { mqtt, root, settle } = await agent({ healthy: () => new Promise(() => undefined), healthDeadlineMs: 50, restart: async () => { restarts++; } });
    mqtt.offer(offer);
    await settle();
    expect(mqtt.states()).toEqual(['downloading', 'verifying', 'installing', 'restarting', 'rolled-back: version 2.0.0 did not report healthy within 0 s']);
    expect(restarts).toBe(2); // into the new version, then back
    expect(currentSlot(root)).toBe('a');
    expect(readJournal(root).last).toMatchObject({ id: 'offer-2', state: 'rolled-back' });
  });

  it('rolls back a version whose health check fails', async () => {
    const { mqtt, root, settle } = await agent({ healthy: async () => { throw new Error('no broker'); } });
    mqtt.offer(offer);
    await settle();
    expect(mqtt.states().at(-1)).toBe('rolled-back: version 2.0.0 did not report healthy within 120 s');
    expect(currentSlot(root)).toBe('a');
  });

  it('on start, confirms a trial version the board restarted into, or reports the boot check\'s rollback', async () => {
    const root = board();
    mkdirSync(slotDir(root, 'b'), { recursive: true });
    writeFileSync(join(slotDir(root, 'b'), 'VERSION'), '2.0.0\n');
    switchTo(root, 'b');
    writeJournal(root, { pending: { id: 'offer-2', version: '2.0.0', slot: 'b', previous: 'a', since: Date.now(), deadlineMs: 60_000, boots: 1 } });
    const ok = await agent({ root });
    expect(ok.mqtt.states()).toEqual(['healthy']);
    expect(readJournal(root)).toEqual({ last: { id: 'offer-2', version: '2.0.0', state: 'healthy' } });
    await ok.settle();

    const back = board();
    writeJournal(back, { last: { id: 'offer-3', version: '3.0.0', state: 'rolled-back', error: 'version 3.0.0 failed to start 3 times' } });
    const rb = await agent({ root: back });
    expect(rb.mqtt.published.map((p) => p.msg)).toEqual([expect.objectContaining({ id: 'offer-3', version: '3.0.0', state: 'rolled-back', error: 'version 3.0.0 failed to start 3 times' })]);
    await rb.settle();

    // a trial the boot check already switched back from: nothing to confirm
    const gone = board();
    writeJournal(gone, { pending: { id: 'offer-4', version: '4.0.0', slot: 'b', previous: 'a', since: Date.now(), deadlineMs: 60_000, boots: 1 } });
    const g = await agent({ root: gone });
    expect(g.mqtt.published).toEqual([]);
    await g.settle();
  });

  it('ignores empty, malformed and other devices\' offers, and offers after stop', async () => {
    const { mqtt, a, root } = await agent();
    mqtt.offer(''); // a cleared retained offer
    mqtt.offer('{"id":');
    mqtt.offer({ ...offer, sha256: 'nope' });
    mqtt.offer(offer, topics.deviceUpdate(H, 'kiosk-2'));
    await a.stop();
    mqtt.offer(offer);
    await new Promise((r) => setTimeout(r, 20));
    expect(mqtt.published).toEqual([]);
    expect(currentSlot(root)).toBe('a');
  });
});

/** A log that keeps what it is told. */
function recordingLog() {
  const lines: Array<{ level: 'info' | 'warn'; o: Record<string, unknown>; m?: string }> = [];
  return {
    lines,
    info: (o: object, m?: string) => { lines.push({ level: 'info', o: o as Record<string, unknown>, m }); },
    warn: (o: object, m?: string) => { lines.push({ level: 'warn', o: o as Record<string, unknown>, m }); },
    warnings: () => lines.filter((l) => l.level === 'warn').map((l) => l.m),
  };
}

describe('update agent: what it logs, waits for and skips', () => {
  it('logs each status it reports, with the reason of a failure', async () => {
    const log = recordingLog();
    const { mqtt, settle } = await agent({ log, publicKey: undefined });
    mqtt.offer(offer);
    await settle();
    expect(log.lines).toEqual([{
      level: 'info', o: { update: mqtt.published[0].msg },
      m: 'update 2.0.0: failed (this board has no update key (updateKey in its configuration))',
    }]);
  });

  it('logs a successful install\'s steps without a reason, and starts a fresh board without a warning', async () => {
    const log = recordingLog();
    const { mqtt, settle } = await agent({ log });
    mqtt.offer(offer);
    await settle();
    expect(log.lines.map((l) => `${l.level} ${l.m}`)).toEqual([
      'info update 2.0.0: downloading', 'info update 2.0.0: verifying', 'info update 2.0.0: installing', 'info update 2.0.0: restarting', 'info update 2.0.0: healthy',
    ]);
  });

  it('gives a restarted version its whole health deadline: healthy after a moment is healthy', async () => {
    const { mqtt, root, settle, restarts } = await agent({
      healthy: () => new Promise((r) => setTimeout(() => r(true), 100)), healthDeadlineMs: 30_000,
    });
    mqtt.offer(offer);
    await settle();
    expect(mqtt.states().at(-1)).toBe('healthy');
    expect(restarts()).toBe(1);
    expect(currentSlot(root)).toBe('b');
  });

  it('leaves an offer whose trial is pending to the boot check: no second install', async () => {
    const root = board();
    // On trial in slot b, but the board runs a (the boot check switched back, the agent started before it journaled).
    writeJournal(root, { pending: { id: 'offer-2', version: '2.0.0', slot: 'b', previous: 'a', since: Date.now(), deadlineMs: 60_000, boots: 1 } });
    const { mqtt, settle, restarts } = await agent({ root });
    mqtt.offer(offer);
    await settle();
    expect(mqtt.published).toEqual([]);
    expect(restarts()).toBe(0);
  });

  it('installs on a kiosk that has no opening-hours rule', async () => {
    const { mqtt, settle } = await agent({ role: 'kiosk', busyReason: undefined });
    mqtt.offer(offer);
    await settle();
    expect(mqtt.states().at(-1)).toBe('healthy');
  });

  it('warns about an install error that is not a refusal (the network), and not about a refusal', async () => {
    const log = recordingLog();
    const { mqtt, settle } = await agent({ log, fetch: (async () => { throw new TypeError('fetch failed'); }) as unknown as typeof fetch });
    mqtt.offer(offer);
    await settle();
    expect(mqtt.states()).toEqual(['downloading', 'failed: fetch failed']);
    expect(log.warnings()).toEqual(['update install error']);
    expect(log.lines.find((l) => l.level === 'warn')!.o.err).toBeInstanceOf(TypeError);

    const refused = recordingLog();
    const r = await agent({ log: refused, fetch: (async () => new Response(null, { status: 503 })) as unknown as typeof fetch });
    r.mqtt.offer(offer);
    await r.settle();
    expect(r.mqtt.states().at(-1)).toBe('failed: download failed: HTTP 503');
    expect(refused.warnings()).toEqual([]);
  });

  it('warns about an invalid offer, naming what is wrong, and installs nothing', async () => {
    const log = recordingLog();
    const { mqtt, settle } = await agent({ log });
    mqtt.offer({ ...offer, sha256: 'nope' });
    await settle();
    expect(mqtt.published).toEqual([]);
    expect(log.warnings()).toEqual(['invalid update offer ignored']);
    expect(String(log.lines[0].o.error)).toMatch(/sha256/);
  });

  it('warns when it cannot write its journal, at start and with an offer, and keeps running', async () => {
    const root = board();
    mkdirSync(slotDir(root, 'b'), { recursive: true });
    writeFileSync(join(slotDir(root, 'b'), 'VERSION'), '2.0.0\n');
    switchTo(root, 'b');
    writeJournal(root, { pending: { id: 'offer-1', version: '2.0.0', slot: 'b', previous: 'a', since: Date.now(), deadlineMs: 60_000, boots: 1 } });
    mkdirSync(join(root, 'journal.json.tmp')); // the journal's temp file cannot be written
    const log = recordingLog();
    const { mqtt, settle } = await agent({ root, log, publicKey: undefined });
    expect(log.warnings()).toEqual(['update confirmation error']);
    mqtt.offer({ ...offer, id: 'offer-3', version: '3.0.0' });
    await settle();
    expect(log.warnings()).toEqual(['update confirmation error', 'update agent error']);
    for (const l of log.lines.filter((x) => x.level === 'warn')) expect((l.o.err as Error).message).toMatch(/EISDIR/);
  });
});

describe('update agents sharing a bus', () => {
  it('stopping one device\'s agent leaves the other\'s taking its offers', async () => {
    const mqtt = new FakeMqtt();
    const bus = new MqttBus(mqtt as unknown as MqttClient, H);
    const start = (device: string) => startUpdateAgent({
      bus, device, role: 'board', root: board(), publicKey: pub, restart: async () => undefined, healthy: async () => true,
      fetch: (async () => new Response(new Uint8Array(archive))) as unknown as typeof fetch,
    });
    const one = await start('kiosk-1');
    const two = await start('kiosk-2');
    await one.stop();
    mqtt.offer(offer, topics.deviceUpdate(H, 'kiosk-2'));
    await two.stop(); // waits for the offer in hand
    expect(mqtt.published.map((p) => p.topic)).toContain(topics.deviceUpdateStatus(H, 'kiosk-2'));
    expect(mqtt.states().at(-1)).toBe('healthy');
  });
});

describe('systemdRestart', () => {
  it('asks the board\'s own process to stop (SIGTERM), for systemd to start it again', async () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      await systemdRestart()();
      expect(kill.mock.calls).toEqual([[process.pid, 'SIGTERM']]);
    } finally {
      kill.mockRestore();
    }
  });
});
