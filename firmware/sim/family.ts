// Policies compared over a family of halls (issue #13): for each hall, every
// policy's seeded days, the best of the simple skill-constrained policies, the
// pooled bound and the wiring bound; over the family, the figures the bench prints.
import type { Scenario } from './scenario.ts';
import { parseScenario } from './scenario.ts';
import { simulate, type SimulationResult } from './run.ts';
import type { SimHall } from './hall.ts';

/** What halls can do today without a smarter controller: the baselines of the tail criterion. */
export const SIMPLE_POLICIES = ['dedicated', 'overflow', 'eligible-fcfs'] as const;

export interface HallComparison {
  hall: string;
  results: Map<string, SimulationResult>;
  /** Lowest over-limit share among the simple policies, and which one. */
  bestSimple: { policy: string; overLimitShare: number };
  pooledMeanS: number;
  /** Mean wait if each service had every window allowed to take it to itself (seconds). */
  wiringBoundS: number;
}

/**
 * One service alone on every window allowed to serve it (own or overflow), first
 * come first served: no skill-constrained routing gives that service a shorter
 * mean wait, since every other service only takes windows away from it.
 */
export function serviceAlone(s: Scenario, service: string): Scenario {
  const windows = s.windows.filter((w) => w.own.includes(service) || w.overflow.includes(service));
  return parseScenario({
    ...s,
    name: `${s.name}/${service}-alone`,
    services: s.services.filter((x) => x.id === service),
    windows: windows.map((w) => ({ id: w.id, floor: w.floor, own: [service], overflow: [] })),
    arrivals: { [service]: s.arrivals[service] ?? [] },
  }, `${s.name}: ${service} alone`);
}

/** The wiring bound: the citizens-weighted mean wait of each service alone on its windows (same seeds). */
export function wiringBoundS(s: Scenario, seeds: number, firstSeed = 1): number {
  let sum = 0, n = 0;
  for (const x of s.services) {
    if (!(s.arrivals[x.id]?.length)) continue;
    const r = simulate(serviceAlone(s, x.id), 'eligible-fcfs', { seeds, firstSeed });
    const f = r.services[x.id]!;
    sum += f.meanWaitS * f.served;
    n += f.served;
  }
  return n ? sum / n : 0;
}

export interface CompareOptions {
  seeds: number;
  firstSeed?: number;
  /** Policies besides the simple ones and pooled (default: none). */
  policies?: readonly string[];
  /** Skip the wiring bound (it costs one run per service). */
  noBound?: boolean;
  hall?: (s: Scenario, policy: string) => SimHall;
}

export function compareOnHall(s: Scenario, o: CompareOptions): HallComparison {
  const results = new Map<string, SimulationResult>();
  for (const p of [...SIMPLE_POLICIES, 'pooled', ...(o.policies ?? [])]) {
    if (!results.has(p)) results.set(p, simulate(s, p, { seeds: o.seeds, firstSeed: o.firstSeed, hall: o.hall }));
  }
  return comparison(s.name, results, o.noBound ? NaN : wiringBoundS(s, o.seeds, o.firstSeed));
}

/** A hall's comparison from results already at hand (they must hold the simple policies and pooled). */
export function comparison(hall: string, results: Map<string, SimulationResult>, boundS: number): HallComparison {
  let bestSimple = { policy: '', overLimitShare: Infinity };
  for (const p of SIMPLE_POLICIES) {
    const r = results.get(p);
    if (!r) throw new Error(`${p} was not run on ${hall}`);
    if (r.overLimitShare < bestSimple.overLimitShare) bestSimple = { policy: p, overLimitShare: r.overLimitShare };
  }
  const pooled = results.get('pooled');
  if (!pooled) throw new Error(`pooled was not run on ${hall}`);
  return { hall, results, bestSimple, pooledMeanS: pooled.meanWaitS, wiringBoundS: boundS };
}

/** The other two criteria: over-limit share within this many points of the best simple policy, each service within this many of eligible-FCFS. */
export const TAIL_CRITERION_PTS = 0.25;
export const SERVICE_CRITERION_PTS = 2;

/**
 * Whether a hall's wiring lets a policy's mean wait come within `ratio` × pooled FCFS:
 * - 'proved': not even the lower bound (each service alone on every window allowed
 *   to take it, first come first served: no skill-constrained routing does better
 *   for any service) is within it;
 * - 'no-rule': the bound is, but no other skill-constrained rule that was run
 *   (`others`: the simple policies, the mean-first references…) comes within it
 *   either: evidence, not proof, that the wiring forbids it;
 * - 'at-a-cost': some other rule comes within it, but only rules that break the
 *   tail criterion or let a service fall more than the service criterion behind
 *   eligible-FCFS;
 * - 'reachable': a rule comes within it and meets those two criteria as well.
 * 'proved' and 'no-rule' are the wiring-bound halls.
 */
