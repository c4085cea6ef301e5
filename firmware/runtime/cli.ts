// `manyi run --config FILE`: what a board runs at boot. Loads the board's
// configuration, starts the hall's broker first on a controller whose broker URL is
// this machine, then the device runtime; SIGINT/SIGTERM stop it cleanly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../config/load.ts';
import { systemClock } from '../lib/time.ts';
import { Role } from '../protocol/messages.ts';
import { WebApp } from '../web/app.ts';
import { brokerIsLocal, loadDeviceConfig } from './config.ts';
import { runDevice } from './device.ts';
import { createLogger } from './logger.ts';
import { onShutdown } from './shutdown.ts';

interface RunOptions { config: string; role?: string; hall?: string; registry?: string; openBroker?: boolean; listen?: string; tlsCert?: string; tlsKey?: string; tlsPort?: string; logLevel?: string; updateRoot?: string; updates?: boolean }

export function register(program: Command): void {
  program.command('run')
    .description("run this board's role (controller, kiosk, counter, board) from its configuration file")
    .requiredOption('--config <file>', 'the board configuration (JSON, as written by `manyi provision`)')
    .option('--role <role>', `override the configured role: ${Role.options.join(', ')}`)
    .option('--hall <file>', 'hall configuration (default: the file the board configuration names)')
    .option('--registry <file>', "controller: the device registry the embedded broker authenticates against (default: <dataDir>/registry.json)")
    .option('--open-broker', 'controller: run the embedded broker without authentication (a bench, never a hall; listens on 127.0.0.1 unless --listen)')
    .option('--listen <host>', 'controller: address the broker and pages listen on (default 0.0.0.0; 127.0.0.1 with --open-broker)')
    .option('--tls-cert <file>', 'controller: server certificate (manyi keys tls): MQTT over TLS, WSS and HTTPS; plain MQTT then listens on 127.0.0.1 only')
    .option('--tls-key <file>', 'controller: the key of --tls-cert')
    .option('--tls-port <n>', 'controller: port of MQTT over TLS (default: the configuration\'s tls.port, else 8883)')
    .option('--update-root <dir>', 'where firmware slots live (default /opt/manyi when it has slots)')
    .option('--no-updates', 'do not run the update agent')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .action(async (o: RunOptions) => {
      try {
        await run(o);
      } catch (e) {
        const msg = e instanceof ConfigError ? e.message : (e as Error).message;
        process.stderr.write(`manyi run: ${msg}\n`);
        process.exitCode = 2;
      }
    });
}

async function run(o: RunOptions): Promise<void> {
  let role: Role | undefined;
  if (o.role !== undefined) {
    const r = Role.safeParse(o.role);
    if (!r.success) throw new Error(`--role: unknown role ${o.role}: one of ${Role.options.join(', ')}`);
    role = r.data;
  }
  const { device, hall } = loadDeviceConfig(o.config, { role, hallConfig: o.hall });
  const log = createLogger({ name: 'manyi', level: o.logLevel as never });
  device.dataDir ??= join('var', device.device);

  const stops: Array<() => Promise<void>> = [];
  // Installed before anything starts: a stop during start-up stops what has started.
  onShutdown(async () => { for (const s of stops) await s(); }, log);
  let web: WebApp | undefined;
  if (device.role === 'controller' && brokerIsLocal(device.broker.url)) {
    const { startEmbeddedBroker } = await import('../broker/embedded.ts');
    let auth;
    if (!o.openBroker) {
      const registry = o.registry ?? join(device.dataDir, 'registry.json');
      if (!existsSync(registry)) throw new Error(`no device registry at ${registry}: provision devices first (manyi provision), pass --registry FILE, or --open-broker for a bench`);
      const { FileBrokerAuth } = await import('../security/file-auth.ts');
      auth = new FileBrokerAuth(registry);
    }
    const host = o.listen ?? (auth ? '0.0.0.0' : '127.0.0.1');
    if (!auth) log.warn({ host }, 'open broker: no authentication, any client on this address may pull tickets and speak for the controller');
    if (!!o.tlsCert !== !!o.tlsKey) throw new Error('--tls-cert and --tls-key go together');
    // The flags, else the configuration's `tls` block (how manyi.service turns TLS on).
    const certFile = o.tlsCert ?? device.tls?.cert;
    const keyFile = o.tlsKey ?? device.tls?.key;
    const tls = certFile && keyFile ? (await import('../security/tls.ts')).loadServerTls(certFile, keyFile) : undefined;
    if (auth && !tls) log.warn('no TLS (--tls-cert/--tls-key): device passwords and staff PINs cross the LAN in clear');
    // With TLS, the plain MQTT listener serves this machine only (the controller's own session).
    const plainHost = tls ? '127.0.0.1' : host;
    web = new WebApp({ log, tls });
    const httpPort = await web.listen(device.httpPort ?? 8080, host);
    const port = Number(new URL(device.broker.url).port || 1883);
    const broker = await startEmbeddedBroker({ port, host: plainHost, web, auth, tls: tls && { ...tls, port: Number(o.tlsPort ?? device.tls?.port ?? 8883), host } });
    log.info({ mqtt: port, mqttHost: plainHost, mqtts: broker.tlsPort, http: httpPort, https: !!tls, auth: !!auth }, 'embedded broker started');
    stops.push(() => broker.close(), () => web!.close());
  }
  const dev = await runDevice({ device, hall, web, log });
  stops.unshift(() => dev.stop());
  const root = o.updateRoot ?? (existsSync('/opt/manyi/slots') ? '/opt/manyi' : undefined);
  if (o.updates !== false && root) {
    const { startUpdateAgent, systemdRestart } = await import('../update/agent.ts');
    const { openingHoursReason } = await import('../update/hours.ts');
    const agent = await startUpdateAgent({
      bus: dev.bus, device: device.device, role: device.role, root,
      publicKey: device.updateKey, restart: systemdRestart(),
      // The runtime is up (connected, role started) by the time the agent runs.
      healthy: async () => dev.bus.connected,
      busyReason: device.role === 'kiosk' || device.role === 'counter' ? () => openingHoursReason(hall, systemClock.now()) : undefined,
      log,
    });
    stops.unshift(() => agent.stop());
  }
}
