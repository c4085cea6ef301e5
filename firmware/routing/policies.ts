// The routing policies compared by the simulator and the benchmark. Each is a
// pure function of the context (see types.ts); none keeps state between calls.
import type { QueuedTicket, RoutingContext, RoutingPolicy } from './types.ts';
import { nextInService, oldestAmong } from './fair-priority.ts';
import { MEAN_EXPONENT, OVERFLOW_WEIGHT, URGENCY_POWER, leastFlexibleFirst, tailIndexPolicy } from './tail-index.ts';

/** What halls do today: each window only its own services, first come first served. */
export const dedicatedPolicy: RoutingPolicy = {
  name: 'dedicated',
  pick: (ctx) => oldestAmong(ctx, ctx.window.own),
};

/** The oldest ticket among every service the window may serve, own or overflow. */
export const eligibleFcfsPolicy: RoutingPolicy = {
  name: 'eligible-fcfs',
  pick: (ctx) => oldestAmong(ctx, [...ctx.window.own, ...ctx.window.overflow]),
};

/** Own services first (oldest among them), then overflow services. */
export const overflowPolicy: RoutingPolicy = {
  name: 'overflow',
  pick: (ctx) => oldestAmong(ctx, ctx.window.own) ?? oldestAmong(ctx, ctx.window.overflow),
};

/** Every window serves everything from one queue: not allowed in a real hall; the bound to aim at. */
export const pooledPolicy: RoutingPolicy = {
  name: 'pooled',
  pick: (ctx) => oldestAmong(ctx, [...ctx.services.keys()]),
};

/**
 * Seconds of slack a service's queue has: over its waiting citizens, the least
 * of limit − wait already spent − predicted remaining wait, where the k-th in
 * line (from 1) is reached after k service times shared among the open windows
 * that may serve the service (own or overflow). Negative: someone in that queue
 * will pass the limit unless it is served now.
 */
export function queueSlackS(ctx: RoutingContext, service: string): number {
  const svc = ctx.services.get(service);
  const q = ctx.queues.get(service);
  if (!svc || !q || q.length === 0) return Infinity;
  let able = 0;
  for (const w of ctx.windows) {
    if (w.status === 'open' && (w.own.includes(service) || w.overflow.includes(service))) able++;
  }
  const step = able > 0 ? svc.meanServiceS / able : Infinity;
  let slack = Infinity;
  for (let k = 0; k < q.length; k++) {
    const s = svc.waitLimitS - (ctx.nowMs - q[k]!.arrivedAtMs) / 1000 - (k + 1) * step;
    if (s < slack) slack = s;
  }
  return slack;
}

/**
 * manyi's default until issue #13 (kept for comparison in the bench), from two
 * rules of queueing theory, with no tuned constants:
 * - deadline first: a queue this window may serve whose slack (queueSlackS) is
 *   gone has someone about to pass the limit: its next citizen goes first, the
 *   queue with the least slack first;
 * - otherwise the generalised cμ rule with the cost of waiting measured against
 *   the length of the errand (slowdown): the next citizen with the largest
 *   wait spent ÷ expected service time², so short errands are not held up
 *   behind long ones (a low mean wait) while long ones gain ground as they wait;
 *   an overflow errand only when the window's own queues have the slack to
 *   spare its length.
 * Own services are considered first and win ties.
 */
export const deadlineCmuPolicy: RoutingPolicy = {
  name: 'deadline-cmu',
  pick: (ctx) => {
    let urgent: { t: QueuedTicket; slack: number } | null = null;
    let best: { t: QueuedTicket; index: number } | null = null;
    // Overflow help must not cost the window's own queues their limit: the
    // least slack among them has to outlast the overflow errand taken on.
    let ownSlack = Infinity;
    for (const s of ctx.window.own) ownSlack = Math.min(ownSlack, queueSlackS(ctx, s));
    for (const s of [...ctx.window.own, ...ctx.window.overflow]) {
      const t = nextInService(ctx, s);
      const svc = ctx.services.get(s);
      if (!t || !svc) continue;
      const slack = queueSlackS(ctx, s);
      if (slack <= 0 && (!urgent || slack < urgent.slack)) urgent = { t, slack };
      if (!ctx.window.own.includes(s) && ownSlack <= svc.meanServiceS) continue;
      const index = ((ctx.nowMs - t.arrivedAtMs) / 1000 + 1) / (svc.meanServiceS * svc.meanServiceS);
      if (!best || index > best.index) best = { t, index };
    }
    return urgent?.t ?? best?.t ?? null;
  },
};

/**
 * Shortest errand first (the cμ rule with equal costs, which minimises the mean
 * wait of a single server): the waiting service with the shortest mean service
 * time the window may serve, first come first served within it; a new ticket to
 * the least flexible idle window. Blind to the limit: not for a hall, but the
 * bench's reference for how low the windows' wiring lets the mean go.
 */
export const shortFirstPolicy: RoutingPolicy = {
  name: 'short-first',
  pick: (ctx) => {
    let best: string | null = null;
    for (const s of [...ctx.window.own, ...ctx.window.overflow]) {
      if (!ctx.queues.get(s)?.length) continue;
      if (best === null || (ctx.services.get(s)?.meanServiceS ?? Infinity) < (ctx.services.get(best)?.meanServiceS ?? Infinity)) best = s;
    }
    return best === null ? null : nextInService(ctx, best);
  },
  dispatchOrder: leastFlexibleFirst,
};

/**
 * The default's index with nothing for the tail: queue length ÷ (helpers × mean
 * service time) — max-weight with the cμ rule, no urgency, no own-first, no
 * guard. Another mean-first reference for the bench (it starves long errands).
 */
export const maxWeightPolicy: RoutingPolicy = tailIndexPolicy({ name: 'max-weight', overflowWeight: OVERFLOW_WEIGHT, urgencyPower: 0, meanExponent: 1, ownFirst: false, serviceGuard: Infinity });

/** The bench's mean-first references (not for a hall: blind to the limit). */
export const MEAN_REFERENCES = [shortFirstPolicy.name, maxWeightPolicy.name] as const;

/** manyi's default: the tail-first index rule (tail-index.ts). */
export const defaultPolicy: RoutingPolicy = tailIndexPolicy({ name: 'default', overflowWeight: OVERFLOW_WEIGHT, urgencyPower: URGENCY_POWER, meanExponent: MEAN_EXPONENT });

export const builtInPolicies: readonly RoutingPolicy[] = [
  defaultPolicy, dedicatedPolicy, eligibleFcfsPolicy, overflowPolicy, pooledPolicy, deadlineCmuPolicy, shortFirstPolicy, maxWeightPolicy,
];
