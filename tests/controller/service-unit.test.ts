// The controller's MQTT side in process, with a stand-in client that records what
// is published: one reply per request on the sender's reply topic, a repeated id
// answered with the stored bytes, bad input answered `bad-request` and nothing
// else, the retained states after each change (and at start), calls and alerts
// after the reply, the hall state at most once a second, devices' messages fed to
// supervision, other halls ignored. Against real brokers: service.test.ts.
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startController, type Controller } from '../../firmware/controller/service.ts';
import { MemoryStore } from '../../firmware/eventlog/store.ts';
import { VirtualClock } from '../../firmware/lib/time.ts';
import { filters, topics } from '../../firmware/protocol/topics.ts';
import { at, hall } from './helpers.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import { FakeMqtt, fakeController, recordingLog } from './fake-mqtt.ts';

const H = hall.hall.id;

const running: Controller[] = [];
afterEach(async () => { while (running.length) await running.pop()!.stop(); });

async function controller(opts: { supervise?: boolean; store?: MemoryStore; tickMs?: number } = {}) {
  const mqtt = new FakeMqtt();
  const clock = new VirtualClock(at(0));
  const warnings: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { const o = JSON.parse(s); if (o.level >= 40) warnings.push(o.msg); } });
  const ctl = await startController({ hall, dbPath: ':memory:', bus: new MqttBus(mqtt as unknown as MqttClient, H, log), clock, log, policy: 'dedicated', tickMs: opts.tickMs ?? 60_000, store: opts.store ?? new MemoryStore(), supervise: opts.supervise });
  running.push(ctl);
  return { mqtt, clock, ctl, warnings };
}

