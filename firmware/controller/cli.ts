// `manyi controller`: the embedded broker and the controller in one process, the
// way a hall without its own broker runs it. Prints one `ready` line (JSON) when
// it accepts requests; SIGINT/SIGTERM stop it cleanly. The broker admits only the
// devices of `--registry`; an open broker (`--open-broker`, a bench) listens on
// loopback unless `--host` says otherwise, and says so loudly.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { FileBrokerAuth } from '../security/file-auth.ts';
import pino from 'pino';
import { loadHallConfig } from '../config/hall.ts';
import { startEmbeddedBroker } from '../broker/embedded.ts';
import { WebApp } from '../web/app.ts';
import { controllerParts } from './role.ts';
import { runDevice } from '../runtime/device.ts';
import { DeviceConfig } from '../runtime/role.ts';
import { loadCityLink } from '../city/link.ts';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${v}`);
  return n;
};

export function register(program: Command): void {
  program
    .command('controller')
    .description('run the hall controller with its embedded MQTT broker (TCP and WebSocket)')
    .requiredOption('--hall <file>', 'hall configuration (JSON)')
    .requiredOption('--db <file>', 'SQLite database (created if missing)')
    .option('--port <port>', 'MQTT TCP port (0 = any free port)', port, 1883)
    .option('--ws-port <port>', 'HTTP port for MQTT over WebSocket at /mqtt (0 = any free port)', port, 8080)
    .option('--registry <file>', 'device registry (manyi provision): the broker admits only these devices')
    .option('--open-broker', 'no authentication: any client may do anything (a bench, never a hall)')
    .option('--host <host>', 'address to listen on (default 0.0.0.0; 127.0.0.1 with --open-broker)')
    .option('--policy <name>', 'routing policy', 'default')
    .option('--people <file>', 'staff and managers who may sign in (manyi staff|managers add); default: people.json beside --db with --registry, none with --open-broker')
    .option('--city <file>', "join the city: a JSON file holding the configuration's city block ({url, username, password, ca})")
    .action(async (o: { hall: string; db: string; port: number; wsPort: number; host?: string; policy: string; registry?: string; openBroker?: boolean; city?: string; people?: string }) => {
      const log = pino({ name: 'controller' }, pino.destination(2));
      if (!o.registry && !o.openBroker) {
        process.stderr.write('manyi controller: --registry FILE is required (the devices the broker admits; manyi provision writes it), or --open-broker for a bench\n');
        process.exitCode = 2;
        return;
      }
      const host = o.host ?? (o.registry ? '0.0.0.0' : '127.0.0.1');
      if (!o.registry) log.warn({ host }, 'open broker: no authentication, any client on this address may pull tickets and speak for the controller');
      const hall = loadHallConfig(resolve(o.hall));
      const db = resolve(o.db);
      mkdirSync(dirname(db), { recursive: true });
      const web = new WebApp({ log });
      const wsPort = await web.listen(o.wsPort, host);
      const auth = o.registry ? new FileBrokerAuth(resolve(o.registry)) : undefined;
      const broker = await startEmbeddedBroker({ port: o.port, host, web, auth });
      // The one controller role, as `manyi run` starts it on a controller board; its
      // session runs inside this process: no port, no password to keep.
      const device = DeviceConfig.parse({
        device: `controller-${hall.hall.id}`.slice(0, 48).replace(/-+$/, ''), role: 'controller', hall: hall.hall.id,
        broker: { url: broker.url }, dataDir: dirname(db), ...(o.city ? { city: loadCityLink(resolve(o.city)) } : {}),
      });
      const dev = await runDevice({
        device, hall, web, log, createClient: (options) => broker.internalClient(options),
        roles: { controller: controllerParts({ policy: o.policy, dbFile: db, peopleFile: o.people ? resolve(o.people) : o.registry ? join(dirname(db), 'people.json') : false }) },
      });
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        await dev.stop();
        await broker.close();
        await web.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
      // Ready only once a stop signal would be handled.
      process.stdout.write(`${JSON.stringify({ ready: true, mqtt: broker.url, port: broker.port, ws: `ws://127.0.0.1:${wsPort}/mqtt`, wsPort, pid: process.pid })}\n`);
    });
}
