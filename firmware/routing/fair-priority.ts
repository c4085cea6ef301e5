import type { QueuedTicket, RoutingContext } from './types.ts';

/**
 * The next ticket of one service's queue under "N ordinary, then one priority":
 * a waiting priority ticket goes first once N ordinary ones were called since the
 * last priority one; with no ordinary ticket waiting, priority goes at once.
 * Bound: priority never pushes an ordinary citizen past the wait limit — an
 * ordinary ticket that has waited longer and is within one service time of the
 * limit goes first whatever the ratio says.
 */
export function nextInService(ctx: RoutingContext, service: string): QueuedTicket | null {
  const q = ctx.queues.get(service);
  if (!q || q.length === 0) return null;
  let firstOrdinary: QueuedTicket | null = null;
  let firstPriority: QueuedTicket | null = null;
  for (const t of q) {
    if (t.priority) firstPriority ??= t; else firstOrdinary ??= t;
    if (firstOrdinary && firstPriority) break;
  }
  if (!firstPriority) return firstOrdinary;
  if (!firstOrdinary) return firstPriority;
  const since = ctx.ordinarySincePriority.get(service) ?? 0;
  if (since < ctx.ordinaryPerPriority) return firstOrdinary;
  const svc = ctx.services.get(service);
  if (svc && firstOrdinary.arrivedAtMs < firstPriority.arrivedAtMs) {
    const waitedS = (ctx.nowMs - firstOrdinary.arrivedAtMs) / 1000;
    if (waitedS + svc.meanServiceS >= svc.waitLimitS) return firstOrdinary;
  }
  return firstPriority;
}

/** Among several services, the candidate whose citizen has waited longest. */
export function oldestAmong(ctx: RoutingContext, services: readonly string[]): QueuedTicket | null {
  let best: QueuedTicket | null = null;
  for (const s of services) {
    const t = nextInService(ctx, s);
    if (t && (!best || t.queuedAtMs < best.queuedAtMs)) best = t;
  }
  return best;
}
