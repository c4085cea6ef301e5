// The people file's rules, without a web server: what an id, a PIN, a password and
// an API token may be; a person file with a bad entry is refused with an error that
// names it, and nothing is changed; adding, resetting and removing people; and the
// sign-in check (a wrong PIN is refused and counted, per account and per place).
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addToken, hashSecret, loadPeople, newSecret, People, PeopleAuth, PersonId, PIN, removePerson, savePeople, setPerson, type Person,
} from '../../firmware/security/people.ts';
import { verifyPasswordSync } from '../../firmware/security/passwords.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'manyi-people-'));
const T0 = new Date('2026-11-20T09:00:00Z');
const T1 = new Date('2026-11-21T10:30:00Z');
const empty = (): People => ({ version: 1, people: [] });
/** A valid person entry, written as `manyi staff add` would (the hash is a real one). */
const HASH = hashSecret('123456');
const entry = (over: Partial<Person> = {}): Person => ({ id: 's001', role: 'staff', secretHash: HASH, tokens: [], createdAt: T0.toISOString(), ...over });
const issues = (v: unknown) => People.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('ids and PINs', () => {
  it('takes a PIN of 4 to 8 digits and nothing else', () => {
    for (const ok of ['1234', '00000000', '123456']) expect(PIN.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['123', '123456789', '12a4', 'abcd', ' 1234', '1234 ', 'x1234', '1234x', '']) expect(PIN.safeParse(bad).success, bad).toBe(false);
    expect(PIN.safeParse('12').error?.issues[0]?.message).toBe('a PIN is 4 to 8 digits');
  });

  it('takes an id of 1 to 64 letters, digits, dots, dashes and underscores', () => {
    for (const ok of ['a', 's001', 'Alice.Li_2-x', 'x'.repeat(64)]) expect(PersonId.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['', 'x'.repeat(65), 'a b', 'a/b', '../x', 'a:b', ' a', 'a ', '张三']) expect(PersonId.safeParse(bad).success, bad).toBe(false);
    expect(PersonId.safeParse('a b').error?.issues[0]?.message).toBe('an id is 1–64 letters, digits, . _ or -');
  });

  it('makes new PINs of six digits (leading zeros kept) and manager passwords of 20 URL-safe characters', () => {
    const pins = Array.from({ length: 300 }, () => newSecret('staff'));
    for (const p of pins) expect(p).toMatch(/^\d{6}$/);
    expect(new Set(pins).size).toBeGreaterThan(250);
    const pw = newSecret('manager');
    expect(pw).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(newSecret('manager')).not.toBe(pw);
  });
});

