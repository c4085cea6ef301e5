// The maintainer's Ed25519 update key (@noble/ed25519). The private key is written
// once with mode 0600 on the maintainer's laptop and is never sent anywhere; boards
// hold only the public key (DeviceConfig.updateKey, hex).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';

const HEX64 = /^[0-9a-f]{64}$/;

export interface KeyFiles { privateKey: string; publicKey: string; publicHex: string }

/** Makes a key pair in `dir` (`update.key` 0600, `update.pub`); refuses to overwrite one. */
export async function initKeys(dir: string): Promise<KeyFiles> {
  const privateKey = join(dir, 'update.key');
  const publicKey = join(dir, 'update.pub');
  if (existsSync(privateKey)) throw new Error(`${privateKey} already exists: refusing to replace the key every board trusts`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = ed.utils.randomSecretKey();
  const pub = await ed.getPublicKeyAsync(secret);
  writeFileSync(privateKey, Buffer.from(secret).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  const publicHex = Buffer.from(pub).toString('hex');
  writeFileSync(publicKey, publicHex + '\n', { mode: 0o644 });
  return { privateKey, publicKey, publicHex };
}

/** Reads a private key file; refuses one that others can read. */
export function readPrivateKey(file: string): Uint8Array {
  const mode = statSync(file).mode & 0o077;
  if (mode !== 0) throw new Error(`${file} is readable by others (mode ${(statSync(file).mode & 0o777).toString(8)}): chmod 600 it`);
  const hex = readFileSync(file, 'utf8').trim();
  if (!HEX64.test(hex)) throw new Error(`${file}: not an Ed25519 private key (expected 64 hex characters)`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Reads a public key given as hex or as a file holding hex. */
export function readPublicKey(hexOrFile: string): string {
  const hex = HEX64.test(hexOrFile) ? hexOrFile : readFileSync(hexOrFile, 'utf8').trim();
  if (!HEX64.test(hex)) throw new Error(`${hexOrFile}: not an Ed25519 public key (expected 64 hex characters)`);
  return hex;
}

export async function publicKeyOf(secret: Uint8Array): Promise<string> {
  return Buffer.from(await ed.getPublicKeyAsync(secret)).toString('hex');
}

export async function sign(message: Uint8Array, secret: Uint8Array): Promise<string> {
  return Buffer.from(await ed.signAsync(message, secret)).toString('base64');
}

/** False (never throws) for a malformed signature or key. */
export async function verify(signatureB64: string, message: Uint8Array, publicHex: string): Promise<boolean> {
  try {
    const sig = Buffer.from(signatureB64, 'base64');
    if (sig.length !== 64 || !HEX64.test(publicHex)) return false;
    // Strict RFC 8032 checks (not ZIP-215's): with those, an all-zero key (a small-order
    // point, e.g. a placeholder left in a board's configuration) accepted an all-zero
    // signature on any bundle.
    return await ed.verifyAsync(sig, message, Buffer.from(publicHex, 'hex'), { zip215: false });
  } catch {
    return false;
  }
}
