// The device's MQTT session waits longer and longer between reconnect attempts
// while the broker is away (capped), and starts again from the shortest wait once
// it is back: sixteen counters must not hammer a restarting controller.
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { createLogger } from '../../firmware/runtime/logger.ts';
import { openSession } from '../../firmware/runtime/session.ts';
import { hall } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

/** The wait before each reconnect attempt, as the client scheduled it. */
function recordWaits(client: MqttClient): number[] {
  const waits: number[] = [];
  client.on('reconnect', () => waits.push(client.options.reconnectPeriod!));
  return waits;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('device session reconnects', () => {
  it('backs off exponentially up to the cap while the broker is away, and from the start again after a reconnect', async () => {
    let broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    const port = broker.port;
    cleanups.push(() => broker.close());
    const session = await openSession({
      hall: hall.hall.id, device: 'backoff-1', role: 'board', version: '0.0.0',
      broker: { url: broker.url }, isoNow: () => '2026-11-26T08:00:00+08:00', log: createLogger({ level: 'silent' }),
      // the lowest jitter: each wait is half its ceiling
      backoff: { initialMs: 40, maxMs: 200, random: () => 0 },
    });
    cleanups.push(() => session.close());
    const waits = recordWaits(session.client);

    await broker.close();
    await until(() => waits.length >= 5, 10_000, 'five reconnect attempts');
    // ceilings 40, 80, 160, 200 (cap), 200 → waits of half each
    expect(waits.slice(0, 5)).toEqual([20, 40, 80, 100, 100]);

    // mqtt.js sets `connected` at the CONNACK but emits 'connect' (where the session
    // resets its back-off) only after flushing its outgoing store: wait for the event.
    const reconnected = new Promise<void>((r) => session.client.once('connect', () => r()));
    broker = await startEmbeddedBroker({ port, host: '127.0.0.1' });
    await reconnected;
    waits.length = 0;
    await broker.close();
    await until(() => waits.length >= 2, 10_000, 'two reconnect attempts after the second outage');
    expect(waits.slice(0, 2)).toEqual([20, 40]);
  });
});
