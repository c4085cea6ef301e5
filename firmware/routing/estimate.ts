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
 * before it. Windows that own the service count fully; overflow windows count in
 * proportion to the time their own queues leave them.
 */
export function estimateWaitS(input: EstimateInput, service: string, ahead: number): number {
  const svc = input.services.get(service);
  if (!svc) return 0;
  let capacity = 0; // services per second
  for (const w of input.windows) {
    if (w.status !== 'open') continue;
    if (w.own.includes(service)) capacity += 1 / svc.meanServiceS;
    else if (w.overflow.includes(service)) {
      const ownBacklog = w.own.reduce((n, s) => n + (input.queues.get(s)?.length ?? 0), 0);
      if (ownBacklog === 0) capacity += 0.5 / svc.meanServiceS;
    }
  }
  if (capacity === 0) return Math.max(ahead + 1, 1) * svc.meanServiceS * 4; // nobody open: a pessimistic guess
  return ahead / capacity;
}
