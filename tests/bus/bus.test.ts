// The bus: decode once, typed dispatch by owner, removeOwner, retained messages
// for late joiners, no double delivery from overlapping filters — over a real
// broker (aedes) and in memory — and the one Requester.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { MemoryBus, MemoryHub, MqttBus, NoReplyError, Requester, type Bus } from '../../firmware/bus/index.ts';
import { topics } from '../../firmware/protocol/topics.ts';

let halls = 0;
/** A hall of its own per test: retained messages of one test must not reach the next. */
let H = 'bus-hall-0';
const state = (status: 'open' | 'closed') => ({ status, serving: null, rating: 'idle' as const });
const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) { if (Date.now() > end) throw new Error('timed out'); await new Promise((r) => setTimeout(r, 10)); }
};

let broker: EmbeddedBroker;
beforeAll(async () => { broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' }); });
afterAll(async () => { await broker.close(); });

type Pair = { a: Bus; b: Bus; raw(topic: string, text: string, retain?: boolean): Promise<void>; close(): Promise<void> };

async function mqttPair(): Promise<Pair> {
  H = `bus-hall-${++halls}`;
  const ca = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  const cb = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  const outside = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  return {
    a: new MqttBus(ca, H), b: new MqttBus(cb, H),
    raw: async (t, text, retain = false) => { await outside.publishAsync(t, text, { qos: 1, retain }); },
    close: async () => { await Promise.all([ca.endAsync(), cb.endAsync(), outside.endAsync()]); },
  };
}
function memoryPair(): Pair {
  H = `bus-hall-${++halls}`;
  const hub = new MemoryHub();
  const a = new MemoryBus(hub, H), b = new MemoryBus(hub, H);
  return { a, b, raw: async (t, text, retain) => a.injectRaw(t, text, retain), close: async () => { a.close(); b.close(); } };
}

describe.each([['MqttBus over aedes', mqttPair], ['MemoryBus', async () => memoryPair()]])('%s', (_name, make) => {
  it('decodes once, hands typed messages to the handlers whose topics match, and bad ones to onInvalid', async () => {
    const p = await make();
    const seen: string[] = [];
    const bad: string[] = [];
    await p.a.on('all', 'window-state', 'any', (m, from) => seen.push(`all:${from.window}:${m.status}`), (e, from) => bad.push(`all:${from.window}:${e.message.slice(0, 6)}`));
    await p.a.on('five', 'window-state', { window: '5' }, (m) => seen.push(`five:${m.status}`));
    await p.b.publish('window-state', { window: '5' }, state('open'));
    await p.b.publish('window-state', { window: '6' }, state('closed'));
    await p.raw(topics.windowState(H, '7'), '{"status":"sideways"}');
    await p.raw(topics.windowState('other-hall', '5'), JSON.stringify(state('open')));
    await until(() => seen.length >= 3 && bad.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.sort()).toEqual(['all:5:open', 'all:6:closed', 'five:open']);
    expect(bad).toEqual(['all:7:status']);
    await p.close();
  });

  it('takes back everything an owner registered', async () => {
    const p = await make();
    const seen: string[] = [];
    await p.a.on('gone', 'call', 'any', (m) => seen.push(`gone:${m.no}`));
    await p.a.on('stays', 'alert', 'any', (m) => seen.push(`stays:${m.id}`));
    let connects = 0;
    p.a.onConnect('gone', () => connects++);
    expect(connects).toBe(1);
    await p.a.removeOwner('gone');
    await p.b.publish('call', {}, { no: 'A001', window: '5', service: 's', at: '2026-11-26T09:00:00+08:00', recall: false, text: { zh: '', en: '' } });
    await p.b.publish('alert', {}, { id: 'x1', kind: 'device-offline', at: '2026-11-26T09:00:00+08:00', subject: 'k1', message: 'gone' });
    await until(() => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['stays:x1']);
    await p.close();
  });

  it('gives a handler that joins late the retained state, once, without repeating it to the others', async () => {
    const p = await make();
    await p.b.publish('window-state', { window: '3' }, state('open'));
    const first: boolean[] = [];
    await p.a.on('first', 'window-state', 'any', (_m, _f, meta) => first.push(meta.retained));
    await until(() => first.length === 1);
    const late: boolean[] = [];
    await p.a.on('late', 'window-state', { window: '3' }, (_m, _f, meta) => late.push(meta.retained));
    await until(() => late.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(first).toEqual([true]);
    expect(late).toEqual([true]);
    await p.b.publish('window-state', { window: '3' }, state('closed'));
    await until(() => late.length === 2 && first.length === 2);
    expect([first[1], late[1]]).toEqual([false, false]);
    await p.close();
  });

  it('keeps serving the other handlers when one throws', async () => {
    const p = await make();
    const ok: string[] = [];
    await p.a.on('buggy', 'call', 'any', () => { throw new Error('bug'); });
    await p.a.on('fine', 'call', 'any', (m) => ok.push(m.no));
    await p.b.publish('call', {}, { no: 'B002', window: '1', service: 's', at: '2026-11-26T09:00:00+08:00', recall: true, text: { zh: '', en: '' } });
    await until(() => ok.length === 1);
    await p.close();
  });

  it('requester: same id on retry, matched reply, timeout, and refusal of a body outside the contract', async () => {
    const p = await make();
    const ids: string[] = [];
    // A controller that answers only the second copy of each request.
    await p.b.on('ctl', 'window-command', 'any', (cmd, from) => {
      ids.push(cmd.id);
      if (ids.filter((i) => i === cmd.id).length === 2) void p.b.publish('window-reply', from, { id: cmd.id, ok: true, ticket: null });
    });
    const req = new Requester(p.a, { owner: 'counter', retryMs: 100, timeoutMs: 3000 });
    const reply = await req.request('window-command', { window: '5' }, { action: 'call-next' });
    expect(reply).toMatchObject({ ok: true, ticket: null });
    expect(new Set(ids).size).toBe(1);
    await expect(req.request('window-command', { window: '5' }, { action: 'call' } as never)).rejects.toThrow(/bad window-command: `call` needs `ticket`/);
    await expect(req.request('window-rating', { window: '6' }, { ticket: 'A001', score: 'basic' }, { retryMs: 0, timeoutMs: 200 })).rejects.toBeInstanceOf(NoReplyError);
    await req.close();
    await p.close();
  });
});

it('MqttBus never gets one message twice from overlapping subscriptions', async () => {
  const p = await mqttPair();
  const got: string[] = [];
  await p.a.on('one', 'window-state', { window: '5' }, () => got.push('one'));
  await p.a.on('all', 'window-state', 'any', () => got.push('all'));
  await p.b.publish('window-state', { window: '5' }, state('open'));
  await until(() => got.length >= 2);
  await new Promise((r) => setTimeout(r, 100));
  expect(got.sort()).toEqual(['all', 'one']);
  await p.a.removeOwner('all');
  got.length = 0;
  await p.b.publish('window-state', { window: '5' }, state('closed'));
  await until(() => got.length >= 1);
  await new Promise((r) => setTimeout(r, 100));
  expect(got.filter((g) => g === 'one').length).toBeGreaterThanOrEqual(1);
  expect(got).not.toContain('all');
  await p.close();
});
