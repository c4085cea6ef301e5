// The device registry's file rules and the embedded broker's logins from it, rule
// by rule: an entry a broker could not trust is refused with an error naming the
// field; the file is written whole, 0600, with a final newline; a registry broken
// at start is refused at once (not admitted as nobody); the file is re-read only
// when its modification time changes.
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBrokerAuth } from '../../firmware/security/file-auth.ts';
import { addDevice, emptyRegistry, loadRegistry, Registry, removeDevice, saveRegistry, type RegistryEntry } from '../../firmware/security/registry.ts';

const FAST = { N: 16, r: 1, p: 1 };
const tmp = () => mkdtempSync(join(tmpdir(), 'manyi-reg-'));

async function oneEntry(): Promise<RegistryEntry> {
  return (await addDevice(emptyRegistry(), { device: 'kiosk-1', role: 'kiosk', hall: 'h1', kiosk: 'k1' }, 'pw', { scrypt: FAST })).devices[0]!;
}

describe('registry entries', () => {
  it('says which field is missing: a kiosk needs its kiosk id, a counter its window', async () => {
    const e = await oneEntry();
    const { kiosk: _, ...noKiosk } = e;
    expect(Registry.safeParse({ version: 1, devices: [noKiosk] }).error?.issues).toEqual([
      { code: 'custom', message: 'a kiosk needs its kiosk id', path: ['devices', 0, 'kiosk'] },
    ]);
    expect(Registry.safeParse({ version: 1, devices: [{ ...noKiosk, device: 'counter-1', role: 'counter' }] }).error?.issues).toEqual([
      { code: 'custom', message: 'a counter needs its window', path: ['devices', 0, 'window'] },
    ]);
    expect(Registry.safeParse({ version: 1, devices: [e, { ...e, kiosk: 'k2' }] }).error?.issues).toEqual([
      { code: 'custom', message: 'device kiosk-1 is registered twice', path: ['devices', 1, 'device'] },
    ]);
  });

  it('names the broken entry and field when loading a file', async () => {
    const e = await oneEntry();
    const { kiosk: _, ...noKiosk } = e;
    const file = join(tmp(), 'registry.json');
    writeFileSync(file, JSON.stringify({ version: 1, devices: [e, { ...noKiosk, device: 'kiosk-2' }] }));
    expect(() => loadRegistry(file)).toThrow('devices[1].kiosk: a kiosk needs its kiosk id');
  });

  it('takes maintainers and the contract\'s roles, and nothing else', async () => {
    const e = await oneEntry();
    for (const role of ['controller', 'kiosk', 'counter', 'board', 'maintainer']) {
      expect(Registry.safeParse({ version: 1, devices: [{ ...e, role, window: '1' }] }).success, role).toBe(true);
    }
    for (const role of ['', 'admin', 'Maintainer']) expect(Registry.safeParse({ version: 1, devices: [{ ...e, role }] }).success, role).toBe(false);
  });

  it('keeps only hashes in Mosquitto\'s $7$ format: $7$iterations$salt$hash, nothing around it', async () => {
    const e = await oneEntry();
    const ok = (h: string) => Registry.safeParse({ version: 1, devices: [{ ...e, mosquittoHash: h }] }).success;
    expect(ok(e.mosquittoHash)).toBe(true);
    expect(ok('$7$1000$c2FsdA==$aGFzaGhhc2g=')).toBe(true);
    expect(ok('$7$5$ab$cd')).toBe(true);
    for (const bad of ['', 'plain', '$7$x$ab$cd', '$7$$ab$cd', '$7$1000$ab', '$7$1000$a!$cd', '$7$1000$ab$c!', `x${e.mosquittoHash}`, `${e.mosquittoHash}x!`, '$6$1000$ab$cd']) {
      expect(ok(bad), bad).toBe(false);
    }
  });

  it('refuses a plain password where the scrypt hash goes, saying what it must be', async () => {
    const e = await oneEntry();
    expect(Registry.safeParse({ version: 1, devices: [{ ...e, passwordHash: 'pw' }] }).error?.issues[0]).toMatchObject({
      message: 'must be an scrypt$N$r$p$salt$hash string', path: ['devices', 0, 'passwordHash'],
    });
  });
});

describe('the registry file', () => {
  it('is one JSON document with a final newline', async () => {
    const file = join(tmp(), 'registry.json');
    const reg = await addDevice(emptyRegistry(), { device: 'board-1', role: 'board', hall: 'h1' }, 'pw', { scrypt: FAST });
    saveRegistry(file, reg);
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(reg, null, 2)}\n`);
    expect(removeDevice(reg, 'board-1')).toEqual(emptyRegistry());
  });
});

describe('the embedded broker\'s registry', () => {
  it('refuses to start on a registry file that is broken, rather than admitting nobody silently', () => {
    const file = join(tmp(), 'registry.json');
    writeFileSync(file, '{"version":1,"devices":[{"device":"x"}]}');
    expect(() => new FileBrokerAuth(file)).toThrow(/registry\.json: /);
  });

  it('reads the file again only when its modification time changes', async () => {
    const file = join(tmp(), 'registry.json');
    const one = await addDevice(emptyRegistry(), { device: 'board-1', role: 'board', hall: 'h1' }, 'pw', { scrypt: FAST });
    saveRegistry(file, one);
    const t = new Date(Date.now() + 5_000);
    utimesSync(file, t, t);
    const auth = new FileBrokerAuth(file);
    expect(auth.devices().map((d) => d.device)).toEqual(['board-1']);
    saveRegistry(file, await addDevice(one, { device: 'board-2', role: 'board', hall: 'h1' }, 'pw', { scrypt: FAST }));
    utimesSync(file, t, t); // the same time stamp: not read again
    expect(auth.devices().map((d) => d.device)).toEqual(['board-1']);
    const t2 = new Date(t.getTime() + 5_000);
    utimesSync(file, t2, t2);
    expect(auth.devices().map((d) => d.device)).toEqual(['board-1', 'board-2']);
    expect(await auth.authenticate('board-2', 'board-2', Buffer.from('pw'))).toMatchObject({ device: 'board-2', role: 'board' });
  });
});
