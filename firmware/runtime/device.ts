// The device runtime: one MQTT session with a last will and its one bus, `status`
// (retained) and `health` (every few seconds, QoS 0), one hardware kit, then the
// board's role — its parts from the registry, started in order and stopped in
// reverse. Every board — controller, kiosk, counter, lobby board — starts through
// here, and so does every device of the demo.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';
import { loadBoardSpec } from '../../hw-specs/schema.ts';
import { createHardware, type HardwareDrivers, type HardwareKit } from '../hw/kit.ts';
import type { Bus } from '../bus/types.ts';
import type { Logger } from 'pino';
import type { HallConfig } from '../config/hall.ts';
import { isoLocal, systemClock, type Clock } from '../lib/time.ts';
import type { Role } from '../protocol/messages.ts';
import { WebApp } from '../web/app.ts';
import type { BackoffOptions } from './backoff.ts';
import { createLogger } from './logger.ts';
import { startRole, type RoleDefinition } from './parts.ts';
import type { DeviceConfig, RoleContext, RoleHandle, RoleStarter } from './role.ts';
import { DEFAULT_SPECS, DRIVERS, ROLES } from './roles.ts';
import { openSession } from './session.ts';
import { firmwareVersion } from './version.ts';

export interface RunDeviceOptions {
  device: DeviceConfig;
  hall: HallConfig;
  /** The web host to mount pages on; without it the runtime makes one on `device.httpPort` (if set). */
  web?: WebApp;
  clock?: Clock;
  log?: Logger;
  /** A role's definition to use instead of the registry's (e.g. the controller with options). */
  roles?: Partial<Record<Role, RoleDefinition>>;
  /** A bare starter instead of a definition (tests of the runtime itself). */
  starters?: Partial<Record<Role, RoleStarter>>;
  /** The hardware kit's drivers (default: the registry's). */
  drivers?: HardwareDrivers;
  /** How to make the MQTT client (default: over the network to `device.broker.url`; the controller's own broker: in-process). */
  createClient?: (options: IClientOptions) => MqttClient;
  /** Seconds between `health` messages (default 10). */
  healthEveryS?: number;
  backoff?: BackoffOptions;
  keepaliveS?: number;
}

export interface RunningDevice {
  /** The role's handle: stop it (the runtime does). */
  role: RoleHandle;
  /** The board's hardware; on a simulated board, `hw.sim` is what people press. */
  hw: HardwareKit;
  /** The device's bus (the update agent rides on it). */
  bus: Bus;
  /** The MQTT.js client under the bus (connection events, diagnostics). */
  client: MqttClient;
  /** The merged role-specific health fields, as last published. */
  health(): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function runDevice(opts: RunDeviceOptions): Promise<RunningDevice> {
  const { device, hall } = opts;
  if (device.hall !== hall.hall.id) throw new Error(`device ${device.device} belongs to hall ${device.hall}, but the hall configuration is ${hall.hall.id}`);
  const clock = opts.clock ?? systemClock;
  const log = (opts.log ?? createLogger()).child({ device: device.device, role: device.role });
  const tz = hall.hall.timezone;
  const isoNow = () => isoLocal(clock.now(), tz);
  const version = firmwareVersion();

  const starter = opts.starters?.[device.role];
  const definition = starter ? undefined : opts.roles?.[device.role] ?? await ROLES[device.role]();

  const dataDir = device.dataDir ?? join('var', device.device);
  mkdirSync(dataDir, { recursive: true });

  let ownWeb: WebApp | undefined;
  let web = opts.web;
  if (!web) {
    // Its pages over HTTPS when the configuration names a certificate (`tls`, from the hall's CA).
    const tls = device.tls ? (await import('../security/tls.ts')).loadServerTls(device.tls.cert, device.tls.key, clock.now()) : undefined;
    web = ownWeb = new WebApp({ log, tls });
    if (device.httpPort !== undefined) {
      const port = await ownWeb.listen(device.httpPort);
      log.info({ port }, 'pages served');
    }
  }

  const session = await openSession({
    hall: device.hall, device: device.device, role: device.role, version,
    broker: device.broker, isoNow, log, backoff: opts.backoff, keepaliveS: opts.keepaliveS, createClient: opts.createClient,
  });
  const bus = session.bus;
  log.info({ broker: device.broker.url, version }, 'connected');

  const started = clock.now();
  const extra: Record<string, unknown> = {};
  const publishHealth = () => {
    if (!bus.connected) return; // health is a sample, not a record: drop it while offline
    const payload = {
      ...extra,
      at: isoNow(),
      uptimeS: Math.round((clock.now() - started) / 1000),
      rssMB: Math.round(process.memoryUsage.rss() / 1048576 * 10) / 10,
    };
    void bus.publish('device-health', { device: device.device }, payload);
  };
  const specName = device.spec ?? DEFAULT_SPECS[device.role];
  const hw = createHardware(specName ? loadBoardSpec(specName) : undefined, { simulated: device.simulated, drivers: opts.drivers ?? DRIVERS });
  const ctx: RoleContext = {
    hall, device, bus, web, hw, log, clock, dataDir,
    setHealth(fields) {
      for (const [k, v] of Object.entries(fields)) {
        if (k === 'at' || k === 'uptimeS' || k === 'rssMB') continue; // the runtime's own
        if (v === undefined) delete extra[k]; else extra[k] = v;
      }
    },
  };

  let role: RoleHandle;
  try {
    if (starter) role = await starter(ctx);
    else {
      const running = await startRole(definition!, ctx);
      role = { stop: running.stop, parts: running.started } as RoleHandle;
      log.debug({ parts: running.started }, 'parts started');
    }
  } catch (e) {
    log.error({ err: (e as Error).message }, 'role failed to start');
    await hw.close();
    await session.close();
    if (ownWeb) await ownWeb.close().catch(() => undefined);
    throw e;
  }
  log.info({ startedAt: isoLocal(started, tz) }, 'role started');
  publishHealth();
  const timer = setInterval(publishHealth, (opts.healthEveryS ?? 10) * 1000);
  timer.unref();

  let stopping: Promise<void> | undefined;
  return {
    role,
    hw,
    bus,
    client: session.client,
    health: () => ({ ...extra }),
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        try { await role.stop(); } catch (e) { log.error({ err: (e as Error).message }, 'role did not stop cleanly'); }
        await hw.close();
        await session.close();
        if (ownWeb) await ownWeb.close().catch(() => undefined);
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
