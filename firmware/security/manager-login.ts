// Managers sign in for /manager and /api/stats: `GET /login` (a form, no script),
// `POST /login` (id + password, CSRF token, throttled per address and account),
// `POST /logout`. Scripts use an API token instead (`Authorization: Bearer mt_…`,
// `manyi managers token ID`). `guard()` wraps the handlers that need a manager.
// Reusable as is by the city page (#15): mount it on that host with its own people file.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, sendJson, type Handler, type WebApp } from '../web/app.ts';
import { esc } from '../web/html.ts';
import { normalAddress } from '../web/limits.ts';
import type { PeopleAuth } from './people.ts';
import { SessionStore, type Session } from './sessions.ts';

export interface ManagerLoginOptions {
  /** Title on the sign-in page (the hall's name). */
  title: string;
  /** Where to go after signing in when nothing else was asked for. */
  home?: string;
  maxAgeMs?: number;
  idleMs?: number;
  now?: () => number;
}

export interface ManagerLogin {
  sessions: SessionStore;
  /** Only for a signed-in manager (or an API token); pages redirect to /login, APIs answer 401. */
  guard(handler: Handler, kind?: 'page' | 'api'): Handler;
  /** The CSRF token of this request's session, for a form on a guarded page (sign out). */
  token(req: IncomingMessage): string | null;
}

/** A local path to return to: never another site. */
function safeNext(v: string | null | undefined, home: string): string {
  return v && /^\/(?![/\\])[\x21-\x7e]*$/.test(v) ? v : home;
}

function page(title: string, token: string, next: string, message = ''): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · 登录 Sign in</title>
<style>body{font-family:'WenQuanYi Zen Hei','Noto Sans CJK SC',sans-serif;background:#f3f5f8;display:flex;justify-content:center;padding-top:12vh}
form{background:#fff;padding:28px 32px;border-radius:12px;min-width:300px;box-shadow:0 2px 12px #0002}label{display:block;margin:12px 0 4px}
input{font:inherit;width:100%;padding:8px;box-sizing:border-box}button{margin-top:18px;font:inherit;padding:10px 18px}.err{color:#b91c1c}</style></head>
<body><form method="post" action="/login"><h1>${esc(title)}</h1><p>管理员登录 Manager sign-in</p>
${message ? `<p class="err" role="alert">${esc(message)}</p>` : ''}
<input type="hidden" name="token" value="${esc(token)}"><input type="hidden" name="next" value="${esc(next)}">
<label for="id">账号 Name</label><input id="id" name="id" autocomplete="username" required maxlength="64">
<label for="password">密码 Password</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
<button type="submit">登录 Sign in</button></form></body></html>`;
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new HttpError(415, 'a form is expected');
  return new URLSearchParams(await readBody(req, 4096));
}

export function mountManagerLogin(web: WebApp, people: Pick<PeopleAuth, 'verify' | 'verifyToken'>, o: ManagerLoginOptions): ManagerLogin {
  const home = o.home ?? '/manager';
  const sessions = new SessionStore({
    cookie: 'manyi-m', path: '/', secure: web.secure,
    maxAgeMs: o.maxAgeMs ?? 8 * 3600_000, idleMs: o.idleMs ?? 30 * 60_000, now: o.now,
  });

  web.get('/login', (req, res, _p, url) => {
    const s = sessions.ensure(req, res);
    sendPage(res, 200, page(o.title, sessions.csrfToken(s), safeNext(url.searchParams.get('next'), home)));
  });
  web.post('/login', async (req, res) => {
    const f = await form(req);
    const s = sessions.current(req);
    sessions.checkPost(req, s, f.get('token') ?? '');
    const next = safeNext(f.get('next'), home);
    const id = f.get('id') ?? '', password = f.get('password') ?? '';
    const v = people.verify('manager', id.slice(0, 64), password.slice(0, 200), `addr:${normalAddress(req.socket.remoteAddress)}`);
    if (!v.ok) {
      if (v.retryAfterS) res.setHeader('retry-after', String(v.retryAfterS));
      return sendPage(res, v.code === 'throttled' ? 429 : 401, page(o.title, sessions.csrfToken(s!), next, v.message));
    }
    sessions.signIn(req, res, { kind: 'manager', id: v.person.id, name: v.person.name });
    res.writeHead(303, { location: next, 'cache-control': 'no-store' });
    res.end();
  });
  web.post('/logout', async (req, res) => {
    const f = await form(req);
    sessions.checkPost(req, sessions.current(req), f.get('token') ?? '');
    sessions.signOut(req, res);
    res.writeHead(303, { location: '/login' });
    res.end();
  });

  const managerOf = (req: IncomingMessage): Session['user'] | null => {
    const auth = req.headers.authorization;
    if (auth) {
      const m = /^Bearer (\S+)$/.exec(auth);
      const p = m ? people.verifyToken(m[1]) : null;
      if (!p) throw new HttpError(401, 'bad API token');
      return { kind: 'manager', id: p.id, name: p.name };
    }
    const s = sessions.current(req);
    return s?.user?.kind === 'manager' ? s.user : null;
  };

  return {
    sessions,
    guard(handler, kind = 'page') {
      return (req, res, params, url) => {
        if (managerOf(req)) return handler(req, res, params, url);
        if (kind === 'api') return sendJson(res, 401, { ok: false, error: { code: 'unauthorized', message: 'sign in at /login, or send Authorization: Bearer <API token>' } });
        res.writeHead(303, { location: `/login?next=${encodeURIComponent(url.pathname + url.search)}`, 'cache-control': 'no-store' });
        res.end();
      };
    },
    token(req) {
      const s = sessions.current(req);
      return s?.user ? sessions.csrfToken(s) : null;
    },
  };
}
