// The service guard's ledger (issue #13): per service, the turns first come first
// served owes it today. The engine keeps it from its `ticket-called` events (so a
// restarted controller has the same figures); the default policy reads it
// (RoutingContext.passedOver) and, past the hall's `routing.serviceGuard`, makes
// every window allowed to serve the service first come first served.

/** Share of the wait limit past which a citizen passed over counts: "at risk". */
export const AT_RISK = 0.5;

export interface LedgerTicket {
  service: string;
  arrivedAtMs: number;
}

/**
 * `called` was called at `nowMs` at a window that may serve `services`; `head`
 * gives each queue's longest-waiting citizen (before the call). The service
 * whose citizen first come first served would have called there instead — the
 * oldest head of another service that came earlier, at risk (past AT_RISK of
 * its limit, not past it: one past it already counts as late) — is owed one more
 * turn. The called service, if owed, is given one back. No credit is banked: a
 * service served ahead of others at one window is not owed less when it is
 * passed over later, at the peak, where passing over is what makes citizens late.
 */
export function countCall(
  owed: Map<string, number>, services: readonly string[], head: (service: string) => LedgerTicket | undefined,
  limitS: (service: string) => number, called: LedgerTicket, nowMs: number,
): void {
  let oldest: LedgerTicket | undefined;
  for (const s of services) {
    const h = head(s);
    if (!h || h.service === called.service || h.arrivedAtMs >= called.arrivedAtMs) continue;
    const waited = nowMs - h.arrivedAtMs;
    const limit = limitS(s) * 1000;
    if (waited > limit || waited < limit * AT_RISK) continue;
    if (!oldest || h.arrivedAtMs < oldest.arrivedAtMs) oldest = h;
  }
  if (oldest) owed.set(oldest.service, (owed.get(oldest.service) ?? 0) + 1);
  const n = owed.get(called.service) ?? 0;
  if (n > 0) owed.set(called.service, n - 1);
}
