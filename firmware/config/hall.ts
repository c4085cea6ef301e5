// The hall's configuration: services, windows, hours, rating, thresholds.
// Validated on load; errors name the file, the path in it and what is wrong.
import { z } from 'zod';
import { Bilingual, Name, ServiceId } from '../protocol/messages.ts';
import { loadJsonFile } from './load.ts';
import { isKnownTimeZone } from '../lib/time.ts';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
const Span = z.object({ open: HHMM, close: HHMM }).strict()
  .refine((s) => s.open < s.close, { message: 'open must be before close' });

/** The routing guard's safe default (see `routing.serviceGuard`). */
export const DEFAULT_SERVICE_GUARD = 100;

export const ServiceConfig = z.object({
  id: ServiceId,
  letter: z.string().regex(/^[A-Z]{1,2}$/, 'ticket letter must be one or two capital letters'),
  name: Bilingual,
  /** Longest acceptable wait, seconds (15 min in most halls). */
  waitLimitS: z.number().int().positive(),
  /** Longest acceptable service time at the window, seconds. */
  serviceLimitS: z.number().int().positive(),
  /** A prior for the mean service time before today's observations take over. */
  expectedServiceS: z.number().positive(),
  /** Service hours; defaults to the hall's. */
  hours: z.array(Span).min(1).optional(),
  /** Named self-service alternative that advice may point to. */
  selfService: Bilingual.optional(),
}).strict();

export const WindowConfig = z.object({
  id: Name,
  name: z.string().min(1).max(32),
  floor: z.string().min(1).max(16),
  own: z.array(ServiceId).min(1),
  overflow: z.array(ServiceId).default([]),
}).strict();

