// N seeded days of a scenario under one policy, averaged: what `manyi simulate`
// prints and the benchmark tabulates.
import type { Scenario } from './scenario.ts';
import type { SimHall } from './hall.ts';
import { simulateDay, type DayResult } from './day.ts';
import { averageFigures, dayFigures, ServiceWaits, type DayFigures, type ServiceFigures } from './summary.ts';
import { getPolicy } from '../routing/index.ts';
import { createHall } from './make-hall.ts';

export interface SimulationResult extends DayFigures {
  scenario: string;
  policy: string;
  seeds: number;
  /** Wall-clock milliseconds per simulated day. */
  msPerDay: number;
  /** Per service, over every seeded day's citizens pooled: over-limit share, mean and p95 wait. */
  services: Record<string, ServiceFigures>;
}

export interface SimulateOptions {
  seeds: number;
  /** First seed (seeds run firstSeed … firstSeed + seeds − 1). */
  firstSeed?: number;
  /** Keep each day's raw result (citizens, calls) for the caller. */
  onDay?: (d: DayResult) => void;
  hall?: (s: Scenario, policy: string) => SimHall;
}

export function simulate(s: Scenario, policy: string, opts: SimulateOptions): SimulationResult {
  if (!Number.isInteger(opts.seeds) || opts.seeds < 1) throw new Error(`seeds must be a positive integer, got ${opts.seeds}`);
  getPolicy(policy); // fail early on an unknown name
  const make = opts.hall ?? createHall;
  const first = opts.firstSeed ?? 1;
  const days: DayFigures[] = [];
  const perService = new ServiceWaits(s.services.map((x) => x.id));
  const t0 = performance.now();
  for (let seed = first; seed < first + opts.seeds; seed++) {
    const d = simulateDay(s, make(s, policy), seed);
    opts.onDay?.(d);
    days.push(dayFigures(d, s.waitLimitS));
    perService.add(d);
  }
  const msPerDay = (performance.now() - t0) / opts.seeds;
  return { scenario: s.name, policy, seeds: opts.seeds, ...averageFigures(days), msPerDay, services: perService.figures(s.waitLimitS) };
}
