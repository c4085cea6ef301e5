// A first boot with nobody at a keyboard: `manyi provision --deb … --out BOOTFS`
// puts the packages and cloud-init user-data on the card (checked by cloud-init's
// own schema validator, merged into Raspberry Pi Imager's), `manyi first-boot`
// moves the board's secret off the FAT partition, and `install-slot` puts the
// packaged tree into an update slot.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { provision } from '../../firmware/maint/provision.ts';
import { firstBoot, installSlot, ROLE_GROUPS, ROLE_NODE_FLAGS } from '../../firmware/maint/boot.ts';
import { tempDir } from './helpers.ts';

/** Files named like `npm run package`'s (their content does not matter to provision). */
function fakePackages(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manyi_0.1.0_arm64.deb'), 'deb');
  writeFileSync(join(dir, 'manyi-screen_0.1.0_all.deb'), 'deb');
  return join(dir, 'manyi_0.1.0_arm64.deb');
}

function schema(file: string) {
  return spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
}

const IMAGER = `#cloud-config
hostname: kiosk-1
manage_etc_hosts: true
users:
- name: alice
  groups: users,adm,dialout,audio,netdev,video,plugdev,cdrom,games,input,gpio,spi,i2c,render,sudo
  shell: /bin/bash
  lock_passwd: true
  ssh_authorized_keys:
    - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxN7i6wLqY8kqJm+1JvxmDkSMbq0FwG9cDtHmqv2Kf0 alice@laptop
timezone: Asia/Shanghai
runcmd:
- [ sh, -c, 'echo imager was here' ]
`;

describe('manyi provision --deb', () => {
  it('puts the packages and user-data on the card that cloud-init accepts, keeping Imager\'s settings', async () => {
    const dir = tempDir();
    const deb = fakePackages(join(dir, 'packages'));
    const card = join(dir, 'bootfs');
    mkdirSync(card);
    writeFileSync(join(card, 'user-data'), IMAGER);
    const registry = join(dir, 'registry.json');
    await provision({ hall: 'demo-hospital', role: 'kiosk', device: 'kiosk-1', kiosk: 'k1', broker: 'mqtt://controller.local:1883', out: card, registry, deb });
    expect(existsSync(join(card, 'manyi/manyi_0.1.0_arm64.deb'))).toBe(true);
    expect(existsSync(join(card, 'manyi/manyi-screen_0.1.0_all.deb'))).toBe(true);
    const r = schema(join(card, 'user-data'));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Valid cloud-config/);
    const text = readFileSync(join(card, 'user-data'), 'utf8');
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const ud = parse(text) as { hostname: string; users: Array<{ name: string }>; runcmd: unknown[][] };
    expect(ud.hostname).toBe('kiosk-1');
    expect(ud.users[0].name).toBe('alice');
    expect(ud.runcmd).toEqual([
      ['sh', '-c', 'echo imager was here'],
      ['sh', '-c', 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y /boot/firmware/manyi/manyi_0.1.0_arm64.deb /boot/firmware/manyi/manyi-screen_0.1.0_all.deb'],
      ['manyi', 'first-boot', '--bootfs', '/boot/firmware'],
      ['systemctl', 'enable', '--now', 'manyi.service'],
      ['systemctl', 'enable', '--now', 'manyi-screen.service'],
    ]);
    expect(readFileSync(join(card, 'meta-data'), 'utf8')).toMatch(/^instance-id: manyi-kiosk-1$/m);
    const cfg = JSON.parse(readFileSync(join(card, 'manyi.json'), 'utf8'));
    expect(cfg).toMatchObject({ httpPort: 8080, dataDir: '/var/lib/manyi' });

    // A lost card: provisioned again, the card's first boot is ours once, not twice.
    await provision({ hall: 'demo-hospital', role: 'kiosk', device: 'kiosk-1', kiosk: 'k1', broker: 'mqtt://controller.local:1883', out: card, registry, deb, replace: true });
    const again = parse(readFileSync(join(card, 'user-data'), 'utf8')) as { runcmd: unknown[][] };
    expect(again.runcmd).toHaveLength(5);
    expect(schema(join(card, 'user-data')).status).toBe(0);
  });

  it('writes user-data without a screen for a counter, and the hall and registry on a controller\'s card', async () => {
    const dir = tempDir();
    const deb = fakePackages(join(dir, 'p'));
    const registry = join(dir, 'registry.json');
    const hallFile = new URL('../../firmware/config/halls/demo-hospital.json', import.meta.url).pathname;
    await provision({ hall: 'demo-hospital', role: 'controller', device: 'ctl', broker: 'mqtt://127.0.0.1:1883', out: join(dir, 'ctl'), registry, deb, hallFile });
    expect(existsSync(join(dir, 'ctl/hall.json'))).toBe(true);
    expect(existsSync(join(dir, 'ctl/registry.json'))).toBe(true);
    await provision({ hall: 'demo-hospital', role: 'counter', device: 'counter-5', window: '5', broker: 'mqtt://controller.local:1883', out: join(dir, 'c5'), registry, deb });
    const ud = parse(readFileSync(join(dir, 'c5/user-data'), 'utf8')) as { runcmd: string[][] };
    expect(ud.runcmd.flat().join(' ')).not.toContain('manyi-screen');
    expect(schema(join(dir, 'c5/user-data')).status).toBe(0);
    await expect(provision({ hall: 'demo-hospital', role: 'counter', device: 'c6', window: '6', broker: 'mqtt://x:1883', out: join(dir, 'c6'), registry, deb: join(dir, 'p/manyi.deb') }))
      .rejects.toThrow(/manyi_\{version\}_\{arch\}\.deb/);
    expect(existsSync(join(dir, 'c6'))).toBe(false);
  });
});

