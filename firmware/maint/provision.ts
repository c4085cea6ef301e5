// `manyi provision`: writes a board's configuration to a folder that becomes its SD
// card's boot partition, with fresh credentials, and registers the device (hashed)
// in the registry the controller's broker reads.
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceConfig } from '../runtime/role.ts';
import type { Role } from '../protocol/messages.ts';
import { addDevice, loadRegistry, saveRegistry } from '../security/registry.ts';
import { generatePassword } from '../security/passwords.ts';

export interface ProvisionOptions {
  hall: string;
  role: Role | 'maintainer';
  device: string;
  window?: string;
  kiosk?: string;
  floor?: string;
  broker: string;
  /** The SD card's boot folder (or any folder to copy there). */
  out: string;
  /** The controller's device registry file. */
  registry: string;
  /** Ed25519 public key (hex) that bundles must be signed with. */
  updateKey?: string;
  /** Board type in hw-specs/ (e.g. `counter-pi-zero`). */
  spec?: string;
  /** CA certificate file for a TLS broker (copied next to the configuration). */
  ca?: string;
  /** Issue new credentials for an already registered device. */
  replace?: boolean;
}

export interface Provisioned { configFile: string; readme: string; password: string }

export const CONFIG_NAME = 'manyi.json';

/** Validates everything before touching any file: a bad option changes nothing. */
export async function provision(o: ProvisionOptions): Promise<Provisioned> {
  try { new URL(o.broker); } catch { throw new Error(`--broker ${o.broker}: not a URL (e.g. mqtt://controller.local:1883)`); }
  if (o.role === 'counter' && !o.window) throw new Error('a counter needs --window');
  if (o.role === 'kiosk' && !o.kiosk) throw new Error('a kiosk needs --kiosk');
  if (o.role !== 'counter' && o.window) throw new Error('--window is only for counters');
  if (o.role !== 'kiosk' && o.kiosk) throw new Error('--kiosk is only for kiosks');
  const password = generatePassword();
  const reg = await addDevice(loadRegistry(o.registry),
    { device: o.device, role: o.role, hall: o.hall, kiosk: o.kiosk, window: o.window, floor: o.floor }, password, { replace: o.replace });
  const broker = { url: o.broker, username: o.device, password, ...(o.ca ? { ca: 'ca.crt' } : {}) };
  const config = o.role === 'maintainer'
    ? { device: o.device, hall: o.hall, role: 'maintainer', broker }
    : DeviceConfig.parse({
      device: o.device, role: o.role, hall: o.hall, window: o.window, kiosk: o.kiosk, floor: o.floor, spec: o.spec,
      broker, updateKey: o.updateKey, hallConfig: o.role === 'controller' ? 'hall.json' : undefined,
    });
  if (o.role !== 'maintainer' && !o.updateKey) process.emitWarning('no --update-key: this board will refuse every update offer');
  const configFile = join(o.out, CONFIG_NAME);
  if (existsSync(configFile) && !o.replace) throw new Error(`${configFile} exists: use --replace to overwrite`);
  mkdirSync(o.out, { recursive: true });
  if (o.ca) writeFileSync(join(o.out, 'ca.crt'), readFileSync(o.ca));
  // Register first: a board whose config exists but is unknown to the broker would only be refused.
  saveRegistry(o.registry, reg);
  writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  const readme = join(o.out, 'MANYI-FIRSTBOOT.txt');
  writeFileSync(readme, firstBootNote(o));
  return { configFile, readme, password };
}

function firstBootNote(o: ProvisionOptions): string {
  const where = o.window ? ` for window ${o.window}` : o.kiosk ? ` as kiosk ${o.kiosk}` : o.floor ? ` on floor ${o.floor}` : '';
  return `manyi board ${o.device} (${o.role}${where}) in hall ${o.hall}

On first boot the board copies ${CONFIG_NAME} from this boot partition to
/etc/manyi/${CONFIG_NAME} (mode 0600) and deletes it here, then starts
\`manyi run --config /etc/manyi/${CONFIG_NAME}\` under systemd.

${CONFIG_NAME} holds this board's own broker password: keep the card safe until
the board has booted once. The broker is ${o.broker}.
If the card is lost, run \`manyi provision ... --replace\` to issue new credentials;
the old password stops working as soon as the controller reads its registry.
See firmware/maint/MAINTAINER.md.
`;
}
