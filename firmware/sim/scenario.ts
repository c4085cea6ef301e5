// A simulation scenario (the format of shared/bench/hospital-day.json): services
// with service-time distributions, windows with their own and overflow services,
// Poisson arrival rates per time span, the wait limit. Loaded and validated with
// loadJsonFile, then mapped onto a HallConfig so the engine runs the same hall.
import { z } from 'zod';
import { loadJsonFile } from '../config/load.ts';
import { HallConfig } from '../config/hall.ts';
import { Bilingual, ServiceId } from '../protocol/messages.ts';
import { hhmmToS } from '../lib/time.ts';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');

export const Distribution = z.discriminatedUnion('dist', [
  z.object({ dist: z.literal('lognormal'), meanS: z.number().positive(), cv: z.number().positive() }).strict(),
  z.object({ dist: z.literal('exponential'), meanS: z.number().positive() }).strict(),
  z.object({ dist: z.literal('deterministic'), meanS: z.number().positive() }).strict(),
]);
export type Distribution = z.infer<typeof Distribution>;

/** [from, to, citizens per hour], Poisson within the span. */
const ArrivalSpan = z.tuple([HHMM, HHMM, z.number().nonnegative()])
  .refine(([a, b]) => a < b, { message: 'span must start before it ends' });

export const Scenario = z.object({
  name: z.string().min(1),
  about: z.string().optional(),
  waitLimitS: z.number().positive(),
  open: HHMM,
  close: HHMM,
  timezone: z.string().default('Asia/Shanghai'),
  services: z.array(z.object({
    id: ServiceId,
    letter: z.string().regex(/^[A-Z]{1,2}$/),
    name: Bilingual,
    serviceTime: Distribution,
    /** Share of arrivals holding a priority ticket (0–1). */
    priorityShare: z.number().min(0).max(1).default(0),
    /** Share of called citizens who never come to the window (0–1). */
    noShowShare: z.number().min(0).max(1).default(0),
    selfService: Bilingual.optional(),
  }).strict()).min(1),
  windows: z.array(z.object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/),
    floor: z.string().min(1).max(16),
    own: z.array(ServiceId).min(1),
    overflow: z.array(ServiceId).default([]),
  }).strict()).min(1),
  arrivals: z.record(ServiceId, z.array(ArrivalSpan)),
  /** Ordinary tickets between two priority ones (the hall's ratio). */
  ordinaryPerPriority: z.number().int().min(0).default(2),
  /** Seconds from being called to reaching the window (mean, exponential); 0 = none. */
  walkS: z.number().nonnegative().default(0),
  /** The hall's routing settings, as in its configuration (`routing`); absent: the defaults. */
  routing: z.object({ serviceGuard: z.number().int().min(0) }).strict().optional(),
}).strict().superRefine((s, ctx) => {
  if (s.open >= s.close) ctx.addIssue({ code: 'custom', path: ['close'], message: 'close must be after open' });
  const ids = new Set(s.services.map((x) => x.id));
  for (const [key, spans] of Object.entries(s.arrivals)) {
    if (!ids.has(key)) ctx.addIssue({ code: 'custom', path: ['arrivals', key], message: `unknown service ${key}` });
    // The controller refuses tickets outside opening hours: say so here, not mid-run.
    spans.forEach(([from, to], i) => {
      if (from < s.open || to > s.close) ctx.addIssue({ code: 'custom', path: ['arrivals', key, i], message: `span ${from}–${to} is outside opening hours ${s.open}–${s.close}` });
    });
  }
  s.windows.forEach((w, i) => {
    for (const k of ['own', 'overflow'] as const) w[k].forEach((id, j) => {
      if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['windows', i, k, j], message: `unknown service ${id}` });
    });
  });
});
export type Scenario = z.infer<typeof Scenario>;

export function loadScenario(file: string): Scenario {
  return loadJsonFile(file, Scenario);
}
export function parseScenario(value: unknown, source = '<scenario>'): Scenario {
  return loadJsonFile(source, Scenario, value);
}

/** The hall a scenario describes, as the controller's configuration (validated). */
export function scenarioToHallConfig(s: Scenario): HallConfig {
  const floors = [...new Set(s.windows.map((w) => w.floor))];
  const id = s.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 48) || 'sim';
  return HallConfig.parse({
    hall: { id, name: { zh: s.name, en: s.name }, timezone: s.timezone },
    floors: floors.map((f) => ({ id: f, name: { zh: f, en: f } })),
    hours: [{ open: s.open, close: s.close }],
    services: s.services.map((x) => ({
      id: x.id, letter: x.letter, name: x.name,
      waitLimitS: Math.round(s.waitLimitS),
      serviceLimitS: Math.max(1, Math.round(x.serviceTime.meanS * 4)),
      expectedServiceS: x.serviceTime.meanS,
      ...(x.selfService ? { selfService: x.selfService } : {}),
    })),
    windows: s.windows.map((w) => ({ id: w.id, name: w.id, floor: w.floor, own: w.own, overflow: w.overflow })),
    rating: { windowS: 10, reasons: [{ code: 'slow', name: { zh: '慢', en: 'Slow' } }] },
    priority: { ordinaryPerPriority: s.ordinaryPerPriority },
    thresholds: { adviceQueueLength: 25, adviceWaitS: Math.round(s.waitLimitS), pausedTooLongS: 600 },
    ...(s.routing ? { routing: s.routing } : {}),
  });
}

/** Seconds of the day the hall is open, from the scenario's HH:MM. */
export function dayBoundsS(s: Scenario): { openS: number; closeS: number } {
  return { openS: hhmmToS(s.open), closeS: hhmmToS(s.close) };
}
