// `manyi demo --traffic`: simulated citizens and staff move the hall on their own,
// by the contract (seen from an outside MQTT client).
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallEvent, WindowState } from '../../firmware/protocol/messages.ts';
import { startDemo, type DemoProcess } from './demo-process.ts';

const H = 'manyi/v1/demo-hospital';
let demo: DemoProcess;
beforeAll(async () => { demo = await startDemo(['--traffic', '--rate', '240', '--service-scale', '0.05', '--seed', '7', '--free-windows', '16']); }, 60_000);
afterAll(async () => { await demo?.stop('SIGKILL'); });

describe('demo traffic', () => {
  it('issues tickets, calls them at several windows, and citizens rate the service', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${demo.mqtt}`, { protocolVersion: 4, reconnectPeriod: 0 });
    const calls: CallEvent[] = [];
    const ratingIds = new Set<string>();
    let ratingsAccepted = 0;
    const staffed = new Set<string>();
    let freeWindowTouched = false;
    const done = new Promise<void>((resolve) => {
      client.on('message', (topic, payload) => {
        const msg = JSON.parse(payload.toString()) as Record<string, unknown>;
        if (topic === `${H}/window/16/reply`) freeWindowTouched = true;
        if (topic === `${H}/call`) calls.push(CallEvent.parse(msg));
        else if (topic.endsWith('/rating')) ratingIds.add(String(msg.id));
        else if (topic.endsWith('/reply') && ratingIds.has(String(msg.id)) && msg.ok === true) ratingsAccepted++;
        else if (topic.endsWith('/state') && topic.includes('/window/')) {
          const s = WindowState.parse(msg);
          if (s.status === 'open' && s.staff) staffed.add(topic);
        }
        if (new Set(calls.map((c) => c.window)).size >= 3 && ratingsAccepted >= 2 && staffed.size >= 8) resolve();
      });
    });
    await client.subscribeAsync([`${H}/call`, `${H}/window/+/rating`, `${H}/window/+/reply`, `${H}/window/+/state`], { qos: 1 });
    const timeout = new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(
      `after 25 s: ${calls.length} calls at ${new Set(calls.map((c) => c.window)).size} windows, ${ratingsAccepted} ratings, ${staffed.size} staffed windows`,
    )), 25_000));
    await Promise.race([done, timeout]);
    // The window left free for a person was never commanded by the simulated staff.
    expect(freeWindowTouched).toBe(false);
    // No number is called twice as a first call.
    const first = calls.filter((c) => !c.recall).map((c) => c.no);
    expect(new Set(first).size).toBe(first.length);
    await client.endAsync(true);
  }, 40_000);
});
