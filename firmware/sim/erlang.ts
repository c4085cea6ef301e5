// Erlang C (M/M/c): the textbook formulas the simulator is validated against and
// the staffing advice is computed from.

/** Probability that an arrival has to wait, for `c` servers and offered load `a` = λ/μ (Erlangs). */
export function erlangC(c: number, a: number): number {
  if (c <= 0) return 1;
  if (a >= c) return 1;
  // Erlang B by its stable recursion, then C from B.
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho + rho * b);
}

export interface MMc { lambdaPerS: number; meanServiceS: number; servers: number }

/** Mean wait in queue, seconds (Infinity when the load reaches the servers). */
export function meanWaitS(q: MMc): number {
  const a = q.lambdaPerS * q.meanServiceS;
  if (a >= q.servers) return Infinity;
  const mu = 1 / q.meanServiceS;
  return erlangC(q.servers, a) / (q.servers * mu - q.lambdaPerS);
}

/** P(wait > t seconds). */
export function probWaitOver(q: MMc, t: number): number {
  const a = q.lambdaPerS * q.meanServiceS;
  if (a >= q.servers) return 1;
  const mu = 1 / q.meanServiceS;
  return erlangC(q.servers, a) * Math.exp(-(q.servers * mu - q.lambdaPerS) * t);
}

/** Fewest servers keeping P(wait > t) at or under `target` (0 when nobody arrives). */
export function serversFor(lambdaPerS: number, meanServiceS: number, t: number, target: number, max = 200): number {
  if (lambdaPerS <= 0) return 0;
  for (let c = Math.max(1, Math.floor(lambdaPerS * meanServiceS)); c <= max; c++) {
    if (probWaitOver({ lambdaPerS, meanServiceS, servers: c }, t) <= target) return c;
  }
  return max;
}
