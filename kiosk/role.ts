// The kiosk role: a service menu on a touch page and on GPIO buttons, tickets from
// the controller (or an offline block), printed as ESC/POS; the printer's status
// polled and reported in `health` (the controller turns it into alerts). When the
// printer cannot print, the ticket is shown on screen with its QR code. Made of
// parts; the printer and GPIO come from the hardware kit (real or simulated there).
import { join } from 'node:path';
import QRCode from 'qrcode';
import { Requester } from '../firmware/bus/requester.ts';
import { Button } from '../firmware/hw/button.ts';
import type { GpioChip, OutputPin } from '../firmware/hw/gpio.ts';
import type { Bilingual, HallState, IssuedTicket } from '../firmware/protocol/messages.ts';
import { part, startParts, type Part, type RoleDefinition } from '../firmware/runtime/parts.ts';
import type { RoleContext, RoleHandle } from '../firmware/runtime/role.ts';
import { readBody, sendJson } from '../firmware/web/app.ts';
import { sameOrigin } from '../firmware/security/sessions.ts';
import { loadBoardSpec, type KioskSpec } from '../hw-specs/schema.ts';
import { TicketIssuer, type IssuerOptions, type TicketRequest } from './issuer.ts';
import { buildMenu } from './menu.ts';
import { OfflineStore } from './offline/store.ts';
import { mountKioskPage } from './page/page.ts';
import { acquireSharedRenderer } from './preview/render.ts';
import { PRINTER_STATES, PrinterError, StatusPoller, type Printer, type PrinterState } from './printer/index.ts';
import { statusUrl, ticketBytes } from './ticket/layout.ts';

export type PullResult =
  | { ok: true; ticket: IssuedTicket; offline: boolean; printed: boolean; printer: PrinterState; statusUrl: string | null; qrSvg: string | null; help: Bilingual | null }
  | { ok: false; code: string; message: string };

export interface KioskHandle extends RoleHandle {
  pull(req: TicketRequest): Promise<PullResult>;
  printerState(): PrinterState | null;
  readonly issuer: TicketIssuer;
  readonly store: OfflineStore;
  readonly printer: Printer;
}

export interface KioskRoleOptions {
  /** The printer (default: the kit's, from the spec). */
  printer?: Printer;
  /** GPIO for the spec's buttons and lamps (default: the kit's). */
  gpio?: GpioChip;
  /** The board spec (default: the board's, else an 80 mm native-QR printer and no buttons). */
  spec?: KioskSpec;
  issuer?: IssuerOptions;
  statusPollMs?: number;
  /** Draw .png previews of simulated prints (default: yes unless MANYI_PRINT_PREVIEW=0). */
  previews?: boolean;
}

const DEFAULT_PRINTER: KioskSpec['printer'] = { model: 'simulated', paperMm: 80, connection: { type: 'usb' }, qr: 'native' };

/** What the kiosk's parts share. */
interface Shared {
  kioskId: string;
  spec?: KioskSpec;
  printer?: Printer;
  store?: OfflineStore;
  issuer?: TicketIssuer;
  hallState: HallState | null;
  poller?: StatusPoller;
  refresh(): void;
  pull?: (req: TicketRequest) => Promise<PullResult>;
  /** The language last chosen on the screen, the hall's until then: GPIO buttons print in it. */
  screenLang: 'zh' | 'en';
}

