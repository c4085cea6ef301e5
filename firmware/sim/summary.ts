// Figures of simulated days: one day's, and the average over seeded days.
import type { DayResult } from './day.ts';

export interface DayFigures {
  citizens: number;
  meanWaitS: number;
  p95WaitS: number;
  maxWaitS: number;
  /** Share of citizens whose wait passed the limit (0–1). */
  overLimitShare: number;
  maxQueue: number;
  utilisation: number;
  /** Estimate printed on the ticket vs the wait then had. */
  estMaeS: number;
  estP90ErrS: number;
  /** Wait-over-limit alerts the controller raised (its own alert code). */
  alerts: number;
}

export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}

export function dayFigures(d: DayResult, waitLimitS: number): DayFigures {
  const served = d.citizens.filter((c) => c.waitS !== undefined);
  const waits = served.map((c) => c.waitS!).sort((a, b) => a - b);
  const errs = served.map((c) => Math.abs(c.estWaitS - c.waitS!)).sort((a, b) => a - b);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    citizens: d.citizens.length,
    meanWaitS: waits.length ? sum(waits) / waits.length : 0,
    p95WaitS: quantile(waits, 0.95),
    maxWaitS: waits.at(-1) ?? 0,
    overLimitShare: waits.length ? waits.filter((w) => w > waitLimitS).length / waits.length : 0,
    maxQueue: d.maxQueue,
    utilisation: d.utilisation,
    estMaeS: errs.length ? sum(errs) / errs.length : 0,
    estP90ErrS: quantile(errs, 0.9),
    alerts: d.alerts,
  };
}

/** One service's waits over every simulated day (citizens pooled, not days averaged). */
export interface ServiceFigures {
  /** Citizens called (their wait is known). */
  served: number;
  meanWaitS: number;
  p95WaitS: number;
  /** Share of its called citizens whose wait passed the limit (0–1). */
  overLimitShare: number;
}

/** Collects each service's waits day after day; `figures()` gives the pooled figures. */
export class ServiceWaits {
  private waits = new Map<string, number[]>();

  constructor(services: readonly string[] = []) {
    for (const s of services) this.waits.set(s, []);
  }

  add(d: DayResult): void {
    for (const c of d.citizens) {
      if (c.waitS === undefined) continue;
      let w = this.waits.get(c.service);
      if (!w) this.waits.set(c.service, (w = []));
      w.push(c.waitS);
    }
  }

  figures(waitLimitS: number): Record<string, ServiceFigures> {
    const out: Record<string, ServiceFigures> = {};
    for (const [s, w] of this.waits) {
      const sorted = [...w].sort((a, b) => a - b);
      out[s] = {
        served: sorted.length,
        meanWaitS: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0,
        p95WaitS: quantile(sorted, 0.95),
        overLimitShare: sorted.length ? sorted.filter((x) => x > waitLimitS).length / sorted.length : 0,
      };
    }
    return out;
  }
}

/** The mean of each figure over days. */
export function averageFigures(days: readonly DayFigures[]): DayFigures {
  const out = {} as Record<keyof DayFigures, number>;
  for (const k of Object.keys(days[0]!) as Array<keyof DayFigures>) {
    out[k] = days.reduce((a, d) => a + d[k], 0) / days.length;
  }
  return out;
}
