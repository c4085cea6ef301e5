// What a board does with the package and the SD card on its own, with nobody at
// a keyboard:
// - `installSlot`: the package's postinst puts the packaged tree (/usr/lib/manyi)
//   into an update slot (/opt/manyi/slots/a|b) and points `current` at it, the
//   way an update over the air does (slots.ts), so both paths share one layout.
// - `firstBoot`: cloud-init's first-boot commands run it: the board's
//   configuration moves from the FAT boot partition (readable by anyone with the
//   card) to /etc/manyi/manyi.json, mode 0600, owned by the service user, and is
//   deleted from the card; the role's unit settings (device groups) and, for a
//   role with a screen, the page the screen shows are written.
import { closeSync, copyFileSync, cpSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, chownSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { loadJsonFile } from '../config/load.ts';
import { DeviceConfig } from '../runtime/role.ts';
import type { Role } from '../protocol/messages.ts';
import { currentSlot, initSlots, other, readJournal, slotDir, slotVersion, switchTo, writeDurable, writeJournal } from '../update/slots.ts';

export interface InstallSlotResult { slot: 'a' | 'b'; version: string; changed: boolean }

/** Copies the packaged tree into the inactive slot and switches to it (nothing to do if current runs it). */
export function installSlot(from: string, root: string): InstallSlotResult {
  const version = readFileSync(join(from, 'VERSION'), 'utf8').trim();
  if (!version) throw new Error(`${from}/VERSION is empty`);
  mkdirSync(join(root, 'slots'), { recursive: true });
  const cur = currentSlot(root);
  if (cur && slotVersion(root, cur) === version) return { slot: cur, version, changed: false };
  if (!cur || !slotVersion(root, cur)) {
    initSlots(root, version, (dir) => cpSync(from, dir, { recursive: true, verbatimSymlinks: true }));
    return { slot: 'a', version, changed: true };
  }
  const slot = other(cur);
  const target = slotDir(root, slot);
  const fresh = `${target}.new`;
  rmSync(fresh, { recursive: true, force: true });
  cpSync(from, fresh, { recursive: true, verbatimSymlinks: true });
  writeDurable(join(fresh, 'VERSION'), `${version}\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(fresh, target);
  // A package install is the maintainer's decision, not a trial to roll back.
  const j = readJournal(root);
  if (j.pending) writeJournal(root, { last: { id: j.pending.id, version: j.pending.version, state: 'rolled-back', error: `replaced by package ${version}` } });
  switchTo(root, slot);
  return { slot, version, changed: true };
}

/** The device groups each role's hardware needs (Raspberry Pi OS group names). */
export const ROLE_GROUPS: Record<Role, string[]> = {
  controller: ['gpio'], // status LEDs
  kiosk: ['gpio', 'lp', 'dialout'], // buttons; USB or serial printer
  counter: ['gpio', 'dialout', 'spi'], // keypad and rating pad; the LED board's Arduino
  board: ['audio', 'dialout'], // voice calls; the LED matrix's Arduino
};

/**
 * Node's flags per role (manyi.service's MANYI_NODE_FLAGS; the unit's default is
 * the controller's). Measured by `npm run bench -- --only footprint`: a young
 * generation of 1 MB semi-spaces (V8's can grow to 48 MB) everywhere; on the
 * boards V8's lite mode (no optimising compilers, feedback allocated lazily; it
 * implies --jitless, so no WebAssembly, which no role uses): 2–5 MB less than
 * --no-opt for a few messages a second. The controller keeps its JIT (fan-out to
 * hundreds of devices).
 */
export const ROLE_NODE_FLAGS: Record<Role, string[]> = {
  controller: ['--max-semi-space-size=1'],
  kiosk: ['--max-semi-space-size=1', '--lite-mode'],
  counter: ['--max-semi-space-size=1', '--lite-mode'],
  board: ['--max-semi-space-size=1', '--lite-mode'],
};

/** The page a role's screen shows, on the board's own web host. */
export function screenUrl(device: DeviceConfig): string | null {
  const port = device.httpPort ?? 8080;
  if (device.role === 'kiosk') return `http://localhost:${port}/kiosk/${device.kiosk ?? device.device}`;
  if (device.role === 'board') return `http://localhost:${port}/`;
  return null;
}

export interface FirstBootOptions {
  /** The boot partition as the board mounts it (Raspberry Pi OS: /boot/firmware). */
  bootfs: string;
  etc?: string;
  dataDir?: string;
  /** Where the role's drop-in goes (default /etc/systemd/system). */
  systemdDir?: string;
  /** The service user's ids (default: looked up in /etc/passwd; none = leave ownership). */
  owner?: { uid: number; gid: number } | null;
}

export interface FirstBootResult { config: string; role: Role; device: string; dropIn: string; screen: string | null; alreadyDone: boolean }

function lookupUser(name: string): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch { return null; }
}

function fsyncPath(p: string): void {
  try { const fd = openSync(p, 'r'); fsyncSync(fd); closeSync(fd); } catch { /* FAT folders may refuse; the unlink is still done */ }
}

/** Writes `text` to `file` with `mode`, durably (temp file, fsync, rename). */
function writeSecret(file: string, text: string, mode: number, owner: { uid: number; gid: number } | null): void {
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', mode);
  try { writeFileSync(fd, text); fsyncSync(fd); } finally { closeSync(fd); }
  chmodSync(tmp, mode); // the umask may have taken bits away
  if (owner) chownSync(tmp, owner.uid, owner.gid);
  renameSync(tmp, file);
}

export function firstBoot(o: FirstBootOptions): FirstBootResult {
  const etc = o.etc ?? '/etc/manyi';
  const dataDir = o.dataDir ?? '/var/lib/manyi';
  const systemdDir = o.systemdDir ?? '/etc/systemd/system';
  const owner = o.owner === undefined ? lookupUser('manyi') : o.owner;
  const onCard = join(o.bootfs, 'manyi.json');
  const installed = join(etc, 'manyi.json');
  const alreadyDone = !existsSync(onCard);
  if (alreadyDone && !existsSync(installed)) throw new Error(`no board configuration: neither ${onCard} nor ${installed} exists (run manyi provision --out <the card's boot partition>)`);
  const text = alreadyDone ? readFileSync(installed, 'utf8') : readFileSync(onCard, 'utf8');
  // Validates before anything moves: a bad card changes nothing.
  const device = loadJsonFile(alreadyDone ? installed : onCard, DeviceConfig);

  mkdirSync(etc, { recursive: true, mode: 0o750 });
  if (owner) chownSync(etc, 0, owner.gid);
  if (!alreadyDone) {
    writeSecret(installed, text, 0o600, owner);
    fsyncPath(etc);
    for (const f of ['ca.crt', 'hall.json']) {
      if (existsSync(join(o.bootfs, f))) copyFileSync(join(o.bootfs, f), join(etc, f));
    }
    const registry = join(o.bootfs, 'registry.json');
    if (existsSync(registry)) {
      mkdirSync(dataDir, { recursive: true, mode: 0o750 });
      const dest = join(dataDir, 'registry.json');
      if (!existsSync(dest)) writeSecret(dest, readFileSync(registry, 'utf8'), 0o600, owner);
      rmSync(registry, { force: true });
    }
    // The password must not stay on the FAT partition.
    rmSync(onCard, { force: true });
    fsyncPath(o.bootfs);
  }

  const dropDir = join(systemdDir, 'manyi.service.d');
  mkdirSync(dropDir, { recursive: true });
  const dropIn = join(dropDir, 'role.conf');
  const groups = ROLE_GROUPS[device.role];
  writeFileSync(dropIn, `# Written by \`manyi first-boot\` for ${device.device} (${device.role}): the device groups its hardware needs, Node's flags for the role.\n[Service]\nSupplementaryGroups=${groups.join(' ')}\nEnvironment="MANYI_NODE_FLAGS=${ROLE_NODE_FLAGS[device.role].join(' ')}"\n`);
  const url = screenUrl(device);
  if (url) writeFileSync(join(etc, 'screen.env'), `# The page manyi-screen.service shows full-screen (${device.role} ${device.device}).\nMANYI_SCREEN_URL=${url}\n`);
  return { config: installed, role: device.role, device: device.device, dropIn, screen: url, alreadyDone };
}
