// TableLink: a second session with its own table (the city link). Each message is
// decoded once against its row; anything else is rejected with a reason, never
// handed on; QoS and retain come from the row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { startMosquitto, type RunningMosquitto } from '../setup/mosquitto.ts';
import { TableLink, type LinkRejection } from '../../firmware/bus/table-link.ts';
import { CITY_CONTRACT, CITY_TOPICS, cityTopic, type Ack } from '../../firmware/city/protocol.ts';

// Mosquitto, as the city runs (the embedded hall broker keeps only the hall contract's retained kinds).
let broker: RunningMosquitto;
beforeAll(async () => { broker = await startMosquitto(); }, 30_000);
afterAll(async () => { await broker?.stop(); });

/** Resolves when `pred` holds, checking on every message the client gets (deadline: 5 s). */
const until = (c: mqtt.MqttClient, pred: () => boolean) => new Promise<void>((resolve, reject) => {
  const t = setTimeout(() => { c.off('message', check); reject(new Error('deadline')); }, 5000);
  const check = () => setImmediate(() => { if (pred()) { clearTimeout(t); c.off('message', check); resolve(); } });
  c.on('message', check);
  check();
});

describe('TableLink', () => {
  it('hands on valid messages of the kinds it reads, rejects the rest with a reason', async () => {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const other = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const rejected: LinkRejection[] = [];
    const got: Array<{ hall: string; ack: Ack }> = [];
    const link = new TableLink(c, CITY_CONTRACT, CITY_TOPICS, { maxBytes: 200, onReject: (r) => rejected.push(r) });
    link.on('ack', (ack, from) => got.push({ hall: from.hall, ack }));
    await link.subscribe(['manyi/v1/+/city/#']);
    const at = '2026-11-29T09:00:00+08:00';
    await other.publishAsync(cityTopic('h1', 'ack'), JSON.stringify({ seq: 4, at }), { qos: 1 });
    await other.publishAsync(cityTopic('h1', 'ack'), JSON.stringify({ seq: -1, at }), { qos: 1 }); // invalid
    await other.publishAsync(cityTopic('h1', 'ack'), 'not json', { qos: 1 }); // invalid
    await other.publishAsync(cityTopic('h1', 'ack'), JSON.stringify({ seq: 1, at, pad: 'x'.repeat(300) }), { qos: 1 }); // too large
    await other.publishAsync(cityTopic('h1', 'hello'), JSON.stringify({ id: 'x', at, first: 0, last: 0, version: '1' }), { qos: 1 }); // a kind it does not read
    await other.publishAsync('manyi/v1/Bad_Hall/city/ack', JSON.stringify({ seq: 1, at }), { qos: 1 }); // not a topic of the table
    await until(c, () => got.length + rejected.length >= 6);
    expect(got).toEqual([{ hall: 'h1', ack: { seq: 4, at } }]);
    expect(rejected.map((r) => r.reason)).toEqual(['invalid', 'invalid', 'too-large', 'unknown', 'unknown']);
    expect(rejected[0].message).toMatch(/seq/);
    link.detach();
    await c.endAsync();
    await other.endAsync();
  });

  it('publishes with the row\'s QoS and retain flag', async () => {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const link = new TableLink(c, CITY_CONTRACT, CITY_TOPICS);
    const at = '2026-11-29T09:00:00+08:00';
    expect(await link.publish('alerts', { hall: 'h2' }, { at, alerts: [] })).toBe(true); // retained in the table
    expect(await link.publish('ack', { hall: 'h2' }, { seq: 1, at })).toBe(true); // not retained
    // A late subscriber gets only the retained one.
    const late = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const seen: Array<{ topic: string; retain: boolean; qos: number }> = [];
    late.on('message', (topic, _p, packet) => seen.push({ topic, retain: packet.retain, qos: packet.qos }));
    await late.subscribeAsync('manyi/v1/h2/city/#', { qos: 1 });
    await until(late, () => seen.length >= 1);
    expect(seen).toEqual([{ topic: cityTopic('h2', 'alerts'), retain: true, qos: CITY_CONTRACT.alerts.qos }]);
    await link.publish('alerts', { hall: 'h2' }, { at, alerts: [] });
    link.detach();
    await late.endAsync();
    await c.endAsync();
  });
});
