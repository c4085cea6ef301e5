// A stand-in MQTT client for the controller's MQTT side in process: records what is
// published and subscribed; `send` delivers a message as the broker would (retained
// or not). Used by service-unit.test.ts and handlers.test.ts; against real brokers:
// service.test.ts.
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { startController, type Controller, type ControllerOptions } from '../../firmware/controller/service.ts';
import { MemoryStore } from '../../firmware/eventlog/store.ts';
import { VirtualClock } from '../../firmware/lib/time.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import { at, hall } from './helpers.ts';

export class FakeMqtt extends EventEmitter {
  connected = true;
  sent: Array<{ topic: string; payload: string; retain: boolean; qos: number }> = [];
  subscribed: string[] = [];
  unsubscribed: string[] = [];
  failPublish = false;
  publish(topic: string, payload: string, opts: { qos: number; retain: boolean }, cb: (err?: Error) => void): void {
    this.sent.push({ topic, payload, retain: opts.retain, qos: opts.qos });
    cb(this.failPublish ? new Error('broker gone') : undefined);
  }
  async subscribeAsync(list: string[]): Promise<void> { this.subscribed.push(...list); }
  async unsubscribeAsync(list: string[]): Promise<void> { this.unsubscribed.push(...list); }
  send(topic: string, body: unknown, packet: { retain?: boolean } = {}): void {
    this.emit('message', topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), packet);
  }
  /** Messages published since index `from`, parsed. */
  since(from: number) { return this.sent.slice(from).map((m) => ({ ...m, msg: JSON.parse(m.payload) })); }
  to(t: string) { return this.sent.filter((m) => m.topic === t); }
  /** The parsed payloads published on `t`. */
  msgs(t: string) { return this.to(t).map((m) => JSON.parse(m.payload)); }
}

/** One log record as pino writes it (level 20 debug … 50 error). */
export type LogRecord = { level: number; msg: string } & Record<string, unknown>;

/** A pino logger at debug that keeps every record, parsed. */
export function recordingLog() {
  const records: LogRecord[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { records.push(JSON.parse(s)); } });
  return { log, records };
}

/** A controller of the demo hall on a stand-in client, at 08:00 on DAY by a virtual clock. */
export async function fakeController(running: Controller[], opts: Partial<Omit<ControllerOptions, 'bus'>> = {}) {
  const mqtt = new FakeMqtt();
  const clock = new VirtualClock(at(0));
  const { log, records } = recordingLog();
  const ctl = await startController({
    hall, dbPath: ':memory:', bus: new MqttBus(mqtt as unknown as MqttClient, hall.hall.id, log), clock, log, policy: 'dedicated',
    tickMs: 60_000, store: new MemoryStore(), ...opts,
  });
  running.push(ctl);
  return { mqtt, clock, ctl, records, warnings: () => records.filter((r) => r.level >= 40).map((r) => r.msg) };
}
