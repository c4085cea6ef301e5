// The device's MQTT session: MQTT 3.1.1 (the contract; aedes speaks nothing else),
// client id = device id, a retained last will that marks the device offline,
// no-delay sockets (STACK.md: aedes stalls QoS 1 ~88 ms without), and reconnects
// with capped, jittered exponential back-off instead of mqtt.js's fixed period.
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { MqttBus } from '../bus/mqtt-bus.ts';
import { publishOptions, topicOf } from '../protocol/contract.ts';
import type { DeviceStatus, Role } from '../protocol/messages.ts';
import { createBackoff, type BackoffOptions } from './backoff.ts';

export interface SessionOptions {
  hall: string;
  device: string;
  role: Role;
  version: string;
  broker: { url: string; username?: string; password?: string; ca?: string };
  /** ISO time for the status payloads (hall-local, from the device's clock). */
  isoNow: () => string;
  log: Logger;
  backoff?: BackoffOptions;
  /** Seconds without traffic before a ping (and before the broker fires the will: 1.5×). */
  keepaliveS?: number;
  /** Makes the client (default `mqtt.connect(broker.url, …)`); the controller's own broker connects in-process. */
  createClient?: (options: IClientOptions) => MqttClient;
}

export function statusOf(o: Pick<SessionOptions, 'role' | 'version'>, state: DeviceStatus['state'], at: string): DeviceStatus {
  return { state, role: o.role, version: o.version, at };
}

function clientOptions(o: SessionOptions): IClientOptions {
  const opts: IClientOptions = {
    protocolVersion: 4,
    clientId: o.device,
    clean: true,
    keepalive: o.keepaliveS ?? 10,
    connectTimeout: 5_000,
    reconnectPeriod: 1_000, // replaced before every attempt by the back-off below
    resubscribe: true,
    // mqtt-packet otherwise pre-builds 65,536 two-byte Buffers for packet ids on the
    // first write: ~7 MB of heap in every board process (the switch is process-wide).
    writeCache: false,
    will: {
      topic: topicOf('device-status', o.hall, { device: o.device }),
      // The will's `at` is when the session began; the broker sends it as stored.
      payload: Buffer.from(JSON.stringify(statusOf(o, 'offline', o.isoNow()))),
      ...publishOptions('device-status'),
    },
  };
  if (o.broker.username !== undefined) opts.username = o.broker.username;
  if (o.broker.password !== undefined) opts.password = o.broker.password;
  if (o.broker.ca) {
    try { opts.ca = readFileSync(o.broker.ca); } catch (e) {
      throw new Error(`broker.ca: cannot read ${o.broker.ca}: ${(e as Error).message}`);
    }
  }
  return opts;
}

export interface Session {
  /** The process's one bus: every message in and out goes through it. */
  bus: MqttBus;
  /** The MQTT.js client under the bus (its connection events; never its messages). */
  client: MqttClient;
  close(): Promise<void>;
}

/**
 * Connects and resolves on the first CONNACK (retrying with back-off until then).
 * Every (re)connection publishes `online` retained; `close()` publishes `offline`
 * and ends the session cleanly so the will is not fired.
 */
export async function openSession(o: SessionOptions): Promise<Session> {
  const backoff = createBackoff(o.backoff);
  const client = o.createClient ? o.createClient(clientOptions(o)) : mqtt.connect(o.broker.url, clientOptions(o));
  const bus = new MqttBus(client, o.hall, o.log);
  const status = (state: DeviceStatus['state']) => bus.publish('device-status', { device: o.device }, statusOf(o, state, o.isoNow()));

  // Runs before mqtt.js's own 'close' handler schedules the next attempt.
  client.prependListener('close', () => {
    client.options.reconnectPeriod = backoff.next();
  });
  client.on('connect', () => {
    (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    if (backoff.attempt > 0) o.log.info({ attempts: backoff.attempt }, 'reconnected to the broker');
    backoff.reset();
  });
  bus.onConnect('session', () => { void status('online'); });
  client.on('offline', () => o.log.warn({ broker: o.broker.url }, 'broker unreachable; retrying with back-off'));
  let closed = false;
  client.on('error', (e) => { if (!closed) o.log.warn({ err: e.message }, 'mqtt error'); });

  await new Promise<void>((resolve, reject) => {
    const onConnect = () => { client.off('end', onEnd); resolve(); };
    const onEnd = () => { client.off('connect', onConnect); reject(new Error('session closed before it connected')); };
    client.once('connect', onConnect);
    client.once('end', onEnd);
  });

  return {
    bus,
    client,
    async close() {
      if (closed) return;
      closed = true;
      if (client.connected) {
        // Bounded: a broker that vanished must not hold shutdown.
        await Promise.race([
          status('offline'),
          new Promise((r) => setTimeout(r, 2_000).unref()),
        ]);
      }
      await client.endAsync(!client.connected).catch(() => undefined);
      bus.detach();
    },
  };
}
