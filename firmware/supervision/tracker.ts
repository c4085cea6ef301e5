// Turns successive evaluations into what goes out on the `alert` topic: an alert
// once when it is raised, and once more (state `cleared`) when its condition ends.
// An alert whose text changes while raised (minutes ticking) is not re-sent.
import type { HallConfig } from '../config/hall.ts';
import { isoLocal } from '../lib/time.ts';
import type { Alert } from '../protocol/messages.ts';
import { evaluateAlerts, type SupervisionInput, type SupervisionOptions } from './evaluate.ts';

export class AlertTracker {
  private raised = new Map<string, Alert>();

  constructor(private readonly timezone: string) {}

  /** The alerts raised now, oldest first (for the manager's page). */
  active(): Alert[] {
    return [...this.raised.values()].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  }

  /** Compares with the previous evaluation; returns the messages to publish. */
  update(now: Alert[], nowMs: number): Alert[] {
    const changes: Alert[] = [];
    const seen = new Set<string>();
    for (const a of now) {
      seen.add(a.id);
      if (this.raised.has(a.id)) { this.raised.set(a.id, { ...a, at: this.raised.get(a.id)!.at }); continue; }
      const raised = { ...a, state: 'raised' as const };
      this.raised.set(a.id, raised);
      changes.push(raised);
    }
    for (const [id, a] of this.raised) {
      if (seen.has(id)) continue;
      this.raised.delete(id);
      changes.push({ ...a, state: 'cleared', at: isoLocal(nowMs, this.timezone) });
    }
    return changes;
  }
}

/** Evaluator and tracker together: what the controller's ticker holds. */
export class Supervisor {
  readonly tracker: AlertTracker;
  constructor(hall: HallConfig, private readonly opts: SupervisionOptions = {}) {
    this.tracker = new AlertTracker(hall.hall.timezone);
  }
  /** One tick: the alerts to publish on `alert` (QoS 1, not retained). */
  tick(input: SupervisionInput): Alert[] {
    return this.tracker.update(evaluateAlerts(input, this.opts), input.nowMs);
  }
  active(): Alert[] { return this.tracker.active(); }
}
