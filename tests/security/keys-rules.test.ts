// The maintainer's update key files, rule by rule: the private key is created
// exclusively, 0600, in a 0700 folder (made with its parents); the public key is
// asked for 0644 explicitly, so a permissive umask cannot make it writable by others
// (who could then swap the key every board trusts); each is one line of lowercase
// hex; what counts as a key; and a signature check that is false, never a throw,
// for anything malformed.
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { initKeys, readPrivateKey, readPublicKey, sign, verify } from '../../firmware/security/keys.ts';

// The umask cannot be changed inside a worker thread (Stryker runs the tests in
// one), so the modes asked of the file system are watched instead, passing through.
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, writeFileSync: vi.fn(real.writeFileSync) };
});

const tmp = () => mkdtempSync(join(tmpdir(), 'manyi-keys-'));

describe('update key files', () => {
  it('makes the key folder and its parents, 0700', async () => {
    const dir = join(tmp(), 'home', 'maint', '.manyi');
    await initKeys(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('creates the private key exclusively with mode 0600, and asks 0644 for the public key whatever the umask', async () => {
    const write = vi.mocked(fs.writeFileSync);
    write.mockClear();
    const k = await initKeys(join(tmp(), 'keys'));
    expect(statSync(k.privateKey).mode & 0o777).toBe(0o600);
    expect(statSync(k.publicKey).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(write.mock.calls.map(([file, , opts]) => [file, opts])).toEqual([
      [k.privateKey, { mode: 0o600, flag: 'wx' }],
      [k.publicKey, { mode: 0o644 }],
    ]);
  });

  it('writes each key as one line of lowercase hex: 64 characters and a newline', async () => {
    const k = await initKeys(join(tmp(), 'keys'));
    expect(readFileSync(k.publicKey, 'utf8')).toBe(`${k.publicHex}\n`);
    expect(readFileSync(k.privateKey, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it('takes a public key as exactly 64 lowercase hex characters, or a file holding them', () => {
    const hex = 'ab'.repeat(32);
    expect(readPublicKey(hex)).toBe(hex);
    const file = join(tmp(), 'update.pub');
    writeFileSync(file, `  ${hex}\n`);
    expect(readPublicKey(file)).toBe(hex);
    for (const bad of [hex.slice(1), `${hex}0`, `x${hex.slice(1)}`, `${hex.slice(1)}x`, 'AB'.repeat(32), 'g'.repeat(64), '0']) {
      const f = join(tmp(), 'bad.pub');
      writeFileSync(f, `${bad}\n`);
      expect(() => readPublicKey(f), bad).toThrow('not an Ed25519 public key (expected 64 hex characters)');
    }
  });

  it('reads a private key only as 64 hex characters in a file nobody else can read', () => {
    const dir = tmp();
    const ok = join(dir, 'ok.key');
    writeFileSync(ok, `${'0f'.repeat(32)}\n`, { mode: 0o600 });
    expect(Buffer.from(readPrivateKey(ok)).toString('hex')).toBe('0f'.repeat(32));
    for (const bad of ['0f'.repeat(31), `${'0f'.repeat(32)}0`, 'F0'.repeat(32)]) {
      const f = join(dir, 'bad.key');
      writeFileSync(f, `${bad}\n`, { mode: 0o600 });
      expect(() => readPrivateKey(f), bad).toThrow('not an Ed25519 private key (expected 64 hex characters)');
    }
    const shared = join(dir, 'shared.key');
    writeFileSync(shared, `${'0f'.repeat(32)}\n`, { mode: 0o604 });
    expect(() => readPrivateKey(shared)).toThrow(/readable by others \(mode 604\)/);
  });
});

describe('signature checks', () => {
  it('refuses a public key that is not lowercase hex, even when its bytes are the right key', async () => {
    const k = await initKeys(join(tmp(), 'keys'));
    const msg = new TextEncoder().encode('bundle manifest');
    const sig = await sign(msg, readPrivateKey(k.privateKey));
    expect(await verify(sig, msg, k.publicHex)).toBe(true);
    expect(await verify(sig, msg, k.publicHex.toUpperCase())).toBe(false);
    expect(await verify(sig, msg, `${k.publicHex}00`)).toBe(false);
  });

  it('an all-zero (small-order) key accepts no signature, not even the all-zero one', async () => {
    const msg = new TextEncoder().encode('any bundle at all');
    expect(await verify(Buffer.alloc(64).toString('base64'), msg, '0'.repeat(64))).toBe(false);
    // and an honest signature still verifies under the strict checks
    const k = await initKeys(join(tmp(), 'keys'));
    expect(await verify(await sign(msg, readPrivateKey(k.privateKey)), msg, k.publicHex)).toBe(true);
  });

  it('is false, never a throw, for a signature of the wrong length or a message that is not bytes', async () => {
    const k = await initKeys(join(tmp(), 'keys'));
    const msg = new TextEncoder().encode('bundle manifest');
    const sig = await sign(msg, readPrivateKey(k.privateKey));
    const long = Buffer.concat([Buffer.from(sig, 'base64'), Buffer.alloc(1)]).toString('base64');
    expect(await verify(long, msg, k.publicHex)).toBe(false);
    expect(await verify(sig, 'bundle manifest' as unknown as Uint8Array, k.publicHex)).toBe(false);
  });
});