describe('the people file\'s schema', () => {
  it('accepts a staff member and a manager with tokens; a missing token list reads as none', () => {
    const token = { id: 'abcd1234', sha256: 'a'.repeat(64), createdAt: T0.toISOString() };
    const p = People.parse({ version: 1, people: [entry(), entry({ id: 'alice', name: 'Alice', role: 'manager', tokens: [token] })] });
    expect(p.people[1]!.tokens).toEqual([token]);
    const { tokens: _, ...noTokens } = entry();
    expect(People.parse({ version: 1, people: [noTokens] }).people[0]!.tokens).toEqual([]);
  });

  it('refuses a bad entry and says where: role, name, hash, token, extra field, version, an id listed twice', () => {
    const token = { id: 'abcd1234', sha256: 'a'.repeat(64), createdAt: T0.toISOString() };
    const person = (over: Record<string, unknown>) => ({ version: 1, people: [{ ...entry(), ...over }] });
    expect(issues(person({ role: 'admin' }))?.[0]).toMatch(/^people\.0\.role: /);
    expect(issues(person({ role: '' }))?.[0]).toMatch(/^people\.0\.role: /);
    expect(issues(person({ name: 'n'.repeat(65) }))?.[0]).toMatch(/^people\.0\.name: /);
    expect(People.safeParse(person({ name: 'n'.repeat(64) })).success).toBe(true);
    expect(People.safeParse(person({ name: 'Li' })).success).toBe(true);
    expect(issues(person({ secretHash: '123456' }))).toEqual(['people.0.secretHash: must be an scrypt$N$r$p$salt$hash string']);
    expect(issues(person({ id: 'a b' }))).toEqual(['people.0.id: an id is 1–64 letters, digits, . _ or -']);
    expect(issues(person({ extra: 1 }))?.[0]).toMatch(/^people\.0: /);
    expect(People.safeParse({ version: 2, people: [] }).success).toBe(false);
    expect(People.safeParse({ version: 1, people: [], extra: 1 }).success).toBe(false);
    expect(People.safeParse({ version: 1 }).success).toBe(false);
    expect(People.safeParse({ version: 1, people: [entry(), entry({ id: 'alice' }), entry({ name: 'again' })] }).error?.issues).toEqual([
      { code: 'custom', path: ['people', 2, 'id'], message: 's001 is listed twice' },
    ]);
    expect(People.parse({ version: 1, people: [entry(), entry({ id: 's002' })] }).people).toHaveLength(2);
    for (const bad of [
      { ...token, id: 'ABCD1234' }, { ...token, id: 'abcd123' }, { ...token, id: 'abcd12345' }, { ...token, id: 'xabcd1234'.slice(0, 8) + '!' },
      { ...token, id: '-abcd1234' }, { ...token, id: 'abcd1234-' },
      { ...token, sha256: 'A'.repeat(64) }, { ...token, sha256: 'a'.repeat(63) }, { ...token, sha256: 'a'.repeat(65) }, { ...token, sha256: `x${'a'.repeat(64)}` },
      { ...token, sha256: `${'a'.repeat(64)}x` }, { ...token, extra: 1 }, { id: token.id, sha256: token.sha256 },
    ]) expect(People.safeParse(person({ role: 'manager', tokens: [bad] })).success, JSON.stringify(bad)).toBe(false);
  });

  it('reads a missing file as nobody; refuses a broken file naming the entry', () => {
    const dir = tmp();
    expect(loadPeople(join(dir, 'none.json'))).toEqual({ version: 1, people: [] });
    const file = join(dir, 'people.json');
    writeFileSync(file, JSON.stringify({ version: 1, people: [{ ...entry(), role: 'boss' }] }));
    expect(() => loadPeople(file)).toThrow(/people\.json: people\[0\]\.role: /);
  });

  it('saves only hashes, 0600, as one JSON document with a final newline, creating its folder; refuses to save a bad file and leaves the old one', () => {
    const file = join(tmp(), 'etc', 'manyi', 'people.json');
    const p = setPerson(empty(), { id: 's001', role: 'staff' }, '246810', T0);
    savePeople(file, p);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(`${JSON.stringify(p, null, 2)}\n`);
    expect(text).not.toContain('246810');
    expect(loadPeople(file)).toEqual(p);
    expect(() => savePeople(file, { version: 1, people: [{ ...p.people[0]!, secretHash: 'plain' }] })).toThrow();
    expect(loadPeople(file)).toEqual(p);
    expect(readdirSync(join(file, '..'))).toEqual(['people.json']); // no temp file left behind
  });
});

