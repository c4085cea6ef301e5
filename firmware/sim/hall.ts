// What the simulator needs from a hall: the operations staff and kiosks perform.
// The one implementation is the controller's HallEngine (engine-hall.ts): the
// simulator never keeps queues or routes of its own.

export interface IssuedTicket { no: string; service: string; estWaitS: number }
export interface CalledTicket { no: string; service: string; arrivedAtMs: number; priority: boolean }

export interface SimHall {
  /** A citizen takes a ticket at `atMs`. */
  issue(service: string, priority: boolean, atMs: number): IssuedTicket;
  /** Window `window` asks for its next citizen; null when the policy leaves it idle. */
  callNext(window: string, atMs: number): CalledTicket | null;
  start(window: string, atMs: number): void;
  complete(window: string, atMs: number): void;
  noShow(window: string, atMs: number): void;
  /** Pauses (false) or resumes (true) a window, as staff do when the hall's staffing changes. */
  setOpen?(window: string, open: boolean, atMs: number): void;
  /** Periodic housekeeping (the controller's once-a-second tick: alerts). */
  tick?(atMs: number): void;
  /** Citizens waiting (not yet called) across the hall. */
  waiting(): number;
  /** The services window `window` may call (own and overflow), as the hall has them. */
  servicesOf(window: string): readonly string[];
  /** Wait-over-limit alerts raised so far. */
  readonly alertsRaised?: number;
  /** The idle windows among `idle` that may serve `service`, in the order the routing policy wants them to call it. */
  dispatchOrder?(service: string, idle: readonly string[]): string[];
  /** Citizens waiting for one service. */
  waitingFor(service: string): number;
}
