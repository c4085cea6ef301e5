// The routing policies compared by the simulator and the benchmark. Each is a
// pure function of the context (see types.ts); none keeps state between calls.
import type { QueuedTicket, RoutingContext, RoutingPolicy } from './types.ts';
import { nextInService, oldestAmong } from './fair-priority.ts';

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
 * line (from 1) is predicted to be reached after k service times shared among
 * the open windows that own the service. Negative: someone in that queue will
 * pass the limit unless other windows help.
 */
export function queueSlackS(ctx: RoutingContext, service: string): number {
  const svc = ctx.services.get(service);
  const q = ctx.queues.get(service);
  if (!svc || !q || q.length === 0) return Infinity;
  let owners = 0;
  for (const w of ctx.windows) if (w.status === 'open' && w.own.includes(service)) owners++;
  const step = owners > 0 ? svc.meanServiceS / owners : Infinity;
  let slack = Infinity;
  for (let k = 0; k < q.length; k++) {
    const s = svc.waitLimitS - (ctx.nowMs - q[k]!.arrivedAtMs) / 1000 - (k + 1) * step;
    if (s < slack) slack = s;
  }
  return slack;
}

function mostUrgent(ctx: RoutingContext, services: readonly string[]): { t: QueuedTicket; slack: number } | null {
  let best: { t: QueuedTicket; slack: number } | null = null;
  for (const s of services) {
    const t = nextInService(ctx, s);
    if (!t) continue;
    const slack = queueSlackS(ctx, s);
    if (!best || slack < best.slack) best = { t, slack };
  }
  return best;
}

/**
 * manyi's default, from two known rules of queueing theory, with no tuned constants:
 * - deadline first: among the heads of the queues this window may serve, any
 *   whose citizen has no slack left (wait spent + the time its own windows need
 *   to reach them ≥ the limit) goes first, the least slack first;
 * - otherwise the generalised cμ rule: the head with the largest
 *   wait spent ÷ expected service time, so that short services are not held up
 *   behind long ones (low mean wait) while long ones gain ground as they wait.
 * Own services win ties, so overflow help never starves a window's own citizens.
 */
export const defaultPolicy: RoutingPolicy = {
  name: 'default',
  pick: (ctx) => {
    let urgent: { t: QueuedTicket; slack: number } | null = null;
    let best: { t: QueuedTicket; index: number } | null = null;
    const consider = (s: string) => {
      const t = nextInService(ctx, s);
      const svc = ctx.services.get(s);
      if (!t || !svc) return;
      const waited = (ctx.nowMs - t.arrivedAtMs) / 1000;
      const slack = slackS(ctx, t, ctx.window.id);
      if (slack <= 0 && (!urgent || slack < urgent.slack)) urgent = { t, slack };
      const index = (waited + 1) / svc.meanServiceS;
      if (!best || index > best.index) best = { t, index };
    };
    for (const s of ctx.window.own) consider(s);
    for (const s of ctx.window.overflow) consider(s);
    return (urgent as { t: QueuedTicket } | null)?.t ?? (best as { t: QueuedTicket } | null)?.t ?? null;
  },
};

/**
 * Seconds the head of a queue can still afford to wait for a window that owns
 * its service: limit − wait spent − time for those windows to reach it (none
 * if one other than the asking window `excluding` is idle, else one service
 * time shared among them).
 */
export function slackS(ctx: RoutingContext, t: QueuedTicket, excluding: string): number {
  const svc = ctx.services.get(t.service);
  if (!svc) return Infinity;
  let owners = 0;
  let idleOwner = false;
  for (const w of ctx.windows) {
    if (w.status !== 'open' || !w.own.includes(t.service)) continue;
    owners++;
    // The asking window, if it owns the service, will be busy with whatever it takes instead.
    if (!w.busy && w.id !== excluding) idleOwner = true;
  }
  const waited = (ctx.nowMs - t.arrivedAtMs) / 1000;
  const reach = idleOwner ? 0 : owners > 0 ? svc.meanServiceS / owners : Infinity;
  return svc.waitLimitS - waited - reach;
}

export const builtInPolicies: readonly RoutingPolicy[] = [
  defaultPolicy, dedicatedPolicy, eligibleFcfsPolicy, overflowPolicy, pooledPolicy,
];
