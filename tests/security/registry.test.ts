// The device registry and what is derived from it, without a broker: who is
// admitted (right password, own client id), what a registry file may hold, the
// password hashes both brokers check, Mosquitto's generated files, the update
// key files, and the login throttle's edges.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBrokerAuth } from '../../firmware/security/file-auth.ts';
import { initKeys, publicKeyOf, readPrivateKey, readPublicKey, sign, verify } from '../../firmware/security/keys.ts';
import { mosquittoAclFile, mosquittoConfLines, mosquittoPasswordFile, writeMosquittoFiles } from '../../firmware/broker/mosquitto-files.ts';
import { generatePassword, hashPassword, isScryptHash, mosquittoHash, verifyPassword } from '../../firmware/security/passwords.ts';
import {
  addDevice, emptyRegistry, identityOf, loadRegistry, Registry, registryMtime, removeDevice, saveRegistry, type NewDevice,
} from '../../firmware/security/registry.ts';
import { Throttle } from '../../firmware/security/throttle.ts';
import { DEFAULT_GUARD } from '../../firmware/broker/guard.ts';

const FAST = { N: 16, r: 1, p: 1 }; // cheap scrypt for tests; the real default is N=16384
const tmp = () => mkdtempSync(join(tmpdir(), 'manyi-sec-'));
const kiosk: NewDevice = { device: 'kiosk-1', role: 'kiosk', hall: 'h1', kiosk: 'k1' };
const counter: NewDevice = { device: 'counter-5', role: 'counter', hall: 'h1', window: '5' };

