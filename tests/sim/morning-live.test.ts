// One routing code path: the scripted morning played through the simulator's
// engine and through the live controller over the embedded broker (the contract's
// topics, a virtual clock set to each step's time) gives the same calls.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { loadScript, playScript, stepMs, type ScriptCall } from '../../firmware/sim/script.ts';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { startController, type Controller } from '../../firmware/controller/service.ts';
import { VirtualClock } from '../../firmware/lib/time.ts';
import { topics, CallEvent } from '../../firmware/protocol/index.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

const MORNING = new URL('./morning.json', import.meta.url).pathname;
const hall = loadHallConfig();
const script = loadScript(MORNING);
const H = hall.hall.id;

describe('scripted morning: simulator and live controller agree', () => {
  let broker: Awaited<ReturnType<typeof startEmbeddedBroker>>;
  let ctlClient: MqttClient;
  let client: MqttClient;
  let controller: Controller;
  const clock = new VirtualClock(stepMs(hall, script.day, '00:00:00'));

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    ctlClient = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    controller = await startController({
      hall, dbPath: ':memory:', bus: new MqttBus(ctlClient, hall.hall.id), clock, policy: script.policy, log: pino({ level: 'silent' }),
    });
    client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
  });
  afterAll(async () => {
    await client?.endAsync();
    await controller?.stop();
    await ctlClient?.endAsync();
    await broker?.close();
  });

  it('gives the same calls, at the same times, and refuses the same presses', async () => {
    const expected = playScript(hall, script);
    expect(expected.calls.length).toBeGreaterThan(2);

    const calls: ScriptCall[] = [];
    const replies = new Map<string, (p: { ok: boolean; error?: { code: string } }) => void>();
    client.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString());
      if (topic === topics.call(H)) {
        const c = CallEvent.parse(body);
        if (!c.recall) calls.push({ at: new Date(c.at).toISOString(), window: c.window, no: c.no });
      } else if (body.id && replies.has(body.id)) {
        replies.get(body.id)!(body);
        replies.delete(body.id);
      }
    });
    await client.subscribeAsync([topics.call(H), `manyi/v1/${H}/kiosk/+/reply`, `manyi/v1/${H}/window/+/reply`], { qos: 1 });

    const refused: string[] = [];
    for (const [i, st] of script.steps.entries()) {
      clock.set(Math.max(clock.now(), stepMs(hall, script.day, st.at)));
      const id = `live-${i}`;
      const reply = new Promise<{ ok: boolean; error?: { code: string } }>((resolve) => replies.set(id, resolve));
      if (st.do === 'ticket') {
        client.publish(topics.kioskRequest(H, st.kiosk), JSON.stringify({ id, service: st.service, priority: st.priority ? 'priority' : 'normal' }), { qos: 1 });
      } else {
        client.publish(topics.windowCommand(H, st.window), JSON.stringify({ id, action: st.do }), { qos: 1 });
      }
      const r = await reply;
      if (!r.ok) refused.push(`${st.at} ${st.do}: ${r.error!.code}`);
    }
    // The controller publishes a call right after the reply that caused it, so
    // the last step's call may still be on its way: wait for the count, then compare.
    await vi.waitFor(() => expect(calls.length).toBeGreaterThanOrEqual(expected.calls.length), { timeout: 3000 });
    expect(calls).toEqual(expected.calls);
    expect(refused).toEqual(expected.refused);
  });
});
