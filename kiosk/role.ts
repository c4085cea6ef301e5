// The kiosk role: a service menu on a touch page and on GPIO buttons, tickets from
// the controller (or an offline block), printed as ESC/POS; the printer's status
// polled and reported in `health` (the controller turns it into alerts). When the
// printer cannot print, the ticket is shown on screen with its QR code.
import { join } from 'node:path';
import QRCode from 'qrcode';
import type { RoleContext, RoleHandle, RoleStarter } from '../firmware/runtime/role.ts';
import type { Bilingual, HallState, IssuedTicket } from '../firmware/protocol/messages.ts';
import { Requester } from '../firmware/bus/requester.ts';
import type { GpioChip } from '../firmware/hw/gpio.ts';
import { Button } from '../firmware/hw/button.ts';
import { loadBoardSpec, type KioskSpec } from '../hw-specs/schema.ts';
import { TicketIssuer, type IssuerOptions, type TicketRequest } from './issuer.ts';
import { buildMenu } from './menu.ts';
import { OfflineStore } from './offline/store.ts';
import { mountKioskPage } from './page/page.ts';
import { createPrinter, PRINTER_STATES, PrinterError, SimPrinter, StatusPoller, type Printer, type PrinterState } from './printer/index.ts';
import { readBody, sendJson } from '../firmware/web/app.ts';
import { acquireSharedRenderer } from './preview/render.ts';
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
  /** The printer (default: from the spec; simulated when the device is). */
  printer?: Printer;
  /** GPIO for the spec's buttons (default: simulated twin or onoff). */
  gpio?: GpioChip;
  /** The board spec (default: `ctx.device.spec`, else an 80 mm native-QR printer and no buttons). */
  spec?: KioskSpec;
  issuer?: IssuerOptions;
  statusPollMs?: number;
  /** Draw .png previews of simulated prints (default: yes unless MANYI_PRINT_PREVIEW=0). */
  previews?: boolean;
}

const DEFAULT_PRINTER: KioskSpec['printer'] = { model: 'simulated', paperMm: 80, connection: { type: 'usb' }, qr: 'native' };

