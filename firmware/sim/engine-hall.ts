// The simulator's hall: the controller's own HallEngine (routing, estimates,
// alerts, event log), driven with virtual time. Every change goes through the
// same commands a kiosk or a window's keypad sends.
import { HallEngine } from '../controller/engine.ts';
import type { HallConfig } from '../config/hall.ts';
import type { SimHall, IssuedTicket, CalledTicket } from './hall.ts';

export class EngineHall implements SimHall {
  readonly engine: HallEngine;
  private seq = 0;
  private waitingCount = 0;
  /** Wait-over-limit alerts the engine raised (its tick), for the day's figures. */
  alertsRaised = 0;

  /** Opens every window at `openMs`. */
  constructor(hall: HallConfig, policy: string, openMs: number, engine?: HallEngine) {
    this.engine = engine ?? new HallEngine({ hall, policy });
    for (const id of this.engine.windowIds) this.command(id, 'open', openMs);
    this.engine.onEvent((e) => { if (e.kind === 'alert' && e.state === 'raised') this.alertsRaised++; });
  }

  private id(): string { return `sim-${++this.seq}`; }

  private command(window: string, action: 'open' | 'call-next' | 'start' | 'complete' | 'no-show' | 'pause' | 'resume', atMs: number) {
    const r = this.engine.window(window, { id: this.id(), action }, atMs);
    if (!r.ok) throw new Error(`window ${window} ${action} at ${new Date(atMs).toISOString()}: ${r.error.code}: ${r.error.message}`);
    return r;
  }

  issue(service: string, priority: boolean, atMs: number): IssuedTicket {
    const r = this.engine.kiosk('sim', { op: 'ticket', id: this.id(), service, priority: priority ? 'priority' : 'normal' }, atMs);
    if (!r.ok || !r.ticket) throw new Error(`ticket for ${service} refused: ${r.ok ? 'no ticket' : `${r.error.code}: ${r.error.message}`}`);
    this.waitingCount++;
    return { no: r.ticket.no, service, estWaitS: r.ticket.estWaitS };
  }

  callNext(window: string, atMs: number): CalledTicket | null {
    const r = this.command(window, 'call-next', atMs);
    if (!r.ticket) return null;
    const t = this.engine.model.tickets.get(r.ticket.no)!;
    this.waitingCount--;
    return { no: t.no, service: t.service, arrivedAtMs: t.arrivedAtMs, priority: t.priority };
  }

  start(window: string, atMs: number): void { this.command(window, 'start', atMs); }
  complete(window: string, atMs: number): void { this.command(window, 'complete', atMs); }
  noShow(window: string, atMs: number): void { this.command(window, 'no-show', atMs); }
  setOpen(window: string, open: boolean, atMs: number): void { this.command(window, open ? 'resume' : 'pause', atMs); }
  tick(atMs: number): void { this.engine.tick(atMs); }
  waiting(): number { return this.waitingCount; }
  servicesOf(window: string): readonly string[] {
    const w = this.engine.model.windows.get(window);
    return w ? [...w.own, ...w.overflow] : [];
  }
  dispatchOrder(service: string, idle: readonly string[]): string[] { return this.engine.dispatchOrder(service, idle); }
  waitingFor(service: string): number { return this.engine.model.queues.get(service)?.length ?? 0; }
}
