// Mergeable counters: one service day is folded into these once, and any range is
// the sum of its days. Times go into coarse histograms so a p95 survives the merge
// (to the width of its bucket: 5 s below 10 min, 30 s below 1 h, 5 min above).
import { RATING_SCORES, type RatingScore } from '../protocol/messages.ts';

/** Histogram bucket of a duration in seconds. */
export function bucketOf(s: number): number {
  if (s < 600) return Math.floor(Math.max(0, s) / 5);
  if (s < 3600) return 120 + Math.floor((s - 600) / 30);
  return 220 + Math.floor((s - 3600) / 300);
}
/** [low, high) seconds of a bucket. */
export function bucketBounds(b: number): [number, number] {
  if (b < 120) return [b * 5, b * 5 + 5];
  if (b < 220) return [600 + (b - 120) * 30, 600 + (b - 119) * 30];
  return [3600 + (b - 220) * 300, 3600 + (b - 219) * 300];
}

export interface TimeAgg {
  n: number;
  /** Sum of seconds. */
  sum: number;
  max: number;
  /** How many were over the service's limit (wait, service time). */
  over: number;
  hist: Record<number, number>;
}

export interface Counters {
  issued: number;
  served: number;
  noShows: number;
  transferred: number;
  wait: TimeAgg;
  walk: TimeAgg;
  service: TimeAgg;
  ratings: Record<RatingScore, number>;
  /** Window time in seconds: status open with a citizen at it / open and empty / paused. */
  busyS: number;
  idleS: number;
  pausedS: number;
}

export const emptyTime = (): TimeAgg => ({ n: 0, sum: 0, max: 0, over: 0, hist: {} });
export function emptyCounters(): Counters {
  return {
    issued: 0, served: 0, noShows: 0, transferred: 0,
    wait: emptyTime(), walk: emptyTime(), service: emptyTime(),
    ratings: Object.fromEntries(RATING_SCORES.map((s) => [s, 0])) as Record<RatingScore, number>,
    busyS: 0, idleS: 0, pausedS: 0,
  };
}

export function addTime(t: TimeAgg, s: number, limitS?: number): void {
  t.n++;
  t.sum += s;
  if (s > t.max) t.max = s;
  if (limitS !== undefined && s > limitS) t.over++;
  const b = bucketOf(s);
  t.hist[b] = (t.hist[b] ?? 0) + 1;
}

function mergeTime(a: TimeAgg, b: TimeAgg): void {
  a.n += b.n; a.sum += b.sum; a.over += b.over;
  if (b.max > a.max) a.max = b.max;
  for (const [k, v] of Object.entries(b.hist)) a.hist[+k] = (a.hist[+k] ?? 0) + v;
}

export function mergeCounters(a: Counters, b: Counters): Counters {
  a.issued += b.issued; a.served += b.served; a.noShows += b.noShows; a.transferred += b.transferred;
  mergeTime(a.wait, b.wait); mergeTime(a.walk, b.walk); mergeTime(a.service, b.service);
  for (const s of RATING_SCORES) a.ratings[s] += b.ratings[s] ?? 0;
  a.busyS += b.busyS; a.idleS += b.idleS; a.pausedS += b.pausedS;
  return a;
}

/** Nearest-rank p95 from a histogram: the top of the bucket holding it, capped at the maximum seen. */
export function p95(t: TimeAgg): number | null {
  if (t.n === 0) return null;
  const rank = Math.ceil(0.95 * t.n);
  let seen = 0;
  for (const k of Object.keys(t.hist).map(Number).sort((x, y) => x - y)) {
    seen += t.hist[k];
    if (seen >= rank) return Math.min(bucketBounds(k)[1], t.max);
  }
  return t.max;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r4 = (x: number) => Math.round(x * 10000) / 10000;
const share = (n: number, d: number) => (d > 0 ? r4(n / d) : null);

/** What the API and the page show for one group (a service, window, staff member, hour, day or the hall). */
export interface Figures {
  issued: number;
  served: number;
  noShows: number;
  transferred: number;
  wait: { n: number; meanS: number | null; p95S: number | null; maxS: number | null; overLimit: number; overLimitShare: number | null };
  walk: { n: number; meanS: number | null; p95S: number | null };
  service: { n: number; meanS: number | null; p95S: number | null; overLimit: number; overLimitShare: number | null };
  satisfaction: {
    counts: Record<RatingScore, number>;
    rated: number;
    /** (very-satisfied + satisfied) / rated; null with no ratings. */
    rate: number | null;
    /** rated / served. */
    ratedShare: number | null;
  };
  busyS: number;
  idleS: number;
  pausedS: number;
}

export function finalize(c: Counters): Figures {
  const mean = (t: TimeAgg) => (t.n ? r1(t.sum / t.n) : null);
  const rated = RATING_SCORES.reduce((n, s) => n + c.ratings[s], 0);
  return {
    issued: c.issued, served: c.served, noShows: c.noShows, transferred: c.transferred,
    wait: {
      n: c.wait.n, meanS: mean(c.wait), p95S: p95(c.wait), maxS: c.wait.n ? r1(c.wait.max) : null,
      overLimit: c.wait.over, overLimitShare: share(c.wait.over, c.wait.n),
    },
    walk: { n: c.walk.n, meanS: mean(c.walk), p95S: p95(c.walk) },
    service: {
      n: c.service.n, meanS: mean(c.service), p95S: p95(c.service),
      overLimit: c.service.over, overLimitShare: share(c.service.over, c.service.n),
    },
    satisfaction: {
      counts: { ...c.ratings }, rated,
      rate: share(c.ratings['very-satisfied'] + c.ratings.satisfied, rated),
      ratedShare: share(rated, c.served),
    },
    busyS: Math.round(c.busyS), idleS: Math.round(c.idleS), pausedS: Math.round(c.pausedS),
  };
}
