// One zod schema per message of the contract (../shared/design/PROTOCOL.md and
// firmware/protocol/README.md for what manyi adds). Senders and receivers both
// import these; the TypeScript types below are inferred from them, never hand-written.
import { z } from 'zod';
import { NAME_RE } from './names.ts';

/** Request ids: 1–64 printable ASCII characters. */
export const RequestId = z.string().regex(/^[\x20-\x7e]{1,64}$/, 'id must be 1–64 printable characters');
const daysIn = (y: number, m: number) => [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
const realDay = (y: number, m: number, d: number) => y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** A date-time that names a real instant: `2026-02-30T25:61:00+08:00` has the form but is none. */
export function isRealInstant(s: string): boolean {
  const m = TIME_RE.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  if (!realDay(y, mo, d) || h > 23 || mi > 59 || se > 59) return false;
  if (m[7] !== undefined && (Number(m[7]) > 14 || Number(m[8]) > 59)) return false;
  return Number.isFinite(Date.parse(s));
}

/** ISO 8601 with an explicit offset (Z or ±hh:mm), and a real instant. */
export const IsoTime = z.string().regex(
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/,
  { message: 'time must be ISO 8601 with an offset', abort: true },
).refine(isRealInstant, 'time must be a real date and time (month, day, hour, minute, second and offset in range)');

/** A service day, `YYYY-MM-DD`, that exists in the calendar. */
export const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'day must be YYYY-MM-DD', abort: true })
  .refine((s) => realDay(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))), 'day must be a real calendar date');
export const Name = z.string().regex(NAME_RE, 'must match [a-z0-9][a-z0-9-]{0,47}');
export const ServiceId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/, 'service id must be 1–32 letters, digits or -');
/** Ticket number: service letter(s) and three or more digits, e.g. A023. */
export const TicketNo = z.string().regex(/^[A-Z]{1,2}\d{3,5}$/, 'ticket number must be a letter and digits, e.g. A023');
export const Bilingual = z.object({ zh: z.string(), en: z.string() });
export const Lang = z.enum(['zh', 'en']);

export const ErrorCode = z.enum([
  'bad-request', // unparseable or invalid
  'unknown-service',
  'unknown-window',
  'unknown-ticket',
  'service-closed', // outside the service's hours
  'window-closed', // the window is closed or paused for this action
  'not-allowed', // this window may not do that to that ticket (e.g. rate a ticket it did not serve)
  'wrong-state', // out-of-order action, e.g. `start` with nothing called
  'rating-closed', // rating window over, or already rated
  'block-exhausted', // no numbers left for an offline block
  'bad-appointment', // manyi: the check-in code is not today's, not now, not this service's, or already used (the message says which)
  'bad-login', // manyi: wrong staff id or PIN, or too many tries (the message says when to try again)
  'internal', // the controller failed to store the change; nothing changed
  'disk-full', // the controller's disk is nearly full: no new tickets (issued ones are still served)
]);
export const ErrorBody = z.object({ code: ErrorCode, message: z.string() });
export type ErrorCode = z.infer<typeof ErrorCode>;

// ---- kiosk ---------------------------------------------------------------

/**
 * `kiosk/{kiosk}/request`. Contract fields: id, service, priority, appointment, lang.
 * manyi adds `op` (default `ticket`):
 *  - `reserve`: ask for a block of `count` numbers of `service` for use while offline;
 *  - `handover`: hand over a ticket the kiosk issued offline from such a block
 *    (`offline: {no, issuedAt}`); the controller files it by its issue time.
 */
export const KioskRequest = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('ticket').default('ticket'),
    id: RequestId,
    service: ServiceId,
    priority: z.enum(['normal', 'priority']).optional(),
    appointment: z.string().min(1).max(64).optional(),
    lang: Lang.optional(),
  }).strict(),
  z.object({
    op: z.literal('reserve'),
    id: RequestId,
    service: ServiceId,
    count: z.number().int().min(1).max(200),
  }).strict(),
  z.object({
    op: z.literal('handover'),
    id: RequestId,
    service: ServiceId,
    priority: z.enum(['normal', 'priority']).optional(),
    appointment: z.string().min(1).max(64).optional(),
    lang: Lang.optional(),
    offline: z.object({ no: TicketNo, issuedAt: IsoTime }).strict(),
  }).strict(),
]);
/**
 * Parses a kiosk request. A request without `op` is a ticket request (the contract
 * has no `op`): the ticket variant's `op` default fills it in, since the union
 * falls back to the variant whose discriminator has a default.
 */
