// `kiosk/{kiosk}/request`: a ticket, a block of numbers, or an offline handover.
// A disk running out refuses new numbers; tickets kiosks already handed out
// (handover) are still taken. A kiosk's offline blocks are capped by the hall's
// `offline` settings: a compromised kiosk must not reserve the day's numbers. An
// appointment check-in must be on the day's list (firmware/appointments).
import { errorReply } from '../../protocol/decode.ts';
import { isoLocal } from '../../lib/time.ts';
import type { Alert, KioskRequest } from '../../protocol/messages.ts';
import { answer, refuseBadRequest, type HandlerContext, type InboundHandler } from './context.ts';

/** The refusal of a block past the hall's cap (one alert per kiosk and day), or null. */
function blockRefusal(c: HandlerContext, kiosk: string, v: Extract<KioskRequest, { op: 'reserve' }>) {
  const { engine } = c;
  const hall = engine.hall;
  const cap = hall.offline;
  let held = 0;
  for (const b of engine.model.blocks.values()) if (b.kiosk === kiosk && b.service === v.service) held++;
  const over = v.count > cap.blockSize ? `a block has at most ${cap.blockSize} numbers`
    : held + v.count > cap.blockSize * cap.blocksPerDay ? `kiosk ${kiosk} already holds ${held} numbers of ${v.service} today (at most ${cap.blockSize * cap.blocksPerDay})` : null;
  if (!over) return null;
  const key = `${engine.day}/${kiosk}`;
  if (!c.blockAlerted.has(key)) {
    c.blockAlerted.add(key);
    c.log.warn({ kiosk, service: v.service, count: v.count, held }, 'offline block refused: over the hall\'s limit');
    const a: Alert = {
      id: `offline-blocks/${key}`, kind: 'offline-blocks-over-limit', at: isoLocal(c.clock.now(), hall.hall.timezone), subject: kiosk, device: kiosk,
      message: `自助机 ${kiosk} 申请的离线号超出限额，已拒绝 / kiosk ${kiosk} asked for more offline numbers than allowed (refused): ${over}`, state: 'raised', service: v.service,
    };
    c.alert(a);
  }
  return errorReply(v.id, 'not-allowed', over);
}

type TicketOrHandover = Exclude<KioskRequest, { op: 'reserve' }>;

/**
 * An appointment check-in is believed only when the book says so. A refused one is
 * answered with why (the kiosk shows it; the citizen may take an ordinary ticket);
 * one handed over from an offline kiosk becomes an ordinary ticket.
 */
function checkIn<R>(c: HandlerContext, v: TicketOrHandover, run: (w: TicketOrHandover) => R) {
  if (!c.appointments || !v.appointment) return run(v);
  const used = (code: string) => { for (const t of c.engine.model.tickets.values()) if (t.appointment?.toUpperCase() === code.toUpperCase()) return true; return false; };
  const at = v.op === 'handover' ? Date.parse(v.offline.issuedAt) : c.clock.now();
  const r = c.appointments.check(v.appointment, at, v.service, used);
  if (r.ok) return run({ ...v, appointment: r.appointment.code, priority: 'priority' });
  c.log.info({ service: v.service, op: v.op, why: r.message }, 'appointment check-in refused');
  if (v.op === 'handover') { const { appointment: _a, ...rest } = v; return run({ ...rest, priority: 'normal' }); }
  return errorReply(v.id, 'bad-appointment', r.message);
}

export const kioskRequest: InboundHandler<'kiosk-request'> = {
  kind: 'kiosk-request',
  onMessage: (c, req, from) => answer<'kiosk-request'>(c, 'kiosk-reply', from, req.id, (to) =>
    (c.disk?.low && req.op !== 'handover' ? errorReply(req.id, 'disk-full', c.disk.refusal())
      : req.op === 'reserve' ? (blockRefusal(c, from.kiosk, req) ?? c.engine.kiosk(from.kiosk, req, undefined, to))
        : checkIn(c, req, (w) => c.engine.kiosk(from.kiosk, w, undefined, to)))),
  onInvalid: (c, err, from, bytes) => refuseBadRequest<'kiosk-request'>(c, 'kiosk-reply', from, err, bytes),
};