export interface WiringVerdict {
  verdict: 'proved' | 'no-rule' | 'at-a-cost' | 'reachable';
  /** The lower bound ÷ pooled. */
  lowerRatio: number;
  /** The best mean ÷ pooled among the other rules, and which rule. */
  bestOther: { policy: string; meanRatio: number };
  /** The same among the other rules that meet the tail and service criteria on this hall (Infinity if none does). */
  bestFair: { policy: string; meanRatio: number };
}

export function wiringVerdict(c: HallComparison, others: readonly string[], ratio: number): WiringVerdict {
  let bestOther = { policy: '', meanRatio: Infinity };
  let bestFair = { policy: '', meanRatio: Infinity };
  for (const p of others) {
    const r = policyOnHall(c, p);
    if (r.meanRatio < bestOther.meanRatio) bestOther = { policy: p, meanRatio: r.meanRatio };
    const fair = r.tailPts <= TAIL_CRITERION_PTS && r.guardPts.pts <= SERVICE_CRITERION_PTS;
    if (fair && r.meanRatio < bestFair.meanRatio) bestFair = { policy: p, meanRatio: r.meanRatio };
  }
  const pooled = c.pooledMeanS;
  const lowerRatio = pooled > 0 ? c.wiringBoundS / pooled : (c.wiringBoundS > 0 ? Infinity : 1);
  const verdict = lowerRatio > ratio ? 'proved' : bestOther.meanRatio > ratio ? 'no-rule' : bestFair.meanRatio > ratio ? 'at-a-cost' : 'reachable';
  return { verdict, lowerRatio, bestOther, bestFair };
}

/** A policy's figures on one hall, relative to the baselines. */
export interface PolicyOnHall {
  hall: string;
  policy: string;
  meanWaitS: number;
  /** Mean wait ÷ pooled FCFS's. */
  meanRatio: number;
  overLimitShare: number;
  /** Over-limit share − the best simple policy's, in points. */
  tailPts: number;
  /** The service with the largest over-limit share, and that share. */
  worstService: { service: string; overLimitShare: number };
  /** The largest (service's over-limit share − under eligible-FCFS), in points, and its service. */
  guardPts: { service: string; pts: number };
}

export function policyOnHall(c: HallComparison, policy: string): PolicyOnHall {
  const r = c.results.get(policy);
  if (!r) throw new Error(`${policy} was not run on ${c.hall}`);
  const ef = c.results.get('eligible-fcfs')!;
  let worst = { service: '', overLimitShare: -1 };
  let guard = { service: '', pts: -Infinity };
  for (const [s, f] of Object.entries(r.services)) {
    if (f.overLimitShare > worst.overLimitShare) worst = { service: s, overLimitShare: f.overLimitShare };
    const d = (f.overLimitShare - (ef.services[s]?.overLimitShare ?? 0)) * 100;
    if (d > guard.pts) guard = { service: s, pts: d };
  }
  return {
    hall: c.hall, policy, meanWaitS: r.meanWaitS,
    meanRatio: c.pooledMeanS > 0 ? r.meanWaitS / c.pooledMeanS : (r.meanWaitS > 0 ? Infinity : 1),
    overLimitShare: r.overLimitShare,
    tailPts: (r.overLimitShare - c.bestSimple.overLimitShare) * 100,
    worstService: worst, guardPts: guard,
  };
}

export interface FamilyRow {
  policy: string;
  halls: number;
  worstMeanRatio: PolicyOnHall;
  medianMeanRatio: number;
  worstTail: PolicyOnHall;
  meanTailPts: number;
  worstService: PolicyOnHall;
  worstGuard: PolicyOnHall;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const argmax = <T>(xs: T[], f: (x: T) => number): T => xs.reduce((a, b) => (f(b) > f(a) ? b : a));

export function familyRow(policy: string, rows: PolicyOnHall[]): FamilyRow {
  return {
    policy, halls: rows.length,
    worstMeanRatio: argmax(rows, (r) => r.meanRatio),
    medianMeanRatio: median(rows.map((r) => r.meanRatio)),
    worstTail: argmax(rows, (r) => r.tailPts),
    meanTailPts: rows.reduce((a, r) => a + r.tailPts, 0) / rows.length,
    worstService: argmax(rows, (r) => r.worstService.overLimitShare),
    worstGuard: argmax(rows, (r) => r.guardPts.pts),
  };
}