export const HallConfig = z.object({
  hall: z.object({
    id: Name,
    name: Bilingual,
    timezone: z.string().min(1).refine(isKnownTimeZone, 'unknown IANA time zone'),
    /** Where a citizen gets help (printed and shown when a printer fails). */
    help: Bilingual.optional(),
    /** The language kiosks start in and print in until a citizen picks another on the screen. */
    lang: z.enum(['zh', 'en']).default('zh'),
  }).strict(),
  floors: z.array(z.object({ id: z.string().min(1).max(16), name: Bilingual }).strict()).min(1),
  hours: z.array(Span).min(1),
  /** Days the controller keeps each day's events; older days keep only their summaries (default 400). */
  retentionDays: z.number().int().min(1).max(3650).optional(),
  services: z.array(ServiceConfig).min(1),
  windows: z.array(WindowConfig).min(1),
  staff: z.array(z.object({ id: z.string().min(1).max(64), name: z.string().min(1), badge: z.string().optional() }).strict()).default([]),
  rating: z.object({
    /** Seconds after `complete` during which the pad accepts a press. */
    windowS: z.number().int().positive(),
    /** Reasons asked for on the two lowest scores. */
    reasons: z.array(z.object({ code: z.string().regex(/^[a-z0-9-]{1,32}$/), name: Bilingual }).strict()).min(1),
  }).strict(),
  priority: z.object({
    /** Ordinary tickets called between two priority tickets (2 → "two ordinary, one priority"). */
    ordinaryPerPriority: z.number().int().min(0),
  }).strict(),
  thresholds: z.object({
    /** Advice is given when a service's queue reaches this many people … */
    adviceQueueLength: z.number().int().positive(),
    /** … or its estimated wait passes this many seconds. */
    adviceWaitS: z.number().int().positive(),
    /** A window paused longer than this during opening hours raises an alert. */
    pausedTooLongS: z.number().int().positive(),
    /** A device silent for this long is reported offline. */
    deviceSilentS: z.number().int().positive().default(30),
  }).strict(),
  /** Routing (firmware/routing): the default policy's settings. */
  routing: z.object({
    /**
     * Service guard, in turns: the knob between the hall's tail and each
     * service's. The controller counts, per service and day, the turns first
     * come first served owes it: one each time its citizen at risk of passing
     * the wait limit (past half of it, not past it) is passed over for a later
     * one of another service at a window that could serve both, one given back
     * each time it is called while owed (no credit for going ahead). A service
     * owed at least this many turns makes every window allowed to serve it serve
     * first come first served. 0 is eligible-FCFS itself: every service within
     * its eligible-FCFS share of late citizens, at the cost of the hall's tail
     * on overloaded halls (where keeping windows to their own queues is what
     * beats FCFS) and of mean wait. The default 100 is tail-first: the hall's
     * share of late citizens within 0.25 pt of the best simple policy, one
     * service up to 9 pt worse than under eligible-FCFS on the busiest
     * generated halls. 100000 turns the guard off.
     * `npm run bench -- --only routing` prints the trade-off curve.
     */
    serviceGuard: z.number().int().min(0).max(100_000).default(DEFAULT_SERVICE_GUARD),
  }).strict().default({ serviceGuard: DEFAULT_SERVICE_GUARD }),
  /** Monthly staff ranking ("service star of the month"): score = 100 × (satisfaction × rate + served × served/most served). */
  ranking: z.object({
    satisfaction: z.number().min(0).max(1).default(0.7),
    served: z.number().min(0).max(1).default(0.3),
    /** Staff with fewer ratings in the month are listed but not ranked. */
    minRated: z.number().int().min(0).default(20),
  }).strict().optional(),
  /** Public base URL of the controller's pages (QR codes point here). */
  publicUrl: z.string().url().optional(),
  /**
   * Offline number blocks a kiosk may hold (kiosk/issuer.ts reserves them for outages):
   * numbers per block, and blocks per kiosk, service and day. More is refused, with an alert.
   */
  offline: z.object({
    blockSize: z.number().int().min(1).max(200).default(50),
    blocksPerDay: z.number().int().min(1).max(100).default(8),
  }).strict().default({ blockSize: 50, blocksPerDay: 8 }),
}).strict().superRefine((h, ctx) => {
  const ids = new Set<string>();
  const letters = new Set<string>();
  h.services.forEach((s, i) => {
    if (ids.has(s.id)) ctx.addIssue({ code: 'custom', path: ['services', i, 'id'], message: `duplicate service id ${s.id}` });
    if (letters.has(s.letter)) ctx.addIssue({ code: 'custom', path: ['services', i, 'letter'], message: `letter ${s.letter} is already used by another service` });
    ids.add(s.id); letters.add(s.letter);
  });
  const floors = new Set(h.floors.map((f) => f.id));
  const wins = new Set<string>();
  h.windows.forEach((w, i) => {
    if (wins.has(w.id)) ctx.addIssue({ code: 'custom', path: ['windows', i, 'id'], message: `duplicate window id ${w.id}` });
    wins.add(w.id);
    if (!floors.has(w.floor)) ctx.addIssue({ code: 'custom', path: ['windows', i, 'floor'], message: `unknown floor ${w.floor}` });
    for (const key of ['own', 'overflow'] as const) {
      w[key].forEach((s, j) => {
        if (!ids.has(s)) ctx.addIssue({ code: 'custom', path: ['windows', i, key, j], message: `unknown service ${s}` });
      });
    }
  });
  h.services.forEach((s, i) => {
    if (!h.windows.some((w) => w.own.includes(s.id) || w.overflow.includes(s.id))) {
      ctx.addIssue({ code: 'custom', path: ['services', i], message: `no window serves ${s.id}` });
    }
  });
});

export type HallConfig = z.infer<typeof HallConfig>;
export type ServiceConfig = z.infer<typeof ServiceConfig>;
export type WindowConfig = z.infer<typeof WindowConfig>;

export const DEMO_HALL_PATH = new URL('./halls/demo-hospital.json', import.meta.url).pathname;

export function loadHallConfig(file: string = DEMO_HALL_PATH): HallConfig {
  return loadJsonFile(file, HallConfig);
}

export function parseHallConfig(value: unknown, source = '<hall config>'): HallConfig {
  return loadJsonFile(source, HallConfig, value);
}

