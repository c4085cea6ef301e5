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
}

export interface RoutingPolicy {
  readonly name: string;
  /** The ticket this window should call now, or null to stay idle. Must not mutate ctx. */
  pick(ctx: RoutingContext): QueuedTicket | null;
}
