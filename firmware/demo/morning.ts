// The demo's default arrivals follow a hospital's day as the client's reports
// describe it (firmware/sim/scenarios/hospital-day.json: registration peaks
// 08:00–09:00, payment 09:00–11:00, discharge settlement 13:00–15:00), scaled to
// the demo hall: over the day each service gets what keeps its own windows about
// 95 % busy (`trafficPlan`), so at the morning peak registration gets nearly three
// times that, queues form, and the controller's advice sends people to windows
// that can take them. A service of the hall the scenario does not have (matched by
// ticket letter) keeps a flat rate.
import { readFileSync } from 'node:fs';
import type { HallConfig } from '../config/hall.ts';
import { hhmmToS, localSecondOfDay } from '../lib/time.ts';

const SCENARIO = new URL('../sim/scenarios/hospital-day.json', import.meta.url);

interface Span { from: number; to: number; perHour: number }
interface ScenarioFile { services: Array<{ id: string; letter: string }>; arrivals: Record<string, Array<[string, string, number]>>; open: string; close: string }

export interface ArrivalProfile {
  /** Citizens per minute for each service at this hall time. */
  ratesAt(ms: number): Array<[string, number]>;
}

/**
 * `planPerMin`: each service's mean rate over the day (from trafficPlan). Returns
 * the rate at each moment, shaped by the hospital day.
 */
export function hospitalMorning(hall: HallConfig, planPerMin: Array<[string, number]>): ArrivalProfile {
  const sc = JSON.parse(readFileSync(SCENARIO, 'utf8')) as ScenarioFile;
  const dayS = hhmmToS(sc.close) - hhmmToS(sc.open);
  const shapes = new Map<string, { spans: Span[]; meanPerHour: number }>();
  for (const svc of hall.services) {
    const own = sc.services.find((s) => s.letter === svc.letter);
    const raw = own ? sc.arrivals[own.id] ?? [] : [];
    if (!raw.length) continue;
    const spans = raw.map(([f, t, perHour]) => ({ from: hhmmToS(f), to: hhmmToS(t), perHour }));
    const total = spans.reduce((n, s) => n + s.perHour * (s.to - s.from) / 3600, 0);
    shapes.set(svc.id, { spans, meanPerHour: total / (dayS / 3600) });
  }
  return {
    ratesAt(ms) {
      const s = localSecondOfDay(ms, hall.hall.timezone);
      return planPerMin.map(([id, mean]) => {
        const shape = shapes.get(id);
        if (!shape) return [id, mean];
        const span = shape.spans.find((x) => s >= x.from && s < x.to);
        return [id, mean * (span ? span.perHour : 0) / shape.meanPerHour];
      });
    },
  };
}
