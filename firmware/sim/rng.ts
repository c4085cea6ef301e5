// Seeded randomness for the simulator: the same seed gives the same day, on any
// machine. A small-fast-counter generator (a variant of sfc32: the counter is
// added before it steps) seeded through splitmix32.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator for `seed`; `stream` separates independent draws (arrivals, service times…). */
export function createRng(seed: number, stream = 0): Rng {
  const mix = splitmix32((seed * 0x9e3779b1 + stream * 0x632be5ab) >>> 0);
  let a = mix(), b = mix(), c = mix(), d = mix();
  const gen = { next(): number {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  } };
  for (let i = 0; i < 12; i++) gen.next(); // leave the seeding state behind
  return gen;
}

/** Exponential with the given mean. */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng.next()) * mean;
}

/** Standard normal (Box–Muller; one of the pair is dropped to keep draws independent of call order). */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Lognormal given its own mean and coefficient of variation (sd / mean). */
export function lognormal(rng: Rng, mean: number, cv: number): number {
  const sigma2 = Math.log(1 + cv * cv);
  const mu = Math.log(mean) - sigma2 / 2;
  return Math.exp(mu + Math.sqrt(sigma2) * normal(rng));
}