function kioskParts(o: KioskRoleOptions, s: Shared): Part[] {
  const printerSpec = () => s.spec?.printer ?? DEFAULT_PRINTER;
  // Lamps on the kiosk box: green ok, red when no ticket can print, amber for paper.
  let showLamps = (_s: PrinterState): void => {};
  return [
    part('spec', (ctx) => {
      s.spec = o.spec ?? (ctx.hw.spec?.type === 'kiosk' ? ctx.hw.spec : ctx.device.spec ? loadBoardSpec(ctx.device.spec, 'kiosk') : undefined);
    }),
    part('printer', async (ctx) => {
      if (o.printer) { s.printer = o.printer; return; }
      const previews = (o.previews ?? process.env.MANYI_PRINT_PREVIEW !== '0') ? acquireSharedRenderer() : null;
      s.printer = await ctx.hw.printer(printerSpec(), {
        prefix: s.kioskId, renderer: previews?.renderer,
        onPreviewError: (e) => ctx.log.warn({ err: e.message }, 'ticket preview failed'),
      });
      // The last tickets' previews are drawn before the renderer goes.
      if (previews) return async () => { await s.printer!.close(); await previews.release(); };
    }),
    part('offline store and requests', async (ctx) => {
      const store = s.store = new OfflineStore(join(ctx.dataDir, `offline-${s.kioskId}.jsonl`));
      const requester = new Requester(ctx.bus, { owner: `kiosk:${s.kioskId}:requests`, closedMessage: 'kiosk stopped' });
      s.issuer = new TicketIssuer(requester, s.kioskId, store, ctx.hall, ctx.clock, { ...o.issuer, log: ctx.log });
      return async () => { await requester.close(); store.close(); };
    }),
    part('hall state', async (ctx) => {
      const owner = `kiosk:${s.kioskId}`;
      await ctx.bus.on(owner, 'hall-state', {}, (state) => { s.hallState = state; s.refresh(); });
      // Back online: hand over what was issued offline, top the blocks up.
      ctx.bus.onConnect(owner, () => void s.issuer!.sync());
      return () => ctx.bus.removeOwner(owner);
    }),
    part('printer status', (ctx) => {
      const poller = s.poller = new StatusPoller(() => s.printer!.status(), (st, prev) => {
        ctx.setHealth({ printer: st });
        showLamps(st);
        if (prev !== null) ctx.log.info({ printer: st, was: prev }, 'printer state changed');
        s.refresh();
      }, o.statusPollMs ?? 2000);
      return () => poller.stop();
    }),
    part('tickets and page', (ctx) => {
      s.pull = (req) => pull(ctx, s, printerSpec(), req);
      const page = mountKioskPage(ctx.web, {
        kioskId: s.kioskId, hall: ctx.hall,
        menu: () => buildMenu(ctx.hall, ctx.clock.now(), s.hallState),
        printer: () => s.poller!.state,
        pull: s.pull,
        lang: () => s.screenLang,
        setLang: (l) => { s.screenLang = l; page.update(); },
        network: ctx.device.kioskPage === 'network',
      });
      s.refresh = () => page.update();
      // A simulated board: the demo and tests tell its printer it ran out of paper.
      const sim = ctx.hw.sim;
      if (sim) {
        ctx.web.post(`/kiosk/${s.kioskId}/sim/printer`, async (req, res) => {
          sameOrigin(req);
          let state: unknown;
          try { state = (JSON.parse(await readBody(req, 1024)) as { state?: unknown }).state; } catch { /* answered below */ }
          if (!PRINTER_STATES.includes(state as PrinterState)) return sendJson(res, 400, { error: `state must be one of ${PRINTER_STATES.join(', ')}` });
          try { sim.setPrinter(state as PrinterState); } catch (e) { return sendJson(res, 409, { error: (e as Error).message }); }
          sendJson(res, 200, { state: await s.poller!.pollNow() });
        }, { loopbackOnly: true });
      }
      return () => { s.refresh = () => {}; page.close(); };
    }),
    part('buttons and lamps', async (ctx) => {
      const spec = s.spec;
      const leds = spec?.statusLeds ?? {};
      if (!spec?.buttons.length && !leds.ok && !leds.fault && !leds.paper) return;
      const gpio = o.gpio ?? await ctx.hw.gpio();
      const lamp = (l?: { bcm: number; activeLow: boolean }): OutputPin | null => (l ? gpio.output(l.bcm, { activeLow: l.activeLow, initial: 0 }) : null);
      const okLed = lamp(leds.ok), faultLed = lamp(leds.fault), paperLed = lamp(leds.paper);
      showLamps = (st) => {
        okLed?.write(st === 'ok' || st === 'paper-low' ? 1 : 0);
        faultLed?.write(st === 'ok' || st === 'paper-low' ? 0 : 1);
        paperLed?.write(st === 'paper-low' || st === 'paper-out' ? 1 : 0);
      };
      const buttons = (spec?.buttons ?? []).map((b) => {
        const btn = new Button(gpio, b.bcm, { debounceMs: b.debounceMs, activeLow: b.activeLow });
        btn.onPress(() => void s.pull!({ service: b.service }).then((r) => {
          if (!r.ok) ctx.log.warn({ service: b.service, code: r.code }, r.message);
        }));
        return btn;
      });
      return () => {
        showLamps = () => {};
        for (const b of buttons) b.close();
        for (const l of [okLed, faultLed, paperLed]) l?.close();
      };
    }),
    part('sync', (ctx) => {
      s.poller!.start();
      void s.issuer!.sync();
      // Services open and close by the clock: refresh the menu, and top the blocks up.
      const tick = setInterval(() => { s.refresh(); if (ctx.bus.connected) void s.issuer!.sync(); }, 30_000);
      ctx.log.info({ kiosk: s.kioskId, paper: printerSpec().paperMm, printer: printerSpec().model }, 'kiosk started');
      return () => clearInterval(tick);
    }),
  ];
}

