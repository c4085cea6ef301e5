// Test doubles for the kiosk: a fake controller that answers kiosk requests per the
// contract (tickets, reserved blocks, handovers filed by issue time), a TCP proxy
// that can cut the kiosk off the broker, and a RoleContext on real MQTT and HTTP.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { loadHallConfig, type HallConfig } from '../../firmware/config/hall.ts';
import { isoLocal, localDay, localToMs, VirtualClock } from '../../firmware/lib/time.ts';
import { errorReply, filters, parseKioskRequest, parseTopic, topics, decode } from '../../firmware/protocol/index.ts';
import type { RoleContext } from '../../firmware/runtime/role.ts';
import type { KioskRequest } from '../../firmware/protocol/messages.ts';
import { DeviceConfig } from '../../firmware/runtime/role.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import { createHardware } from '../../firmware/hw/kit.ts';
import { loadBoardSpec } from '../../hw-specs/schema.ts';
import { DEFAULT_SPECS, DRIVERS } from '../../firmware/runtime/roles.ts';

export interface FiledTicket { no: string; service: string; issuedAt: string; kiosk: string; offline: boolean }

/** A controller double: numbers per service and day, blocks reserved, tickets filed by issue time. */
export class FakeController {
  readonly filed: FiledTicket[] = [];
  /** Every number ever handed out (tickets and blocks): must never repeat. */
  readonly handedOut: string[] = [];
  private next = new Map<string, number>();
  private answers = new Map<string, string>();
  private reserved = new Set<string>();
  /** While true the controller hears requests but never answers (a hung controller). */
  silent = false;
  requests = 0;
  /** The next this-many handovers fail as if the store had failed (`internal`). */
  failHandovers = 0;
  /** Every valid request, as received. */
  readonly log: KioskRequest[] = [];

  constructor(readonly hall: HallConfig, readonly mqtt: MqttClient, readonly clock: { now(): number }) {}

  async start(): Promise<void> {
    this.mqtt.on('message', (topic, payload) => this.onMessage(topic, payload));
    await this.mqtt.subscribeAsync(filters.kioskRequests(this.hall.hall.id), { qos: 1 });
  }

  private number(service: string): string {
    const s = this.hall.services.find((x) => x.id === service)!;
    const n = (this.next.get(service) ?? 0) + 1;
    this.next.set(service, n);
    const no = `${s.letter}${String(n).padStart(3, '0')}`;
    this.handedOut.push(no);
    return no;
  }

  private onMessage(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (t?.kind !== 'kiosk-request') return;
    this.requests++;
    if (this.silent) return;
    const reply = (body: unknown) => void this.mqtt.publish(topics.kioskReply(t.hall, t.kiosk), JSON.stringify(body), { qos: 1 });
    const r = decode(payload, parseKioskRequest);
    if (!r.ok) return reply(errorReply(r.id, 'bad-request', r.message));
    const req = r.value;
    this.log.push(req);
    const key = `${t.kiosk}/${req.id}`;
    const again = this.answers.get(key);
    if (again) return void this.mqtt.publish(topics.kioskReply(t.hall, t.kiosk), again, { qos: 1 });
    const tz = this.hall.hall.timezone;
    const day = localDay(this.clock.now(), tz);
    let body: unknown;
    if (!this.hall.services.some((s) => s.id === req.service)) body = errorReply(req.id, 'unknown-service', req.service);
    else if (req.op === 'reserve') {
      const numbers = Array.from({ length: req.count }, () => this.number(req.service));
      numbers.forEach((n) => this.reserved.add(n));
      body = { id: req.id, ok: true, block: { service: req.service, day, numbers } };
    } else if (req.op === 'handover' && this.failHandovers > 0) {
      this.failHandovers--;
      return reply(errorReply(req.id, 'internal', 'store failed; nothing changed'));
    } else if (req.op === 'handover') {
      if (!this.reserved.delete(req.offline.no)) body = errorReply(req.id, 'not-allowed', `${req.offline.no} was not reserved`);
      else {
        this.file({ no: req.offline.no, service: req.service, issuedAt: req.offline.issuedAt, kiosk: t.kiosk, offline: true });
        body = { id: req.id, ok: true };
      }
    } else {
      const no = this.number(req.service);
      const issuedAt = isoLocal(this.clock.now(), tz);
      this.file({ no, service: req.service, issuedAt, kiosk: t.kiosk, offline: false });
      const windows = this.hall.windows.filter((w) => w.own.includes(req.service) || w.overflow.includes(req.service)).map((w) => w.id);
      const ahead = this.filed.filter((f) => f.service === req.service).length - 1;
      body = { id: req.id, ok: true, ticket: { no, service: req.service, issuedAt, ahead, estWaitS: ahead * 60, windows, day } };
    }
    const text = JSON.stringify(body);
    this.answers.set(key, text);
    void this.mqtt.publish(topics.kioskReply(t.hall, t.kiosk), text, { qos: 1 });
  }

