// Estimated wait per service, from the queues, the open windows and today's
// observed service times. Pure: the controller, the simulator and the benchmark
// call the same function.
import type { RoutingService, RoutingWindow, QueuedTicket } from './types.ts';

export interface EstimateInput {
  queues: ReadonlyMap<string, readonly QueuedTicket[]>;
  windows: readonly RoutingWindow[];
  services: ReadonlyMap<string, RoutingService>;
}

/**
 * Seconds a ticket joining `service`'s queue now would wait, given `ahead` people
 * before it. The open windows that may serve the service (own or overflow) work
 * through the queued work they share: the `ahead` citizens of this service, and
 * the citizens of the other services those windows also take, each counted in
 * the share of that service's windows these are and in the measure the default
 * policy lets them go first (shorter errands first). Service times are the
 * services' current means (today's observations, blended with the prior by the
 * engine). A free window serves at once.
 */
export function estimateWaitS(input: EstimateInput, service: string, ahead: number): number {
  const svc = input.services.get(service);
  if (!svc) return 0;
  const open = input.windows.filter((w) => w.status === 'open');
  const mine = open.filter((w) => w.own.includes(service) || w.overflow.includes(service));
  if (mine.length === 0) return Math.max(ahead + 1, 1) * svc.meanServiceS * 4; // nobody open: a pessimistic guess
  const idle = mine.filter((w) => !w.busy).length;
  if (ahead < idle) return 0;
  let work = (ahead - idle) * svc.meanServiceS;
  const others = new Set<string>();
  for (const w of mine) for (const s of [...w.own, ...w.overflow]) if (s !== service) others.add(s);
  for (const o of others) {
    const q = input.queues.get(o)?.length ?? 0;
    const m = input.services.get(o)?.meanServiceS ?? 0;
    if (q === 0 || m === 0) continue;
    const able = open.filter((w) => w.own.includes(o) || w.overflow.includes(o)).length;
    const shared = mine.filter((w) => w.own.includes(o) || w.overflow.includes(o)).length;
    // How much of the other queue goes before this ticket: the default policy
    // (tail-index.ts) scores a queue by its length ÷ mean service time, so
    // shorter errands go first (weight 1) and longer ones in the ratio of the
    // service times, until urgency near the limit evens them out.
    const weight = m <= svc.meanServiceS ? 1 : svc.meanServiceS / m;
    work += (q * m * shared * weight) / able;
  }
  // With every window busy, the first one frees after about one service time shared among them.
  const residual = idle > 0 ? 0 : svc.meanServiceS / mine.length;
  return work / mine.length + residual;
}