export function createKioskRole(opts: KioskRoleOptions = {}): (ctx: RoleContext) => Promise<KioskHandle> {
  return async (ctx) => {
    const { hall, device, log } = ctx;
    const kioskId = device.kiosk ?? device.device;
    const spec = opts.spec ?? (device.spec ? loadBoardSpec(device.spec, 'kiosk') : undefined);
    const printerSpec = spec?.printer ?? DEFAULT_PRINTER;
    const paper = printerSpec.paperMm;

    let previews: ReturnType<typeof acquireSharedRenderer> | null = null;
    const printer = opts.printer ?? await createPrinter(printerSpec, {
      simulated: device.simulated,
      sim: {
        prefix: kioskId,
        renderer: (opts.previews ?? process.env.MANYI_PRINT_PREVIEW !== '0') ? (previews = acquireSharedRenderer()).renderer : undefined,
        onPreviewError: (e) => log.warn({ err: e.message }, 'ticket preview failed'),
      },
    });

    const store = new OfflineStore(join(ctx.dataDir, `offline-${kioskId}.jsonl`));
    const owner = `kiosk:${kioskId}`;
    const requester = new Requester(ctx.bus, { owner: `${owner}:requests`, closedMessage: 'kiosk stopped' });
    const issuer = new TicketIssuer(requester, kioskId, store, hall, ctx.clock, { ...opts.issuer, log });

    let hallState: HallState | null = null;
    let refreshPage = (): void => {}; // until the page is mounted below
    await ctx.bus.on(owner, 'hall-state', {}, (s) => { hallState = s; refreshPage(); });
    // Back online: hand over what was issued offline, top the blocks up.
    let started = false;
    ctx.bus.onConnect(owner, () => { if (started) void issuer.sync(); });

    const poller = new StatusPoller(() => printer.status(), (s, prev) => {
      ctx.setHealth({ printer: s });
      showLeds(s);
      if (prev !== null) log.info({ printer: s, was: prev }, 'printer state changed');
      page.update();
    }, opts.statusPollMs ?? 2000);

    // The language last chosen on the screen, the hall's until then: GPIO buttons print in it.
    let screenLang: 'zh' | 'en' = hall.hall.lang ?? 'zh';
    async function pull(req: TicketRequest): Promise<PullResult> {
      if (req.lang) screenLang = req.lang;
      const lang = req.lang ?? screenLang;
      const item = buildMenu(hall, ctx.clock.now(), hallState).find((m) => m.id === req.service);
      if (!item) return { ok: false, code: 'unknown-service', message: `no service ${req.service} in this hall` };
      if (!item.open) return { ok: false, code: 'service-closed', message: `${item.name.en} is closed now` };
      const r = await issuer.issue(req);
      if (!r.ok) return r;
      // The reply's advice, else the hall's current advice for this service (retained hall state).
      const advice = r.ticket.advice ?? (r.offline ? undefined : hallState?.advice.find((a) => a.service === r.ticket.service)?.text);
      const ticket = advice ? { ...r.ticket, advice } : r.ticket;
      const bytes = ticketBytes({ hall, ticket, lang, paper, qr: printerSpec.qr, offline: r.offline });
      let printed = false;
      try {
        await printer.print(bytes, r.ticket.no);
        printed = true;
      } catch (e) {
        log.warn({ no: r.ticket.no, err: (e as Error).message, state: e instanceof PrinterError ? e.state : undefined }, 'ticket not printed; shown on screen');
      }
      const state = printed ? (poller.state ?? 'ok') : e2state(await poller.pollNow());
      const url = statusUrl(hall, ticket);
      return {
        ok: true, ticket, offline: r.offline, printed, printer: state, statusUrl: url,
        qrSvg: url ? await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) : null,
        help: hall.hall.help ?? null,
      };
    }
    // A failed print with a printer that now reports ok still did not print.
    const e2state = (s: PrinterState): PrinterState => (s === 'ok' ? 'offline' : s);

    const page = mountKioskPage(ctx.web, {
      kioskId, hall,
      menu: () => buildMenu(hall, ctx.clock.now(), hallState),
      printer: () => poller.state,
      pull,
      lang: () => screenLang,
      setLang: (l) => { screenLang = l; page.update(); },
      network: device.kioskPage === 'network',
    });

    refreshPage = () => page.update();

    // Simulated hardware only: the demo and tests tell the printer it ran out of paper.
    if (printer instanceof SimPrinter) {
      ctx.web.post(`/kiosk/${kioskId}/sim/printer`, async (req, res) => {
        let state: unknown;
        try { state = (JSON.parse(await readBody(req, 1024)) as { state?: unknown }).state; } catch { /* answered below */ }
        if (!PRINTER_STATES.includes(state as PrinterState)) return sendJson(res, 400, { error: `state must be one of ${PRINTER_STATES.join(', ')}` });
        printer.setState(state as PrinterState);
        sendJson(res, 200, { state: await poller.pollNow() });
      }, { loopbackOnly: true });
    }

    const buttons: Button[] = [];
    let gpio: GpioChip | null = null;
    const leds = spec?.statusLeds ?? {};
    if (spec?.buttons.length || leds.ok || leds.fault || leds.paper) {
      gpio = opts.gpio ?? (device.simulated
        ? new (await import('../firmware/hw/gpio-sim.ts')).SimGpioChip()
        : new (await import('../firmware/hw/gpio-onoff.ts')).OnoffGpioChip());
    }
    // Status lamps on the kiosk box: green ok, red when no ticket can print, amber for paper.
    const lamp = (l?: { bcm: number; activeLow: boolean }) => (l && gpio ? gpio.output(l.bcm, { activeLow: l.activeLow, initial: 0 }) : null);
    const okLed = lamp(leds.ok), faultLed = lamp(leds.fault), paperLed = lamp(leds.paper);
    function showLeds(s: PrinterState): void {
      okLed?.write(s === 'ok' || s === 'paper-low' ? 1 : 0);
      faultLed?.write(s === 'ok' || s === 'paper-low' ? 0 : 1);
      paperLed?.write(s === 'paper-low' || s === 'paper-out' ? 1 : 0);
    }
    if (gpio && spec?.buttons.length) {
      for (const b of spec.buttons) {
        const btn = new Button(gpio, b.bcm, { debounceMs: b.debounceMs, activeLow: b.activeLow });
        btn.onPress(() => void pull({ service: b.service }).then((r) => {
          if (!r.ok) log.warn({ service: b.service, code: r.code }, r.message);
        }));
        buttons.push(btn);
      }
    }

    poller.start();
    started = true;
    void issuer.sync();
    // Services open and close by the clock: refresh the menu, and top the blocks up.
    const tick = setInterval(() => { page.update(); if (ctx.bus.connected) void issuer.sync(); }, 30_000);
    log.info({ kiosk: kioskId, paper, printer: printerSpec.model }, 'kiosk started');

    return {
      pull, issuer, store, printer,
      printerState: () => poller.state,
      async stop() {
        poller.stop();
        clearInterval(tick);
        for (const b of buttons) b.close();
        for (const l of [okLed, faultLed, paperLed]) l?.close();
        if (!opts.gpio) gpio?.close();
        await ctx.bus.removeOwner(owner);
        await requester.close();
        page.close();
        await printer.close();
        await previews?.release();
        store.close();
      },
    };
  };
}

export const startKioskRole: RoleStarter = createKioskRole();
