// Managers sign in for /manager and /api/stats: redirects and 401s without a
// session, HttpOnly SameSite cookies, a fresh session id at sign-in, CSRF and
// same-origin on every POST, throttled wrong passwords, idle and absolute expiry,
// API tokens for scripts; the people file's own rules (hashes only, resets).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { SqliteStore } from '../../firmware/eventlog/sqlite-store.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { mountManagerPages } from '../../firmware/stats/manager/index.ts';
import { mountManagerLogin } from '../../firmware/security/manager-login.ts';
import { addToken, loadPeople, PeopleAuth, savePeople, setPerson } from '../../firmware/security/people.ts';
import { tempDir } from '../maint/helpers.ts';
import { cookieBrowser } from '../setup/cookie-browser.ts';

const hall = loadHallConfig();
const dir = tempDir('manyi-login-');
const file = join(dir, 'people.json');
let now = Date.parse('2026-11-20T09:00:00+08:00');
let web: WebApp;
let base: string;
let token: string;

beforeAll(async () => {
  let p = loadPeople(file);
  p = setPerson(p, { id: 'alice', name: 'Alice', role: 'manager' }, 'correct horse battery', new Date(now));
  p = setPerson(p, { id: 's001', role: 'staff' }, '4321', new Date(now));
  const t = addToken(p, 'alice', new Date(now));
  token = t.token;
  savePeople(file, t.people);
  const store = new SqliteStore(':memory:', { clock: { now: () => now } });
  web = new WebApp();
  const login = mountManagerLogin(web, new PeopleAuth(file, {}, () => now), { title: hall.hall.name.zh, now: () => now });
  mountManagerPages(web, { db: store.db, hall, now: () => now, guard: login.guard, signOutToken: login.token });
  base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
});
afterAll(async () => { await web?.close(); });

/** A browser (tests/setup/cookie-browser.ts) that can read the sign-in form's token. */
function browser() {
  const { jar, go, form } = cookieBrowser(base);
  const loginToken = async () => /name="token" value="([^"]+)"/.exec(await (await go('/login')).text())![1];
  return { jar, go, form, loginToken };
}

describe('manager sign-in', () => {
  it('sends a stranger to the sign-in page, and a script without a token gets 401', async () => {
    const b = browser();
    const r = await b.go('/manager?lang=en');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login?next=%2Fmanager%3Flang%3Den');
    expect((await b.go('/api/stats/summary')).status).toBe(401);
    expect((await b.go('/api/stats/live')).status).toBe(401);
  });

  it('signs in with a fresh HttpOnly SameSite session, shows the page, signs out', async () => {
    const b = browser();
    const login = await b.go('/login?next=/manager');
    const cookie = login.headers.getSetCookie()[0];
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP here; over HTTPS it is `__Secure-` and Secure (tls test)
    const pre = b.jar.get('manyi-m');
    const t = /name="token" value="([^"]+)"/.exec(await login.text())![1];
    const r = await b.form('/login', { token: t, id: 'alice', password: 'correct horse battery', next: '/manager' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/manager');
    expect(b.jar.get('manyi-m')).not.toBe(pre); // no session fixation
    const page = await b.go('/manager');
    expect(page.status).toBe(200);
    const html = await page.text();
    const out = /action="\/logout"[^>]*><input type="hidden" name="token" value="([^"]+)"/.exec(html)![1];
    expect((await b.go('/api/stats/summary')).status).toBe(200);
    // Sign-out needs its token too.
    expect((await b.form('/logout', {})).status).toBe(403);
    expect((await b.form('/logout', { token: out })).status).toBe(303);
    expect((await b.go('/manager')).status).toBe(303);
  });

  it('refuses a POST without the CSRF token, from another origin, or not as a form', async () => {
    const b = browser();
    const t = await b.loginToken();
    expect((await b.form('/login', { id: 'alice', password: 'correct horse battery' })).status).toBe(403);
    expect((await b.form('/login', { token: 'forged', id: 'alice', password: 'correct horse battery' })).status).toBe(403);
    expect((await b.form('/login', { token: t, id: 'alice', password: 'correct horse battery' }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await b.form('/login', { token: t, id: 'alice', password: 'correct horse battery' }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await b.go('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(415);
    // Another browser's token is no good either.
    const other = browser();
    const t2 = await other.loginToken();
    expect((await b.form('/login', { token: t2, id: 'alice', password: 'correct horse battery' })).status).toBe(403);
  });

  it('never redirects to another site after sign-in', async () => {
    const b = browser();
    const t = await b.loginToken();
    const r = await b.form('/login', { token: t, id: 'alice', password: 'correct horse battery', next: '//evil.example/x' });
    expect(r.headers.get('location')).toBe('/manager');
  });

  it('throttles wrong passwords before hashing: after 5, even the right one waits', async () => {
    const b = browser();
    const t = await b.loginToken();
    for (let i = 0; i < 5; i++) expect((await b.form('/login', { token: t, id: 'alice', password: `wrong-${i}-password` })).status).toBe(401);
    const r = await b.form('/login', { token: t, id: 'alice', password: 'correct horse battery' });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    now += 10 * 60_000; // the back-off passes
    expect((await b.form('/login', { token: await b.loginToken(), id: 'alice', password: 'correct horse battery' })).status).toBe(303);
  });

  it('ends a session after 30 idle minutes and after 8 hours in all', async () => {
    const b = browser();
    await b.form('/login', { token: await b.loginToken(), id: 'alice', password: 'correct horse battery' });
    expect((await b.go('/manager')).status).toBe(200);
    now += 31 * 60_000;
    expect((await b.go('/manager')).status).toBe(303);
    await b.form('/login', { token: await b.loginToken(), id: 'alice', password: 'correct horse battery' });
    for (let i = 0; i < 17; i++) { now += 29 * 60_000; await b.go('/api/stats/live'); }
    expect((await b.go('/manager')).status).toBe(303);
  });

  it('takes an API token for scripts, and refuses a bad one', async () => {
    const auth = (t: string) => fetch(`${base}/api/stats/summary?format=csv`, { headers: { authorization: `Bearer ${t}` } });
    expect((await auth(token)).status).toBe(200);
    expect((await auth(token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a'))).status).toBe(401);
    expect((await auth('mt_00000000_' + 'x'.repeat(32))).status).toBe(401);
  });

  it('keeps only hashes in the people file, which others cannot read', async () => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('correct horse battery');
    expect(text).not.toContain('4321');
    expect(text).not.toContain(token);
    const { statSync } = await import('node:fs');
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('a staff PIN is not a manager password', async () => {
    const b = browser();
    expect((await b.form('/login', { token: await b.loginToken(), id: 's001', password: '4321' })).status).toBe(401);
  });
});
