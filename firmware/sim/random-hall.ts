// A family of halls, not two: a seeded generator of plausible service halls, so
// that routing is judged on halls it was never tuned on. Hall `index` of family
// `seed` is always the same hall, on any machine.
//
// The distributions (issue #13):
// - 3–8 services, lognormal service times with means 30–400 s (log-uniform) and
//   cv 0.3–1.0; demand shared unevenly (some services large, some small);
// - 8–30 windows, each with 1–2 own services and 0–3 overflow services; about a
//   quarter of the services (specialist errands) are nobody's overflow;
// - own windows per service roughly proportional to the service's work (with
//   noise: some services under-staffed, some over);
// - a morning peak (1–2.5 h after opening), a smaller afternoon bump, a lunch dip;
//   each service's peak shifted a little;
// - average load 0.75–0.95 (the windows' utilisation over the opening hours;
//   arrivals stop half an hour before closing), so the peaks pass capacity for a while.
import { createRng, normal, type Rng } from './rng.ts';
import { parseScenario, type Scenario } from './scenario.ts';

const LETTERS = 'ABCDEFGH';
/** Arrivals stop this long before closing (citizens still inside are served). */
const LAST_ARRIVAL_BEFORE_CLOSE_S = 30 * 60;
/** Arrival rates change every this many seconds (a piecewise-constant Poisson profile). */
const SPAN_S = 30 * 60;
/** Average utilisation of a specialist's own windows (nobody else may take its citizens). */
const SPECIALIST_LOAD = 0.8;