  /** Files a ticket in issue-time order (offline tickets arrive late but keep their place). */
  private file(f: FiledTicket): void {
    const at = Date.parse(f.issuedAt);
    let i = this.filed.length;
    while (i > 0 && Date.parse(this.filed[i - 1].issuedAt) > at) i--;
    this.filed.splice(i, 0, f);
  }
}

/** A TCP proxy in front of the broker: `cut()` drops every connection and refuses new ones. */
export class CuttableProxy {
  private server!: Server;
  private socks = new Set<Socket>();
  private up = true;
  port = 0;
  constructor(private readonly target: number) {}
  async start(): Promise<void> {
    this.server = createServer({ noDelay: true }, (c) => {
      if (!this.up) { c.destroy(); return; }
      const b = connect({ port: this.target, host: '127.0.0.1', noDelay: true });
      this.socks.add(c); this.socks.add(b);
      const drop = () => { c.destroy(); b.destroy(); this.socks.delete(c); this.socks.delete(b); };
      c.pipe(b).pipe(c);
      c.on('error', drop); b.on('error', drop); c.on('close', drop); b.on('close', drop);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }
  cut(): void { this.up = false; for (const s of this.socks) s.destroy(); this.socks.clear(); }
  restore(): void { this.up = true; }
  async close(): Promise<void> { this.cut(); await new Promise<void>((r) => this.server.close(() => r())); }
}

export interface KioskHarness {
  hall: HallConfig;
  broker: EmbeddedBroker;
  controller: FakeController;
  proxy: CuttableProxy;
  ctx: RoleContext;
  health: Record<string, unknown>;
  healthChanges: Array<Record<string, unknown>>;
  web: WebApp;
  webPort: number;
  clock: VirtualClock;
  close(): Promise<void>;
}

/** A hall at 09:00 local time with a fake controller, and a kiosk context behind a cuttable proxy. */
/** `fake: false` leaves the requests to a controller the test starts itself (the real one). */
export async function kioskHarness(opts: { kiosk?: string; spec?: string; fake?: boolean } = {}): Promise<KioskHarness> {
  // A hall's configured public address: what the tickets' QR codes open.
  const hall = { ...loadHallConfig(), publicUrl: 'https://queue.demo-hospital.example' };
  const tz = hall.hall.timezone;
  const clock = new VirtualClock(localToMs('2026-11-26', 9 * 3600, tz));
  const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
  const ctrlMqtt = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: 'fake-controller' });
  const controller = new FakeController(hall, ctrlMqtt, clock);
  if (opts.fake !== false) await controller.start();
  const proxy = new CuttableProxy(broker.port);
  await proxy.start();
  const kiosk = opts.kiosk ?? 'k1';
  const kioskMqtt = await mqtt.connectAsync(`mqtt://127.0.0.1:${proxy.port}`, { reconnectPeriod: 100, connectTimeout: 1000, clientId: `kiosk-${kiosk}` });
  const web = new WebApp();
  const webPort = await web.listen(0, '127.0.0.1');
  const health: Record<string, unknown> = {};
  const healthChanges: Array<Record<string, unknown>> = [];
  const hw = createHardware(opts.spec ? loadBoardSpec(opts.spec) : undefined, { simulated: true, drivers: DRIVERS });
  const ctx: RoleContext = {
    hall,
    hw,
    device: DeviceConfig.parse({ device: `kiosk-${kiosk}`, role: 'kiosk', hall: hall.hall.id, kiosk, broker: { url: broker.url }, simulated: true, ...(opts.spec ? { spec: opts.spec } : {}) }),
    bus: new MqttBus(kioskMqtt, hall.hall.id),
    web,
    log: pino({ level: 'silent' }),
    clock,
    dataDir: mkdtempSync(join(tmpdir(), 'manyi-kiosk-')),
    setHealth(fields) { Object.assign(health, fields); healthChanges.push({ ...fields }); },
  };
  return {
    hall, broker, controller, proxy, ctx, health, healthChanges, web, webPort, clock,
    async close() {
      await hw.close();
      kioskMqtt.end(true);
      ctrlMqtt.end(true);
      await web.close();
      await proxy.close();
      await broker.close();
    },
  };
}

/** Polls `cond` every 10 ms until true or `ms` passes. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
