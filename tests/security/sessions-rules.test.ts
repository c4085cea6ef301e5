// The session rules of firmware/security/sessions.ts, one by one, on the store
// itself (no server): the cookie's attributes, idle and absolute expiry on the
// injected clock, a fresh id at sign-in, sign-out, ending a person's sessions,
// the bound on sessions kept, CSRF tokens, the same-origin check and requireUser.
// Requests are plain objects with the headers a browser would send.
import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../firmware/web/app.ts';
import { requireUser, sameOrigin, SessionStore, type SessionOptions, type SessionUser } from '../../firmware/security/sessions.ts';

const MIN = 60_000;
const IDLE = 30 * MIN;
const MAX_AGE = 8 * 60 * MIN;
const HOST = 'hall.local:8080';

function store(o: Partial<SessionOptions> = {}) {
  const clock = { t: Date.parse('2026-11-20T09:00:00+08:00') };
  const s = new SessionStore({ cookie: 'manyi-w1', path: '/window/1', secure: false, maxAgeMs: MAX_AGE, idleMs: IDLE, now: () => clock.t, ...o });
  return { s, clock };
}

/** A response that keeps its Set-Cookie headers. */
function response() {
  const cookies: string[] = [];
  const res = { appendHeader(name: string, value: string) { if (name.toLowerCase() === 'set-cookie') cookies.push(value); return res; } };
  return { res: res as unknown as ServerResponse, cookies };
}

function request(headers: Record<string, string | string[] | undefined> = {}, method = 'GET'): IncomingMessage {
  return { headers: { host: HOST, ...headers }, method } as unknown as IncomingMessage;
}

/** A browser with one cookie jar for one store: follows Set-Cookie like Chromium (Max-Age=0 deletes). */
function browser(name = 'manyi-w1') {
  let value: string | undefined;
  const take = (cookies: string[]) => {
    for (const c of cookies) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      if (kv.slice(0, i) !== name) continue;
      value = /;\s*max-age=0(;|$)/i.test(c) ? undefined : kv.slice(i + 1);
    }
  };
  const req = (headers: Record<string, string> = {}, method = 'GET') =>
    request({ ...(value === undefined ? {} : { cookie: `${name}=${value}` }), ...headers }, method);
  return { req, take, get value() { return value; } };
}

const alice: SessionUser = { kind: 'staff', id: 's001', name: 'Alice' };
const bob: SessionUser = { kind: 'staff', id: 's002' };

function signIn(s: SessionStore, b: ReturnType<typeof browser>, user: SessionUser) {
  const { res, cookies } = response();
  const session = s.signIn(b.req(), res, user);
  b.take(cookies);
  return { session, cookies };
}

function anonymous(s: SessionStore, b: ReturnType<typeof browser>) {
  const { res, cookies } = response();
  const session = s.ensure(b.req(), res);
  b.take(cookies);
  return { session, cookies };
}

function httpError(f: () => unknown): HttpError {
  try { f(); } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    return e as HttpError;
  }
  throw new Error('expected an HttpError, nothing was thrown');
}

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Strict, scoped to the page path, not Secure over plain HTTP, and lasts the absolute maximum once signed in', () => {
    const { s } = store();
    const { cookies, session } = signIn(s, browser(), alice);
    expect(cookies).toHaveLength(1);
    const [nameValue, ...attrs] = cookies[0].split('; ');
    expect(nameValue).toBe(`manyi-w1=${session.id}`);
    expect(attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/window/1', `Max-Age=${MAX_AGE / 1000}`]));
    expect(cookies[0]).not.toMatch(/Secure/);
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
  });

  it('is named __Secure-… and marked Secure over HTTPS, so a browser never sends it over plain HTTP', () => {
    const { s } = store({ secure: true });
    const b = browser('__Secure-manyi-w1');
    const { cookies, session } = signIn(s, b, alice);
    expect(cookies[0]).toMatch(new RegExp(`^__Secure-manyi-w1=${session.id};`));
    expect(cookies[0].split('; ')).toContain('Secure');
    // The store reads only the prefixed name back.
    expect(s.current(b.req())?.id).toBe(session.id);
    expect(s.current(request({ cookie: `manyi-w1=${session.id}` }))).toBeNull();
  });

  it('of an anonymous (sign-in form) session lasts the idle time, in seconds', () => {
    const { s } = store();
    const { cookies } = anonymous(s, browser());
    expect(cookies[0].split('; ')).toContain(`Max-Age=${IDLE / 1000}`);
  });
});

