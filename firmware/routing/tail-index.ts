// The tail-first index rule, manyi's default routing policy (issue #13). Pure,
// like every policy: a function of the queues, the windows and the clock (and the
// day's "passed over" counts the engine derives from its events).
//
// 1. Index. Each waiting service the asking window may serve is scored
//      queue length × urgency(longest wait ÷ limit) ÷ (helpers × mean service time^1.5)
//    — max-weight with the generalised cμ rule: long queues and short errands
//    first (the exponent 1.5, between max-weight's 1 and the slowdown rule's 2,
//    was chosen over the whole generated family: 1 left hospital-monday at
//    1.105× pooled, 1.75 broke the tail on a hall of eight services), services few windows can serve first (own windows count 1, overflow
//    windows OVERFLOW_WEIGHT), and an urgency (1 − x)^−URGENCY_POWER that rises
//    steeply as the service's longest-waiting citizen nears the limit, so a
//    rare or long errand overtakes the rest before its citizen is late. The
//    window takes the best-scored service; first come first served within it
//    ("N ordinary, then one priority": fair-priority.ts).
// 2. Own first under pressure. An overflow errand is taken only while the
//    window's own queues have the slack to spare its length (their citizens
//    would not pass the limit meanwhile): at the peaks each window keeps to its
//    own services, which is what beats pooling on the tail when a hall is
//    overloaded.
// 3. Service guard. A service owed at least `settings.serviceGuard` turns by
//    first-come-first-served (RoutingContext.passedOver, guard-ledger.ts: its
//    citizen at risk — past half the limit, not yet past it — passed over for a
//    later one of another service) makes every window allowed to serve it serve
//    first come first served until it is owed less: no service pays for the
//    hall's tail beyond what the hall chose. At 0 the policy is eligible-FCFS.
// 4. Dispatch. A new ticket goes to the least flexible idle window that may
//    serve it, keeping flexible windows free for the others (at guard 0, the
//    eligible-FCFS end, to the windows in the order given, as eligible-FCFS).
// No constant here is fitted to a hall: they were chosen once over the
// generated family (firmware/sim/random-hall.ts; `npm run bench -- --only routing`).
import type { QueuedTicket, RoutingContext, RoutingPolicy, RoutingWindow } from './types.ts';
import { nextInService, oldestAmong } from './fair-priority.ts';

/** How much an overflow window counts among a service's helpers (an own window counts 1). */
export const OVERFLOW_WEIGHT = 0.5;
/** Exponent of the urgency (1 − wait ÷ limit)^−p. */
export const URGENCY_POWER = 2;
/** Exponent of the mean service time in the index's divisor (1 is plain max-weight). */
export const MEAN_EXPONENT = 1.5;
/** Past this share of the limit the urgency stops exploding and grows linearly with the wait. */
const URGENCY_KNEE = 0.95;

export interface TailIndexParams {
  name: string;
  overflowWeight: number;
  urgencyPower: number;
  /** Exponent of the mean service time in the divisor. */
  meanExponent: number;
  /** A fixed service guard (tests, the bench); otherwise the hall's `settings.serviceGuard`, and none without settings. */
  serviceGuard?: number;
  /** Rule 2, own first under pressure (default on; off only for the bench's mean-first reference). */
  ownFirst?: boolean;
}

/** Windows open now that may serve `service`: own ones count 1, overflow ones `overflowWeight`. */
export function helpers(windows: readonly RoutingWindow[], service: string, overflowWeight: number): number {
  let n = 0;
  for (const w of windows) {
    if (w.status !== 'open') continue;
    if (w.own.includes(service)) n += 1;
    else if (w.overflow.includes(service)) n += overflowWeight;
  }
  return n;
}

/** Urgency of a wait that is `x` limits long: (1 − x)^−p, continued linearly past the knee. */
export function urgency(x: number, p: number): number {
  if (x < URGENCY_KNEE) return (1 - Math.max(0, x)) ** -p;
  const atKnee = (1 - URGENCY_KNEE) ** -p;
  const slope = (p * atKnee) / (1 - URGENCY_KNEE);
  return atKnee + slope * (x - URGENCY_KNEE);
}

/** The oldest arrival among the first few of a queue (place order is issue order; a late handover may have arrived earlier). */
function oldestArrival(q: readonly QueuedTicket[]): number {
  let oldest = q[0]!.arrivedAtMs;
  for (let i = 1; i < q.length && i < 8; i++) if (q[i]!.arrivedAtMs < oldest) oldest = q[i]!.arrivedAtMs;
  return oldest;
}

