// The registry of routing policies, by the names the simulator and config use.
import type { RoutingPolicy } from './types.ts';
import { oldestAmong } from './fair-priority.ts';

export * from './types.ts';

/** Own services first (oldest among them), then overflow services. */
export const overflowPolicy: RoutingPolicy = {
  name: 'overflow',
  pick: (ctx) => oldestAmong(ctx, ctx.window.own) ?? oldestAmong(ctx, ctx.window.overflow),
};

const policies = new Map<string, RoutingPolicy>([
  ['overflow', overflowPolicy],
  // `default` starts as `overflow`; the routing issue replaces it.
  ['default', { ...overflowPolicy, name: 'default' }],
]);

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
