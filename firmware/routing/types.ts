// The routing contract: a policy is a pure function of the queues, the windows and
// the clock. The controller, the simulator and the benchmark all call it the same way.

export interface QueuedTicket {
  no: string;
  service: string;
  priority: boolean;
  /** Place in the queue: the issue time (a transfer keeps it). */
  queuedAtMs: number;
  /** When the citizen arrived; waits are measured from here. */
  arrivedAtMs: number;
}

export interface RoutingWindow {
  id: string;
  floor: string;
  own: readonly string[];
  overflow: readonly string[];
  status: 'open' | 'paused' | 'closed';
  /** Serving or calling a ticket right now. */
  busy: boolean;
}

export interface RoutingService {
  id: string;
  waitLimitS: number;
  /** Current estimate of the mean service time (today's observations, else the prior). */
  meanServiceS: number;
}

export interface RoutingContext {
  nowMs: number;
  /** The window asking for its next ticket. */
  window: RoutingWindow;
  windows: readonly RoutingWindow[];
  /** Waiting tickets per service, oldest place first. */
  queues: ReadonlyMap<string, readonly QueuedTicket[]>;
  services: ReadonlyMap<string, RoutingService>;
  /** "N ordinary, then one priority", counted per service. */
  ordinaryPerPriority: number;
  ordinarySincePriority: ReadonlyMap<string, number>;
  /**
   * Per service: the turns first-come-first-served owes it today (guard-ledger.ts:
   * its citizen at risk of passing the limit passed over for a later one of
   * another service at a window that could serve both; one given back each time
   * it is called while owed; never below 0). Absent: no history, no guard.
   */
  passedOver?: ReadonlyMap<string, number>;
  /** The hall's routing settings (hall configuration `routing`). */
  settings?: RoutingSettings;
}

export interface RoutingSettings {
  /**
   * Service guard: a service owed (see `passedOver`) at least this many turns
   * today makes every window allowed to serve it first come first served, until
   * it is owed fewer. 0 is eligible-FCFS at every window; larger lets the
   * routing trade more of one service's waiting for the hall's.
   */
  serviceGuard: number;
}

export interface RoutingPolicy {
  readonly name: string;
  /** The ticket this window should call now, or null to stay idle. Must not mutate ctx. */
  pick(ctx: RoutingContext): QueuedTicket | null;
  /**
   * Which of the idle `windows` should call a ticket of `service` that just
   * arrived, best first (windows that may not serve it left out). Without it,
   * the windows in the order given (who asks first). The simulator asks the
   * windows in this order; live, staff press when they press. `settings`: the
   * hall's routing settings.
   */
  dispatchOrder?(windows: readonly RoutingWindow[], service: string, settings?: RoutingSettings): RoutingWindow[];
}
