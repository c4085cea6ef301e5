// The rules of the managers' sign-in (firmware/security/manager-login.ts), each on
// its own, over HTTP on a free port with the injected clock. The people file is a
// stand-in that records what it is asked (its own rules — hashes, throttling — are
// tested in tests/security and tests/web/manager-login.test.ts): here, what the
// pages do with its answers.
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { sendJson, WebApp } from '../../firmware/web/app.ts';
import { mountManagerLogin, type ManagerLogin } from '../../firmware/security/manager-login.ts';
import type { PeopleAuth, Person, Verdict } from '../../firmware/security/people.ts';
import { cookieBrowser } from '../setup/cookie-browser.ts';

const ALICE: Person = { id: 'alice', name: 'Alice', role: 'manager', secretHash: 'scrypt$x', tokens: [], createdAt: '2026-11-20T00:00:00Z' };
const PASSWORD = 'correct horse battery';
const API_TOKEN = 'mt_0123abcd_' + 'A'.repeat(32);

/** Stands in for PeopleAuth: alice / PASSWORD; `throttle` makes the next answers 'throttled'. */
function people() {
  const calls: { role: string; id: string; secret: string; place: string }[] = [];
  const state = { throttle: false };
  const auth: Pick<PeopleAuth, 'verify' | 'verifyToken'> = {
    verify(role, id, secret, place): Verdict {
      calls.push({ role, id, secret, place });
      if (state.throttle) return { ok: false, code: 'throttled', message: 'too many failed sign-ins: try again in 42 s', retryAfterS: 42 };
      if (role === 'manager' && id === 'alice' && secret === PASSWORD) return { ok: true, person: ALICE };
      return { ok: false, code: 'bad-login', message: 'wrong name or password <b>' };
    },
    verifyToken: (t) => (t === API_TOKEN ? ALICE : null),
  };
  return { auth, calls, state };
}

const servers: WebApp[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((w) => w.close())); });

async function hall(o: { home?: string } = {}) {
  const clock = { t: Date.parse('2026-11-20T09:00:00+08:00') };
  const p = people();
  const web = new WebApp();
  const login: ManagerLogin = mountManagerLogin(web, p.auth, { title: '市民中心 <Hall>', now: () => clock.t, ...o });
  web.get('/manager', login.guard((req, res) => sendJson(res, 200, { page: 'manager', token: login.token(req) })));
  web.get('/manager/sub', login.guard((_req, res) => sendJson(res, 200, { page: 'sub' })));
  web.get('/api/stats', login.guard((_req, res) => sendJson(res, 200, { api: true }), 'api'));
  servers.push(web);
  const base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
  return { base, clock, login, ...p };
}

/** A browser (tests/setup/cookie-browser.ts) that also reads the sign-in page's hidden fields. */
function browser(base: string) {
  const { jar, go, post, form } = cookieBrowser(base);
  const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  const loginPage = async (q = '') => {
    const r = await go(`/login${q}`);
    const html = await r.text();
    return { r, html, token: field(html, 'token')!, next: field(html, 'next') };
  };
  const signIn = async (fields: Record<string, string> = {}) =>
    form('/login', { token: (await loginPage()).token, id: 'alice', password: PASSWORD, ...fields });
  return { jar, go, post, form, loginPage, signIn };
}

describe('the sign-in page', () => {
  it('is an HTML form, never cached, with the hall name escaped and no error shown', async () => {
    const { base } = await hall();
    const { r, html, token } = await browser(base).loginPage();
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('<title>市民中心 &lt;Hall&gt; · 登录 Sign in</title>');
    expect(html).toContain('<form method="post" action="/login">');
    expect(html).not.toContain('role="alert"');
    expect(html).toMatch(/<p>管理员登录 Manager sign-in<\/p>\n\n<input type="hidden" name="token"/); // nothing in the error's place
    expect(token).toMatch(/^[\w-]+$/);
  });

  it('sets its cookie for the whole host (Path=/), so /manager and /api/stats get it', async () => {
    const { base } = await hall();
    const r = await browser(base).go('/login');
    expect(r.headers.getSetCookie()[0].split('; ')).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict']));
    expect(r.headers.getSetCookie()[0]).toMatch(/^manyi-m=/);
  });

  it('carries a local ?next= into the form, and replaces any other with /manager', async () => {
    const { base } = await hall();
    const b = browser(base);
    const cases: [string, string][] = [
      ['/manager/sub?lang=en&x=1', '/manager/sub?lang=en&amp;x=1'],
      ['/a', '/a'],
      ['/', '/'],
      ['//evil.example/x', '/manager'],
      ['/\\evil.example', '/manager'],
      ['https://evil.example/', '/manager'],
      ['evil', '/manager'],
      ['/a b', '/manager'],
      ['/a\nb', '/manager'],
      ['/caf\u00e9', '/manager'],
      ['', '/manager'],
    ];
    for (const [next, want] of cases) expect((await b.loginPage(`?next=${encodeURIComponent(next)}`)).next).toBe(want);
    expect((await b.loginPage()).next).toBe('/manager');
  });

  it('uses the home it is given instead of /manager', async () => {
    const { base } = await hall({ home: '/city' });
    expect((await browser(base).loginPage('?next=//evil')).next).toBe('/city');
  });
});

