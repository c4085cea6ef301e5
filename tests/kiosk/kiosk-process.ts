// A kiosk alone in its own process, for the benchmark's memory figure: connects to
// the broker given in argv, runs the kiosk role with a simulated printer (no
// previews) and, on IPC `{pull: n}`, issues n tickets and answers with its memory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { localToMs, VirtualClock } from '../../firmware/lib/time.ts';
import { DeviceConfig } from '../../firmware/runtime/role.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { createKioskRole } from '../../kiosk/role.ts';
import { SimPrinter } from '../../kiosk/printer/sim.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import { createHardware } from '../../firmware/hw/kit.ts';
import { DEFAULT_SPECS, DRIVERS } from '../../firmware/runtime/roles.ts';

const [brokerUrl] = process.argv.slice(2);
const hall = loadHallConfig();
const clock = new VirtualClock(localToMs('2026-11-26', 9 * 3600, hall.hall.timezone));
const client = await mqtt.connectAsync(brokerUrl, { reconnectPeriod: 100, clientId: 'kiosk-proc' });
const web = new WebApp();
await web.listen(0, '127.0.0.1');
const kiosk = await createKioskRole({ printer: new SimPrinter({ dir: mkdtempSync(join(tmpdir(), 'manyi-proc-')) }), previews: false })({
  hall, web, clock, bus: new MqttBus(client, hall.hall.id), hw: createHardware(undefined, { simulated: true, drivers: DRIVERS }), log: pino({ level: 'silent' }), dataDir: mkdtempSync(join(tmpdir(), 'manyi-proc-')),
  device: DeviceConfig.parse({ device: 'kiosk-proc', role: 'kiosk', hall: hall.hall.id, kiosk: 'proc', broker: { url: brokerUrl }, simulated: true }),
  setHealth: () => {},
});
const mem = () => { const m = process.memoryUsage(); return { rss: m.rss, heapUsed: m.heapUsed }; };
process.on('message', async (msg: { pull?: number; stop?: boolean }) => {
  if (msg.stop) { await kiosk.stop(); client.end(true); await web.close(); process.exit(0); }
  for (let i = 0; i < (msg.pull ?? 0); i++) {
    await kiosk.pull({ service: hall.services[i % 2].id, lang: 'zh' });
    clock.advance(5000);
  }
  process.send!({ ...mem() });
});
process.send!({ ready: true, ...mem() });
