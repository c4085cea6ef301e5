// A minimal SimHall straight on the routing policies, for validating the
// simulator's queueing (Erlang C) without the controller. Reported figures come
// from the engine-backed hall (engine-hall.ts).
import type { SimHall, IssuedTicket, CalledTicket } from './hall.ts';
import type { Scenario } from './scenario.ts';
import type { QueuedTicket, RoutingPolicy, RoutingService, RoutingWindow } from '../routing/index.ts';
import { estimateWaitS } from '../routing/estimate.ts';

export class PolicyHall implements SimHall {
  private queues = new Map<string, QueuedTicket[]>();
  private windows = new Map<string, RoutingWindow>();
  private services = new Map<string, RoutingService>();
  private since = new Map<string, number>();
  private seq = new Map<string, number>();
  private count = 0;

  constructor(private s: Scenario, private policy: RoutingPolicy) {
    for (const x of s.services) {
      this.queues.set(x.id, []);
      this.services.set(x.id, { id: x.id, waitLimitS: s.waitLimitS, meanServiceS: x.serviceTime.meanS });
    }
    for (const w of s.windows) this.windows.set(w.id, { id: w.id, floor: w.floor, own: w.own, overflow: w.overflow, status: 'open', busy: false });
  }

  issue(service: string, priority: boolean, atMs: number): IssuedTicket {
    const letter = this.s.services.find((x) => x.id === service)!.letter;
    const n = (this.seq.get(service) ?? 0) + 1;
    this.seq.set(service, n);
    const no = `${letter}${String(n).padStart(3, '0')}`;
    const q = this.queues.get(service)!;
    const estWaitS = estimateWaitS({ queues: this.queues, windows: [...this.windows.values()], services: this.services }, service, q.length);
    q.push({ no, service, priority, queuedAtMs: atMs, arrivedAtMs: atMs });
    this.count++;
    return { no, service, estWaitS };
  }

  callNext(window: string, atMs: number): CalledTicket | null {
    const w = this.windows.get(window)!;
    const t = this.policy.pick({
      nowMs: atMs, window: w, windows: [...this.windows.values()], queues: this.queues, services: this.services,
      ordinaryPerPriority: this.s.ordinaryPerPriority, ordinarySincePriority: this.since,
    });
    if (!t) return null;
    const q = this.queues.get(t.service)!;
    q.splice(q.indexOf(t), 1);
    this.count--;
    this.since.set(t.service, t.priority ? 0 : (this.since.get(t.service) ?? 0) + 1);
    w.busy = true;
    return { no: t.no, service: t.service, arrivedAtMs: t.arrivedAtMs, priority: t.priority };
  }

  start(): void {}
  complete(window: string): void { this.windows.get(window)!.busy = false; }
  noShow(window: string): void { this.windows.get(window)!.busy = false; }
  waiting(): number { return this.count; }
  servicesOf(window: string): readonly string[] {
    if (this.policy.name === 'pooled') return [...this.services.keys()];
    const w = this.windows.get(window);
    return w ? [...w.own, ...w.overflow] : [];
  }
  waitingFor(service: string): number { return this.queues.get(service)?.length ?? 0; }
}
