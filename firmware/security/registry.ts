// The registry of provisioned devices: one JSON file on the controller that its
// broker reads (and from which Mosquitto's files are generated). Holds hashes only.
import { mkdirSync, renameSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { Name, Role } from '../protocol/messages.ts';
import { loadJsonFile } from '../config/load.ts';
import type { DeviceIdentity } from './identity.ts';
import { hashPassword, isScryptHash, mosquittoHash } from './passwords.ts';
import { systemClock } from '../lib/time.ts';

export const RegistryRole = z.union([Role, z.literal('maintainer')]);

export const RegistryEntry = z.object({
  device: Name,
  role: RegistryRole,
  hall: Name,
  kiosk: Name.optional(),
  window: Name.optional(),
  floor: z.string().optional(),
  /** The one MQTT client id this device may use, if not its device id (e.g. a maintainer's tool). */
  clientId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  /** scrypt hash for the embedded broker. */
  passwordHash: z.string().refine(isScryptHash, 'must be an scrypt$N$r$p$salt$hash string'),
  /** Mosquitto `$7$` hash of the same password, for its password_file. */
  mosquittoHash: z.string().regex(/^\$7\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/),
  addedAt: z.string(),
}).strict().superRefine((e, ctx) => {
  if (e.role === 'kiosk' && !e.kiosk) ctx.addIssue({ code: 'custom', message: 'a kiosk needs its kiosk id', path: ['kiosk'] });
  if (e.role === 'counter' && !e.window) ctx.addIssue({ code: 'custom', message: 'a counter needs its window', path: ['window'] });
});
export type RegistryEntry = z.infer<typeof RegistryEntry>;

export const Registry = z.object({
  version: z.literal(1),
  devices: z.array(RegistryEntry),
}).strict().superRefine((r, ctx) => {
  const seen = new Set<string>();
  r.devices.forEach((d, i) => {
    if (seen.has(d.device)) ctx.addIssue({ code: 'custom', message: `device ${d.device} is registered twice`, path: ['devices', i, 'device'] });
    seen.add(d.device);
  });
});
export type Registry = z.infer<typeof Registry>;

export function emptyRegistry(): Registry {
  return { version: 1, devices: [] };
}

/** Loads and validates a registry; a missing file is an empty registry. */
export function loadRegistry(file: string): Registry {
  if (!existsSync(file)) return emptyRegistry();
  return loadJsonFile(file, Registry);
}

/** Writes atomically (temp file + rename) with mode 0600: it holds hashes. */
export function saveRegistry(file: string, reg: Registry): void {
  Registry.parse(reg);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(reg, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

export function registryMtime(file: string): number {
  try { return statSync(file).mtimeMs; } catch { return 0; }
}

export function identityOf(e: RegistryEntry): DeviceIdentity {
  return { device: e.device, role: e.role, hall: e.hall, kiosk: e.kiosk, window: e.window };
}

export type NewDevice = Omit<RegistryEntry, 'passwordHash' | 'mosquittoHash' | 'addedAt'>;

/**
 * Adds (or, with `replace`, re-keys) a device with this password, hashed both ways.
 * Returns the new registry; the caller saves it. Refuses a duplicate id unless `replace`.
 */
export async function addDevice(reg: Registry, dev: NewDevice, password: string, opts: { replace?: boolean; scrypt?: { N: number; r: number; p: number } } = {}): Promise<Registry> {
  const exists = reg.devices.some((d) => d.device === dev.device);
  if (exists && !opts.replace) throw new Error(`device ${dev.device} is already registered (use --replace to issue new credentials)`);
  const entry = RegistryEntry.parse({
    ...dev,
    passwordHash: await hashPassword(password, opts.scrypt),
    mosquittoHash: mosquittoHash(password),
    addedAt: new Date(systemClock.now()).toISOString(),
  });
  return Registry.parse({ version: 1, devices: [...reg.devices.filter((d) => d.device !== dev.device), entry] });
}

export function removeDevice(reg: Registry, device: string): Registry {
  if (!reg.devices.some((d) => d.device === device)) throw new Error(`device ${device} is not registered`);
  return { version: 1, devices: reg.devices.filter((d) => d.device !== device) };
}
