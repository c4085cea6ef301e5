// Thousands of seeded garbage payloads on every inbound topic: each one gets one
// `bad-request` reply, none changes anything, and a normal mini-day still works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import pino from 'pino';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { startController, type Controller } from '../../firmware/controller/service.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { VirtualClock } from '../../firmware/lib/time.ts';
import { createRng, type Rng } from '../../firmware/sim/rng.ts';
import { Probe } from './probe.ts';
import { hall, at } from './helpers.ts';

const H = hall.hall.id;
const N = 3000;

const VALID: Record<'request' | 'command' | 'rating', Array<Record<string, unknown>>> = {
  request: [
    { id: 'a', service: 'registration' }, { op: 'ticket', id: 'b', service: 'payment', priority: 'priority', lang: 'zh' },
    { op: 'reserve', id: 'c', service: 'payment', count: 5 },
    { op: 'handover', id: 'd', service: 'registration', offline: { no: 'A001', issuedAt: '2026-11-26T08:00:00+08:00' } },
  ],
  command: [{ id: 'e', action: 'open', staff: 's001' }, { id: 'f', action: 'call', ticket: 'A001' }, { id: 'g', action: 'transfer', service: 'payment' }],
  rating: [{ id: 'h', ticket: 'A001', score: 'satisfied' }, { id: 'i', ticket: 'A001', score: 'unsatisfied', reason: 'slow' }],
};
const JUNK: unknown[] = [null, true, -1, 1e309, '', 'x'.repeat(300), [], [1, 2], {}, { a: { b: { c: [] } } }, '\u0000', '🙂', 12.5];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;

/** One payload that no schema accepts. */
function garbage(rng: Rng, kind: keyof typeof VALID): Buffer {
  const base = JSON.stringify(pick(rng, VALID[kind]));
  switch (Math.floor(rng.next() * 6)) {
    case 0: return Buffer.from(Array.from({ length: Math.floor(rng.next() * 120) }, () => Math.floor(rng.next() * 256)));
    case 1: return Buffer.from(base.slice(0, Math.floor(rng.next() * (base.length - 1))));
    case 2: return Buffer.from(JSON.stringify(pick(rng, JUNK)));
    case 3: { // a field with a wrong value, plus an unknown key (the schemas are strict)
      const o: Record<string, unknown> = JSON.parse(base);
      const keys = Object.keys(o);
      o[pick(rng, keys)] = pick(rng, JUNK);
      o[`x${Math.floor(rng.next() * 1000)}`] = 1;
      return Buffer.from(JSON.stringify(o));
    }
    case 4: return Buffer.from(`{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"id":${JSON.stringify(String(Math.floor(rng.next() * 1e6)))}}`);
    default: { // a required field missing, or a huge or nested payload
      const o: Record<string, unknown> = JSON.parse(base);
      if (rng.next() < 0.5) { delete o[kind === 'command' ? 'action' : kind === 'rating' ? 'score' : 'service']; return Buffer.from(JSON.stringify(o)); }
      return Buffer.from(rng.next() < 0.5 ? `{"id":"${'y'.repeat(65)}"}` : `${'['.repeat(2000)}${']'.repeat(2000)}`);
    }
  }
}

describe('fuzz: garbage on every inbound topic', () => {
  let broker: EmbeddedBroker;
  let ctl: Controller;
  let client: mqtt.MqttClient;
  let probe: Probe;
  const clock = new VirtualClock(at(0));

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    ctl = await startController({ hall, dbPath: ':memory:', bus: new MqttBus(client, hall.hall.id), clock, log: pino({ level: 'silent' }), tickMs: 100 });
    probe = await Probe.connect(broker.url, `manyi/v1/${H}/#`);
  });
  afterAll(async () => {
    await probe.end();
    await ctl.stop();
    await client.endAsync(true);
    await broker.close();
  });

  it('answers each with bad-request, changes nothing, and a mini-day still works', async () => {
    // some state first, so "unchanged" means something
    await probe.request(topics.windowCommand(H, '1'), { id: 'open', action: 'open', staff: 's001' });
    await probe.request(topics.kioskRequest(H, 'k1'), { id: 'first', service: 'registration' });
    const stateOf = () => { const { at: _a, ...s } = ctl.engine.hallState(); return JSON.stringify(s); };
    const before = { version: ctl.engine.version, state: stateOf() };

    const rng = createRng(20261126);
    const wins = [...hall.windows.map((w) => w.id), 'zz-unknown'];
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < N; i++) {
      const kind = pick(rng, ['request', 'command', 'rating'] as const);
      const topic = kind === 'request' ? topics.kioskRequest(H, `k${Math.floor(rng.next() * 9)}`)
        : kind === 'command' ? topics.windowCommand(H, pick(rng, wins)) : topics.windowRating(H, pick(rng, wins));
      sends.push(probe.client.publishAsync(topic, garbage(rng, kind), { qos: 1 }));
    }
    // and topics that are not the contract's: ignored, no reply possible
    for (let i = 0; i < 50; i++) sends.push(probe.client.publishAsync(`manyi/v1/${H}/kiosk/Not_A_Name/request`, '{}', { qos: 1 }));
    await Promise.all(sends);
    const isBad = (m: { topic: string; payload: string }) => m.topic.endsWith('/reply') && m.payload.includes('"bad-request"');
    await probe.waitCount(isBad, N, 30_000);
    expect(probe.messages.filter(isBad).length).toBe(N);
    expect(ctl.engine.version).toBe(before.version);
    expect(stateOf()).toBe(before.state);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // a normal mini-day
    for (let i = 0; i < 4; i++) {
      const r = await probe.request(topics.kioskRequest(H, 'k2'), { id: `day-${i}`, service: 'registration' });
      expect(r.reply.ticket.no).toBe(`A00${i + 2}`);
    }
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      const c = await probe.request(topics.windowCommand(H, '1'), { id: `c${i}`, action: 'call-next' });
      expect(c.reply).toMatchObject({ ok: true, ticket: { no: `A00${i + 1}` } });
      expect((await probe.request(topics.windowCommand(H, '1'), { id: `s${i}`, action: 'start' })).reply.ok).toBe(true);
      clock.advance(30_000);
      expect((await probe.request(topics.windowCommand(H, '1'), { id: `d${i}`, action: 'complete' })).reply.ok).toBe(true);
      expect((await probe.request(topics.windowRating(H, '1'), { id: `r${i}`, ticket: `A00${i + 1}`, score: 'satisfied' })).reply.ok).toBe(true);
    }
    expect(ctl.engine.hallState().services.find((s) => s.id === 'registration')?.waiting).toBe(0);
  });
});
