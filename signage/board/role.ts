// The lobby board role: follows the hall state, the calls and the windows'
// states, serves the lobby page (`/` and `/board/{device}`) with live pushes
// over a WebSocket, speaks each call, and scrolls the newest call and the
// advice on an LED matrix when the board has one. Made of parts; the speaker and
// the LED strip come from the hardware kit (real or simulated there).
import { ControllerWatch } from '../../firmware/bus/controller-watch.ts';
import type { MatrixStrip, Speaker } from '../../firmware/hw/kit.ts';
import type { Max7219Emulator } from '../../firmware/hw/max7219.ts';
import { part, startParts, type Part, type RoleDefinition } from '../../firmware/runtime/parts.ts';
import type { RoleContext, RoleHandle } from '../../firmware/runtime/role.ts';
import { sendJson } from '../../firmware/web/app.ts';
import { loadBoardSpec, type BoardSpec } from '../../hw-specs/schema.ts';
import { callLine, type LedScroller } from '../led/scroller.ts';
import { VoiceQueue, type VoiceQueueOptions } from '../voice/queue.ts';
import { BoardModel, type BoardView } from './model.ts';

export const DEFAULT_BOARD_SPEC = 'board-pi4';
const PAGE = new URL('./page/index.html', import.meta.url).pathname;
const SCRIPT = new URL('./page/board.js', import.meta.url).pathname;

export interface BoardOptions {
  spec?: BoardSpec;
  /** No sign of the controller (hall state, its health) for this long = page marked stale, ms (default 25 s). */
  staleAfterMs?: number;
  /** Use this speaker (tests, bench); default: the kit's, when the spec has one. */
  speaker?: Speaker | null;
  voice?: VoiceQueueOptions;
  /** Scroll step of the LED matrix, ms. */
  scrollStepMs?: number;
  /** Mount `/` as well (a board's own web host); the demo's shared host may say no. */
  mountRoot?: boolean;
}

export interface BoardHandle extends RoleHandle {
  model: BoardModel;
  voice: VoiceQueue | null;
  speaker: Speaker | null;
  scroller: LedScroller | null;
  matrix: Max7219Emulator | null;
  view(): BoardView;
}

interface Shared {
  spec?: BoardSpec;
  model?: BoardModel;
  watch?: ControllerWatch;
  speaker: Speaker | null;
  voice: VoiceQueue | null;
  strip: MatrixStrip | null;
  sockets: Set<import('ws').WebSocket>;
  view(): BoardView;
}

