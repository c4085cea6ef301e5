// Shared bits of the runtime tests: a watcher that waits for a topic's next payload.
import mqtt, { type MqttClient } from 'mqtt';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import type { DeviceConfig } from '../../firmware/runtime/role.ts';

export const hall = loadHallConfig();

export function deviceConfig(url: string, over: Partial<DeviceConfig> = {}): DeviceConfig {
  return { device: 'test-board-1', role: 'board', hall: hall.hall.id, broker: { url }, simulated: true, ...over };
}

export interface Watcher {
  client: MqttClient;
  /** Resolves with the first payload on `topic` (parsed) that satisfies `pred`. */
  next(topic: string, pred?: (m: Record<string, unknown>, retained: boolean) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function watch(url: string, filter: string): Promise<Watcher> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
  const seen: Array<{ topic: string; msg: Record<string, unknown>; retained: boolean }> = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload, packet) => {
    seen.push({ topic, msg: JSON.parse(payload.toString()), retained: packet.retain });
    for (const w of [...waiters]) w();
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    client,
    next(topic, pred = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        let from = 0;
        const check = () => {
          for (; from < seen.length; from++) {
            const s = seen[from];
            if (s.topic === topic && pred(s.msg, s.retained)) {
              waiters.delete(check); clearTimeout(t); from++;
              // consume what was matched so the next call looks further
              seen.splice(0, from);
              return resolve(s.msg);
            }
          }
        };
        const t = setTimeout(() => { waiters.delete(check); reject(new Error(`no matching message on ${topic} within ${timeoutMs} ms`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => client.endAsync(true),
  };
}
