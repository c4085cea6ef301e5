// Helpers that gather a `SupervisionInput` for the controller: what devices said
// (status and health messages), the ratings of the last minutes (from the engine's
// events), and the queue and windows read from the engine's model.
import type { HallConfig } from '../config/hall.ts';
import type { HallEvent } from '../eventlog/schema.ts';
import type { DeviceHealth, DeviceStatus, WindowStatus } from '../protocol/messages.ts';
import type { SupervisionInput } from './evaluate.ts';

/** Devices as last heard on `device/{id}/status` and `device/{id}/health`. */
export class DeviceWatch {
  private devices = new Map<string, SupervisionInput['devices'][number]>();

  status(id: string, s: DeviceStatus, nowMs: number): void {
    const d = this.devices.get(id);
    this.devices.set(id, { ...d, id, role: s.role, online: s.state === 'online', lastSeenMs: nowMs });
  }
  health(id: string, h: DeviceHealth, nowMs: number): void {
    const d = this.devices.get(id);
    this.devices.set(id, { ...d, id, online: d?.online ?? true, lastSeenMs: nowMs, printer: h.printer ?? d?.printer });
  }
  /** A device taken out of service: no more offline alerts for it. */
  forget(id: string): void { this.devices.delete(id); }
  list(): SupervisionInput['devices'] { return [...this.devices.values()]; }
}

/** Ratings of the last `keepS` seconds, fed from `engine.onEvent`. */
export class RecentRatings {
  private list: SupervisionInput['ratings'] = [];
  constructor(private readonly keepS = 900) {}
  add(e: HallEvent): void {
    if (e.kind !== 'rating') return;
    this.list.push({ ticket: e.ticket, service: e.service, window: e.window, staff: e.staff, score: e.score, reason: e.reason, at: e.at });
  }
  recent(nowMs: number): SupervisionInput['ratings'] {
    this.list = this.list.filter((r) => nowMs - r.at < this.keepS * 1000);
    return this.list;
  }
}

/** The parts of the engine's `HallModel` read here (structural, so the model may grow). */
export interface ModelView {
  hall: HallConfig;
  tickets: Map<string, { no: string; service: string; state: string; arrivedAtMs: number; window?: string; staff?: string; calledAt?: number; startedAt?: number }>;
  windowList: ReadonlyArray<{ id: string; status: WindowStatus; since: number; staff?: string }>;
}

/** Builds the evaluator's input from the engine's model and the two collectors above. */
export function supervisionInput(model: ModelView, nowMs: number, devices: DeviceWatch, ratings: RecentRatings): SupervisionInput {
  const waiting: SupervisionInput['waiting'] = [];
  const serving: SupervisionInput['serving'] = [];
  for (const t of model.tickets.values()) {
    if (t.state === 'waiting' || t.state === 'parked') waiting.push({ ticket: t.no, service: t.service, arrivedAt: t.arrivedAtMs });
    else if ((t.state === 'called' || t.state === 'serving') && t.window) {
      serving.push({ ticket: t.no, service: t.service, window: t.window, staff: t.staff, calledAt: t.calledAt ?? nowMs, startedAt: t.startedAt });
    }
  }
  return {
    nowMs, hall: model.hall, waiting, serving,
    windows: model.windowList.map((w) => ({ id: w.id, status: w.status, since: w.since, staff: w.staff })),
    devices: devices.list(), ratings: ratings.recent(nowMs),
  };
}