const uniform = (r: Rng, a: number, b: number) => a + (b - a) * r.next();
const int = (r: Rng, a: number, b: number) => a + Math.floor(r.next() * (b - a + 1));
const hhmm = (s: number) => `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;

function pickDistinct<T>(r: Rng, from: readonly T[], n: number): T[] {
  const pool = [...from];
  const out: T[] = [];
  while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(r.next() * pool.length), 1)[0]!);
  return out;
}

/** Splits `total` into integer parts proportional to `weights`, each at least `min` (largest remainder). */
export function apportion(total: number, weights: readonly number[], min = 1): number[] {
  const free = total - min * weights.length;
  if (free < 0) throw new Error(`cannot give ${weights.length} parts at least ${min} of ${total}`);
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (free * w) / sum);
  const out = exact.map((x) => min + Math.floor(x));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k]![1]]! += 1;
  return out;
}

export interface RandomHallOptions {
  /** Wait limit of every service, seconds (default 900: the post-office standard). */
  waitLimitS?: number;
}

/** Hall `index` (0-based) of the family seeded `seed`, as a validated scenario. */
export function randomHall(seed: number, index: number, opts: RandomHallOptions = {}): Scenario {
  const r = createRng(seed, 50_000 + index);
  const nServices = int(r, 3, 8);
  const nWindows = int(r, Math.max(8, nServices), 30);
  const load = uniform(r, 0.75, 0.95);

  const services = Array.from({ length: nServices }, (_, i) => {
    const meanS = Math.round(Math.exp(uniform(r, Math.log(30), Math.log(400))));
    const cv = Math.round(uniform(r, 0.3, 1.0) * 100) / 100;
    // Share of the hall's work (before staffing): lognormal weights give a few big services and small ones.
    const work = Math.exp(0.8 * normal(r));
    return { id: `s${i + 1}`, letter: LETTERS[i]!, meanS, cv, work };
  });
  const workSum = services.reduce((a, s) => a + s.work, 0);
  for (const s of services) s.work /= workSum;

  // Own windows in proportion to the work; then each service's actual work
  // departs from its staffing by up to about ±20% (a specialist, whom nobody helps,
  // only downwards: a hall does not leave its notary overloaded all day).
  const ownCount = apportion(nWindows, services.map((s) => s.work));
  const specialists = new Set(pickDistinct(r, services.map((_, i) => i), Math.max(1, Math.round(nServices * uniform(r, 0.15, 0.35)))));
  services.forEach((s, i) => {
    const noise = Math.max(-0.35, Math.min(0.35, 0.2 * normal(r)));
    s.work = ownCount[i]! * (1 + (specialists.has(i) ? -Math.abs(noise) : noise));
  });
  const staffed = services.reduce((a, s) => a + s.work, 0);
  for (const s of services) s.work /= staffed;
  // Nobody can help a specialist: keep its own windows under SPECIALIST_LOAD on
  // average, the rest of the hall's work going to the others.
  let excess = 0;
  services.forEach((s, i) => {
    if (!specialists.has(i)) return;
    const cap = (SPECIALIST_LOAD * ownCount[i]!) / (nWindows * load);
    if (s.work > cap) { excess += s.work - cap; s.work = cap; }
  });
  const others = services.filter((_, i) => !specialists.has(i)).reduce((a, s) => a + s.work, 0);
  services.forEach((s, i) => { if (!specialists.has(i) && others > 0) s.work += (excess * s.work) / others; });
  const primary: number[] = [];
  ownCount.forEach((n, i) => { for (let k = 0; k < n; k++) primary.push(i); });

  const windows = primary.map((p, w) => {
    const own = [p];
    // One window in five also owns a second service (a small one more often).
    if (r.next() < 0.2) {
      const other = pickDistinct(r, services.map((_, i) => i).filter((i) => i !== p), 1)[0];
      if (other !== undefined) own.push(other);
    }
    const candidates = services.map((_, i) => i).filter((i) => !own.includes(i) && !specialists.has(i));
    const overflow = pickDistinct(r, candidates, int(r, 0, 3));
    return { id: String(w + 1), floor: w < nWindows / 2 ? '1F' : '2F', own: own.map((i) => services[i]!.id), overflow: overflow.map((i) => services[i]!.id) };
  });

  // The day: opening at 08:00–09:00, 8–9 hours.
  const openS = int(r, 16, 18) * 1800;
  const closeS = openS + int(r, 16, 18) * 1800;
  const lastS = closeS - LAST_ARRIVAL_BEFORE_CLOSE_S;
  const peakAfterOpenS = uniform(r, 1, 2.5) * 3600;
  const peakHeight = uniform(r, 0.1, 0.4);
  const bumpAtS = 14 * 3600 + uniform(r, 0, 1.5) * 3600;
  const bumpHeight = uniform(r, 0.1, 0.3);
  const gauss = (t: number, mu: number, sd: number) => Math.exp(-0.5 * ((t - mu) / sd) ** 2);

  const capacityPerS = nWindows; // window-seconds per second
  const arrivals: Record<string, Array<[string, string, number]>> = {};
  for (const s of services) {
    const shift = uniform(r, -0.5, 0.5) * 3600;
    const spans: Array<[number, number, number]> = [];
    for (let a = openS; a < lastS; a += SPAN_S) {
      const b = Math.min(lastS, a + SPAN_S);
      const t = (a + b) / 2;
      const lunch = t >= 12 * 3600 && t < 13.5 * 3600 ? 0.75 : 1;
      spans.push([a, b, lunch * (1 + peakHeight * gauss(t, openS + peakAfterOpenS + shift, 2400) + bumpHeight * gauss(t, bumpAtS + shift, 2400))]);
    }
    // Scale so the service's work is its share of the hall's load: `load` is the
    // windows' utilisation over the opening hours (what the simulator reports).
    const weightS = spans.reduce((n, [a, b, w]) => n + w * (b - a), 0);
    const citizensPerDay = (load * capacityPerS * (closeS - openS) * s.work) / s.meanS;
    arrivals[s.id] = spans.map(([a, b, w]) => [hhmm(a), hhmm(b), Math.round(((citizensPerDay * w) / weightS) * 3600 * 10) / 10]);
  }

  // Half the halls give priority tickets (elderly, appointments) to 5% of citizens.
  const priority = r.next() < 0.5 ? 0.05 : 0;
  return parseScenario({
    name: `random-${seed}-${index}`,
    about: `Generated hall ${index} of family ${seed}: ${nServices} services, ${nWindows} windows, average load ${load.toFixed(2)}.`,
    waitLimitS: opts.waitLimitS ?? 900,
    open: hhmm(openS),
    close: hhmm(closeS),
    services: services.map((s) => ({
      id: s.id, letter: s.letter, name: { zh: `业务${s.letter}`, en: `Service ${s.letter}` },
      serviceTime: { dist: 'lognormal', meanS: s.meanS, cv: s.cv },
      priorityShare: priority,
    })),
    windows,
    arrivals,
  }, `random hall ${seed}/${index}`);
}

/** Halls 0 … n − 1 of family `seed`. */
export function randomHalls(seed: number, n: number, opts: RandomHallOptions = {}): Scenario[] {
  return Array.from({ length: n }, (_, i) => randomHall(seed, i, opts));
}

/** A generated hall's shape in one line (for tables). */
export function describeHall(s: Scenario): string {
  const own = new Set(s.windows.flatMap((w) => w.overflow));
  const specialists = s.services.filter((x) => !own.has(x.id)).length;
  return `${s.services.length} services, ${s.windows.length} windows, ${specialists} nobody's overflow`;
}
