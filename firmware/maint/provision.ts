// `manyi provision`: writes a board's configuration to a folder that becomes its SD
// card's boot partition, with fresh credentials, and registers the device (hashed)
// in the registry the controller's broker reads. With `--deb`, it also puts the
// packages on the card and the first-boot instructions (cloud-init user-data)
// that install them, so the board needs nobody at a keyboard (cloud-init.ts).
import { mkdirSync, writeFileSync, existsSync, readFileSync, copyFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PACKAGE_DIR, writeFirstBoot } from './cloud-init.ts';
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
  /** The board's package (`manyi_{version}_{arch}.deb`, from `npm run package`): copied to the card and installed at first boot. */
  deb?: string;
  /** Controller: the hall configuration, copied to the card as hall.json. */
  hallFile?: string;
}

/** Roles that serve pages on the board (kiosk touch page, staff page, lobby page) and the port. */
const PAGE_PORT = 8080;
/** Where a board keeps its data (the unit's StateDirectory). */
export const BOARD_DATA_DIR = '/var/lib/manyi';

export interface Provisioned { configFile: string; readme: string; password: string }

export const CONFIG_NAME = 'manyi.json';

/** Validates everything before touching any file: a bad option changes nothing. */
export async function provision(o: ProvisionOptions): Promise<Provisioned> {
  try { new URL(o.broker); } catch { throw new Error(`--broker ${o.broker}: not a URL (e.g. mqtt://controller.local:1883)`); }
  if (o.role === 'counter' && !o.window) throw new Error('a counter needs --window');
  if (o.role === 'kiosk' && !o.kiosk) throw new Error('a kiosk needs --kiosk');
  if (o.role !== 'counter' && o.window) throw new Error('--window is only for counters');
  if (o.role !== 'kiosk' && o.kiosk) throw new Error('--kiosk is only for kiosks');
  if (o.hallFile && o.role !== 'controller') throw new Error('--hall-file is only for the controller');
  const debs = o.deb && o.role !== 'maintainer' ? packagesFor(o.deb, o.role) : [];
  if (o.hallFile && !existsSync(o.hallFile)) throw new Error(`--hall-file ${o.hallFile}: no such file`);
  const password = generatePassword();
  const reg = await addDevice(loadRegistry(o.registry),
    { device: o.device, role: o.role, hall: o.hall, kiosk: o.kiosk, window: o.window, floor: o.floor }, password, { replace: o.replace });
  const broker = { url: o.broker, username: o.device, password, ...(o.ca ? { ca: 'ca.crt' } : {}) };
  const config = o.role === 'maintainer'
    ? { device: o.device, hall: o.hall, role: 'maintainer', broker }
    : DeviceConfig.parse({
      device: o.device, role: o.role, hall: o.hall, window: o.window, kiosk: o.kiosk, floor: o.floor, spec: o.spec,
      broker, updateKey: o.updateKey, hallConfig: o.role === 'controller' ? 'hall.json' : undefined,
      ...(o.deb ? { dataDir: BOARD_DATA_DIR, httpPort: PAGE_PORT } : {}),
    });
  if (o.role !== 'maintainer' && !o.updateKey) process.emitWarning('no --update-key: this board will refuse every update offer');
  const configFile = join(o.out, CONFIG_NAME);
  if (existsSync(configFile) && !o.replace) throw new Error(`${configFile} exists: use --replace to overwrite`);
  mkdirSync(o.out, { recursive: true });
  if (o.ca) writeFileSync(join(o.out, 'ca.crt'), readFileSync(o.ca));
  // Register first: a board whose config exists but is unknown to the broker would only be refused.
  saveRegistry(o.registry, reg);
  writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  if (o.hallFile) copyFileSync(o.hallFile, join(o.out, 'hall.json'));
  // The controller's broker admits the devices in its registry: its card carries it.
  if (o.role === 'controller') copyFileSync(o.registry, join(o.out, 'registry.json'));
  if (debs.length) {
    mkdirSync(join(o.out, PACKAGE_DIR), { recursive: true });
    for (const d of debs) copyFileSync(d, join(o.out, PACKAGE_DIR, basename(d)));
    writeFirstBoot(o.out, { device: o.device, role: o.role, debs: debs.map((d) => basename(d)), screen: debs.length > 1 });
  }
  const readme = join(o.out, 'MANYI-FIRSTBOOT.txt');
  writeFileSync(readme, firstBootNote(o));
  return { configFile, readme, password };
}

function firstBootNote(o: ProvisionOptions): string {
  const where = o.window ? ` for window ${o.window}` : o.kiosk ? ` as kiosk ${o.kiosk}` : o.floor ? ` on floor ${o.floor}` : '';
  return `manyi board ${o.device} (${o.role}${where}) in hall ${o.hall}

On first boot (cloud-init reads user-data here) the board installs the
package from the manyi/ folder, moves ${CONFIG_NAME} from this boot partition to
/etc/manyi/${CONFIG_NAME} (mode 0600) and deletes it here, then starts
manyi.service (\`manyi run --config /etc/manyi/${CONFIG_NAME}\`).

${CONFIG_NAME} holds this board's own broker password: keep the card safe until
the board has booted once. The broker is ${o.broker}.
If the card is lost, run \`manyi provision ... --replace\` to issue new credentials;
the old password stops working as soon as the controller reads its registry.
See firmware/maint/MAINTAINER.md.
`;
}

/** The packages a role installs: manyi, and manyi-screen (next to it) for a role with a screen. */
function packagesFor(deb: string, role: Role): string[] {
  const m = /^manyi_([^_]+)_([a-z0-9]+)\.deb$/.exec(basename(deb));
  if (!m) throw new Error(`--deb ${deb}: expected manyi_{version}_{arch}.deb (npm run package)`);
  if (!existsSync(deb)) throw new Error(`--deb ${deb}: no such file`);
  if (role !== 'kiosk' && role !== 'board') return [deb];
  const screen = join(dirname(deb), `manyi-screen_${m[1]}_all.deb`);
  if (!existsSync(screen)) throw new Error(`a ${role} has a screen: ${screen} (built with ${basename(deb)}) is missing`);
  return [deb, screen];
}
