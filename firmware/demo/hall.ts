// The demo hall in one process: the embedded broker (TCP and MQTT over WebSocket),
// the controller, two kiosks, a counter per window and a lobby board, each started
// through the device runtime with its own MQTT session, all on simulated hardware
// and one web host: the roles and assembly `manyi run` starts on a board (the
// registry's), plus simulated hardware, a shifted clock and simulated people.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker/embedded.ts';
import { loadHallConfig, type HallConfig, parseHallConfig } from '../config/hall.ts';
import type { Role } from '../protocol/messages.ts';
import { runDevice, type RunningDevice } from '../runtime/device.ts';
import { WebApp } from '../web/app.ts';
import { demoClock, type DemoClock } from './clock.ts';
import { demoDevices } from './devices.ts';
import type { SimHardware } from '../hw/kit.ts';
import type { CityLink } from '../city/link.ts';
import { startTraffic, type Traffic } from './traffic.ts';
import { DEMO_PIN, seedDemoAppointments, seedDemoPeople, simulatedAppointments } from './people.ts';

export interface DemoOptions {
  /** Web port (default 8080; 0 = any free port). */
  port?: number;
  /** MQTT TCP port (default 1883; 0 = any free port). */
  mqttPort?: number;
  /** Interface to listen on (default 127.0.0.1: the demo broker has no authentication). */
  host?: string;
  dataDir: string;
  hallFile?: string;
  /** Run the hall under another id (several demo halls beside each other, e.g. for a city). */
  hallId?: string;
  /** The controller joins a city (firmware/city). */
  city?: CityLink;
  traffic?: false | { ratePerMin?: number; serviceScale?: number; seed?: number; windows?: string[]; freeWindows?: string[] };
  realTime?: boolean;
  /** Start the hall clock at this hall time today (HH:MM), open or not (default: 08:00 when the hall is closed, else the wall clock). */
  startAt?: string;
  log: Logger;
}

export interface DemoHall {
  hall: HallConfig;
  httpPort: number;
  mqttPort: number;
  brokerUrl: string;
  clock: DemoClock;
  started: Array<{ device: string; role: Role }>;
  /** Every device, with its hardware kit (`dev.hw.sim` is what simulated people press). */
  devices: RunningDevice[];
  notes: string[];
  traffic?: Traffic;
  /** The one web host every role's pages are mounted on. */
  web: WebApp;
  stop(): Promise<void>;
}

export async function startDemoHall(o: DemoOptions): Promise<DemoHall> {
  const loaded = loadHallConfig(o.hallFile);
  const hall = o.hallId
    ? parseHallConfig({ ...loaded, hall: { ...loaded.hall, id: o.hallId, name: { zh: `${loaded.hall.name.zh}（${o.hallId}）`, en: `${loaded.hall.name.en} (${o.hallId})` } } }, '--hall-id')
    : loaded;
  const host = o.host ?? '127.0.0.1';
  mkdirSync(o.dataDir, { recursive: true });
  const clock = demoClock(hall, { realTime: o.realTime, startAt: o.startAt, stateFile: join(o.dataDir, 'demo-clock.json') });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => { while (stops.length) await stops.pop()!().catch((e: unknown) => o.log.error({ err: (e as Error).message }, 'demo: stop failed')); };

  try {
    const web = new WebApp();
    const httpPort = await web.listen(o.port ?? 8080, host);
    stops.push(() => web.close());
    // Tickets' QR codes open the status page at the hall's public address; a demo
    // hall without one uses the address this demo answers on.
    if (!hall.publicUrl) hall.publicUrl = `http://${host === '0.0.0.0' || host === '::' ? hostname() : host.includes(':') ? `[${host}]` : host}:${httpPort}`;
    // MQTT over WebSocket at /mqtt on the same host, for the pages.
    const broker: EmbeddedBroker = await startEmbeddedBroker({ port: o.mqttPort ?? 1883, host, web });
    stops.push(() => broker.close());

    // Staff sign in with a PIN and managers with a password, as in a hall (firmware/security/people.ts).
    seedDemoPeople(join(o.dataDir, 'controller', 'people.json'), hall, new Date(clock.now()));
    seedDemoAppointments(join(o.dataDir, 'controller', 'appointments.json'), hall, clock.now());
    // The simulated citizens' own appointments (the people trying the demo keep the DEMO- codes).
    const simAppointments = o.traffic ? simulatedAppointments(join(o.dataDir, 'controller', 'appointments.json'), hall, clock.now()) : [];

    const devices: RunningDevice[] = [];
    const started: DemoHall['started'] = [];
    let controller: RunningDevice | undefined;
    // What simulated people touch: each kiosk's buttons and printer, each desk's keypad and rating pad.
    const kiosks: Array<{ id: string; sim: SimHardware }> = [];
    const counters: Array<{ window: string; sim: SimHardware }> = [];
    // The controller first, so the others find the retained states at once.
    for (const device of demoDevices(hall, broker.url, o.dataDir, o.city)) {
      const dev = await runDevice({ device, hall, web, clock, log: o.log, healthEveryS: 10 });
      if (device.role === 'controller') controller = dev;
      if (device.role === 'kiosk' && device.kiosk && dev.hw.sim) kiosks.push({ id: device.kiosk, sim: dev.hw.sim });
      if (device.role === 'counter' && device.window && dev.hw.sim) counters.push({ window: device.window, sim: dev.hw.sim });
      devices.push(dev);
      started.push({ device: device.device, role: device.role });
      stops.push(() => dev.stop());
    }

    const notes: string[] = [];
    if (!controller) notes.push('without a controller no ticket is issued, and there is no ticket status or manager page');

    let traffic: Traffic | undefined;
    if (o.traffic) {
      // The people are on this machine: they reach the pages over loopback, as the kiosk's own screen does.
      const webUrl = `http://${loopbackOf(host)}:${httpPort}`;
      traffic = await startTraffic({ webUrl, hall, kiosks, counters, pin: DEMO_PIN, appointments: simAppointments, log: o.log, clock, ...o.traffic });
      // Stopped before the devices, so no command lands on a closing controller.
      stops.push(() => traffic!.stop());
    }

    return {
      hall, httpPort, mqttPort: broker.port, brokerUrl: broker.url, clock, started, devices, notes, traffic, web,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** The address this machine reaches a host listening on `host` by. */
function loopbackOf(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