describe('adding, resetting and removing people', () => {
  it('adds staff with a hash of the PIN (scrypt, the default cost), its creation time and no tokens', () => {
    const p = setPerson(empty(), { id: 's001', name: 'Wang', role: 'staff' }, '0042', T0);
    expect(p.people).toHaveLength(1);
    const s = p.people[0]!;
    expect(s).toEqual({ id: 's001', name: 'Wang', role: 'staff', secretHash: expect.any(String), tokens: [], createdAt: T0.toISOString() });
    expect(s.secretHash.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(verifyPasswordSync('0042', s.secretHash)).toBe(true);
    expect(verifyPasswordSync('0043', s.secretHash)).toBe(false);
    const noName = setPerson(empty(), { id: 's002', role: 'staff' }, '1234', T0).people[0]!;
    expect('name' in noName).toBe(false);
  });

  it('refuses a bad id, a PIN that is not 4–8 digits, a manager password under 12 characters', () => {
    expect(() => setPerson(empty(), { id: 'a b', role: 'staff' }, '1234', T0)).toThrow('id: an id is 1–64 letters, digits, . _ or -');
    expect(() => setPerson(empty(), { id: 's001', role: 'staff' }, '12a4', T0)).toThrow('PIN: a PIN is 4 to 8 digits');
    expect(() => setPerson(empty(), { id: 's001', role: 'staff' }, 'long enough password', T0)).toThrow('PIN: a PIN is 4 to 8 digits');
    expect(() => setPerson(empty(), { id: 'alice', role: 'manager' }, '12345678901', T0)).toThrow('a manager password has at least 12 characters');
    expect(setPerson(empty(), { id: 'alice', role: 'manager' }, '123456789012', T0).people[0]!.role).toBe('manager');
    expect(setPerson(empty(), { id: 'bob', role: 'manager' }, 'correct horse battery', T0).people[0]!.id).toBe('bob');
  });

  it('refuses to add someone twice, to reset someone unknown, or to change a person\'s role; the file is unchanged', () => {
    let p = setPerson(empty(), { id: 's001', role: 'staff' }, '1111', T0);
    p = setPerson(p, { id: 'alice', role: 'manager' }, 'correct horse battery', T0);
    const before = JSON.stringify(p);
    expect(() => setPerson(p, { id: 's001', role: 'staff' }, '2222', T1)).toThrow('s001 already exists (reset gives a new PIN)');
    expect(() => setPerson(p, { id: 'alice', role: 'manager' }, 'another long password', T1)).toThrow('alice already exists (reset gives a new password)');
    expect(() => setPerson(p, { id: 's009', role: 'staff' }, '2222', T1, true)).toThrow('s009 does not exist');
    expect(() => setPerson(p, { id: 's001', role: 'manager' }, 'another long password', T1, true)).toThrow('s001 is staff, not a manager');
    expect(() => setPerson(p, { id: 'alice', role: 'staff' }, '2222', T1, true)).toThrow('alice is a manager, not staff');
    expect(JSON.stringify(p)).toBe(before);
  });

  it('a reset gives a new secret (the old one stops working) and keeps name, tokens, creation time and everyone else', () => {
    let p = setPerson(empty(), { id: 'alice', name: 'Alice', role: 'manager' }, 'correct horse battery', T0);
    p = setPerson(p, { id: 's001', name: 'Wang', role: 'staff' }, '1111', T0);
    p = setPerson(p, { id: 's002', role: 'staff' }, '2222', T0);
    const withToken = addToken(p, 'alice', T0).people;
    const alice = withToken.people.find((x) => x.id === 'alice')!;
    const s2 = withToken.people.find((x) => x.id === 's002')!;
    const r = setPerson(withToken, { id: 'alice', role: 'manager' }, 'a brand new password', T1, true);
    expect(r.people.map((x) => x.id)).toEqual(['s001', 's002', 'alice']);
    const a2 = r.people.find((x) => x.id === 'alice')!;
    expect(a2).toEqual({ ...alice, secretHash: expect.any(String) });
    expect(a2.tokens).toHaveLength(1);
    expect(verifyPasswordSync('a brand new password', a2.secretHash)).toBe(true);
    expect(verifyPasswordSync('correct horse battery', a2.secretHash)).toBe(false);
    expect(r.people.find((x) => x.id === 's002')).toEqual(s2);
    // a reset may rename
    const renamed = setPerson(r, { id: 's001', name: 'Wang Li', role: 'staff' }, '3333', T1, true).people.find((x) => x.id === 's001')!;
    expect(renamed).toMatchObject({ name: 'Wang Li', createdAt: T0.toISOString() });
    // and one without a name stays without
    expect('name' in setPerson(r, { id: 's002', role: 'staff' }, '4444', T1, true).people.find((x) => x.id === 's002')!).toBe(false);
  });

  it('removes only the one named, and refuses someone unknown', () => {
    let p = setPerson(empty(), { id: 's001', role: 'staff' }, '1111', T0);
    p = setPerson(p, { id: 's002', role: 'staff' }, '2222', T0);
    p = setPerson(p, { id: 's003', role: 'staff' }, '3333', T0);
    const r = removePerson(p, 's002');
    expect(r).toEqual({ version: 1, people: [p.people[0], p.people[2]] });
    expect(p.people).toHaveLength(3); // not changed in place
    expect(() => removePerson(r, 's002')).toThrow('s002 does not exist');
    expect(() => removePerson(empty(), 'x')).toThrow('x does not exist');
  });
});

describe('API tokens', () => {
  it('gives a manager a token mt_{8 ids}_{32 random}, keeps only its SHA-256, adds to the ones they have', () => {
    let p = setPerson(empty(), { id: 's001', role: 'staff' }, '1111', T0);
    p = setPerson(p, { id: 'alice', role: 'manager' }, 'correct horse battery', T0);
    const a = addToken(p, 'alice', T1);
    expect(a.token).toMatch(/^mt_[a-z0-9]{8}_[A-Za-z0-9_-]{32}$/);
    const alice = a.people.people.find((x) => x.id === 'alice')!;
    expect(alice.tokens).toEqual([{ id: a.token.slice(3, 11), sha256: createHash('sha256').update(a.token).digest('hex'), createdAt: T1.toISOString() }]);
    expect(JSON.stringify(a.people)).not.toContain(a.token);
    expect(a.people.people.find((x) => x.id === 's001')).toEqual(p.people[0]);
    expect(a.people.people.map((x) => x.id)).toEqual(['s001', 'alice']);
    const b = addToken(a.people, 'alice', T1);
    expect(b.token).not.toBe(a.token);
    expect(b.people.people.find((x) => x.id === 'alice')!.tokens.map((t) => t.id)).toEqual([a.token.slice(3, 11), b.token.slice(3, 11)]);
  });

  it('refuses a token for staff or for someone unknown', () => {
    let p = setPerson(empty(), { id: 's001', role: 'staff' }, '1111', T0);
    p = setPerson(p, { id: 'alice', role: 'manager' }, 'correct horse battery', T0);
    expect(() => addToken(p, 's001', T1)).toThrow('s001 is not a manager');
    expect(() => addToken(p, 'bob', T1)).toThrow('bob is not a manager');
  });
});

/** A people file with two staff and a manager with two tokens; a clock the test moves. */
function hall(throttle = {}) {
  const file = join(tmp(), 'people.json');
  let p = setPerson(empty(), { id: 's001', role: 'staff' }, '1111', T0);
  p = setPerson(p, { id: 's002', role: 'staff' }, '2222', T0);
  p = setPerson(p, { id: 'alice', role: 'manager' }, 'correct horse battery', T0);
  const t1 = addToken(p, 'alice', T0);
  const t2 = addToken(t1.people, 'alice', T0);
  savePeople(file, t2.people);
  const clock = { now: T0.getTime() };
  const auth = new PeopleAuth(file, throttle, () => clock.now);
  return { file, auth, clock, tokens: [t1.token, t2.token], people: t2.people };
}

describe('signing in', () => {
  it('lets staff in with their own id and PIN, and a manager with theirs', () => {
    const { auth } = hall();
    expect(auth.verify('staff', 's001', '1111', 'window/1')).toEqual({ ok: true, person: expect.objectContaining({ id: 's001', role: 'staff' }) });
    expect(auth.verify('staff', 's002', '2222', 'window/1')).toEqual({ ok: true, person: expect.objectContaining({ id: 's002' }) });
    expect(auth.verify('manager', 'alice', 'correct horse battery', 'addr:1')).toMatchObject({ ok: true, person: { id: 'alice' } });
    expect(auth.find('s002')?.id).toBe('s002');
    expect(auth.find('nobody')).toBeUndefined();
  });

  it('refuses a wrong PIN, another\'s PIN, an unknown id and a role mismatch with the same plain message', () => {
    const { auth } = hall();
    const staffNo = { ok: false, code: 'bad-login', message: 'wrong staff id or PIN' };
    expect(auth.verify('staff', 's001', '1112', 'window/1')).toEqual(staffNo);
    expect(auth.verify('staff', 's002', '1111', 'window/2')).toEqual(staffNo); // s001's PIN under s002's id
    expect(auth.verify('staff', 'ghost', '1111', 'window/3')).toEqual(staffNo);
    expect(auth.verify('staff', 'alice', 'correct horse battery', 'window/4')).toEqual(staffNo);
    expect(auth.verify('manager', 's001', '1111', 'addr:1')).toEqual({ ok: false, code: 'bad-login', message: 'wrong name or password' });
    expect(auth.verify('manager', 'alice', 'wrong horse battery', 'addr:2')).toEqual({ ok: false, code: 'bad-login', message: 'wrong name or password' });
  });

  it('counts wrong PINs per account: after five, even the right PIN waits (from any place); other accounts are not held up', () => {
    const { auth, clock } = hall();
    for (let i = 0; i < 5; i++) expect(auth.verify('staff', 's001', '0000', `window/${i}`)).toMatchObject({ code: 'bad-login' });
    // the fifth failure set a 1 s wait; knocking during it doubles it
    expect(auth.verify('staff', 's001', '1111', 'window/9')).toEqual({ ok: false, code: 'throttled', message: 'too many failed sign-ins: try again in 2 s', retryAfterS: 2 });
    expect(auth.verify('staff', 's002', '2222', 'window/8')).toMatchObject({ ok: true }); // another account
    expect(auth.verify('manager', 's001', 'x', 'addr:7')).toMatchObject({ code: 'bad-login' }); // the same id as a manager is another account
    clock.now += 2_000;
    expect(auth.verify('staff', 's001', '1111', 'window/9')).toMatchObject({ ok: true });
  });

  it('counts failures per place too: the eleventh from one window waits, another window does not', () => {
    const { auth } = hall();
    for (let i = 0; i < 10; i++) expect(auth.verify('staff', `x${i}`, '0000', 'window/3')).toMatchObject({ code: 'bad-login' });
    expect(auth.verify('staff', 's001', '1111', 'window/3')).toMatchObject({ ok: false, code: 'throttled', retryAfterS: 2 });
    expect(auth.verify('staff', 's001', '1111', 'window/4')).toMatchObject({ ok: true });
  });

  it('says how long to wait in whole seconds, rounded up', () => {
    const { auth } = hall({ freeFailures: 1, baseMs: 1_250, maxMs: 60_000 });
    expect(auth.verify('staff', 's001', '0000', 'window/1')).toMatchObject({ code: 'bad-login' });
    // waits 1.25 s, and 2.5 s after knocking again
    expect(auth.verify('staff', 's001', '1111', 'window/1')).toEqual({ ok: false, code: 'throttled', message: 'too many failed sign-ins: try again in 3 s', retryAfterS: 3 });
  });

  it('a right PIN clears the count of wrong ones', () => {
    const { auth } = hall();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect(auth.verify('staff', 's001', '0000', 'window/1')).toMatchObject({ code: 'bad-login' });
      expect(auth.verify('staff', 's001', '1111', 'window/1')).toMatchObject({ ok: true });
    }
  });

  it('reads the file again when it changes (a reset PIN works at once); a broken file keeps the last good one, with a warning', async () => {
    const { file, auth, people } = hall();
    const later = (s: number) => new Date(Date.now() + s * 1000);
    savePeople(file, setPerson(people, { id: 's001', role: 'staff' }, '9999', T1, true));
    utimesSync(file, later(5), later(5));
    expect(auth.verify('staff', 's001', '9999', 'window/1')).toMatchObject({ ok: true });
    expect(auth.verify('staff', 's001', '1111', 'window/1')).toMatchObject({ ok: false });
    const warned: string[] = [];
    const onWarn = (w: Error) => warned.push(w.message);
    process.on('warning', onWarn);
    writeFileSync(file, '{ broken');
    utimesSync(file, later(10), later(10));
    expect(auth.verify('staff', 's001', '9999', 'window/2')).toMatchObject({ ok: true });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarn);
    expect(warned.some((m) => m.startsWith('people file not reloaded: '))).toBe(true);
  });

  it('reads the file only when its modification time changes, not on every sign-in', () => {
    const { file, auth, people } = hall();
    const mtime = new Date(Date.now() + 5_000);
    utimesSync(file, mtime, mtime);
    expect(auth.find('s002')?.id).toBe('s002'); // read at this time stamp
    savePeople(file, removePerson(people, 's002'));
    utimesSync(file, mtime, mtime); // the same time stamp: not read again
    expect(auth.find('s002')?.id).toBe('s002');
    utimesSync(file, new Date(mtime.getTime() + 5_000), new Date(mtime.getTime() + 5_000));
    expect(auth.find('s002')).toBeUndefined();
  });

  it('refuses a stored hash scrypt cannot even compute (N not a power of two) as a wrong PIN, not a crash', () => {
    const { file, auth, people } = hall();
    const s1 = people.people.find((x) => x.id === 's001')!;
    const broken = s1.secretHash.replace(/^scrypt\$16384\$/, 'scrypt$16383$');
    savePeople(file, { version: 1, people: people.people.map((x) => (x === s1 ? { ...x, secretHash: broken } : x)) });
    utimesSync(file, new Date(Date.now() + 5_000), new Date(Date.now() + 5_000));
    expect(auth.verify('staff', 's001', '1111', 'window/1')).toEqual({ ok: false, code: 'bad-login', message: 'wrong staff id or PIN' });
  });

  it('a file that does not exist yet lets nobody in, until it is written', () => {
    const file = join(tmp(), 'people.json');
    const auth = new PeopleAuth(file);
    expect(auth.verify('staff', 's001', '1111', 'window/1')).toMatchObject({ code: 'bad-login' });
    savePeople(file, setPerson(empty(), { id: 's001', role: 'staff' }, '1111', T0));
    expect(auth.verify('staff', 's001', '1111', 'window/2')).toMatchObject({ ok: true });
  });
});

