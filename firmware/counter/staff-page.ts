// The staff page of one window, `/window/{w}`: the keypad's buttons and more
// (open/close with staff id, transfer target, park / call a parked ticket),
// each command's answer, and a drawing of the window's LED board and rating
// pad from the simulated hardware's own state. Live over a WebSocket.
//
// Staff sign in with their id and PIN (the controller checks the PIN: `open`, or
// `sign-in` at a window already open for them); the page then acts only for the
// signed-in staff member of this window, with a CSRF token on every POST. The
// keypad needs no sign-in: it is at the desk. The simulated pad and keypad answer
// only on the machine itself (the demo).
import type { IncomingMessage } from 'node:http';
import type { WebApp } from '../web/app.ts';
import { HttpError, readBody, sendJson } from '../web/app.ts';
import { sameOrigin, SessionStore, type Session } from '../security/sessions.ts';
import { z } from 'zod';
import { RatingScore, WindowAction, TicketNo, ServiceId } from '../protocol/index.ts';
import { KeypadKey } from '../../hw-specs/schema.ts';
import type { HallConfig } from '../config/hall.ts';
import type { BoardView } from '../../signage/led/window-display.ts';
import type { RatingPad } from './rating-pad.ts';
import type { CounterUnit } from './unit.ts';

const PAGE = new URL('./page/staff.html', import.meta.url).pathname;
const SCRIPT = new URL('./page/staff.js', import.meta.url).pathname;

