// The page behind a ticket's QR code: /t/{day}/{no}, phone-sized, live over
// /t/{day}/{no}/live (position, estimated wait, called and where). The controller
// (or the integrator) gives it a source of ticket status and a change signal.
import { z } from 'zod';
import type { WebSocket } from 'ws';
import type { HallConfig } from '../../config/hall.ts';
import { ServiceId, TicketNo } from '../../protocol/messages.ts';
import { sendJson, type WebApp } from '../../web/app.ts';
import { STATUS_SCRIPT, statusHtml } from './html.ts';

export const TicketStatus = z.object({
  no: TicketNo,
  service: ServiceId,
  state: z.enum(['waiting', 'called', 'serving', 'done', 'no-show', 'parked']),
  ahead: z.number().int().min(0),
  estWaitS: z.number().min(0),
  window: z.string().optional(),
  windowName: z.string().optional(),
  floor: z.string().optional(),
});
export type TicketStatus = z.infer<typeof TicketStatus>;

export interface TicketStatusSource {
  status(day: string, no: string): TicketStatus | null;
  /** Calls `listener` after any change to the queues; returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** Adapts the controller's engine (`ticketStatus`, `onChange`) to the page's source. */
export function engineTicketSource(engine: { ticketStatus(day: string, no: string): TicketStatus | null; onChange(l: () => void): () => void }): TicketStatusSource {
  return { status: (day, no) => engine.ticketStatus(day, no), onChange: (l) => engine.onChange(l) };
}

const Day = /^\d{4}-\d{2}-\d{2}$/;
const valid = (day: string, no: string) => Day.test(day) && TicketNo.safeParse(no).success;

/** What the page shows: the status plus the names a phone needs (service, floor). */
export function statusView(hall: HallConfig, day: string, no: string, s: TicketStatus | null) {
  if (!s) return { day, no, found: false as const };
  const svc = hall.services.find((x) => x.id === s.service);
  const floor = s.floor ? hall.floors.find((f) => f.id === s.floor)?.name ?? { zh: s.floor, en: s.floor } : null;
  return { day, found: true as const, ...s, serviceName: svc?.name ?? { zh: s.service, en: s.service }, floorName: floor };
}

export function mountTicketStatusPage(web: WebApp, source: TicketStatusSource, hall: HallConfig): { close(): void } {
  const sockets = new Map<WebSocket, { day: string; no: string; last: string }>();
  const read = (day: string, no: string) => {
    try { return statusView(hall, day, no, source.status(day, no)); } catch { return statusView(hall, day, no, null); }
  };
  const push = (ws: WebSocket, sub: { day: string; no: string; last: string }) => {
    const text = JSON.stringify(read(sub.day, sub.no));
    if (text !== sub.last && ws.readyState === 1) { sub.last = text; ws.send(text); }
  };

  web.file('/t/status.js', STATUS_SCRIPT);
  web.get('/t/:day/:no', (_req, res, p) => {
    if (!valid(p.day, p.no)) return sendJson(res, 404, { error: 'no such ticket' });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(statusHtml(hall, p.day, p.no));
  });
  web.get('/t/:day/:no/json', (_req, res, p) => {
    if (!valid(p.day, p.no)) return sendJson(res, 404, { error: 'no such ticket' });
    const v = read(p.day, p.no);
    sendJson(res, v.found ? 200 : 404, v);
  });
  web.socket('/t/:day/:no/live', (ws, _req, p) => {
    if (!valid(p.day, p.no)) { ws.close(1008, 'no such ticket'); return; }
    const sub = { day: p.day, no: p.no, last: '' };
    sockets.set(ws, sub);
    ws.on('close', () => sockets.delete(ws));
    push(ws, sub);
  });
  const off = source.onChange(() => { for (const [ws, sub] of sockets) push(ws, sub); });
  return { close() { off(); for (const ws of sockets.keys()) ws.close(); sockets.clear(); } };
}
