// The hall the simulator drives by default.
import type { Scenario } from './scenario.ts';
import type { SimHall } from './hall.ts';
import { PolicyHall } from './policy-hall.ts';
import { getPolicy } from '../routing/index.ts';

export function createHall(s: Scenario, policy: string): SimHall {
  return new PolicyHall(s, getPolicy(policy));
}