/** One citizen's ticket: from the controller (or a block), printed, or shown when it cannot print. */
async function pull(ctx: RoleContext, s: Shared, printerSpec: KioskSpec['printer'], req: TicketRequest): Promise<PullResult> {
  const { hall, log } = ctx;
  if (req.lang) s.screenLang = req.lang;
  const lang = req.lang ?? s.screenLang;
  const item = buildMenu(hall, ctx.clock.now(), s.hallState).find((m) => m.id === req.service);
  if (!item) return { ok: false, code: 'unknown-service', message: `no service ${req.service} in this hall` };
  if (!item.open) return { ok: false, code: 'service-closed', message: `${item.name.en} is closed now` };
  const r = await s.issuer!.issue(req);
  if (!r.ok) return r;
  // The reply's advice, else the hall's current advice for this service (retained hall state).
  const advice = r.ticket.advice ?? (r.offline ? undefined : s.hallState?.advice.find((a) => a.service === r.ticket.service)?.text);
  const ticket = advice ? { ...r.ticket, advice } : r.ticket;
  const bytes = ticketBytes({ hall, ticket, lang, paper: printerSpec.paperMm, qr: printerSpec.qr, offline: r.offline });
  let printed = false;
  try {
    await s.printer!.print(bytes, r.ticket.no);
    printed = true;
  } catch (e) {
    log.warn({ no: r.ticket.no, err: (e as Error).message, state: e instanceof PrinterError ? e.state : undefined }, 'ticket not printed; shown on screen');
  }
  // A failed print with a printer that now reports ok still did not print.
  const polled = printed ? null : await s.poller!.pollNow();
  const state: PrinterState = printed ? (s.poller!.state ?? 'ok') : polled === 'ok' ? 'offline' : polled!;
  const url = statusUrl(hall, ticket);
  return {
    ok: true, ticket, offline: r.offline, printed, printer: state, statusUrl: url,
    qrSvg: url ? await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) : null,
    help: hall.hall.help ?? null,
  };
}

function shared(ctx: RoleContext): Shared {
  return { kioskId: ctx.device.kiosk ?? ctx.device.device, hallState: null, refresh: () => {}, screenLang: ctx.hall.hall.lang ?? 'zh' };
}

export const kioskRole: RoleDefinition = { role: 'kiosk', parts: (ctx) => kioskParts({}, shared(ctx)) };

/** The kiosk with options, and what tests reach (pull, issuer, offline store, printer). */
export function createKioskRole(o: KioskRoleOptions = {}): (ctx: RoleContext) => Promise<KioskHandle> {
  return async (ctx) => {
    const s = shared(ctx);
    const running = await startParts(ctx, kioskParts(o, s));
    return {
      pull: (req) => s.pull!(req), printerState: () => s.poller!.state,
      issuer: s.issuer!, store: s.store!, printer: s.printer!,
      stop: () => running.stop(),
    };
  };
}
