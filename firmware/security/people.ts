// The people who sign in: staff (an id and a PIN, at their window) and managers (an
// id and a password, for /manager and /api/stats; and API tokens for scripts). One
// JSON file on the controller, mode 0600, holding only hashes; `manyi staff …` and `manyi managers …` edit it, and the
// controller re-reads it when it changes. Reusable: the city page (#15) signs its
// managers in with the same file format, checks and throttles.
//
// Hashes: scrypt from node:crypto (OpenSSL), as for device passwords. Not Argon2
// through @node-rs/argon2: a native addon per architecture that the compiled bundle
// and the arm64 package cannot carry; not hash-wasm: its WebAssembly memory stays
// allocated after the first sign-in.
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { dirname } from 'node:path';
import { hashPasswordSync, isScryptHash, SCRYPT_DEFAULT, verifyPasswordSync } from './passwords.ts';
import { z } from 'zod';
import { loadJsonFile } from '../config/load.ts';
import { Throttle, type ThrottleOptions } from './throttle.ts';

export const PIN = z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits');
export const PersonId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'an id is 1–64 letters, digits, . _ or -');

const Token = z.object({ id: z.string().regex(/^[a-z0-9]{8}$/), sha256: z.string().regex(/^[0-9a-f]{64}$/), createdAt: z.string() }).strict();

export const Person = z.object({
  id: PersonId,
  name: z.string().max(64).optional(),
  role: z.enum(['staff', 'manager']),
  /** scrypt hash (passwords.ts format) of the PIN (staff) or password (manager). */
  secretHash: z.string().refine(isScryptHash, 'must be an scrypt$N$r$p$salt$hash string'),
  /** Managers' API tokens: only a SHA-256 of each (they are long and random, not guessable). */
  tokens: z.array(Token).default([]),
  createdAt: z.string(),
}).strict();
export type Person = z.infer<typeof Person>;

export const People = z.object({ version: z.literal(1), people: z.array(Person) }).strict().superRefine((p, ctx) => {
  const seen = new Set<string>();
  p.people.forEach((x, i) => {
    if (seen.has(x.id)) ctx.addIssue({ code: 'custom', path: ['people', i, 'id'], message: `${x.id} is listed twice` });
    seen.add(x.id);
  });
});
export type People = z.infer<typeof People>;


export function loadPeople(file: string): People {
  if (!existsSync(file)) return { version: 1, people: [] };
  return loadJsonFile(file, People);
}