describe('session expiry on the injected clock', () => {
  it('a signed-in session ends after 30 idle minutes (not at exactly 30)', () => {
    const { s, clock } = store();
    const b = browser();
    const { session } = signIn(s, b, alice);
    clock.t += IDLE;
    expect(s.current(b.req())?.id).toBe(session.id); // exactly the idle time: still on
    clock.t += IDLE + 1;
    expect(s.current(b.req())).toBeNull();
    // Once gone, it stays gone even if the clock were to allow it.
    clock.t -= IDLE + 1;
    expect(s.current(b.req())).toBeNull();
  });

  it('a signed-in session ends 8 hours after sign-in however busy (not at exactly 8 hours)', () => {
    const { s, clock } = store();
    const b = browser();
    const { session } = signIn(s, b, alice);
    for (let i = 0; i < 16; i++) { clock.t += IDLE; expect(s.current(b.req())?.id).toBe(session.id); }
    expect(clock.t - session.createdAt).toBe(MAX_AGE); // exactly 8 h: still on
    clock.t += 1;
    expect(s.current(b.req())).toBeNull();
  });

  it('an anonymous session ends after the idle time only (not at exactly the idle time), however long it is kept in use', () => {
    const { s, clock } = store();
    const b = browser();
    const { session } = anonymous(s, b);
    for (let i = 0; i < 20; i++) { clock.t += IDLE; expect(s.current(b.req())?.id).toBe(session.id); }
    expect(clock.t - session.createdAt).toBeGreaterThan(MAX_AGE);
    clock.t += IDLE + 1;
    expect(s.current(b.req())).toBeNull();
  });

  it('a request keeps the session alive: lastSeen follows the clock', () => {
    const { s, clock } = store();
    const b = browser();
    const { session } = signIn(s, b, alice);
    clock.t += 10 * MIN;
    s.current(b.req());
    expect(session.lastSeen).toBe(clock.t);
  });
});

describe('session cookies that mean nothing', () => {
  it('no cookie, another cookie, an unknown id or a malformed header: no session, and no error', () => {
    const { s } = store();
    signIn(s, browser(), alice);
    for (const cookie of [undefined, '', 'other=1', 'manyi-w1=', 'manyi-w1=not-a-session', 'manyi-w1=%zz%', ';;==;', 'manyi-w1']) {
      expect(s.current(request(cookie === undefined ? {} : { cookie }))).toBeNull();
    }
  });
});

describe('sign-in and sign-out', () => {
  it('signing in always gives a fresh session id and ends the one the browser had (no fixation)', () => {
    const { s } = store();
    const b = browser();
    const { session: pre } = anonymous(s, b);
    const fixed = b.req(); // an attacker who planted the pre-sign-in id keeps it
    const { session } = signIn(s, b, alice);
    expect(session.id).not.toBe(pre.id);
    expect(s.current(fixed)).toBeNull();
    expect(s.current(b.req())?.user).toEqual(alice);
  });

  it('signing in without any earlier session works', () => {
    const { s } = store();
    const b = browser();
    const { session } = signIn(s, b, bob);
    expect(s.current(b.req())?.id).toBe(session.id);
  });

  it('signing out ends the session and clears the cookie with the same scope', () => {
    const { s } = store();
    const b = browser();
    const { session } = signIn(s, b, alice);
    const before = b.req();
    const { res, cookies } = response();
    s.signOut(before, res);
    expect(cookies).toHaveLength(1);
    const [nameValue, ...attrs] = cookies[0].split('; ');
    expect(nameValue).toBe('manyi-w1=');
    expect(attrs).toEqual(expect.arrayContaining(['Max-Age=0', 'Path=/window/1', 'HttpOnly', 'SameSite=Strict']));
    expect(s.current(before)).toBeNull();
    expect(s.current(request({ cookie: `manyi-w1=${session.id}` }))).toBeNull();
  });

  it('signing out without a session only clears the cookie', () => {
    const { s } = store();
    const { res, cookies } = response();
    expect(() => s.signOut(request(), res)).not.toThrow();
    expect(cookies[0]).toMatch(/^manyi-w1=; Max-Age=0/);
  });

  it("ending a person's sessions ends every one of theirs and nobody else's (nor the anonymous ones)", () => {
    const { s } = store();
    const a1 = browser(), a2 = browser(), b1 = browser(), anon = browser();
    signIn(s, a1, alice);
    signIn(s, a2, alice);
    signIn(s, b1, bob);
    anonymous(s, anon);
    const seen: (SessionUser | null)[] = [];
    s.endAll((u) => { seen.push(u); return u.id === alice.id; });
    expect(seen).not.toContain(null); // the rule is never asked about anonymous sessions
    expect(s.current(a1.req())).toBeNull();
    expect(s.current(a2.req())).toBeNull();
    expect(s.current(b1.req())?.user).toEqual(bob);
    expect(s.current(anon.req())?.user).toBeNull();
  });
});

