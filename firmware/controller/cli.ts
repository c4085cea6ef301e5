// `manyi controller`: the embedded broker and the controller in one process, the
// way a hall without its own broker runs it. Prints one `ready` line (JSON) when
// it accepts requests; SIGINT/SIGTERM stop it cleanly.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import mqtt from 'mqtt';
import pino from 'pino';
import { loadHallConfig } from '../config/hall.ts';
import { startEmbeddedBroker } from '../broker/embedded.ts';
import { WebApp } from '../web/app.ts';
import { startController } from './service.ts';

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
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--policy <name>', 'routing policy', 'default')
    .action(async (o: { hall: string; db: string; port: number; wsPort: number; host: string; policy: string }) => {
      const log = pino({ name: 'controller' }, pino.destination(2));
      const hall = loadHallConfig(resolve(o.hall));
      mkdirSync(dirname(resolve(o.db)), { recursive: true });
      const web = new WebApp();
      const wsPort = await web.listen(o.wsPort, o.host);
      const broker = await startEmbeddedBroker({ port: o.port, host: o.host, web });
      const client = await mqtt.connectAsync(broker.url, { clientId: `controller-${hall.hall.id}`, protocolVersion: 4, reconnectPeriod: 1000 });
      (client.stream as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
      const controller = await startController({ hall, dbPath: resolve(o.db), mqtt: client, log, policy: o.policy });
      process.stdout.write(`${JSON.stringify({ ready: true, mqtt: broker.url, port: broker.port, ws: `ws://127.0.0.1:${wsPort}/mqtt`, wsPort, pid: process.pid })}\n`);
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        await controller.stop();
        await client.endAsync();
        await broker.close();
        await web.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    });
}