describe('manyi first-boot', () => {
  it('moves manyi.json to /etc/manyi with mode 0600 and deletes it from the card; writes the role\'s groups and screen page', async () => {
    const dir = tempDir();
    const card = join(dir, 'bootfs');
    await provision({ hall: 'demo-hospital', role: 'kiosk', device: 'kiosk-2', kiosk: 'k2', broker: 'mqtt://controller.local:1883', out: card, registry: join(dir, 'reg.json'), deb: fakePackages(join(dir, 'p')) });
    const secret = readFileSync(join(card, 'manyi.json'), 'utf8');
    const etc = join(dir, 'etc/manyi');
    const r = firstBoot({ bootfs: card, etc, dataDir: join(dir, 'var'), systemdDir: join(dir, 'systemd'), owner: null });
    expect(r).toMatchObject({ role: 'kiosk', device: 'kiosk-2', alreadyDone: false, screen: 'http://localhost:8080/kiosk/k2' });
    expect(existsSync(join(card, 'manyi.json'))).toBe(false);
    expect(readFileSync(join(etc, 'manyi.json'), 'utf8')).toBe(secret);
    expect(statSync(join(etc, 'manyi.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(r.dropIn, 'utf8')).toMatch(new RegExp(`^SupplementaryGroups=${ROLE_GROUPS.kiosk.join(' ')}$`, 'm'));
    expect(readFileSync(r.dropIn, 'utf8')).toContain(`Environment="MANYI_NODE_FLAGS=${ROLE_NODE_FLAGS.kiosk.join(' ')}"`);
    expect(readFileSync(join(etc, 'screen.env'), 'utf8')).toMatch(/^MANYI_SCREEN_URL=http:\/\/localhost:8080\/kiosk\/k2$/m);
    // cloud-init runs it once, but a second run (a re-run by hand) is harmless.
    expect(firstBoot({ bootfs: card, etc, dataDir: join(dir, 'var'), systemdDir: join(dir, 'systemd'), owner: null }).alreadyDone).toBe(true);
    expect(readFileSync(join(etc, 'manyi.json'), 'utf8')).toBe(secret);
  });

  it('moves nothing when the card\'s configuration is invalid', () => {
    const dir = tempDir();
    const card = join(dir, 'bootfs');
    mkdirSync(card);
    writeFileSync(join(card, 'manyi.json'), JSON.stringify({ device: 'Counter 3', role: 'counter', hall: 'h', broker: { url: 'mqtt://x' } }));
    expect(() => firstBoot({ bootfs: card, etc: join(dir, 'etc'), systemdDir: join(dir, 'sd'), owner: null })).toThrow(/device: must match/);
    expect(existsSync(join(card, 'manyi.json'))).toBe(true);
    expect(existsSync(join(dir, 'etc/manyi.json'))).toBe(false);
    expect(() => firstBoot({ bootfs: join(dir, 'empty'), etc: join(dir, 'etc2'), owner: null })).toThrow(/no board configuration/);
  });
});

describe('manyi install-slot', () => {
  it('puts the packaged tree in slot a, a newer one in slot b, and leaves a current one alone', () => {
    const dir = tempDir();
    const tree = (v: string) => {
      const t = join(dir, `tree-${v}`);
      mkdirSync(join(t, 'app'), { recursive: true });
      writeFileSync(join(t, 'VERSION'), `${v}\n`);
      writeFileSync(join(t, 'app/main.js'), `// ${v}\n`);
      return t;
    };
    const root = join(dir, 'opt');
    expect(installSlot(tree('0.1.0'), root)).toEqual({ slot: 'a', version: '0.1.0', changed: true });
    expect(readlinkSync(join(root, 'current'))).toBe('slots/a');
    expect(installSlot(tree('0.1.0'), root).changed).toBe(false);
    expect(installSlot(tree('0.2.0'), root)).toEqual({ slot: 'b', version: '0.2.0', changed: true });
    expect(readlinkSync(join(root, 'current'))).toBe('slots/b');
    expect(readFileSync(join(root, 'current/app/main.js'), 'utf8')).toBe('// 0.2.0\n');
    expect(readFileSync(join(root, 'slots/a/VERSION'), 'utf8').trim()).toBe('0.1.0');
  });
});

describe('an update bundle of a packaged tree', () => {
  it('is refused by a board of another architecture before it is switched to', async () => {
    const { linkSharedModules, UpdateRefused } = await import('../../firmware/update/install.ts');
    const dir = tempDir();
    const other = process.arch === 'arm64' ? 'amd64' : 'arm64';
    writeFileSync(join(dir, 'ARCH'), `${other}\n`);
    await expect(linkSharedModules(join(dir, 'root'))(dir)).rejects.toThrow(UpdateRefused);
    writeFileSync(join(dir, 'ARCH'), `${process.arch === 'arm64' ? 'arm64' : 'amd64'}\n`);
    await expect(linkSharedModules(join(dir, 'root'))(dir)).resolves.toBeUndefined();
  });
});