describe('sessions kept at most', () => {
  it('at the limit nothing is dropped; past it the oldest anonymous session goes first, and only one', () => {
    const { s } = store({ maxSessions: 3 });
    const anon1 = browser(), anon2 = browser(), u1 = browser(), u2 = browser();
    anonymous(s, anon1);
    anonymous(s, anon2);
    signIn(s, u1, alice);
    for (const b of [anon1, anon2, u1]) expect(s.current(b.req())).not.toBeNull(); // 3 of 3
    signIn(s, u2, bob);
    expect(s.current(anon1.req())).toBeNull();
    for (const b of [anon2, u1, u2]) expect(s.current(b.req())).not.toBeNull();
  });

  it('an expired signed-in session goes before a live one, even an older live one', () => {
    const { s, clock } = store({ maxSessions: 3 });
    const u1 = browser(), stale = browser(), u2 = browser(), u3 = browser();
    signIn(s, u1, bob);
    clock.t += 5 * MIN;
    signIn(s, stale, alice);
    signIn(s, u2, bob);
    clock.t += 20 * MIN;
    s.current(u1.req()); // u1 and u2 in use; stale not
    s.current(u2.req());
    clock.t += 15 * MIN; // stale: 35 idle minutes; u1, u2: 15
    signIn(s, u3, bob);
    for (const b of [u1, u2, u3]) expect(s.current(b.req())?.user).toEqual(bob);
  });

  it('with only live signed-in sessions the oldest goes, and no more than needed', () => {
    const { s } = store({ maxSessions: 3 });
    const bs = [browser(), browser(), browser(), browser()];
    for (const b of bs) signIn(s, b, alice);
    expect(s.current(bs[0].req())).toBeNull();
    for (const b of bs.slice(1)) expect(s.current(b.req())?.user).toEqual(alice);
  });

  it('keeps 1000 by default', () => {
    const { s } = store();
    const first = browser();
    anonymous(s, first);
    for (let i = 0; i < 999; i++) s.ensure(request(), response().res);
    expect(s.current(first.req())).not.toBeNull();
    s.ensure(request(), response().res);
    expect(s.current(first.req())).toBeNull();
  });
});

describe('CSRF tokens', () => {
  it('a POST carries a token of its own session, in x-csrf-token or the form', () => {
    const { s } = store();
    const b = browser();
    const { session } = signIn(s, b, alice);
    const t = s.csrfToken(session);
    expect(() => s.checkPost(b.req({ 'x-csrf-token': t }, 'POST'), session)).not.toThrow();
    expect(() => s.checkPost(b.req({}, 'POST'), session, t)).not.toThrow();
  });

  it('without a token, with a forged one, with another session’s, or without a session: 403 that says reload', () => {
    const { s } = store();
    const b = browser(), other = browser();
    const { session } = signIn(s, b, alice);
    const { session: theirs } = signIn(s, other, bob);
    const cases: [IncomingMessage, typeof session | null, string?][] = [
      [b.req({}, 'POST'), session],
      [b.req({ 'x-csrf-token': 'forged' }, 'POST'), session],
      [b.req({}, 'POST'), session, ''],
      [b.req({ 'x-csrf-token': s.csrfToken(theirs) }, 'POST'), session],
      [b.req({}, 'POST'), null, s.csrfToken(session)],
      [b.req({}, 'POST'), null],
      [request({ 'x-csrf-token': ['a', 'b'] }, 'POST'), session],
    ];
    for (const [req, sess, token] of cases) {
      const e = httpError(() => s.checkPost(req, sess, token));
      expect(e.status).toBe(403);
      expect(e.message).toBe('missing or stale CSRF token: reload the page');
    }
  });

  it('a form’s token is used even if a header carries another', () => {
    const { s } = store();
    const b = browser();
    const { session } = signIn(s, b, alice);
    expect(httpError(() => s.checkPost(b.req({ 'x-csrf-token': s.csrfToken(session) }, 'POST'), session, 'forged')).status).toBe(403);
  });
});

