// The registry of routing policies, by the names the simulator and config use.
import type { RoutingPolicy } from './types.ts';
import { builtInPolicies } from './policies.ts';

export * from './types.ts';
export { defaultPolicy, dedicatedPolicy, eligibleFcfsPolicy, overflowPolicy, pooledPolicy, deadlineCmuPolicy } from './policies.ts';
export { tailIndexPolicy, type TailIndexParams } from './tail-index.ts';

const policies = new Map<string, RoutingPolicy>(builtInPolicies.map((p) => [p.name, p]));

export function registerPolicy(p: RoutingPolicy): void {
  policies.set(p.name, p);
}

export function getPolicy(name: string): RoutingPolicy {
  const p = policies.get(name);
  if (!p) throw new Error(`unknown routing policy ${name}; known: ${[...policies.keys()].join(', ')}`);
  return p;
}

export function policyNames(): string[] {
  return [...policies.keys()];
}