describe('controller over a stand-in MQTT client', () => {
  it('subscribes to requests, commands, ratings and devices; publishes every window state and the hall state at start, retained', async () => {
    const { mqtt } = await controller();
    expect(mqtt.subscribed).toEqual([filters.kioskRequests(H), filters.windowCommands(H), filters.windowRatings(H), filters.deviceStatuses(H), filters.deviceHealths(H)]);
    const states = mqtt.sent.filter((m) => m.topic.endsWith('/state'));
    expect(states.slice(0, hall.windows.length).map((m) => m.topic)).toEqual(hall.windows.map((w) => topics.windowState(H, w.id)));
    expect(new Set(states.slice(hall.windows.length).map((m) => m.topic))).toEqual(new Set([topics.hallState(H)]));
    expect(states.every((m) => m.retain && m.qos === 1)).toBe(true);
    expect(JSON.parse(states.at(-1)!.payload)).toMatchObject({ services: expect.any(Array), windows: expect.any(Array) });
    const quiet = await controller({ supervise: false });
    expect(quiet.mqtt.subscribed).toEqual([filters.kioskRequests(H), filters.windowCommands(H), filters.windowRatings(H)]);
  });

  it('replies once on the sender\'s reply topic, then publishes the changed window, the call and the hall state', async () => {
    const { mqtt, clock } = await controller();
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 't1', service: 'registration' });
    expect(mqtt.to(topics.kioskReply(H, 'k1')).map((m) => JSON.parse(m.payload))).toEqual([expect.objectContaining({ id: 't1', ok: true, ticket: expect.objectContaining({ no: 'A001' }) })]);
    clock.advance(1000);
    const from = mqtt.sent.length;
    mqtt.send(topics.windowCommand(H, '2'), { id: 'o1', action: 'open' });
    expect(mqtt.since(from).map((m) => m.topic)).toEqual([topics.windowReply(H, '2'), topics.windowState(H, '2'), topics.hallState(H)]);
    expect(mqtt.since(from)[1]).toMatchObject({ retain: true, msg: { status: 'open' } });
    expect(mqtt.since(from)[0]).toMatchObject({ retain: false, qos: 1, msg: { id: 'o1', ok: true } });
    // within the same second: the window and the call, but not the hall state again
    const from2 = mqtt.sent.length;
    mqtt.send(topics.windowCommand(H, '2'), { id: 'c1', action: 'call-next' });
    expect(mqtt.since(from2).map((m) => m.topic)).toEqual([topics.windowReply(H, '2'), topics.windowState(H, '2'), topics.call(H)]);
    expect(mqtt.since(from2)[2]).toMatchObject({ retain: false, msg: { no: 'A001', window: '2', recall: false } });
    // a second later, a change publishes the hall state again
    clock.advance(1000);
    const from3 = mqtt.sent.length;
    mqtt.send(topics.windowCommand(H, '2'), { id: 's1', action: 'start' });
    expect(mqtt.since(from3).map((m) => m.topic)).toEqual([topics.windowReply(H, '2'), topics.windowState(H, '2'), topics.hallState(H)]);
    // a second later but nothing changed (a refusal): no hall state
    clock.advance(1000);
    const from4 = mqtt.sent.length;
    mqtt.send(topics.windowCommand(H, '2'), { id: 's2', action: 'start' });
    expect(mqtt.since(from4).map((m) => m.topic)).toEqual([topics.windowReply(H, '2')]);
  });

  it('answers a repeated id with the stored bytes on the stored topic, and runs nothing again', async () => {
    const { mqtt, ctl } = await controller();
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'same', service: 'payment' });
    const first = mqtt.to(topics.kioskReply(H, 'k1'))[0]!;
    const from = mqtt.sent.length;
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'same', service: 'registration' });
    expect(mqtt.sent.slice(from)).toEqual([{ topic: first.topic, payload: first.payload, retain: false, qos: 1 }]);
    expect(ctl.engine.model.queues.get('registration')).toHaveLength(0);
    // the same id from another kiosk is another request
    mqtt.send(topics.kioskRequest(H, 'k2'), { id: 'same', service: 'payment' });
    expect(JSON.parse(mqtt.to(topics.kioskReply(H, 'k2'))[0]!.payload).ticket.no).toBe('B002');
    // and a window's rating shares the window's ids
    mqtt.send(topics.windowCommand(H, '6'), { id: 'w1', action: 'open' });
    const before = mqtt.to(topics.windowReply(H, '6')).length;
    mqtt.send(topics.windowRating(H, '6'), { id: 'w1', ticket: 'B001', score: 'basic' });
    const replies = mqtt.to(topics.windowReply(H, '6'));
    expect(replies).toHaveLength(before + 1);
    expect(replies.at(-1)!.payload).toBe(replies[0]!.payload);
  });

  it('answers bad input with bad-request (keeping a valid id), changes nothing, logs it', async () => {
    const { mqtt, ctl, warnings } = await controller();
    const from = mqtt.sent.length;
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'b1', service: 'registration', op: 'dance' });
    mqtt.send(topics.windowCommand(H, '3'), '{"action":');
    mqtt.send(topics.windowRating(H, '3'), { id: 'r1', ticket: 'A001', score: 'meh' });
    expect(mqtt.since(from).map((m) => [m.topic, m.msg.id, m.msg.ok, m.msg.error.code])).toEqual([
      [topics.kioskReply(H, 'k1'), 'b1', false, 'bad-request'],
      [topics.windowReply(H, '3'), null, false, 'bad-request'],
      [topics.windowReply(H, '3'), 'r1', false, 'bad-request'],
    ]);
    expect(mqtt.since(from)[2].msg.error.message).toMatch(/^score: /);
    expect(warnings.filter((w) => w === 'bad request')).toHaveLength(3);
    expect(ctl.engine.model.tickets.size).toBe(0);
    // a bad request is not stored: the same id, now valid, runs
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'b1', service: 'registration' });
    expect(mqtt.to(topics.kioskReply(H, 'k1')).at(-1)!.payload).toContain('"ok":true');
  });

  it('ignores other halls, other topics and what it publishes itself', async () => {
    const { mqtt } = await controller();
    const from = mqtt.sent.length;
    mqtt.send(topics.kioskRequest('other-hall', 'k1'), { id: 'x', service: 'registration' });
    mqtt.send(`manyi/v1/${H}/nonsense`, { id: 'x' });
    mqtt.send(topics.kioskReply(H, 'k1'), { id: 'x', ok: true });
    mqtt.send(topics.hallState(H), { at: 'x' });
    mqtt.send('$SYS/broker/uptime', '5');
    expect(mqtt.sent.length).toBe(from);
  });

  it('feeds devices\' status and health to supervision and publishes its alerts on the tick; drops bad device messages with a warning', async () => {
    const { mqtt, ctl, warnings } = await controller({ tickMs: 10 });
    mqtt.send(topics.deviceStatus(H, 'kiosk-9'), { state: 'offline', role: 'kiosk', version: '1', at: '2026-11-26T08:00:00+08:00' });
    mqtt.send(topics.deviceHealth(H, 'kiosk-8'), { at: '2026-11-26T08:00:00+08:00', uptimeS: 1, rssMB: 50, printer: 'paper-out' });
    mqtt.send(topics.deviceStatus(H, 'kiosk-7'), { state: 'napping' });
    mqtt.send(topics.deviceHealth(H, 'kiosk-7'), { uptimeS: -1 });
    expect(warnings.filter((w) => w === 'bad device message')).toHaveLength(2);
    const deadline = Date.now() + 10_000;
    const alerts = () => mqtt.to(topics.alert(H)).map((m) => JSON.parse(m.payload));
    while (!(alerts().some((a) => a.kind === 'device-offline') && alerts().some((a) => a.kind === 'printer-paper-out'))) {
      if (Date.now() > deadline) throw new Error(`alerts: ${JSON.stringify(alerts())}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(alerts().find((a) => a.kind === 'device-offline')).toMatchObject({ state: 'raised', device: 'kiosk-9' });
    expect(alerts().find((a) => a.kind === 'printer-paper-out')).toMatchObject({ state: 'raised', device: 'kiosk-8' });
    expect(mqtt.to(topics.alert(H)).every((m) => !m.retain)).toBe(true);
    expect(ctl.activeAlerts().map((a) => a.kind).sort()).toEqual(['device-offline', 'printer-paper-out']);
    // without supervision, devices are not even heard
    const quiet = await controller({ supervise: false, tickMs: 10 });
    quiet.mqtt.send(topics.deviceStatus(H, 'kiosk-9'), { state: 'offline', role: 'kiosk', version: '1', at: '2026-11-26T08:00:00+08:00' });
    await new Promise((r) => setTimeout(r, 50));
    expect(quiet.mqtt.to(topics.alert(H))).toEqual([]);
    expect(quiet.ctl.activeAlerts()).toEqual([]);
  });

  it('raises the engine\'s wait alert on the tick, once', async () => {
    const { mqtt, clock } = await controller({ tickMs: 10 });
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'w1', service: 'registration' });
    clock.advance((hall.services[0]!.waitLimitS + 1) * 1000);
    const deadline = Date.now() + 10_000;
    while (!mqtt.to(topics.alert(H)).length) {
      if (Date.now() > deadline) throw new Error('no wait alert');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 50)); // a few more ticks
    const waits = mqtt.to(topics.alert(H)).map((m) => JSON.parse(m.payload)).filter((a) => a.kind === 'wait-over-limit');
    expect(waits).toEqual([expect.objectContaining({ state: 'raised', subject: 'A001' })]);
  });

  it('reports a publish that failed, keeps serving, and stops cleanly (unsubscribes, no more replies)', async () => {
    const { mqtt, ctl, warnings } = await controller();
    mqtt.failPublish = true;
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'f1', service: 'registration' });
    expect(warnings).toContain('publish failed');
    mqtt.failPublish = false;
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'f2', service: 'registration' });
    expect(JSON.parse(mqtt.to(topics.kioskReply(H, 'k1')).at(-1)!.payload).ticket.no).toBe('A002');
    await ctl.stop();
    expect(mqtt.unsubscribed).toEqual(mqtt.subscribed);
    const n = mqtt.sent.length;
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'f3', service: 'registration' });
    expect(mqtt.sent.length).toBe(n);
    await ctl.stop(); // twice is harmless
  });

  it('survives a bug on one message: logs it, answers it `internal` (no request is left without a reply), drops what it queued, answers the next', async () => {
    const store = new MemoryStore();
    const { mqtt, ctl, warnings } = await controller({ store });
    const real = ctl.engine.kiosk.bind(ctl.engine);
    let boom = true;
    ctl.engine.kiosk = ((...a: Parameters<typeof real>) => { if (boom) { boom = false; throw new Error('bug'); } return real(...a); }) as typeof real;
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'x1', service: 'registration' });
    expect(mqtt.to(topics.kioskReply(H, 'k1')).map((m) => JSON.parse(m.payload))).toEqual([{ id: 'x1', ok: false, error: { code: 'internal', message: 'the controller failed on this request; nothing changed' } }]);
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'x2', service: 'registration' });
    expect(JSON.parse(mqtt.to(topics.kioskReply(H, 'k1'))[1]!.payload)).toMatchObject({ id: 'x2', ok: true });
    expect(warnings).toContain('controller failed on a message');
  });
});

describe('the controller\'s own parts', () => {
  it('keeps its log in dbPath when given no store, closes it on stop (twice is harmless), and a restart resumes from it', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { SqliteStore } = await import('../../firmware/eventlog/sqlite-store.ts');
    const dir = mkdtempSync(join(tmpdir(), 'manyi-ctl-'));
    try {
      const dbPath = join(dir, 'hall.db');
      const first = await fakeController([], { store: undefined, dbPath });
      first.mqtt.send(topics.kioskRequest(H, 'k1'), { id: 't1', service: 'registration' });
      const store = first.ctl.engine.store as InstanceType<typeof SqliteStore>;
      expect(store).toBeInstanceOf(SqliteStore);
      await first.ctl.stop();
      expect(store.db.open).toBe(false);
      await first.ctl.stop();
      const again = await fakeController(running, { store: undefined, dbPath });
      expect([...again.ctl.engine.model.tickets.keys()]).toEqual(['A001']);
      // a repeated request after the restart gets its first reply
      again.mqtt.send(topics.kioskRequest(H, 'k1'), { id: 't1', service: 'registration' });
      expect(again.mqtt.msgs(topics.kioskReply(H, 'k1'))).toEqual([expect.objectContaining({ id: 't1', ok: true, ticket: expect.objectContaining({ no: 'A001' }) })]);
    } finally {
      for (const c of running.splice(0)) await c.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes to the store it is given and leaves it open on stop (it belongs to the caller)', async () => {
    const { SqliteStore } = await import('../../firmware/eventlog/sqlite-store.ts');
    const store = new SqliteStore(':memory:', { clock: new VirtualClock(at(0)) });
    const { mqtt, ctl } = await fakeController([], { store });
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 't1', service: 'registration' });
    expect(ctl.engine.store).toBe(store);
    await ctl.stop();
    expect(store.db.open).toBe(true);
    expect(store.resumeEvents().map((e) => e.kind)).toEqual(['ticket-issued']);
    store.close();
  });

  it('registers its handlers on the process\'s bus as owner "controller", and leaves nothing there once stopped', async () => {
    const mqtt = new FakeMqtt();
    const { log } = recordingLog();
    const bus = new MqttBus(mqtt as unknown as MqttClient, H, log);
    const ctl = await startController({ hall, dbPath: ':memory:', bus, clock: new VirtualClock(at(0)), log, policy: 'dedicated', tickMs: 60_000, store: new MemoryStore() });
    expect(bus.owners()).toEqual(['controller']);
    await ctl.stop();
    expect(bus.owners()).toEqual([]);
  });

  it('logs its start with the hall, the policy and the day', async () => {
    const { records } = await fakeController(running);
    expect(records.filter((r) => r.msg === 'controller started')).toEqual([expect.objectContaining({ level: 30, hall: H, policy: 'dedicated', day: '2026-11-26' })]);
  });

  it('feeds ratings to supervision: an unsatisfied one raises an alert on the tick, unless it does not supervise', async () => {
    for (const supervise of [true, false]) {
      const { mqtt, ctl } = await fakeController(running, { supervise, tickMs: 10 });
      let ticks = 0;
      const tick = ctl.engine.tick.bind(ctl.engine);
      ctl.engine.tick = (now?: number) => { ticks++; tick(now); };
      mqtt.send(topics.kioskRequest(H, 'k1'), { id: 't1', service: 'registration' });
      for (const action of ['open', 'call-next', 'start', 'complete']) mqtt.send(topics.windowCommand(H, '2'), { id: action, action });
      mqtt.send(topics.windowRating(H, '2'), { id: 'rate', ticket: 'A001', score: 'very-unsatisfied' });
      expect(mqtt.msgs(topics.windowReply(H, '2')).at(-1)).toMatchObject({ id: 'rate', ok: true });
      const rated = ticks;
      const raised = () => mqtt.msgs(topics.alert(H)).filter((a) => a.kind === 'unsatisfied-rating');
      const deadline = Date.now() + 10_000;
      // with supervision, until the alert is out; without, until three ticks have run since the rating
      while (supervise ? raised().length === 0 : ticks < rated + 3) {
        if (Date.now() > deadline) throw new Error(`supervise ${supervise}: ${ticks - rated} ticks, alerts ${JSON.stringify(raised())}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(raised()).toEqual(supervise ? [expect.objectContaining({ state: 'raised', window: '2', subject: expect.any(String) })] : []);
    }
  });

  it('drops what a failed message had queued: a bug after a change publishes neither the change nor an alert', async () => {
    const { mqtt, ctl } = await fakeController(running);
    const real = ctl.engine.window.bind(ctl.engine);
    ctl.engine.window = ((...a: Parameters<typeof real>) => { const r = real(...a); if (a[1].action === 'open') throw new Error('bug after the change'); return r; }) as typeof real;
    const before = mqtt.to(topics.windowState(H, '2')).length;
    mqtt.send(topics.windowCommand(H, '2'), { id: 'o1', action: 'open' });
    expect(mqtt.msgs(topics.windowReply(H, '2'))).toEqual([{ id: 'o1', ok: false, error: { code: 'internal', message: 'the controller failed on this request; nothing changed' } }]);
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 't1', service: 'registration' }); // the next flush
    expect(mqtt.to(topics.windowState(H, '2')).length).toBe(before);
  });

  it('ticks every tickMs, once a second by default', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      for (const [tickMs, every] of [[50, 50], [undefined, 1000]] as const) {
        const { ctl } = await fakeController(running, { tickMs });
        let ticks = 0;
        const tick = ctl.engine.tick.bind(ctl.engine);
        ctl.engine.tick = (now?: number) => { ticks++; tick(now); };
        vi.advanceTimersByTime(every - 1);
        expect(ticks).toBe(0);
        vi.advanceTimersByTime(1);
        expect(ticks).toBe(1);
        vi.advanceTimersByTime(every);
        expect(ticks).toBe(2);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs a tick that failed, with its stack, and ticks on', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { ctl, records } = await fakeController(running, { tickMs: 100 });
      let ticks = 0;
      const tick = ctl.engine.tick.bind(ctl.engine);
      ctl.engine.tick = (now?: number) => { ticks++; if (ticks === 1) throw new Error('tick bug'); tick(now); };
      vi.advanceTimersByTime(100);
      expect(records.filter((r) => r.msg === 'controller tick failed')).toEqual([expect.objectContaining({ level: 50, err: expect.stringContaining('tick bug') })]);
      vi.advanceTimersByTime(100);
      expect(ticks).toBe(2);
      expect(records.filter((r) => r.level >= 50)).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
