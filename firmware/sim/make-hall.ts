// The hall the simulator drives: the controller's engine on the scenario's hall.
import type { Scenario } from './scenario.ts';
import { scenarioToHallConfig, dayBoundsS } from './scenario.ts';
import type { SimHall } from './hall.ts';
import { EngineHall } from './engine-hall.ts';
import { SIM_DAY } from './day.ts';
import { localToMs } from '../lib/time.ts';

export function createHall(s: Scenario, policy: string): SimHall {
  const hall = scenarioToHallConfig(s);
  if (policy === 'pooled') {
    // The engine lets a window call only what it is configured to serve, so the
    // pooled reference runs on a hall where every window may take every service.
    const all = hall.services.map((x) => x.id);
    for (const w of hall.windows) w.overflow = all.filter((id) => !w.own.includes(id));
  }
  return new EngineHall(hall, policy, localToMs(SIM_DAY, dayBoundsS(s).openS, s.timezone));
}
