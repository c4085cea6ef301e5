import { describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { trafficPlan } from '../../firmware/demo/traffic.ts';

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
