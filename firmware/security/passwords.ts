// Password hashing. The registry keeps an scrypt hash (node:crypto, random salt,
// constant-time compare) for the embedded broker, and a PBKDF2-SHA512 hash in
// Mosquitto's own `$7$` format for its `password_file`. Both come from the one
// password at provisioning time; the plain password is written only to the board.
import { randomBytes, scrypt as scryptCb, scryptSync, pbkdf2Sync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

function scrypt(password: string | Buffer, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

const KEYLEN = 32;
/**
 * The shortest stored key accepted. A key part that decodes to nothing (`…$=`) made
 * scrypt derive zero bytes, and two empty buffers compare equal: every password
 * verified. Hashes written here are KEYLEN bytes.
 */
const MIN_KEYLEN = 16;
/** N=2^14, r=8, p=1: about 16 MB and tens of ms, once per connection. */
export const SCRYPT_DEFAULT = { N: 16384, r: 8, p: 1 };

/** `scrypt$N$r$p$salt_b64$hash_b64` */
export async function hashPassword(password: string, params = SCRYPT_DEFAULT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { ...params, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const SCRYPT_RE = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export function isScryptHash(s: string): boolean {
  return SCRYPT_RE.test(s);
}

/** Constant-time check of a password against an scrypt hash; false on any malformed input. */
export async function verifyPassword(password: string | Buffer, stored: string): Promise<boolean> {
  const m = SCRYPT_RE.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4], 'base64');
  const want = Buffer.from(m[5], 'base64');
  if (want.length < MIN_KEYLEN) return false;
  const got = await scrypt(password, salt, want.length, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The same hash, computed in place (a sign-in checked inside a message handler, in order). */
export function hashPasswordSync(password: string, params = SCRYPT_DEFAULT): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, KEYLEN, { ...params, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function verifyPasswordSync(password: string | Buffer, stored: string): boolean {
  const m = SCRYPT_RE.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N > 1 << 17 || r > 16 || p > 4) return false; // a planted hash must not cost minutes
  const want = Buffer.from(m[5], 'base64');
  if (want.length < MIN_KEYLEN) return false;
  const got = scryptSync(password, Buffer.from(m[4], 'base64'), want.length, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Mosquitto 2's `$7$iterations$salt$hash` (PBKDF2-HMAC-SHA512, as mosquitto_passwd writes). */
export function mosquittoHash(password: string, iterations = 1000): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A fresh random password for a board (URL-safe, 32 characters). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}