describe('signing in', () => {
  it('goes to the local next page (303, not cached) with a new session, not the sign-in one', async () => {
    const { base } = await hall();
    const b = browser(base);
    const { token } = await b.loginPage();
    const pre = b.jar.get('manyi-m');
    const r = await b.form('/login', { token, id: 'alice', password: PASSWORD, next: '/manager/sub?lang=en' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/manager/sub?lang=en');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(b.jar.get('manyi-m')).toBeDefined();
    expect(b.jar.get('manyi-m')).not.toBe(pre);
    expect((await b.go('/manager/sub')).status).toBe(200);
  });

  it('never goes to another site after signing in', async () => {
    const { base } = await hall();
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const r = await browser(base).signIn({ next });
      expect(r.headers.get('location')).toBe('/manager');
    }
  });

  it('asks the people file as a manager, with the name cut to 64 and the password to 200 characters, throttled by the caller’s address', async () => {
    const { base, calls } = await hall();
    const b = browser(base);
    await b.signIn({ id: 'x'.repeat(100), password: 'p'.repeat(300) });
    await b.form('/login', { token: (await b.loginPage()).token }); // no id, no password fields
    expect(calls).toEqual([
      { role: 'manager', id: 'x'.repeat(64), secret: 'p'.repeat(200), place: 'addr:127.0.0.1' },
      { role: 'manager', id: '', secret: '', place: 'addr:127.0.0.1' },
    ]);
  });

  it('a wrong password: 401, the form again with the reason (escaped), the next page kept, no Retry-After, still signed out', async () => {
    const { base } = await hall();
    const b = browser(base);
    const r = await b.signIn({ password: 'wrong', next: '/manager/sub' });
    expect(r.status).toBe(401);
    expect(r.headers.get('retry-after')).toBeNull();
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    const html = await r.text();
    expect(html).toContain('<p class="err" role="alert">wrong name or password &lt;b&gt;</p>');
    expect(html).toContain('name="next" value="/manager/sub"');
    // The form it shows again carries a token that works.
    const token = /name="token" value="([^"]+)"/.exec(html)![1];
    expect((await b.go('/manager')).status).toBe(303);
    expect((await b.form('/login', { token, id: 'alice', password: PASSWORD })).status).toBe(303);
  });

  it('throttled: 429 with Retry-After in seconds and the reason', async () => {
    const { base, state } = await hall();
    const b = browser(base);
    state.throttle = true;
    const r = await b.signIn();
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('42');
    expect(await r.text()).toContain('try again in 42 s');
    expect((await b.go('/manager')).status).toBe(303);
  });

  it('takes only a form: JSON gets 415 "a form is expected"; the type is read case-insensitively with parameters', async () => {
    const { base, calls } = await hall();
    const b = browser(base);
    const { token } = await b.loginPage();
    const r = await b.go('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(415);
    expect((await r.json()).error.message).toBe('a form is expected');
    expect(calls).toEqual([]);
    const body = new URLSearchParams({ token, id: 'alice', password: PASSWORD }).toString();
    expect((await b.post('/login', body, { 'content-type': 'Application/X-WWW-Form-URLencoded ; charset=UTF-8' })).status).toBe(303);
  });

  it('refuses a form without its CSRF token or from another site, before asking for the password', async () => {
    const { base, calls } = await hall();
    const b = browser(base);
    const { token } = await b.loginPage();
    expect((await b.form('/login', { id: 'alice', password: PASSWORD })).status).toBe(403);
    expect((await b.form('/login', { token, id: 'alice', password: PASSWORD }, { origin: 'http://evil.example' })).status).toBe(403);
    // A header token does not stand in for the form's.
    expect((await b.form('/login', { id: 'alice', password: PASSWORD }, { 'x-csrf-token': token })).status).toBe(403);
    expect(calls).toEqual([]);
  });
});

