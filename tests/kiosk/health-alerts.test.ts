// Printer faults through the device runtime: the kiosk's `setHealth({printer})`
// goes out on `device/{id}/health`, and the controller's alert evaluator
// (firmware/supervision) turns each fault into its alert, and clears it when the
// printer is ok again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { DeviceHealth, topics } from '../../firmware/protocol/index.ts';
import { runDevice } from '../../firmware/runtime/device.ts';
import { DeviceConfig } from '../../firmware/runtime/role.ts';
import { DeviceWatch, evaluateAlerts } from '../../firmware/supervision/index.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { createKioskRole } from '../../kiosk/role.ts';
import { SimPrinter } from '../../kiosk/printer/sim.ts';
import { until } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => { while (cleanups.length) await cleanups.pop()!(); });

describe('printer faults become health and alerts', () => {
  it('raises printer-paper-low, -paper-out, -cover-open, -offline in turn, and clears them', async () => {
    const hall = loadHallConfig();
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    const web = new WebApp();
    await web.listen(0, '127.0.0.1');
    const printer = new SimPrinter({ dir: mkdtempSync(join(tmpdir(), 'manyi-print-')) });
    const device = DeviceConfig.parse({
      device: 'kiosk-east', role: 'kiosk', hall: hall.hall.id, kiosk: 'east', broker: { url: broker.url },
      simulated: true, dataDir: mkdtempSync(join(tmpdir(), 'manyi-kiosk-')),
    });
    const running = await runDevice({
      device, hall, web, log: pino({ level: 'silent' }), healthEveryS: 0.1,
      starters: { kiosk: createKioskRole({ printer, previews: false, statusPollMs: 50 }) },
    });
    const watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    cleanups.push(async () => { watcher.end(true); await running.stop(); await web.close(); await broker.close(); });

    const devices = new DeviceWatch();
    const seen: string[] = [];
    watcher.on('message', (_t, p) => {
      const h = DeviceHealth.safeParse(JSON.parse(String(p)));
      if (!h.success) return;
      devices.health('kiosk-east', h.data, Date.now());
      seen.push(h.data.printer ?? '');
    });
    await watcher.subscribeAsync(topics.deviceHealth(hall.hall.id, 'kiosk-east'), { qos: 0 });
    const alerts = () => evaluateAlerts({ nowMs: Date.now(), hall, waiting: [], serving: [], windows: [], devices: devices.list(), ratings: [] })
      .filter((a) => a.kind.startsWith('printer-')).map((a) => a.kind);

    for (const s of ['paper-low', 'paper-out', 'cover-open', 'offline'] as const) {
      printer.setState(s);
      await until(() => seen.at(-1) === s, 5000, `health ${s}`);
      expect(alerts()).toEqual([`printer-${s}`]);
    }
    printer.setState('ok');
    await until(() => seen.at(-1) === 'ok', 5000, 'health ok');
    expect(alerts()).toEqual([]);
  });
});