function boardParts(o: BoardOptions, s: Shared): Part[] {
  const scroll = (restart: boolean) => {
    if (!s.strip) return;
    const v = s.view();
    const lines = [...(v.calls[0] ? [callLine(v.calls[0])] : []), ...v.advice.map((a) => a.text)];
    s.strip.scroller.show(v.stale ? [{ zh: '信息暂停更新，请以窗口屏为准', en: 'INFORMATION MAY BE OUT OF DATE' }] : lines, restart);
  };
  const send = (msg: unknown) => { const t = JSON.stringify(msg); for (const ws of s.sockets) if (ws.readyState === 1) ws.send(t); };
  let queued = false;
  const pushView = () => {
    if (queued || s.sockets.size === 0) return;
    queued = true;
    setImmediate(() => { queued = false; send({ type: 'view', view: s.view() }); });
  };
  return [
    part('spec and model', (ctx) => {
      s.spec = o.spec ?? (ctx.hw.spec?.type === 'board' ? ctx.hw.spec : loadBoardSpec(ctx.device.spec ?? DEFAULT_BOARD_SPEC, 'board'));
      const staleAfterMs = o.staleAfterMs ?? 25_000;
      const model = s.model = new BoardModel(ctx.hall, { floor: ctx.device.floor, services: ctx.device.services, windows: ctx.device.windows }, { staleAfterMs });
      const watch = s.watch = new ControllerWatch(ctx.bus, `board:${ctx.device.device}:watch`, ctx.clock, staleAfterMs);
      s.view = () => model.view(ctx.clock.now(), watch.stale());
      return () => watch.stop();
    }),
    part('voice', async (ctx) => {
      let why: string | undefined;
      if (o.speaker !== undefined) s.speaker = o.speaker;
      else if (s.spec!.speaker) {
        try { s.speaker = await ctx.hw.speaker({ alsaDevice: s.spec!.speaker.alsaDevice }); } catch (e) {
          why = (e as Error).message;
          ctx.log.error({ err: why }, 'board: no voice');
        }
      }
      const voice = s.voice = s.speaker ? new VoiceQueue(ctx.hall, s.speaker, { clock: ctx.clock, ...o.voice }, ctx.log) : null;
      ctx.setHealth({ voice: why ?? (s.speaker ? 'ok' : 'none') });
      return () => voice?.close();
    }),
    part('LED strip', async (ctx) => {
      const m = s.spec!.ledMatrix;
      if (!m) { ctx.setHealth({ ledMatrix: 'none' }); return; }
      s.strip = await ctx.hw.matrixStrip({ kind: 'matrix', devices: m.chain.devices, rows: m.chain.rows, pins: m.chain.pins, brightness: m.chain.brightness }, {
        port: m.arduino.port, stepMs: o.scrollStepMs,
        onState: (state, why) => {
          ctx.setHealth({ ledMatrix: state });
          if (state === 'offline') ctx.log.error({ err: why }, 'board: LED matrix unavailable, retrying');
        },
      });
    }),
    part('hall, calls and windows', async (ctx) => {
      const owner = `board:${ctx.device.device}`;
      const { model, watch } = s as Required<Shared>;
      const shown = (window: string) => s.view().windows.some((w) => w.id === window);
      const bad = (what: string) => (_e: unknown, _f: unknown, meta: { topic: string }) => ctx.log.warn({ topic: meta.topic }, `board: bad ${what} ignored`);
      await Promise.all([
        ctx.bus.on(owner, 'hall-state', {}, (state, _f, meta) => {
          watch.alive(meta.retained);
          model.takeHallState(state, ctx.clock.now());
          pushView();
          scroll(false);
        }, bad('hall state')),
        ctx.bus.on(owner, 'call', {}, (c) => {
          watch.alive();
          const call = model.takeCall(c);
          if (!call) return;
          // The call goes out at once, not coalesced: it is what people watch for.
          send({ type: 'call', call, view: s.view() });
          if (s.voice && (shown(call.window) || !ctx.device.floor)) s.voice.enqueue(call);
          scroll(true);
        }, bad('call')),
        ctx.bus.on(owner, 'window-state', 'any', (ws, from, meta) => {
          watch.alive(meta.retained);
          model.takeWindowState(from.window, ws);
          pushView();
        }),
        watch.start(),
      ]);
      let wasStale = watch.stale();
      const staleTimer = setInterval(() => {
        const now = watch.stale();
        if (now === wasStale) return;
        wasStale = now;
        if (now) ctx.log.warn('board: no hall state from the controller, marking the board stale');
        pushView();
        scroll(false);
      }, 500);
      return async () => { clearInterval(staleTimer); await ctx.bus.removeOwner(owner); };
    }),
    part('lobby page', (ctx) => {
      const base = `/board/${ctx.device.device}`;
      ctx.web.file(base, PAGE);
      ctx.web.file('/board/board.js', SCRIPT); // the page's `<script src="board.js">` (no inline script: CSP)
      if (o.mountRoot !== false) {
        ctx.web.get('/', (_req, res, _p, url) => { res.writeHead(302, { location: base + url.search }); res.end(); });
      }
      ctx.web.get(`${base}/view`, (_req, res) => sendJson(res, 200, s.view()));
      ctx.web.get(`${base}/matrix`, (_req, res) => sendJson(res, 200, { columns: s.strip?.scroller.window() ?? [] }));
      ctx.web.socket(`${base}/ws`, (ws) => {
        s.sockets.add(ws);
        ws.on('close', () => s.sockets.delete(ws));
        ws.send(JSON.stringify({ type: 'view', view: s.view() }));
      });
      ctx.log.info({ device: ctx.device.device, floor: ctx.device.floor ?? 'all', voice: !!s.voice, matrix: !!s.strip }, 'board: started');
      return () => { for (const ws of s.sockets) ws.close(); s.sockets.clear(); };
    }),
  ];
}

function shared(): Shared {
  return { speaker: null, voice: null, strip: null, sockets: new Set(), view: () => { throw new Error('board not started'); } };
}

export const boardRole: RoleDefinition = { role: 'board', parts: () => boardParts({}, shared()) };

/** The board with options, and what tests reach (the model, voice, LED strip). */
export async function startBoard(ctx: RoleContext, o: BoardOptions = {}): Promise<BoardHandle> {
  const s = shared();
  const running = await startParts(ctx, boardParts(o, s));
  return {
    model: s.model!, voice: s.voice, speaker: s.speaker, scroller: s.strip?.scroller ?? null, matrix: s.strip?.emulator ?? null,
    view: () => s.view(), stop: () => running.stop(),
  };
}
