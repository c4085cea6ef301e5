// The kiosk's touch page at /kiosk/{kioskId}: the service menu (closed services
// shown closed with their hours), a zh/en switch, appointment check-in, the
// printer's state, and the ticket on screen (with its QR code and where to get
// help when the printer cannot print). Live over /kiosk/{kioskId}/live.
import { z } from 'zod';
import type { WebSocket } from 'ws';
import type { HallConfig } from '../../firmware/config/hall.ts';
import { Lang, ServiceId } from '../../firmware/protocol/messages.ts';
import { describeIssues } from '../../firmware/protocol/decode.ts';
import { broadcast, readBody, sendJson, type WebApp } from '../../firmware/web/app.ts';
import type { MenuService } from '../menu.ts';
import type { PrinterState } from '../printer/types.ts';
import type { TicketRequest } from '../issuer.ts';
import { KIOSK_SCRIPT, kioskHtml } from './html.ts';
import { sameOrigin } from '../../firmware/security/sessions.ts';

export const PullBody = z.object({
  service: ServiceId,
  /** The screen's language; omitted: the language last chosen on the screen. */
  lang: Lang.optional(),
  /** A typed or scanned appointment code: gives a priority ticket. */
  appointment: z.string().regex(/^[A-Za-z0-9-]{4,32}$/, 'appointment code: 4–32 letters, digits or -').optional(),
}).strict();

export interface KioskPageSource {
  kioskId: string;
  hall: HallConfig;
  menu(): MenuService[];
  printer(): PrinterState | null;
  pull(req: TicketRequest): Promise<unknown>;
  /** The language last chosen on the screen (the kiosk's GPIO buttons print in it). */
  lang(): 'zh' | 'en';
  setLang(lang: 'zh' | 'en'): void;
  /** Serve the touch page to the network too, not only to the kiosk's own screen (loopback). */
  network?: boolean;
}

const LangBody = z.object({ lang: Lang }).strict();

export function mountKioskPage(web: WebApp, src: KioskPageSource): { update(): void; close(): void } {
  const base = `/kiosk/${src.kioskId}`;
  const clients = new Set<WebSocket>();
  const snapshot = () => ({
    type: 'state', hall: src.hall.hall.name, help: src.hall.hall.help ?? null, lang: src.lang(),
    printer: src.printer(), services: src.menu(),
  });

  // The touch page is the kiosk's own screen: nobody else on the hall's LAN pulls tickets through it.
  const only = { loopbackOnly: !src.network };
  web.get(base, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(kioskHtml(src.kioskId));
  }, only);
  web.file(`${base}/kiosk.js`, KIOSK_SCRIPT, only);
  web.get(`${base}/api/menu`, (_req, res) => sendJson(res, 200, snapshot()), only);
  web.post(`${base}/api/ticket`, async (req, res) => {
    sameOrigin(req); // a page of another site in the kiosk's browser cannot pull tickets
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) return sendJson(res, 415, { ok: false, code: 'bad-request', message: 'body must be application/json' });
    let body: unknown;
    try { body = JSON.parse(await readBody(req, 4096)); } catch { return sendJson(res, 400, { ok: false, code: 'bad-request', message: 'body must be JSON' }); }
    const p = PullBody.safeParse(body);
    if (!p.success) return sendJson(res, 400, { ok: false, code: 'bad-request', message: describeIssues(p.error) });
    const { appointment, ...rest } = p.data;
    const r = await src.pull({ ...rest, ...(appointment ? { appointment, priority: 'priority' } : {}) });
    sendJson(res, 200, r);
  }, only);
  web.post(`${base}/api/lang`, async (req, res) => {
    sameOrigin(req);
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) return sendJson(res, 415, { ok: false, code: 'bad-request', message: 'body must be application/json' });
    let body: unknown;
    try { body = JSON.parse(await readBody(req, 256)); } catch { return sendJson(res, 400, { ok: false, code: 'bad-request', message: 'body must be JSON' }); }
    const p = LangBody.safeParse(body);
    if (!p.success) return sendJson(res, 400, { ok: false, code: 'bad-request', message: describeIssues(p.error) });
    src.setLang(p.data.lang);
    sendJson(res, 200, { ok: true, lang: src.lang() });
  }, only);
  web.socket(`${base}/live`, (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.send(JSON.stringify(snapshot()));
  }, only);

  let pending: NodeJS.Timeout | null = null;
  return {
    // Coalesces bursts (hall state arrives every second).
    update() {
      if (pending || !clients.size) return;
      pending = setTimeout(() => { pending = null; broadcast(clients, snapshot()); }, 50);
    },
    close() { if (pending) clearTimeout(pending); for (const c of clients) c.close(); clients.clear(); },
  };
}
