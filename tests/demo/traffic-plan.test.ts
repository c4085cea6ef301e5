import { describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { trafficPlan } from '../../firmware/demo/traffic.ts';
import { hospitalMorning } from '../../firmware/demo/morning.ts';
import { hhmmToS, localToMs } from '../../firmware/lib/time.ts';

const hall = loadHallConfig();

describe('demo traffic plan', () => {
  it('offers each service work in proportion to its own windows, at the asked load', () => {
    const plan = trafficPlan(hall, 0.5, 0.9);
    const total = plan.mix.reduce((s, [, w]) => s + w, 0);
    for (const [id, w] of plan.mix) {
      const svc = hall.services.find((s) => s.id === id)!;
      const own = hall.windows.filter((x) => x.own.includes(id)).length;
      const arrivalsPerS = (plan.ratePerMin / 60) * (w / total);
      // Busy share of the service's own windows; 7 s per ticket for walking up and rating.
      const busy = (arrivalsPerS * (svc.expectedServiceS * 0.5 + 7)) / own;
      expect(busy).toBeGreaterThan(0.85);
      expect(busy).toBeLessThan(0.95);
    }
    // Slower service means fewer citizens for the same windows.
    expect(trafficPlan(hall, 1).ratePerMin).toBeLessThan(trafficPlan(hall, 0.5).ratePerMin);
  });
});

describe("the demo's default arrivals: a hospital's day", () => {
  const plan = trafficPlan(hall, 0.5);
  const total = plan.mix.reduce((s, [, w]) => s + w, 0);
  const perService = plan.mix.map(([id, w]) => [id, plan.ratePerMin * w / total] as [string, number]);
  const day = hospitalMorning(hall, perService);
  const at = (hhmm: string) => localToMs('2026-11-26', hhmmToS(hhmm), hall.hall.timezone);
  const rate = (hhmm: string, id: string) => day.ratesAt(at(hhmm)).find(([s]) => s === id)![1];
  const mean = (id: string) => perService.find(([s]) => s === id)![1];

  it('peaks registration at 08:00–09:00, payment after the first consultations, discharge in the afternoon', () => {
    expect(rate('08:30', 'registration') / mean('registration')).toBeGreaterThan(2.5);
    expect(rate('08:30', 'registration')).toBeGreaterThan(rate('10:30', 'registration'));
    expect(rate('09:30', 'payment')).toBeGreaterThan(rate('08:30', 'payment'));
    expect(rate('14:00', 'discharge')).toBeGreaterThan(rate('09:00', 'discharge'));
    expect(rate('12:30', 'registration')).toBe(0); // lunch
  });

  it('averages, over the opening hours, what keeps each service about 95 % busy', () => {
    for (const [id, m] of perService) {
      let sum = 0; let n = 0;
      for (let s = hhmmToS('07:30'); s < hhmmToS('17:00'); s += 60, n++) sum += day.ratesAt(localToMs('2026-11-26', s, hall.hall.timezone)).find(([x]) => x === id)![1];
      expect(sum / n / m).toBeCloseTo(1, 1);
    }
  });
});