/** The index of one waiting service (−Infinity when nobody waits). Larger goes first. */
export function serviceIndex(ctx: RoutingContext, service: string, p: Pick<TailIndexParams, 'overflowWeight' | 'urgencyPower' | 'meanExponent'>): number {
  const q = ctx.queues.get(service);
  const svc = ctx.services.get(service);
  if (!q || q.length === 0 || !svc) return -Infinity;
  const waitedS = Math.max(0, (ctx.nowMs - oldestArrival(q)) / 1000);
  const n = Math.max(helpers(ctx.windows, service, p.overflowWeight), p.overflowWeight);
  return (q.length * urgency(waitedS / svc.waitLimitS, p.urgencyPower)) / (n * svc.meanServiceS ** p.meanExponent);
}

/**
 * Seconds of slack a service's queue has: over its waiting citizens, the least
 * of limit − wait spent − (k + 1) service times shared among the windows able to
 * serve it, for the k-th in line. Infinity for an empty queue.
 */
export function queueSlackS(ctx: RoutingContext, service: string, overflowWeight: number): number {
  const svc = ctx.services.get(service);
  const q = ctx.queues.get(service);
  if (!svc || !q || q.length === 0) return Infinity;
  const step = svc.meanServiceS / Math.max(helpers(ctx.windows, service, overflowWeight), overflowWeight);
  let slack = Infinity;
  for (let k = 0; k < q.length; k++) slack = Math.min(slack, svc.waitLimitS - (ctx.nowMs - q[k]!.arrivedAtMs) / 1000 - (k + 1) * step);
  return slack;
}

/**
 * Whether the service guard makes this window first come first served: one of
 * the services it may serve has someone waiting and is owed at least `guard`
 * turns today (RoutingContext.passedOver). At 0 every window always is (the
 * policy is eligible-FCFS); without a ledger (no history) there is no guard.
 */
export function guardHolds(ctx: RoutingContext, services: readonly string[], guard: number): boolean {
  const owed = ctx.passedOver;
  if (!owed) return false;
  return services.some((s) => (ctx.queues.get(s)?.length ?? 0) > 0 && (owed.get(s) ?? 0) >= guard);
}

export function tailIndexPolicy(p: TailIndexParams): RoutingPolicy {
  return {
    name: p.name,
    pick(ctx: RoutingContext): QueuedTicket | null {
      const eligible = [...ctx.window.own, ...ctx.window.overflow];
      // 3. The guard: a service owed too many turns here makes this window first come first served (as eligible-FCFS picks).
      if (guardHolds(ctx, eligible, p.serviceGuard ?? ctx.settings?.serviceGuard ?? Infinity)) return oldestAmong(ctx, eligible);

      // 2. Own first under pressure: the least slack among the window's own queues.
      let ownSlack = Infinity;
      for (const s of ctx.window.own) ownSlack = Math.min(ownSlack, queueSlackS(ctx, s, p.overflowWeight));

      // 1. The index; ties go to the window's own services (listed first).
      let best: string | null = null;
      let bestIndex = -Infinity;
      for (const s of eligible) {
        if (p.ownFirst !== false && !ctx.window.own.includes(s) && ownSlack <= (ctx.services.get(s)?.meanServiceS ?? 0)) continue;
        const i = serviceIndex(ctx, s, p);
        if (i > bestIndex) { bestIndex = i; best = s; }
      }
      // Nothing waiting (or no service scored): as eligible-FCFS.
      return best ? nextInService(ctx, best) : oldestAmong(ctx, eligible);
    },
    // 4. Dispatch; at guard 0 (eligible-FCFS) in the order given, as eligible-FCFS has it.
    dispatchOrder: (windows, service, settings) => ((p.serviceGuard ?? settings?.serviceGuard) === 0 ? [...windows] : leastFlexibleFirst(windows, service)),
  };
}

/** Rule 4: the idle windows that may serve `service`, fewest services first; on a tie a window owning it before one taking it as overflow. */
export function leastFlexibleFirst(windows: readonly RoutingWindow[], service: string): RoutingWindow[] {
  const able = windows.filter((w) => w.own.includes(service) || w.overflow.includes(service));
  const rank = (w: RoutingWindow) => 2 * (w.own.length + w.overflow.length) + (w.own.includes(service) ? 0 : 1);
  return able.map((w, i) => [w, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([w]) => w);
}