export function savePeople(file: string, p: People): void {
  People.parse(p);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(p, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** scrypt N=2^14, r=8 (16 MiB), as device passwords: ~50 ms on a Pi 4 per sign-in; a 6-digit PIN's strength is the throttle. */
export function hashSecret(secret: string): string {
  return hashPasswordSync(secret, SCRYPT_DEFAULT);
}

/** A new random PIN (6 digits) or manager password (20 URL-safe characters). */
export function newSecret(role: Person['role']): string {
  return role === 'staff' ? String(randomInt(0, 1_000_000)).padStart(6, '0') : randomBytes(15).toString('base64url');
}

/** Adds a person, or with `replace` gives them a new secret (the old one stops working at once). */
export function setPerson(p: People, who: { id: string; name?: string; role: Person['role'] }, secret: string, now: Date, replace = false): People {
  const check = (schema: z.ZodType<string>, v: string, what: string) => {
    const r = schema.safeParse(v);
    if (!r.success) throw new Error(`${what}: ${r.error.issues[0].message}`);
  };
  check(PersonId, who.id, 'id');
  if (who.role === 'staff') check(PIN, secret, 'PIN');
  else if (secret.length < 12) throw new Error('a manager password has at least 12 characters');
  const old = p.people.find((x) => x.id === who.id);
  if (old && !replace) throw new Error(`${who.id} already exists (reset gives a new ${who.role === 'staff' ? 'PIN' : 'password'})`);
  if (!old && replace) throw new Error(`${who.id} does not exist`);
  if (old && old.role !== who.role) throw new Error(`${who.id} is ${old.role === 'staff' ? 'staff' : 'a manager'}, not ${who.role === 'staff' ? 'staff' : 'a manager'}`);
  const person: Person = {
    id: who.id, role: who.role, ...(who.name ?? old?.name ? { name: who.name ?? old?.name } : {}),
    secretHash: hashSecret(secret), tokens: old?.tokens ?? [], createdAt: old?.createdAt ?? now.toISOString(),
  };
  return People.parse({ version: 1, people: [...p.people.filter((x) => x.id !== who.id), person] });
}

export function removePerson(p: People, id: string): People {
  if (!p.people.some((x) => x.id === id)) throw new Error(`${id} does not exist`);
  return { version: 1, people: p.people.filter((x) => x.id !== id) };
}

/** A new API token for a manager: `mt_{id}_{secret}`; only its SHA-256 is kept. */
export function addToken(p: People, managerId: string, now: Date): { people: People; token: string } {
  const m = p.people.find((x) => x.id === managerId && x.role === 'manager');
  if (!m) throw new Error(`${managerId} is not a manager`);
  const id = randomBytes(5).toString('hex').slice(0, 8);
  const token = `mt_${id}_${randomBytes(24).toString('base64url')}`;
  const entry = { id, sha256: sha256(token), createdAt: now.toISOString() };
  return { token, people: People.parse({ version: 1, people: p.people.map((x) => (x === m ? { ...m, tokens: [...m.tokens, entry] } : x)) }) };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export type Verdict = { ok: true; person: Person } | { ok: false; code: 'bad-login' | 'throttled'; message: string; retryAfterS?: number };

/**
 * Checks sign-ins against the people file (re-read when it changes), with back-off
 * per account and per address (or window) before any hash is computed.
 */
export class PeopleAuth {
  private people: People;
  private mtime = -1;
  private readonly byAccount: Throttle;
  private readonly byPlace: Throttle;
  /** Spent on unknown ids, so ids cannot be probed by timing. */
  private readonly decoy = hashSecret('decoy-secret');

  constructor(readonly file: string, throttle: Partial<ThrottleOptions> = {}, now: () => number = Date.now) {
    this.people = loadPeople(file);
    this.byAccount = new Throttle(throttle, now);
    this.byPlace = new Throttle({ freeFailures: 10, ...throttle }, now);
    this.refresh();
  }

  private refresh(): void {
    let m = 0;
    try { m = statSync(this.file).mtimeMs; } catch { /* no file yet: nobody */ }
    if (m === this.mtime) return;
    try { this.people = loadPeople(this.file); this.mtime = m; } catch (e) {
      process.emitWarning(`people file not reloaded: ${(e as Error).message}`);
    }
  }

  find(id: string): Person | undefined {
    this.refresh();
    return this.people.people.find((p) => p.id === id);
  }

  /** Staff id + PIN (`place`: the window or address it comes from), or manager id + password. */
  verify(role: Person['role'], id: string, secret: string, place: string): Verdict {
    const acct = `${role}:${id}`;
    if (!this.byPlace.begin(place) || !this.byAccount.begin(acct)) {
      const wait = Math.max(this.byPlace.waitMs(place), this.byAccount.waitMs(acct));
      return { ok: false, code: 'throttled', message: `too many failed sign-ins: try again in ${Math.ceil(wait / 1000)} s`, retryAfterS: Math.ceil(wait / 1000) };
    }
    const person = this.find(id);
    const good = person && person.role === role ? safeVerify(person.secretHash, secret) : (safeVerify(this.decoy, secret), false);
    if (!good || !person) return { ok: false, code: 'bad-login', message: role === 'staff' ? 'wrong staff id or PIN' : 'wrong name or password' };
    this.byPlace.success(place);
    this.byAccount.success(acct);
    return { ok: true, person };
  }

  /** An API token (`Authorization: Bearer mt_…`): its manager, or null. */
  verifyToken(token: string): Person | null {
    const m = /^mt_([a-z0-9]{8})_[A-Za-z0-9_-]{32}$/.exec(token);
    if (!m) return null;
    this.refresh();
    const want = Buffer.from(sha256(token), 'hex');
    for (const p of this.people.people) {
      if (p.role !== 'manager') continue;
      const t = p.tokens.find((x) => x.id === m[1]);
      if (t && timingSafeEqual(Buffer.from(t.sha256, 'hex'), want)) return p;
    }
    return null;
  }
}

function safeVerify(hash: string, secret: string): boolean {
  try { return verifyPasswordSync(secret, hash); } catch { return false; }
}
