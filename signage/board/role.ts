// The lobby board role: follows the hall state, the calls and the windows'
// states, serves the lobby page (`/` and `/board/{device}`) with live pushes
// over a WebSocket, speaks each call, and scrolls the newest call and the
// advice on an LED matrix when the board has one.
import type { RoleContext, RoleHandle, RoleStarter } from '../../firmware/runtime/role.ts';
import { sendJson } from '../../firmware/web/app.ts';
import { loadBoardSpec, type BoardSpec } from '../../hw-specs/schema.ts';
import { openSimMax7219Board } from '../../firmware/hw/johnny-five-board.ts';
import { ReplayBus, superviseLedBoard } from '../led/link.ts';
import type { Max7219Emulator } from '../../firmware/hw/max7219.ts';
import { JohnnyFiveMax7219 } from '../led/max7219-chain.ts';
import { callLine, LedScroller } from '../led/scroller.ts';
import { EspeakSpeaker, SimSpeaker, type Speaker } from '../voice/speaker.ts';
import { VoiceQueue, type VoiceQueueOptions } from '../voice/queue.ts';
import { BoardModel, type BoardView } from './model.ts';
import { ControllerWatch } from '../liveness.ts';

export const DEFAULT_BOARD_SPEC = 'board-pi4';
const PAGE = new URL('./page/index.html', import.meta.url).pathname;
const SCRIPT = new URL('./page/board.js', import.meta.url).pathname;

export interface BoardOptions {
  spec?: BoardSpec;
  /** No sign of the controller (hall state, its health) for this long = page marked stale, ms (default 25 s). */
  staleAfterMs?: number;
  /** Use this speaker (tests, bench); default: simulated or espeak-ng per the device. */
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

export async function startBoard(ctx: RoleContext, opts: BoardOptions = {}): Promise<BoardHandle> {
  const spec = opts.spec ?? loadBoardSpec(ctx.device.spec ?? DEFAULT_BOARD_SPEC, 'board');
  const h = ctx.hall.hall.id;
  const dev = ctx.device.device;
  const staleAfterMs = opts.staleAfterMs ?? 25_000;
  const model = new BoardModel(ctx.hall, { floor: ctx.device.floor, services: ctx.device.services, windows: ctx.device.windows }, { staleAfterMs });
  const owner = `board:${dev}`;
  const watch = new ControllerWatch(ctx.bus, `${owner}:watch`, ctx.clock, staleAfterMs);
  const view = () => model.view(ctx.clock.now(), watch.stale());
  const health: Record<string, unknown> = {};

  // Voice.
  let speaker: Speaker | null = null;
  if (opts.speaker !== undefined) speaker = opts.speaker;
  else if (spec.speaker) {
    if (ctx.device.simulated) speaker = new SimSpeaker();
    else {
      try { speaker = new EspeakSpeaker({ alsaDevice: spec.speaker.alsaDevice }); } catch (e) {
        ctx.log.error({ err: (e as Error).message }, 'board: no voice');
        health.voice = (e as Error).message;
      }
    }
  }
  const voice = speaker ? new VoiceQueue(ctx.hall, speaker, { clock: ctx.clock, ...opts.voice }, ctx.log) : null;

  // LED matrix strip.
  let scroller: LedScroller | null = null;
  let matrix: Max7219Emulator | null = null;
  let simIo: { close(): void } | null = null;
  let link: { stop(): Promise<void> } | null = null;
  if (spec.ledMatrix) {
    const c = spec.ledMatrix.chain;
    const chain = { kind: 'matrix' as const, devices: c.devices, rows: c.rows, pins: c.pins, brightness: c.brightness };
    if (ctx.device.simulated) {
      const sim = await openSimMax7219Board(c.pins, c.devices);
      matrix = sim.emulator; simIo = sim.io;
      scroller = new LedScroller(new JohnnyFiveMax7219(sim.board, chain), { stepMs: opts.scrollStepMs });
    } else {
      // The strip survives the Arduino coming and going (and pages on a stock Firmata board: see LedScroller).
      const bus = new ReplayBus('matrix', c.devices, c.rows);
      scroller = new LedScroller(bus, { stepMs: opts.scrollStepMs });
      link = superviseLedBoard({
        port: spec.ledMatrix.arduino.port, chain, display: bus,
        onState: (state, why) => {
          ctx.setHealth({ ledMatrix: state });
          if (state === 'offline') ctx.log.error({ err: why }, 'board: LED matrix unavailable, retrying');
        },
      });
    }
  }
  ctx.setHealth({ voice: health.voice ?? (speaker ? 'ok' : 'none'), ledMatrix: !spec.ledMatrix ? 'none' : link ? 'connecting' : 'ok' });

  const shown = (window: string) => {
    return view().windows.some((w) => w.id === window);
  };
  const scroll = (restart: boolean) => {
    if (!scroller) return;
    const v = view();
    const lines = [...(v.calls[0] ? [callLine(v.calls[0])] : []), ...v.advice.map((a) => a.text)];
    scroller.show(v.stale ? [{ zh: '信息暂停更新，请以窗口屏为准', en: 'INFORMATION MAY BE OUT OF DATE' }] : lines, restart);
  };

  // Page pushes.
  const sockets = new Set<import('ws').WebSocket>();
  const send = (msg: unknown) => { const t = JSON.stringify(msg); for (const s of sockets) if (s.readyState === 1) s.send(t); };
  let queued = false;
  const pushView = () => {
    if (queued || sockets.size === 0) return;
    queued = true;
    setImmediate(() => { queued = false; send({ type: 'view', view: view() }); });
  };

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
      send({ type: 'call', call, view: view() });
      if (voice && (shown(call.window) || !ctx.device.floor)) voice.enqueue(call);
      scroll(true);
    }, bad('call')),
    ctx.bus.on(owner, 'window-state', 'any', (ws, from, meta) => {
      watch.alive(meta.retained);
      model.takeWindowState(from.window, ws);
      pushView();
    }),
  ]);
  await watch.start();

  let wasStale = watch.stale();
  const staleTimer = setInterval(() => {
    const s = watch.stale();
    if (s !== wasStale) {
      wasStale = s;
      if (s) ctx.log.warn('board: no hall state from the controller, marking the board stale');
      pushView();
      scroll(false);
    }
  }, 500);

  const base = `/board/${dev}`;
  ctx.web.file(base, PAGE);
  ctx.web.file('/board/board.js', SCRIPT); // the page's `<script src="board.js">` (no inline script: CSP)
  if (opts.mountRoot !== false) {
    ctx.web.get('/', (_req, res, _p, url) => { res.writeHead(302, { location: base + url.search }); res.end(); });
  }
  ctx.web.get(`${base}/view`, (_req, res) => sendJson(res, 200, view()));
  ctx.web.get(`${base}/matrix`, (_req, res) => sendJson(res, 200, { columns: scroller?.window() ?? [] }));
  ctx.web.socket(`${base}/ws`, (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.send(JSON.stringify({ type: 'view', view: view() }));
  });
  ctx.log.info({ device: dev, floor: ctx.device.floor ?? 'all', voice: !!voice, matrix: !!scroller }, 'board: started');

  return {
    model, voice, speaker, scroller, matrix,
    view,
    async stop() {
      clearInterval(staleTimer);
      await ctx.bus.removeOwner(owner);
      await watch.stop();
      for (const s of sockets) s.close();
      sockets.clear();
      voice?.close();
      scroller?.stop();
      simIo?.close();
      await link?.stop();
    },
  };
}

export const startBoardRole: RoleStarter = (ctx) => startBoard(ctx);