const ActionBody = z.object({
  action: WindowAction.exclude(['open', 'sign-in']), // opening is signing in (/sign-in)
  ticket: TicketNo.optional(),
  service: ServiceId.optional(),
}).strict();
const SignInBody = z.object({ staff: z.string().min(1).max(64), pin: z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits') }).strict();
const TargetBody = z.object({ service: ServiceId.nullable() }).strict();
const SimPadBody = z.object({ score: RatingScore, bounces: z.number().int().min(0).max(20).default(3) }).strict();
const SimKeyBody = z.object({ key: KeypadKey }).strict();

export interface StaffPageDeps {
  web: WebApp;
  hall: HallConfig;
  window: string;
  unit: CounterUnit;
  pad: RatingPad | null;
  /** What the LED board shows (decoded from the simulated chips, or the driver's last frame). */
  board: () => BoardView | { kind: 'digits' | 'matrix'; text: string; cells?: number[] } | null;
  /** Simulated hardware: press a pad button / keypad key as a citizen or clerk would. */
  sim?: { pressPad(score: RatingScore, bounces: number): Promise<void>; pressKey(key: KeypadKey): Promise<void> };
  /** Sign-in session lengths, ms (default: a 12 h shift, 2 h idle). */
  session?: { maxAgeMs?: number; idleMs?: number; now?: () => number };
}

async function json<T>(req: import('node:http').IncomingMessage, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; message: string }> {
  let raw: unknown;
  try { raw = JSON.parse(await readBody(req)); } catch (e) { return { ok: false, message: `body must be JSON (${(e as Error).message})` }; }
  const r = schema.safeParse(raw);
  if (!r.success) return { ok: false, message: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') };
  return { ok: true, value: r.data };
}

/** Mounts the page; `push()` sends the current view to open pages (call it when the board changes). */
export function mountStaffPage(d: StaffPageDeps): { close(): void; push(): void } {
  const base = `/window/${d.window}`;
  const win = d.hall.windows.find((w) => w.id === d.window)!;
  const sockets = new Set<import('ws').WebSocket>();

  const view = () => ({
    window: { id: win.id, name: win.name, floor: win.floor, own: win.own, overflow: win.overflow },
    state: d.unit.state,
    lost: d.unit.lost,
    board: d.board(),
    // The pad shows staff what the citizen sees; the reason is the citizen's to give, on the pad.
    pad: d.pad ? { phase: d.pad.phase, ticket: d.pad.ticket, lit: d.pad.lit(), scores: d.pad.scores, asking: d.pad.showing?.name ?? null } : null,
    services: d.hall.services.map((s) => ({ id: s.id, name: s.name })),
    staff: d.hall.staff.map((s) => ({ id: s.id, name: s.name, badge: s.badge })),
    transferTarget: d.unit.transferTarget,
    parked: d.unit.parked,
    history: d.unit.history,
    simulated: !!d.sim,
  });

  // Coalesce bursts (a blink, a frame) into one push per tick.
  let queued = false;
  const push = () => {
    if (queued || sockets.size === 0) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      const text = JSON.stringify({ type: 'view', view: view() });
      for (const s of sockets) if (s.readyState === 1) s.send(text);
    });
  };
  const offUnit = d.unit.onChange(push);
  const offPad = d.pad?.onChange(push);

  const sessions = new SessionStore({
    cookie: `manyi-w-${d.window}`, path: base, secure: d.web.secure,
    maxAgeMs: d.session?.maxAgeMs ?? 12 * 3600_000, idleMs: d.session?.idleMs ?? 2 * 3600_000, now: d.session?.now,
  });
  /** Who signed in last here, until the window's own state (retained, a moment later) names them. */
  let signedIn: string | null = null;
  const owner = () => d.unit.state?.staff?.id ?? signedIn;
  const mine = (req: IncomingMessage): Session => {
    const s = sessions.current(req);
    if (!s?.user) throw new HttpError(401, 'sign in first');
    if (s.user.id !== owner()) throw new HttpError(403, `window ${d.window} is open for someone else: sign in again`);
    return s;
  };
  const post = (path: string, run: (req: IncomingMessage, res: import('node:http').ServerResponse, s: Session) => Promise<void>) =>
    d.web.post(`${base}${path}`, async (req, res) => { const s = mine(req); sessions.checkPost(req, s); await run(req, res, s); });

  d.web.file(base, PAGE);
  d.web.file('/window/staff.js', SCRIPT); // the page's `<script src="staff.js">` (no inline script: CSP)
  d.web.get(`${base}/session`, (req, res) => {
    const s = sessions.ensure(req, res);
    const ok = !!s.user && s.user.id === owner();
    sendJson(res, 200, { signedIn: ok, staff: ok ? s.user!.id : null, csrf: sessions.csrfToken(s) });
  });
  d.web.post(`${base}/sign-in`, async (req, res) => {
    sessions.checkPost(req, sessions.current(req));
    const b = await json(req, SignInBody);
    if (!b.ok) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: b.message } });
    const closed = !d.unit.state || d.unit.state.status === 'closed';
    const reply = await d.unit.act({ action: closed ? 'open' : 'sign-in', staff: b.value.staff, pin: b.value.pin }, 'page');
    if (!reply) return sendJson(res, 504, { ok: false, error: { code: 'no-reply', message: d.unit.history[0]?.detail ?? 'no reply from the controller' } });
    if (!reply.ok) return sendJson(res, reply.error?.code === 'bad-login' ? 401 : 409, reply);
    signedIn = b.value.staff;
    const s = sessions.signIn(req, res, { kind: 'staff', id: b.value.staff });
    sendJson(res, 200, { ok: true, staff: b.value.staff, csrf: sessions.csrfToken(s) });
  });
  d.web.post(`${base}/sign-out`, async (req, res) => {
    sessions.checkPost(req, sessions.current(req));
    sessions.signOut(req, res);
    sendJson(res, 200, { ok: true });
  });
  d.web.get(`${base}/view`, (req, res) => { mine(req); sendJson(res, 200, view()); });
  d.web.socket(`${base}/ws`, (ws, req) => {
    try { sameOrigin(req); mine(req); } catch { ws.close(1008, 'sign in first'); return; }
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.send(JSON.stringify({ type: 'view', view: view() }));
  });
  post('/action', async (req, res) => {
    const b = await json(req, ActionBody);
    if (!b.ok) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: b.message } });
    const reply = await d.unit.act(b.value, 'page');
    // Closing the window ends the shift here: the next person signs in afresh.
    if (reply?.ok && b.value.action === 'close') { signedIn = null; sessions.signOut(req, res); }
    sendJson(res, reply ? 200 : 504, reply ?? { ok: false, error: { code: 'no-reply', message: d.unit.history[0]?.detail ?? 'no reply' } });
  });
  post('/transfer-target', async (req, res) => {
    const b = await json(req, TargetBody);
    if (!b.ok) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: b.message } });
    try { d.unit.setTransferTarget(b.value.service); sendJson(res, 200, { ok: true }); } catch (e) {
      sendJson(res, 400, { ok: false, error: { code: 'unknown-service', message: (e as Error).message } });
    }
  });
  if (d.sim) {
    const sim = d.sim;
    const local = { loopbackOnly: true };
    d.web.post(`${base}/sim/pad`, async (req, res) => {
      sameOrigin(req);
      const b = await json(req, SimPadBody);
      if (!b.ok) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: b.message } });
      if (!d.pad?.scores.includes(b.value.score)) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: `this pad has no ${b.value.score} button` } });
      await sim.pressPad(b.value.score, b.value.bounces);
      sendJson(res, 200, { ok: true });
    }, local);
    d.web.post(`${base}/sim/key`, async (req, res) => {
      sameOrigin(req);
      const b = await json(req, SimKeyBody);
      if (!b.ok) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: b.message } });
      await sim.pressKey(b.value.key);
      sendJson(res, 200, { ok: true });
    }, local);
  }
  return {
    push,
    close() {
      offUnit(); offPad?.();
      for (const s of sockets) s.close();
      sockets.clear();
    },
  };
}
