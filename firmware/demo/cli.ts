// `manyi demo` (= `npm start`): a whole hall on simulated hardware in one process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isoLocal } from '../lib/time.ts';
import { createLogger } from '../runtime/logger.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { DEMO_KIOSKS } from './devices.ts';
import { startDemoHall, type DemoHall } from './hall.ts';
import { DEMO_APPOINTMENTS, DEMO_MANAGER, DEMO_PIN } from './people.ts';
import { loadCityLink } from '../city/link.ts';

const port = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0 = any free port), got ${v}`);
  return n;
};
const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`${name} must be a positive number, got ${v}`);
  return n;
};

interface DemoCliOptions {
  traffic?: boolean; port: number; mqttPort: number; host: string; data?: string; tmp?: boolean; hall?: string;
  rate?: number; serviceScale: number; seed: number; staffWindows?: string; freeWindows?: string; realTime?: boolean; startAt?: string; logLevel: string;
  hallId?: string; city?: string;
}

export function register(program: Command): void {
  program.command('demo')
    .description('run a whole demo hall (broker, controller, 2 kiosks, a counter per window, lobby board) on simulated hardware')
    .option('--traffic', 'simulated citizens and staff, so the boards move on their own')
    .option('--port <n>', 'web port: lobby, kiosk, staff pages (0 = any free port)', port('--port'), 8080)
    .option('--mqtt-port <n>', 'MQTT TCP port (0 = any free port)', port('--mqtt-port'), 1883)
    .option('--host <addr>', 'interface to listen on; the demo broker has no authentication', '127.0.0.1')
    .option('--data <dir>', 'data folder (default var/demo)')
    .option('--tmp', 'keep data in a fresh temporary folder')
    .option('--hall <file>', 'hall configuration (default: the demo hospital)')
    .option('--rate <n>', "with --traffic: citizens per minute, constant (default: a hospital's day, morning peak 08:00–09:00, averaging about 95 % of what the windows can serve)", positive('--rate'))
    .option('--service-scale <x>', "with --traffic: service times as a share of the hall's expected ones", positive('--service-scale'), 0.5)
    .option('--seed <n>', 'with --traffic: random seed', positive('--seed'), 1)
    .option('--staff-windows <ids>', 'with --traffic: comma-separated windows the simulated staff work (default all; leave some to click yourself)')
    .option('--free-windows <ids>', 'with --traffic: comma-separated windows the simulated staff leave to you (e.g. 1)')
    .option('--real-time', 'use the wall clock even outside opening hours')
    .option('--start-at <HH:MM>', "start the hall clock at this hall time today, open or not (e.g. 08:00 for the morning peak; best with a fresh --data or --tmp)", hhmm)
    .option('--hall-id <id>', 'run the hall under another id (several demo halls beside each other, e.g. for a city)')
    .option('--city <file>', "join a city: a JSON file holding the controller's city block ({url, username, password, ca}, see firmware/city/README.md)")
    .option('--log-level <level>', 'JSON logs on stderr at this level', 'warn')
    .action(async (o: DemoCliOptions) => {
      const log = createLogger({ name: 'manyi-demo', level: o.logLevel as never });
      const dataDir = o.tmp ? mkdtempSync(join(tmpdir(), 'manyi-demo-')) : resolve(o.data ?? join('var', 'demo'));
      let demo: DemoHall | undefined;
      // Installed first: Ctrl-C during start-up still exits 0 (the process takes the rest with it).
      onShutdown(async () => {
        await demo?.stop();
        console.log('manyi demo: stopped');
      }, log);
      try {
        demo = await startDemoHall({
          port: o.port, mqttPort: o.mqttPort, host: o.host, dataDir, hallFile: o.hall, realTime: o.realTime, startAt: o.startAt, log,
          hallId: o.hallId, city: o.city ? loadCityLink(resolve(o.city)) : undefined,
          traffic: o.traffic ? { ratePerMin: o.rate, serviceScale: o.serviceScale, seed: o.seed, windows: list(o.staffWindows), freeWindows: list(o.freeWindows) } : false,
        });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const hint = err.code === 'EADDRINUSE' ? ' (another demo running? try --port 0 --mqtt-port 0)' : '';
        process.stderr.write(`manyi demo: ${err.message}${hint}\n`);
        process.exit(1);
      }
      console.log(summary(demo, o.host, dataDir, o.startAt));
    });
}

function summary(d: DemoHall, host: string, dataDir: string, startAt?: string): string {
  const h = host === '0.0.0.0' || host === '127.0.0.1' ? 'localhost' : host;
  const web = `http://${h}:${d.httpPort}`;
  const wins = d.hall.windows;
  const tz = d.hall.hall.timezone;
  const has = (role: string) => d.started.some((x) => x.role === role);
  const lines = [
    `manyi demo hall: ${d.hall.hall.name.zh} / ${d.hall.hall.name.en} (${d.hall.hall.id})`,
    ...(has('board') ? [`  lobby board     ${web}/`] : []),
    ...(has('kiosk') ? [`  kiosks          ${DEMO_KIOSKS.map((k) => `${web}/kiosk/${k}`).join('  ')}`] : []),
    ...(has('counter') ? [`  staff pages     ${web}/window/${wins[0].id} … ${web}/window/${wins[wins.length - 1].id}`] : []),
    ...(has('controller') ? [`  ticket status   ${web}/t/{day}/{no}  (the QR code on each ticket)`, `  manager         ${web}/manager  (sign in: ${DEMO_MANAGER.id} / ${DEMO_MANAGER.password})`] : []),
    ...(has('kiosk') ? [`  appointments    check-in codes ${DEMO_APPOINTMENTS[0]} … ${DEMO_APPOINTMENTS[DEMO_APPOINTMENTS.length - 1]} (today, once each)`] : []),
    ...(has('counter') ? [`  staff sign-in   any staff id of the hall (${d.hall.staff[0]?.id ?? 's001'} …) with PIN ${DEMO_PIN} (demo only; a hall uses manyi staff add)`] : []),
    `  MQTT            mqtt://${h}:${d.mqttPort}  and  ws://${h}:${d.httpPort}/mqtt`,
    `  watch           mosquitto_sub -h ${h} -p ${d.mqttPort} -t 'manyi/#' -v`,
    `  devices         ${d.started.length} running: ${countBy(d.started.map((s) => s.role))}`,
    `  hall clock      ${d.clock.offsetMs === 0 ? 'wall clock' : `shifted to ${isoLocal(d.clock.now(), tz)} (${startAt ? `--start-at ${startAt}` : 'the hall is closed now'}; --real-time to keep the wall clock)`}`,
    `  traffic         ${d.traffic ? `simulated citizens (${d.traffic.profile === 'hospital-day' ? `a hospital's day: ${d.traffic.ratePerMin} a minute on average, about three times that for registration at 08:00–09:00` : `${d.traffic.ratePerMin} a minute`}) press the kiosks' buttons and the rating pads; clerks sign in and use their keypads` : 'off (add --traffic for simulated citizens and staff)'}`,
    // The simulated printers' folder (kiosk/printer/sim.ts printDir()).
    ...(has('kiosk') ? [`  printed tickets ${resolve(process.env.MANYI_PRINT_DIR ?? 'var/printed/')}  (ESC/POS .bin and a .png preview of each)`] : []),
    `  data            ${dataDir}`,
    ...d.notes.map((n) => `  note            ${n}`),
    `ready: http=${d.httpPort} mqtt=${d.mqttPort}`,
    'Ctrl-C stops the hall.',
  ];
  return lines.join('\n');
}

function hhmm(v: string): string {
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) throw new Error(`--start-at must be a time of day as HH:MM, got ${v}`);
  return v;
}

function list(v: string | undefined): string[] | undefined {
  return v?.split(',').map((s) => s.trim()).filter(Boolean);
}

function countBy(xs: string[]): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
}