describe('signing out', () => {
  it('needs the form token; then ends the session, clears the cookie and goes to /login', async () => {
    const { base } = await hall();
    const b = browser(base);
    await b.signIn();
    const { token } = await (await b.go('/manager')).json() as { token: string };
    expect((await b.form('/logout', {})).status).toBe(403);
    expect((await b.form('/logout', {}, { 'x-csrf-token': token })).status).toBe(403);
    expect((await b.go('/manager')).status).toBe(200);
    const r = await b.form('/logout', { token });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login');
    expect(b.jar.has('manyi-m')).toBe(false);
    expect((await b.go('/manager')).status).toBe(303);
  });
});

describe('guarded pages and APIs', () => {
  it('a page sends a stranger, or a visitor with only a sign-in form session, to /login?next=… (not cached)', async () => {
    const { base } = await hall();
    const b = browser(base);
    for (let i = 0; i < 2; i++) {
      const r = await b.go('/manager/sub?lang=en');
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe('/login?next=%2Fmanager%2Fsub%3Flang%3Den');
      expect(r.headers.get('cache-control')).toBe('no-store');
      await b.loginPage(); // now with an anonymous session
    }
  });

  it('an API answers 401 with a JSON error that says how to sign in', async () => {
    const { base } = await hall();
    const r = await browser(base).go('/api/stats');
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ ok: false, error: { code: 'unauthorized', message: 'sign in at /login, or send Authorization: Bearer <API token>' } });
  });

  it('takes exactly "Bearer <token>" for scripts, and answers 401 "bad API token" to anything else', async () => {
    const { base } = await hall();
    const api = (authorization: string) => fetch(`${base}/api/stats`, { headers: { authorization } });
    expect((await api(`Bearer ${API_TOKEN}`)).status).toBe(200);
    const page = await fetch(`${base}/manager/sub`, { headers: { authorization: `Bearer ${API_TOKEN}` }, redirect: 'manual' });
    expect(page.status).toBe(200);
    for (const bad of [`Bearer ${API_TOKEN} extra`, `Basic Bearer ${API_TOKEN}`, `bearer ${API_TOKEN}`, 'Bearer mt_nope', `Bearer  ${API_TOKEN}`]) {
      const r = await api(bad);
      expect(r.status).toBe(401);
      expect((await r.json()).error.message).toBe('bad API token');
    }
  });

  it('a signed-in session expires on the injected clock: 30 idle minutes, 8 hours in all', async () => {
    const { base, clock } = await hall();
    const b = browser(base);
    await b.signIn();
    clock.t += 30 * 60_000;
    expect((await b.go('/manager')).status).toBe(200);
    clock.t += 30 * 60_000 + 1;
    expect((await b.go('/manager')).status).toBe(303);
    await b.signIn();
    for (let i = 0; i < 16; i++) { clock.t += 30 * 60_000; expect((await b.go('/api/stats')).status).toBe(200); }
    clock.t += 1;
    expect((await b.go('/api/stats')).status).toBe(401);
  });
});

describe('the sign-out token of a guarded page', () => {
  it('is a token of the signed-in session, and none without a session or with only an anonymous one', async () => {
    const { base, login } = await hall();
    const none = { headers: {} } as IncomingMessage;
    expect(login.token(none)).toBeNull();
    const b = browser(base);
    await b.loginPage();
    const anon = { headers: { cookie: `manyi-m=${b.jar.get('manyi-m')}` } } as unknown as IncomingMessage;
    expect(login.token(anon)).toBeNull();
    await b.signIn();
    const { token } = await (await b.go('/manager')).json() as { token: string };
    expect(token).toMatch(/^[\w-]+$/);
    const signedIn = { headers: { cookie: `manyi-m=${b.jar.get('manyi-m')}` } } as unknown as IncomingMessage;
    const s = login.sessions.current(signedIn)!;
    expect(() => login.sessions.checkPost({ headers: { host: 'x' } } as unknown as IncomingMessage, s, token)).not.toThrow();
  });
});