describe('passwords', () => {
  it('hashes with scrypt and a random salt; verifies only the same password; false on a malformed hash', async () => {
    const a = await hashPassword('secret', FAST);
    const b = await hashPassword('secret', FAST);
    expect(a).toMatch(/^scrypt\$16\$1\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(isScryptHash(a)).toBe(true);
    expect(await verifyPassword('secret', a)).toBe(true);
    expect(await verifyPassword(Buffer.from('secret'), b)).toBe(true);
    expect(await verifyPassword('Secret', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    for (const h of ['', 'scrypt$16$1$1$abc', `x${a}`, `${a}$`, `${a}$YQ==`, a.replace('scrypt', 'bcrypt'), 'scrypt$a$1$1$YQ==$YQ==']) {
      expect(isScryptHash(h), h).toBe(false);
      expect(await verifyPassword('secret', h)).toBe(false);
    }
    // a hash of another length is compared safely (never throws)
    const short = a.replace(/\$[^$]+$/, '$YWJj');
    expect(await verifyPassword('secret', short)).toBe(false);
  });

  it('writes Mosquitto\'s $7$ PBKDF2-SHA512 format, and random 32-character board passwords', () => {
    expect(mosquittoHash('pw')).toMatch(/^\$7\$1000\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/);
    expect(mosquittoHash('pw', 5)).toMatch(/^\$7\$5\$/);
    expect(mosquittoHash('pw')).not.toBe(mosquittoHash('pw'));
    const p = generatePassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generatePassword()).not.toBe(p);
  });
});

describe('registry', () => {
  it('adds a device with both hashes, refuses it twice unless replacing, removes it', async () => {
    let reg = await addDevice(emptyRegistry(), kiosk, 'pw-1', { scrypt: FAST });
    expect(reg.devices).toHaveLength(1);
    const e = reg.devices[0]!;
    expect(e).toMatchObject({ device: 'kiosk-1', role: 'kiosk', hall: 'h1', kiosk: 'k1' });
    expect(await verifyPassword('pw-1', e.passwordHash)).toBe(true);
    expect(e.mosquittoHash).toMatch(/^\$7\$/);
    expect(Date.parse(e.addedAt)).not.toBeNaN();
    await expect(addDevice(reg, kiosk, 'pw-2', { scrypt: FAST })).rejects.toThrow('device kiosk-1 is already registered (use --replace to issue new credentials)');
    reg = await addDevice(reg, counter, 'pw-3', { scrypt: FAST });
    const replaced = await addDevice(reg, kiosk, 'pw-2', { scrypt: FAST, replace: true });
    expect(replaced.devices.map((d) => d.device)).toEqual(['counter-5', 'kiosk-1']);
    expect(await verifyPassword('pw-2', replaced.devices[1]!.passwordHash)).toBe(true);
    expect(removeDevice(replaced, 'kiosk-1').devices.map((d) => d.device)).toEqual(['counter-5']);
    expect(() => removeDevice(replaced, 'kiosk-9')).toThrow('device kiosk-9 is not registered');
    expect(identityOf(replaced.devices[0]!)).toEqual({ device: 'counter-5', role: 'counter', hall: 'h1', kiosk: undefined, window: '5' });
  });

  it('refuses entries a broker could not trust: a kiosk without its kiosk id, a counter without its window, bad hashes, duplicates, extra fields', async () => {
    await expect(addDevice(emptyRegistry(), { device: 'kiosk-2', role: 'kiosk', hall: 'h1' }, 'pw', { scrypt: FAST })).rejects.toThrow(/a kiosk needs its kiosk id/);
    await expect(addDevice(emptyRegistry(), { device: 'counter-2', role: 'counter', hall: 'h1' }, 'pw', { scrypt: FAST })).rejects.toThrow(/a counter needs its window/);
    await expect(addDevice(emptyRegistry(), { device: 'Board', role: 'board', hall: 'h1' }, 'pw', { scrypt: FAST })).rejects.toThrow();
    await expect(addDevice(emptyRegistry(), { device: 'b', role: 'toaster' as never, hall: 'h1' }, 'pw', { scrypt: FAST })).rejects.toThrow();
    const ok = await addDevice(emptyRegistry(), { device: 'laptop', role: 'maintainer', hall: 'h1', clientId: 'manyi-cli.1' }, 'pw', { scrypt: FAST });
    const e = ok.devices[0]!;
    expect(Registry.safeParse(ok).success).toBe(true);
    expect(Registry.safeParse({ version: 1, devices: [e, e] }).error?.issues[0]?.message).toBe('device laptop is registered twice');
    expect(Registry.safeParse({ version: 2, devices: [] }).success).toBe(false);
    expect(Registry.safeParse({ version: 1, devices: [], extra: 1 }).success).toBe(false);
    expect(Registry.safeParse({ version: 1, devices: [{ ...e, passwordHash: 'plain' }] }).error?.issues[0]?.message).toBe('must be an scrypt$N$r$p$salt$hash string');
    expect(Registry.safeParse({ version: 1, devices: [{ ...e, mosquittoHash: '$6$x$y' }] }).success).toBe(false);
    expect(Registry.safeParse({ version: 1, devices: [{ ...e, clientId: 'a b' }] }).success).toBe(false);
    expect(Registry.safeParse({ version: 1, devices: [{ ...e, clientId: 'x'.repeat(65) }] }).success).toBe(false);
    expect(Registry.safeParse({ version: 1, devices: [{ ...e, extra: 1 }] }).success).toBe(false);
  });

  it('saves atomically with mode 0600 and loads back; a missing file is empty; an invalid one is refused', async () => {
    const dir = tmp();
    const file = join(dir, 'sub', 'registry.json');
    expect(loadRegistry(file)).toEqual(emptyRegistry());
    expect(registryMtime(file)).toBe(0);
    const reg = await addDevice(emptyRegistry(), kiosk, 'pw', { scrypt: FAST });
    saveRegistry(file, reg);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadRegistry(file)).toEqual(reg);
    expect(registryMtime(file)).toBeGreaterThan(0);
    expect(() => saveRegistry(file, { version: 1, devices: [{ ...reg.devices[0]!, passwordHash: 'x' }] })).toThrow();
    expect(loadRegistry(file)).toEqual(reg); // the bad one was not written
    writeFileSync(file, '{"version":1,"devices":[{"device":"x"}]}');
    expect(() => loadRegistry(file)).toThrow();
  });
});

describe('the embedded broker\'s logins from the registry file', () => {
  it('admits a device with its password under its own client id only; reloads the file when it changes', async () => {
    const file = join(tmp(), 'registry.json');
    saveRegistry(file, await addDevice(emptyRegistry(), kiosk, 'pw-k', { scrypt: FAST }));
    const auth = new FileBrokerAuth(file);
    expect(await auth.authenticate('kiosk-1', 'kiosk-1', Buffer.from('pw-k'))).toEqual({ device: 'kiosk-1', role: 'kiosk', hall: 'h1', kiosk: 'k1', window: undefined });
    expect(await auth.authenticate('kiosk-1', 'kiosk-1', Buffer.from('pw-x'))).toBeNull();
    expect(await auth.authenticate('kiosk-1-b', 'kiosk-1', Buffer.from('pw-k'))).toBeNull(); // another client id
    expect(await auth.authenticate('kiosk-1', 'kiosk-1', undefined)).toBeNull();
    expect(await auth.authenticate('kiosk-1', undefined, Buffer.from('pw-k'))).toBeNull();
    expect(await auth.authenticate('ghost', 'ghost', Buffer.from('pw-k'))).toBeNull();
    expect(auth.canPublish({ device: 'kiosk-1', role: 'kiosk', hall: 'h1', kiosk: 'k1' }, 'manyi/v1/h1/kiosk/k1/request')).toBe(true);
    expect(auth.canPublish({ device: 'kiosk-1', role: 'kiosk', hall: 'h1', kiosk: 'k1' }, 'manyi/v1/h1/kiosk/k2/request')).toBe(false);
    expect(auth.canSubscribe({ device: 'kiosk-1', role: 'kiosk', hall: 'h1', kiosk: 'k1' }, 'manyi/v1/h1/kiosk/k1/reply')).toBe(true);
    expect(auth.canSubscribe({ device: 'kiosk-1', role: 'kiosk', hall: 'h1', kiosk: 'k1' }, 'manyi/v1/h1/#')).toBe(false);

    // a maintainer's tool with its one configured client id
    let reg = loadRegistry(file);
    reg = await addDevice(reg, { device: 'laptop', role: 'maintainer', hall: 'h1', clientId: 'manyi-cli' }, 'pw-m', { scrypt: FAST });
    saveRegistry(file, reg);
    utimesSync(file, new Date(), new Date(Date.now() + 5000)); // a changed mtime, whatever the clock's resolution
    expect(auth.devices().map((d) => d.device)).toEqual(['kiosk-1', 'laptop']);
    expect(await auth.authenticate('manyi-cli', 'laptop', Buffer.from('pw-m'))).toMatchObject({ device: 'laptop', role: 'maintainer' });
    expect(await auth.authenticate('laptop', 'laptop', Buffer.from('pw-m'))).toBeNull();

    // a file broken on disk keeps the last good registry
    writeFileSync(file, '{ broken');
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    const warned: string[] = [];
    const onWarn = (w: Error) => warned.push(w.message);
    process.on('warning', onWarn);
    expect(auth.devices().map((d) => d.device)).toEqual(['kiosk-1', 'laptop']);
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarn);
    expect(warned.some((m) => m.startsWith('device registry not reloaded: '))).toBe(true);
  });
});

