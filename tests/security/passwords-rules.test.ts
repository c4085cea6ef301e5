// The password hashes both brokers and the people file rely on, rule by rule:
// what a hash we write looks like, that only the same secret verifies it, that a
// malformed or planted hash is refused (false, never a throw, never minutes of
// work), and that a hash whose key decodes to nothing does not verify everything.
import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, hashPasswordSync, isScryptHash, SCRYPT_DEFAULT, verifyPassword, verifyPasswordSync } from '../../firmware/security/passwords.ts';

const FAST = { N: 16, r: 1, p: 1 };

describe('scrypt hashes computed in place (staff PINs, manager passwords)', () => {
  it('writes scrypt$N$r$p$salt$key with the given cost, a 16-byte salt and a 32-byte key; only the same secret verifies', () => {
    const h = hashPasswordSync('4321', FAST);
    const parts = h.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16', '1', '1']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(32);
    expect(isScryptHash(h)).toBe(true);
    expect(verifyPasswordSync('4321', h)).toBe(true);
    expect(verifyPasswordSync(Buffer.from('4321'), h)).toBe(true);
    expect(verifyPasswordSync('4322', h)).toBe(false);
    expect(hashPasswordSync('4321', FAST)).not.toBe(h); // a fresh salt each time
  });

  it('uses N=16384, r=8, p=1 by default, and the async and in-place hashes verify each other', async () => {
    expect(SCRYPT_DEFAULT).toEqual({ N: 16384, r: 8, p: 1 });
    const h = hashPasswordSync('correct horse battery');
    expect(h.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    const a = await hashPassword('correct horse battery', FAST);
    expect(verifyPasswordSync('correct horse battery', a)).toBe(true);
    expect(verifyPasswordSync('correct horse batterY', a)).toBe(false);
  });

  it('recognises the format whatever the cost numbers say (the cost limit is checked when verifying)', () => {
    expect(isScryptHash('scrypt$16$1$12$YWJj$YWJj')).toBe(true);
    expect(isScryptHash('scrypt$1048576$32$16$YWJj$YWJj')).toBe(true);
    expect(isScryptHash('scrypt$16$1$1x$YWJj$YWJj')).toBe(false);
  });

  it('refuses a malformed stored hash with false, never a throw', () => {
    const good = hashPasswordSync('pw', FAST);
    for (const h of ['', 'garbage', 'scrypt$16$1$1$YQ==', `${good}$`, `x${good}`, good.replace('scrypt$16', 'scrypt$1x'), good.replace(/\$[^$]+$/, '$!!!!')]) {
      expect(verifyPasswordSync('pw', h), h).toBe(false);
    }
  });

  it('refuses a planted hash whose cost would take minutes (N over 2^17, r over 16, p over 4), without computing it', () => {
    // Real hashes of 'pw': without the cost limit they would verify.
    expect(verifyPasswordSync('pw', hashPasswordSync('pw', { N: 16, r: 17, p: 1 }))).toBe(false);
    expect(verifyPasswordSync('pw', hashPasswordSync('pw', { N: 16, r: 1, p: 5 }))).toBe(false);
    // N = 2^18 (needs r ≥ 2) is past what may be computed at all: refused, not thrown.
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(verifyPasswordSync('pw', `scrypt$${1 << 18}$2$1$YWJj$${key}`)).toBe(false);
  });

  it('accepts the most a stored hash may cost: N = 2^17, r = 16, p = 4 (each on its own)', () => {
    expect(verifyPasswordSync('pw', hashPasswordSync('pw', { N: 16, r: 16, p: 1 }))).toBe(true);
    expect(verifyPasswordSync('pw', hashPasswordSync('pw', { N: 16, r: 1, p: 4 }))).toBe(true);
    expect(verifyPasswordSync('pw', hashPasswordSync('pw', { N: 1 << 17, r: 2, p: 1 }))).toBe(true); // 32 MiB
  });
});

describe('a stored key too short to be one of ours', () => {
  it('takes a stored key of 16 bytes or more', async () => {
    const salt = Buffer.from('salt');
    const key16 = scryptSync('pw', salt, 16, FAST).toString('base64');
    const h = `scrypt$16$1$1$${salt.toString('base64')}$${key16}`;
    expect(verifyPasswordSync('pw', h)).toBe(true);
    expect(await verifyPassword('pw', h)).toBe(true);
    expect(verifyPasswordSync('px', h)).toBe(false);
  });

  it('does not verify every password when the key part decodes to nothing or to a few bytes', async () => {
    for (const key of ['=', 'YQ==', 'YWJjZGVmZ2hpamtsbW5v'.slice(0, 20)]) {
      const h = `scrypt$16$1$1$YWJj$${key}`;
      expect(isScryptHash(h)).toBe(true);
      expect(verifyPasswordSync('anything', h), key).toBe(false);
      expect(await verifyPassword('anything', h), key).toBe(false);
    }
  });
});