export function parseKioskRequest(input: unknown) {
  return KioskRequest.safeParse(input);
}

export const IssuedTicket = z.object({
  no: TicketNo,
  service: ServiceId,
  issuedAt: IsoTime,
  ahead: z.number().int().min(0),
  estWaitS: z.number().min(0),
  windows: z.array(Name),
  // manyi additions
  day: Day.optional(),
  priority: z.boolean().optional(),
  statusUrl: z.string().optional(),
  advice: Bilingual.optional(),
});

export const NumberBlock = z.object({
  service: ServiceId,
  day: Day,
  numbers: z.array(TicketNo),
});

export const KioskReply = z.union([
  z.object({
    id: RequestId,
    ok: z.literal(true),
    ticket: IssuedTicket.optional(),
    block: NumberBlock.optional(),
  }),
  z.object({ id: RequestId.nullable(), ok: z.literal(false), error: ErrorBody }),
]);

// ---- window ----------------------------------------------------------------

export const WindowAction = z.enum([
  'open', 'close', 'pause', 'resume', 'call-next', 'call', 'recall', 'start', 'complete', 'no-show', 'park', 'transfer',
  // Added by manyi: staff sign in again at a window already open for them (a reloaded page). Changes nothing.
  'sign-in',
]);
export const WindowCommand = z.object({
  id: RequestId,
  action: WindowAction,
  ticket: TicketNo.optional(),
  service: ServiceId.optional(),
  staff: z.string().min(1).max(64).optional(),
  /** Added by manyi: the staff member's PIN with `open` and `sign-in`, checked by the controller and never stored. */
  pin: z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits').optional(),
}).strict().superRefine((c, ctx) => {
  if (c.action === 'call' && !c.ticket) ctx.addIssue({ code: 'custom', message: '`call` needs `ticket`', path: ['ticket'] });
  if (c.action === 'transfer' && !c.service) ctx.addIssue({ code: 'custom', message: '`transfer` needs `service`', path: ['service'] });
  if (c.action === 'sign-in' && !(c.staff && c.pin)) ctx.addIssue({ code: 'custom', message: '`sign-in` needs `staff` and `pin`', path: ['pin'] });
  if (c.pin && c.action !== 'open' && c.action !== 'sign-in') ctx.addIssue({ code: 'custom', message: '`pin` goes only with `open` or `sign-in`', path: ['pin'] });
});

export const RatingScore = z.enum(['very-satisfied', 'satisfied', 'basic', 'unsatisfied', 'very-unsatisfied']);
export const RATING_SCORES = RatingScore.options;
export const WindowRating = z.object({
  id: RequestId,
  ticket: TicketNo,
  score: RatingScore,
  reason: z.string().min(1).max(64).optional(),
}).strict();

export const WindowReply = z.union([
  z.object({ id: RequestId, ok: z.literal(true), ticket: z.object({ no: TicketNo, service: ServiceId }).nullable().optional() }),
  z.object({ id: RequestId.nullable(), ok: z.literal(false), error: ErrorBody }),
]);

export const WindowStatus = z.enum(['open', 'paused', 'closed']);
export const WindowState = z.object({
  status: WindowStatus,
  serving: z.object({
    no: TicketNo,
    service: ServiceId,
    calledAt: IsoTime,
    startedAt: IsoTime.optional(),
  }).nullable(),
  staff: z.object({ id: z.string(), name: z.string().optional() }).optional(),
  rating: z.enum(['idle', 'waiting']),
  // manyi additions
  ratingFor: TicketNo.optional(), // the ticket a waiting rating pad is for
  ratingUntil: IsoTime.optional(),
  at: IsoTime.optional(),
});

// ---- hall-wide -------------------------------------------------------------

