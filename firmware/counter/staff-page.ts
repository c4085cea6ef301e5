// The staff page of one window, `/window/{w}`: the keypad's buttons and more
// (open/close with staff id, transfer target, park / call a parked ticket),
// each command's answer, and a drawing of the window's LED board and rating
// pad from the simulated hardware's own state. Live over a WebSocket.
import type { WebApp } from '../web/app.ts';
import { readBody, sendJson } from '../web/app.ts';
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
  action: WindowAction,
  ticket: TicketNo.optional(),
  service: ServiceId.optional(),
  staff: z.string().min(1).max(64).optional(),
}).strict();
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

  d.web.file(base, PAGE);
  d.web.file('/window/staff.js', SCRIPT); // the page's `<script src="staff.js">` (no inline script: CSP)
  d.web.get(`${base}/view`, (_req, res) => sendJson(res, 200, view()));
  d.web.socket(`${base}/ws`, (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.send(JSON.stringify({ type: 'view', view: view() }));
  });
  d.web.post(`${base}/action`, async (req, res) => {
    const b = await json(req, ActionBody);
    if (!b.ok) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: b.message } });
    const reply = await d.unit.act(b.value, 'page');
    sendJson(res, reply ? 200 : 504, reply ?? { ok: false, error: { code: 'no-reply', message: d.unit.history[0]?.detail ?? 'no reply' } });
  });
  d.web.post(`${base}/transfer-target`, async (req, res) => {
    const b = await json(req, TargetBody);
    if (!b.ok) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: b.message } });
    try { d.unit.setTransferTarget(b.value.service); sendJson(res, 200, { ok: true }); } catch (e) {
      sendJson(res, 400, { ok: false, error: { code: 'unknown-service', message: (e as Error).message } });
    }
  });
  if (d.sim) {
    const sim = d.sim;
    d.web.post(`${base}/sim/pad`, async (req, res) => {
      const b = await json(req, SimPadBody);
      if (!b.ok) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: b.message } });
      if (!d.pad?.scores.includes(b.value.score)) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: `this pad has no ${b.value.score} button` } });
      await sim.pressPad(b.value.score, b.value.bounces);
      sendJson(res, 200, { ok: true });
    });
    d.web.post(`${base}/sim/key`, async (req, res) => {
      const b = await json(req, SimKeyBody);
      if (!b.ok) return sendJson(res, 400, { ok: false, error: { code: 'bad-request', message: b.message } });
      await sim.pressKey(b.value.key);
      sendJson(res, 200, { ok: true });
    });
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
