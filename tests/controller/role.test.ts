// The controller as the device runtime starts it: database in dataDir, ticket
// status page on the role's web host.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import pino from 'pino';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { controllerRole } from '../../firmware/controller/role.ts';
import { startRole } from '../../firmware/runtime/parts.ts';
import { createHardware } from '../../firmware/hw/kit.ts';
import { DRIVERS } from '../../firmware/runtime/roles.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { VirtualClock } from '../../firmware/lib/time.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { Probe } from './probe.ts';
import { hall, at, DAY } from './helpers.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import Database from 'better-sqlite3';
import { openEventTables, writeEvents } from '../../firmware/eventlog/sqlite-store.ts';
import { synthesizeDay } from '../../firmware/stats/synthetic.ts';

describe('startControllerRole', () => {
  it('keeps its database in dataDir and serves the ticket status page', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'manyi-role-'));
    // A day far past the hall's retention (400 days) is in the log before the role starts.
    const old = new Database(join(dataDir, 'controller.db'));
    openEventTables(old);
    writeEvents(old, synthesizeDay(hall, '2024-01-10', { tickets: 30, seed: 3 }));
    old.close();
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    const web = new WebApp();
    const port = await web.listen(0, '127.0.0.1');
    const role = await startRole(controllerRole, {
      hall, web, hw: createHardware(undefined, { simulated: true, drivers: DRIVERS }), bus: new MqttBus(client, hall.hall.id), clock: new VirtualClock(at(0)), dataDir, log: pino({ level: 'silent' }), setHealth: () => undefined,
      device: { device: 'controller-1', role: 'controller', hall: hall.hall.id, broker: { url: broker.url }, simulated: true },
    });
    const probe = await Probe.connect(broker.url, `manyi/v1/${hall.hall.id}/kiosk/+/reply`);
    const r = await probe.request(topics.kioskRequest(hall.hall.id, 'k1'), { id: 'r1', service: 'registration' });
    expect(r.reply.ticket.no).toBe('A001');
    expect(existsSync(join(dataDir, 'controller.db'))).toBe(true);
    // One list of parts, in start order; the city forwarder only in a city (it starts, does nothing).
    expect(role.started).toEqual(['event log', 'people', 'appointments', 'disk guard', 'hall engine and messages', 'city forwarder', 'retention', 'ticket status page', 'manager page and statistics', 'update bundles']);
    // Retention ran as the role's part: the old day keeps its summary, not its events.
    const db = new Database(join(dataDir, 'controller.db'), { readonly: true });
    expect((db.prepare("SELECT count(*) AS n FROM events WHERE day = '2024-01-10' AND kind != 'window-status'").get() as { n: number }).n).toBe(0);
    expect((db.prepare("SELECT count(*) AS n FROM stats_day WHERE day = '2024-01-10'").get() as { n: number }).n).toBe(1);
    db.close();
    const page = await fetch(`http://127.0.0.1:${port}/t/${DAY}/A001`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('A001');
    await probe.end();
    await role.stop();
    await client.endAsync();
    await web.close();
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});
