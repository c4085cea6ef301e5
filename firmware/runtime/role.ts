// What the device runtime hands to a role when it starts it, and the board's own
// configuration (written by `manyi provision`, read by `manyi run`).
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Bus } from '../bus/types.ts';
import type { HardwareKit } from '../hw/kit.ts';
import { Name, Role } from '../protocol/messages.ts';
import type { HallConfig } from '../config/hall.ts';
import type { Clock } from '../lib/time.ts';
import type { WebApp } from '../web/app.ts';
import { CityLink } from '../city/link.ts';

export const DeviceConfig = z.object({
  /** Device id, as in `device/{device}/…`. */
  device: Name,
  role: Role,
  hall: Name,
  /** The window a counter serves. */
  window: Name.optional(),
  /** The kiosk id a kiosk requests tickets as. */
  kiosk: Name.optional(),
  /** A lobby board's floor, and which services and windows it shows (default: all). */
  floor: z.string().optional(),
  services: z.array(z.string()).optional(),
  windows: z.array(Name).optional(),
  /** Board type spec in hw-specs/ (e.g. `counter-pi-zero`), for pins and parts. */
  spec: z.string().optional(),
  broker: z.object({
    url: z.string().min(1), // mqtt://host:1883, mqtts://…, ws://…
    username: z.string().optional(),
    password: z.string().optional(),
    ca: z.string().optional(), // path to a CA certificate for TLS
  }).strict(),
  /** The hall configuration file (controller), or where to fetch it from. */
  hallConfig: z.string().optional(),
  /** Ed25519 public key (hex) that firmware bundles must be signed with. */
  updateKey: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** Port of the role's own pages (kiosk page, staff page, lobby page). */
  httpPort: z.number().int().min(0).max(65535).optional(),
  /** A kiosk's touch page answers its own screen only (`local`, the default) or the LAN too (`network`). */
  kioskPage: z.enum(['local', 'network']).optional(),
  dataDir: z.string().optional(),
  /**
   * A server certificate and key from the hall's CA (`manyi keys tls`), paths relative
   * to this file: the device's pages over HTTPS; on the controller also MQTT over TLS
   * on `port` (8883) and WSS, plain MQTT then serving this machine only.
   * `manyi run --tls-cert/--tls-key/--tls-port` override it on the controller.
   */
  tls: z.object({ cert: z.string().min(1), key: z.string().min(1), port: z.number().int().min(0).max(65535).optional() }).strict().optional(),
  /** Controller: join the city (firmware/city): its broker, this hall's account, the CA of its TLS certificate. */
  city: CityLink.optional(),
  /** Use simulated hardware (the demo, a developer's laptop). */
  simulated: z.boolean().default(false),
}).strict();
export type DeviceConfig = z.infer<typeof DeviceConfig>;

export interface RoleContext {
  hall: HallConfig;
  device: DeviceConfig;
  /** The device's one bus over its MQTT session (whose last will marks the device offline). */
  bus: Bus;
  /** Where the role mounts its pages. */
  web: WebApp;
  /** The board's hardware (GPIO, printer, LED boards, speaker), real or simulated. */
  hw: HardwareKit;
  log: Logger;
  clock: Clock;
  /** A folder the role may keep state in (created). */
  dataDir: string;
  /** Adds role-specific fields to the device's `health` (e.g. `{printer: 'paper-low'}`). */
  setHealth(fields: Record<string, unknown>): void;
}

export interface RoleHandle {
  stop(): Promise<void>;
}

export type RoleStarter = (ctx: RoleContext) => Promise<RoleHandle>;