describe('same origin', () => {
  it('takes requests from the page itself, typed addresses and clients that send no Origin', () => {
    for (const h of [
      {}, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' },
      { origin: `http://${HOST}` }, { origin: `https://${HOST}`, 'sec-fetch-site': 'same-origin' },
    ]) expect(() => sameOrigin(request(h, 'POST'))).not.toThrow();
  });

  it('refuses a cross-site or same-site (another host of the hall) request by Sec-Fetch-Site', () => {
    for (const site of ['cross-site', 'same-site']) {
      const e = httpError(() => sameOrigin(request({ 'sec-fetch-site': site, origin: `http://${HOST}` }, 'POST')));
      expect([e.status, e.message]).toEqual([403, 'cross-site request refused']);
    }
  });

  it('refuses another origin, an unreadable Origin and the opaque Origin "null", each with its reason', () => {
    const cases: [string, string][] = [
      ['http://evil.example', 'cross-origin request refused'],
      [`http://hall.local.evil.example:8080`, 'cross-origin request refused'],
      ['http://hall.local:8081', 'cross-origin request refused'],
      ['not a url', 'bad Origin'],
      ['null', 'opaque origin refused'],
    ];
    for (const [origin, message] of cases) {
      const e = httpError(() => sameOrigin(request({ origin }, 'POST')));
      expect([e.status, e.message]).toEqual([403, message]);
    }
  });
});

describe('requireUser', () => {
  function guarded(opts?: { post?: boolean }) {
    const { s } = store();
    const calls: string[] = [];
    const h = requireUser(s, (u) => u.kind === 'staff' && u.id === alice.id, (req) => { calls.push(req.method ?? '?'); }, opts);
    const run = (req: IncomingMessage) => h(req, response().res, {}, new URL('http://x/'));
    return { s, calls, run };
  }

  it('answers 401 "sign in first" without a session or with an anonymous one, and runs nothing', () => {
    const { s, calls, run } = guarded();
    const anon = browser();
    anonymous(s, anon);
    for (const req of [request(), anon.req()]) {
      const e = httpError(() => run(req));
      expect([e.status, e.message]).toEqual([401, 'sign in first']);
    }
    expect(calls).toEqual([]);
  });

  it('answers 403 to a signed-in person the rule does not allow', () => {
    const { s, calls, run } = guarded();
    const b = browser();
    signIn(s, b, bob);
    const e = httpError(() => run(b.req()));
    expect([e.status, e.message]).toEqual([403, 'not allowed for this account']);
    expect(calls).toEqual([]);
  });

  it('runs a GET for an allowed person without a token, a POST only with one', () => {
    const { s, calls, run } = guarded();
    const b = browser();
    const { session } = signIn(s, b, alice);
    run(b.req());
    expect(httpError(() => run(b.req({}, 'POST'))).status).toBe(403);
    expect(httpError(() => run(b.req({ 'x-csrf-token': s.csrfToken(session), origin: 'http://evil.example' }, 'POST'))).status).toBe(403);
    run(b.req({ 'x-csrf-token': s.csrfToken(session) }, 'POST'));
    expect(calls).toEqual(['GET', 'POST']);
  });

  it('with post: true checks the token on any method; with post: false never', () => {
    const strict = guarded({ post: true });
    const b = browser();
    const { session } = signIn(strict.s, b, alice);
    expect(httpError(() => strict.run(b.req())).status).toBe(403);
    strict.run(b.req({ 'x-csrf-token': strict.s.csrfToken(session) }));
    expect(strict.calls).toEqual(['GET']);

    const lax = guarded({ post: false });
    const c = browser();
    signIn(lax.s, c, alice);
    lax.run(c.req({}, 'POST'));
    expect(lax.calls).toEqual(['POST']);
  });
});