describe('API tokens at sign-in', () => {
  it('knows each of a manager\'s tokens, and nothing else shaped like one', () => {
    const { auth, tokens } = hall();
    expect(auth.verifyToken(tokens[0]!)?.id).toBe('alice');
    expect(auth.verifyToken(tokens[1]!)?.id).toBe('alice');
    const t = tokens[0]!;
    const other = t.slice(0, -1) + (t.endsWith('a') ? 'b' : 'a');
    for (const bad of [other, `${t}x`, `x${t}`, '', 'garbage', `mt_${t.slice(3, 11)}_${'x'.repeat(32)}`, 'mt_00000000_' + 'x'.repeat(32)]) {
      expect(auth.verifyToken(bad), bad).toBeNull();
    }
  });

  it('a token entry under a staff member (a hand-edited file) is no manager\'s token', () => {
    const { file, auth, people, tokens } = hall();
    const alice = people.people.find((x) => x.id === 'alice')!;
    const moved = people.people.map((x) => (x.id === 's001' ? { ...x, tokens: alice.tokens } : x.id === 'alice' ? { ...x, tokens: [] } : x));
    savePeople(file, { version: 1, people: moved });
    utimesSync(file, new Date(Date.now() + 5_000), new Date(Date.now() + 5_000));
    expect(auth.verifyToken(tokens[0]!)).toBeNull();
  });
});
