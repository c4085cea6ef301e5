// The kiosk against the real controller (firmware/controller) on an embedded broker:
// a half-hour outage issued from reserved blocks, handed over when the broker is
// back; the controller's queues then hold every ticket once, each service in
// order of issue; the ticket status page reads the engine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startController } from '../../firmware/controller/service.ts';
import { createKioskRole } from '../../kiosk/role.ts';
import { SimPrinter } from '../../kiosk/printer/sim.ts';
import { engineTicketSource, mountTicketStatusPage } from '../../firmware/controller/status-page/status-page.ts';
import { kioskHarness, until } from './helpers.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

describe('kiosk with the real controller', () => {
  it('files every offline ticket once, in issue order, and the status page follows the engine', async () => {
    const h = await kioskHarness({ fake: false });
    const ctrlMqtt = await mqtt.connectAsync(h.broker.url, { reconnectPeriod: 0, clientId: 'controller' });
    const controller = await startController({ hall: h.hall, dbPath: ':memory:', bus: new MqttBus(ctrlMqtt, h.hall.hall.id), clock: h.clock, log: pino({ level: 'silent' }), tickMs: 60_000 });
    const printer = new SimPrinter({ dir: mkdtempSync(join(tmpdir(), 'manyi-print-')) });
    const kiosk = await createKioskRole({ printer, previews: false, statusPollMs: 500, issuer: { replyTimeoutMs: 500, lowWater: 10, blockSize: 25 } })(h.ctx);
    const page = mountTicketStatusPage(h.web, engineTicketSource(controller.engine), h.hall);
    cleanups.push(async () => { page.close(); await kiosk.stop(); await controller.stop(); ctrlMqtt.end(true); await h.close(); });

    const day = kiosk.issuer.day();
    const services = h.hall.services.map((s) => s.id);
    await until(() => services.every((s) => kiosk.store.available(day, s) >= 10), 5000, 'blocks reserved');
    const issued: Array<{ no: string; service: string; offline: boolean }> = [];
    const pull = async (service: string) => {
      const r = await kiosk.pull({ service, lang: 'en' });
      if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
      issued.push({ no: r.ticket.no, service, offline: r.offline });
      h.clock.advance(45_000);
    };
    for (let i = 0; i < 3; i++) await pull(services[i]);
    h.proxy.cut();
    await until(() => !h.ctx.bus.connected, 3000, 'disconnect');
    for (let i = 0; i < 40; i++) await pull(services[[0, 1, 1, 0, 2, 3][i % 6]]); // 40 arrivals over 30 min
    h.proxy.restore();
    await until(() => kiosk.store.pending().length === 0, 10_000, 'handover');
    for (let i = 0; i < 3; i++) await pull(services[i]);

    expect(issued.filter((t) => t.offline)).toHaveLength(40);
    const all = issued.map((t) => t.no);
    expect(new Set(all).size).toBe(all.length);
    for (const s of services) {
      const queue = controller.engine.model.queues.get(s)!.map((t) => t.no);
      expect(queue).toEqual(issued.filter((t) => t.service === s).map((t) => t.no));
    }
    // The status page answers from the engine.
    const last = issued.filter((t) => t.service === 'payment').at(-1)!;
    const res = await fetch(`http://127.0.0.1:${h.webPort}/t/${day}/${last.no}/json`);
    const body = await res.json() as { found: boolean; state: string; ahead: number };
    expect(body).toMatchObject({ found: true, state: 'waiting' });
    expect(body.ahead).toBe(issued.filter((t) => t.service === 'payment').length - 1);
  });
});