describe('Mosquitto\'s files', () => {
  it('lists each device\'s $7$ hash, derives the ACL from the contract, and points Mosquitto at them with the guards', async () => {
    let reg = await addDevice(emptyRegistry(), kiosk, 'pw', { scrypt: FAST });
    reg = await addDevice(reg, counter, 'pw', { scrypt: FAST });
    expect(mosquittoPasswordFile(reg)).toBe(`kiosk-1:${reg.devices[0]!.mosquittoHash}\ncounter-5:${reg.devices[1]!.mosquittoHash}\n`);
    const acl = mosquittoAclFile(reg);
    expect(acl.startsWith('# Generated by `manyi` from the contract table')).toBe(true);
    const block = (user: string) => acl.split('\n\n').find((b) => b.startsWith(`user ${user}\n`))!.split('\n');
    expect(block('kiosk-1')).toContain('topic write manyi/v1/h1/kiosk/k1/request');
    expect(block('kiosk-1')).toContain('topic read manyi/v1/h1/kiosk/k1/reply');
    expect(block('kiosk-1')).not.toContain('topic write manyi/v1/h1/window/5/command');
    expect(block('counter-5')).toContain('topic write manyi/v1/h1/window/5/command');
    expect(block('counter-5')).toContain('topic write manyi/v1/h1/window/5/rating');
    expect(mosquittoConfLines('/p', '/a')).toEqual([
      'allow_anonymous false', 'password_file /p', 'acl_file /a', `max_packet_size ${DEFAULT_GUARD.maxPacketBytes}`,
      'use_username_as_clientid true', 'max_keepalive 120', 'max_inflight_messages 20', 'max_queued_messages 1000', 'set_tcp_nodelay true',
    ]);
    expect(mosquittoConfLines('/p', '/a', { maxPacketBytes: 4096 })[3]).toBe('max_packet_size 4096');
    const dir = join(tmp(), 'mosquitto');
    const files = writeMosquittoFiles(reg, dir);
    expect(files).toEqual({ passwordFile: join(dir, 'password_file'), aclFile: join(dir, 'acl_file'), conf: join(dir, 'manyi.conf') });
    expect(readFileSync(files.passwordFile, 'utf8')).toBe(mosquittoPasswordFile(reg));
    expect(readFileSync(files.aclFile, 'utf8')).toBe(acl);
    expect(readFileSync(files.conf, 'utf8')).toBe(`${mosquittoConfLines(files.passwordFile, files.aclFile).join('\n')}\n`);
    expect(statSync(files.passwordFile).mode & 0o777).toBe(0o640);
  });
});

