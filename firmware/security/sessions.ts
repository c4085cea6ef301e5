// Sessions for people signed in to a page: a random id in a cookie (`cookie`:
// parse/serialize; HttpOnly, SameSite=Strict, Secure over HTTPS, scoped to the
// page's path), the session itself kept in this process (a board restart signs
// everyone out), with an absolute and an idle expiry. Every POST carries a CSRF
// token (`csrf`: a secret per session, tokens made from it) and must come from
// the page's own origin. Reusable: the staff page (per window), the manager's pages
// and the city page (#15) each make a SessionStore with their own cookie and rules.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseCookies, serialize } from 'cookie';
import Tokens from 'csrf';
import { HttpError, type Handler } from '../web/app.ts';

export interface SessionUser {
  kind: 'staff' | 'manager';
  id: string;
  name?: string;
}

export interface Session {
  readonly id: string;
  user: SessionUser | null;
  /** The CSRF secret; tokens handed to the page are made from it. */
  readonly csrfSecret: string;
  readonly createdAt: number;
  lastSeen: number;
}

export interface SessionOptions {
  /** Cookie name (one per page scope: `manyi-w1`, `manyi-m`). */
  cookie: string;
  /** Cookie path: the browser sends it only under this path. */
  path: string;
  /** Serve the cookie with `Secure` (the host speaks HTTPS). */
  secure: boolean;
  /** A signed-in session ends this long after sign-in, ms. */
  maxAgeMs: number;
  /** …or this long after its last request, ms. */
  idleMs: number;
  now?: () => number;
  /** Sessions kept at most (anonymous pre-login sessions are dropped first). */
  maxSessions?: number;
}

const tokens = new Tokens();

export class SessionStore {
  private sessions = new Map<string, Session>();
  private readonly now: () => number;

  constructor(readonly opts: SessionOptions) {
    this.now = opts.now ?? Date.now;
  }

  private cookieName(): string {
    // `__Secure-` makes the browser refuse the cookie over plain HTTP.
    return this.opts.secure ? `__Secure-${this.opts.cookie}` : this.opts.cookie;
  }

  private expired(s: Session): boolean {
    const now = this.now();
    if (!s.user) return now - s.lastSeen > this.opts.idleMs;
    return now - s.createdAt > this.opts.maxAgeMs || now - s.lastSeen > this.opts.idleMs;
  }

  /** The request's live session, or null. Never throws on a malformed cookie. */
  current(req: IncomingMessage): Session | null {
    let id: string | undefined;
    try { id = parseCookies(req.headers.cookie ?? '')[this.cookieName()]; } catch { return null; }
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    if (this.expired(s)) { this.sessions.delete(id); return null; }
    s.lastSeen = this.now();
    return s;
  }

  /** The live session, or a new anonymous one (for the sign-in form's CSRF token). */
  ensure(req: IncomingMessage, res: ServerResponse): Session {
    return this.current(req) ?? this.create(res, null);
  }

  /** Signs `user` in: always a fresh session id (no fixation), the old one ends. */
  signIn(req: IncomingMessage, res: ServerResponse, user: SessionUser): Session {
    const old = this.current(req);
    if (old) this.sessions.delete(old.id);
    return this.create(res, user);
  }

  signOut(req: IncomingMessage, res: ServerResponse): void {
    const s = this.current(req);
    if (s) this.sessions.delete(s.id);
    res.appendHeader('set-cookie', serialize(this.cookieName(), '', { ...this.cookieAttrs(), maxAge: 0 }));
  }

  /** Ends every session of this user (their PIN was reset, they were removed). */
  endAll(pred: (u: SessionUser) => boolean): void {
    for (const [id, s] of this.sessions) if (s.user && pred(s.user)) this.sessions.delete(id);
  }

  csrfToken(s: Session): string {
    return tokens.create(s.csrfSecret);
  }

  /**
   * A state-changing request: same origin (when the browser says where it comes
   * from), and a valid CSRF token in `x-csrf-token` (or `token` for a form).
   */
  checkPost(req: IncomingMessage, s: Session | null, token?: string): void {
    sameOrigin(req);
    const t = token ?? req.headers['x-csrf-token'];
    if (!s || typeof t !== 'string' || !tokens.verify(s.csrfSecret, t)) throw new HttpError(403, 'missing or stale CSRF token: reload the page');
  }

  private cookieAttrs() {
    return { httpOnly: true, sameSite: 'strict' as const, secure: this.opts.secure, path: this.opts.path };
  }

  private create(res: ServerResponse, user: SessionUser | null): Session {
    const now = this.now();
    const s: Session = { id: randomBytes(32).toString('base64url'), user, csrfSecret: tokens.secretSync(), createdAt: now, lastSeen: now };
    this.sessions.set(s.id, s);
    this.prune();
    const maxAge = Math.floor((user ? this.opts.maxAgeMs : this.opts.idleMs) / 1000);
    res.appendHeader('set-cookie', serialize(this.cookieName(), s.id, { ...this.cookieAttrs(), maxAge }));
    return s;
  }

  private prune(): void {
    const max = this.opts.maxSessions ?? 1000;
    if (this.sessions.size <= max) return;
    for (const [id, s] of this.sessions) if (this.expired(s) || !s.user) { this.sessions.delete(id); if (this.sessions.size <= max) return; }
    while (this.sessions.size > max) this.sessions.delete(this.sessions.keys().next().value!);
  }
}

/** Refuses a request whose Origin (or Sec-Fetch-Site) says it comes from another site. */
export function sameOrigin(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'cross-site request refused');
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    let host: string;
    try { host = new URL(origin).host; } catch { throw new HttpError(403, 'bad Origin'); }
    if (host !== req.headers.host) throw new HttpError(403, 'cross-origin request refused');
  } else if (origin === 'null') throw new HttpError(403, 'opaque origin refused');
}

/** Wraps a handler: only for a signed-in user that `allow` accepts; else 401 (or 403). */
export function requireUser(store: SessionStore, allow: (u: SessionUser) => boolean, handler: Handler, opts: { post?: boolean } = {}): Handler {
  return (req, res, params, url) => {
    const s = store.current(req);
    if (!s?.user) throw new HttpError(401, 'sign in first');
    if (!allow(s.user)) throw new HttpError(403, 'not allowed for this account');
    if (opts.post ?? req.method === 'POST') store.checkPost(req, s);
    return handler(req, res, params, url);
  };
}