export const HallState = z.object({
  at: IsoTime,
  services: z.array(z.object({
    id: ServiceId,
    name: Bilingual,
    waiting: z.number().int().min(0),
    estWaitS: z.number().min(0),
    longestWaitS: z.number().min(0),
    // manyi additions
    letter: z.string().optional(),
    open: z.boolean().optional(),
  })),
  windows: z.array(z.object({
    id: Name,
    name: z.string(),
    floor: z.string(),
    status: WindowStatus,
    serving: TicketNo.nullable(),
  })),
  advice: z.array(z.object({ service: ServiceId, text: Bilingual, windows: z.array(Name) })),
  // manyi addition: the newest calls first, so a rebooted board shows them at once
  recentCalls: z.array(z.object({ no: TicketNo, window: Name, service: ServiceId, at: IsoTime })).optional(),
});

export const CallEvent = z.object({
  no: TicketNo,
  window: Name,
  service: ServiceId,
  at: IsoTime,
  recall: z.boolean(),
  text: Bilingual,
  // manyi additions
  floor: z.string().optional(),
  windowName: z.string().optional(),
});

export const AlertKind = z.enum([
  'wait-over-limit', 'service-over-limit', 'device-offline', 'printer-paper-low', 'printer-paper-out',
  'printer-cover-open', 'printer-offline', 'unsatisfied-rating', 'window-paused-long',
  'disk-full', // the controller's disk is nearly full (it refuses new tickets until space is freed)
  'offline-blocks-over-limit', // a kiosk asked for more offline numbers than the hall allows (refused)
]);
export const Alert = z.object({
  id: z.string().min(1),
  kind: AlertKind,
  at: IsoTime,
  subject: z.string(),
  message: z.string(),
  // manyi additions: alerts clear themselves when resolved
  state: z.enum(['raised', 'cleared']).optional(),
  window: Name.optional(),
  service: ServiceId.optional(),
  device: Name.optional(),
  staff: z.string().optional(),
  ticket: TicketNo.optional(),
});

// ---- devices ---------------------------------------------------------------

export const Role = z.enum(['controller', 'kiosk', 'counter', 'board']);
export const DeviceStatus = z.object({
  state: z.enum(['online', 'offline']),
  role: Role,
  version: z.string(),
  at: IsoTime,
});
export const DeviceHealth = z.object({
  at: IsoTime,
  uptimeS: z.number().min(0),
  rssMB: z.number().min(0),
  printer: z.enum(['ok', 'paper-low', 'paper-out', 'cover-open', 'offline']).optional(),
}).passthrough();

export const UpdateOffer = z.object({
  id: RequestId,
  version: z.string().min(1).max(64),
  url: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().min(1),
  signature: z.string().min(1),
  // manyi addition: install even inside opening hours
  force: z.boolean().optional(),
});
export const UpdateState = z.enum(['downloading', 'verifying', 'installing', 'restarting', 'healthy', 'rolled-back', 'failed']);
export const UpdateStatus = z.object({
  id: RequestId,
  version: z.string(),
  state: UpdateState,
  error: z.string().optional(),
  at: IsoTime.optional(),
});

// ---- inferred types ----------------------------------------------------------

export type KioskRequest = z.infer<typeof KioskRequest>;
export type KioskReply = z.infer<typeof KioskReply>;
export type IssuedTicket = z.infer<typeof IssuedTicket>;
export type NumberBlock = z.infer<typeof NumberBlock>;
export type WindowAction = z.infer<typeof WindowAction>;
export type WindowCommand = z.infer<typeof WindowCommand>;
export type RatingScore = z.infer<typeof RatingScore>;
export type WindowRating = z.infer<typeof WindowRating>;
export type WindowReply = z.infer<typeof WindowReply>;
export type WindowStatus = z.infer<typeof WindowStatus>;
export type WindowState = z.infer<typeof WindowState>;
export type HallState = z.infer<typeof HallState>;
export type CallEvent = z.infer<typeof CallEvent>;
export type AlertKind = z.infer<typeof AlertKind>;
export type Alert = z.infer<typeof Alert>;
export type Role = z.infer<typeof Role>;
export type DeviceStatus = z.infer<typeof DeviceStatus>;
export type DeviceHealth = z.infer<typeof DeviceHealth>;
export type UpdateOffer = z.infer<typeof UpdateOffer>;
export type UpdateStatus = z.infer<typeof UpdateStatus>;
export type Bilingual = z.infer<typeof Bilingual>;