describe('update keys', () => {
  it('makes a key pair once (private 0600), reads it back, refuses a readable or malformed one', async () => {
    const dir = join(tmp(), 'keys');
    const k = await initKeys(dir);
    expect(k).toEqual({ privateKey: join(dir, 'update.key'), publicKey: join(dir, 'update.pub'), publicHex: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(statSync(k.privateKey).mode & 0o777).toBe(0o600);
    await expect(initKeys(dir)).rejects.toThrow(/already exists: refusing to replace the key every board trusts/);
    const secret = readPrivateKey(k.privateKey);
    expect(await publicKeyOf(secret)).toBe(k.publicHex);
    expect(readPublicKey(k.publicHex)).toBe(k.publicHex);
    expect(readPublicKey(k.publicKey)).toBe(k.publicHex);
    chmodSync(k.privateKey, 0o640);
    expect(() => readPrivateKey(k.privateKey)).toThrow(/is readable by others \(mode 640\): chmod 600 it/);
    const junk = join(dir, 'junk.key');
    writeFileSync(junk, 'not a key\n', { mode: 0o600 });
    expect(() => readPrivateKey(junk)).toThrow(/not an Ed25519 private key/);
    expect(() => readPublicKey(junk)).toThrow(/not an Ed25519 public key/);
    expect(existsSync(k.publicKey)).toBe(true);
  });

  it('signs and verifies; any other message, key or signature is false, never a throw', async () => {
    const dir = join(tmp(), 'keys');
    const k = await initKeys(dir);
    const secret = readPrivateKey(k.privateKey);
    const msg = new TextEncoder().encode('manifest');
    const sig = await sign(msg, secret);
    expect(Buffer.from(sig, 'base64')).toHaveLength(64);
    expect(await verify(sig, msg, k.publicHex)).toBe(true);
    expect(await verify(sig, new TextEncoder().encode('manifesT'), k.publicHex)).toBe(false);
    expect(await verify(sig, msg, 'f'.repeat(64))).toBe(false);
    expect(await verify(sig, msg, 'xyz')).toBe(false);
    expect(await verify(sig.slice(0, 20), msg, k.publicHex)).toBe(false);
    expect(await verify('', msg, k.publicHex)).toBe(false);
  });
});

describe('login throttle edges', () => {
  it('waits from the free count on: base, doubling, capped; forgets a quiet key', () => {
    let now = 0;
    const t = new Throttle({ freeFailures: 1, baseMs: 100, maxMs: 350, forgetAfterMs: 1000 }, () => now);
    expect(t.waitMs('k')).toBe(0);
    t.failure('k');
    expect(t.waitMs('k')).toBe(100); // the free count reached: wait baseMs
    t.failure('k');
    expect(t.waitMs('k')).toBe(200);
    t.failure('k');
    expect(t.waitMs('k')).toBe(350);
    expect(t.failures('k')).toBe(3);
    now += 1001; // quiet for longer than forgetAfter, and the wait is over
    expect(t.failures('k')).toBe(0);
    const u = new Throttle({ freeFailures: 3 }, () => now);
    u.failure('x'); u.failure('x');
    expect(u.waitMs('x')).toBe(0);
    u.failure('x');
    expect(u.waitMs('x')).toBe(1000);
  });
});
