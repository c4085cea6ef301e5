// The mergeable counters behind every figure (firmware/stats/figures.ts): histogram
// buckets at their edges, what one duration adds, how two days merge, and how the
// page's figures (means, p95, shares, satisfaction) are rounded and derived.
import { describe, expect, it } from 'vitest';
import { addTime, bucketBounds, bucketOf, emptyCounters, emptyTime, finalize, mergeCounters, p95 } from '../../../firmware/stats/figures.ts';

describe('histogram buckets', () => {
  it('are 5 s wide below 10 min, 30 s below an hour and 5 min above, with exact edges', () => {
    expect([0, 4.99, 5, 599.99].map(bucketOf)).toEqual([0, 0, 1, 119]);
    expect([600, 629.99, 630, 3599.99].map(bucketOf)).toEqual([120, 120, 121, 219]);
    expect([3600, 3899.99, 3900, 7200].map(bucketOf)).toEqual([220, 220, 221, 232]);
    expect(bucketOf(-3)).toBe(0); // a clock step backwards is a zero
    expect(bucketBounds(0)).toEqual([0, 5]);
    expect(bucketBounds(119)).toEqual([595, 600]);
    expect(bucketBounds(120)).toEqual([600, 630]);
    expect(bucketBounds(219)).toEqual([3570, 3600]);
    expect(bucketBounds(220)).toEqual([3600, 3900]);
    expect(bucketBounds(232)).toEqual([7200, 7500]);
  });
});

describe('adding a duration', () => {
  it('counts it, sums it, keeps the maximum and counts it over the limit only when longer', () => {
    const t = emptyTime();
    addTime(t, 30, 60);
    addTime(t, 60, 60);
    addTime(t, 61, 60);
    addTime(t, 20);
    expect(t).toEqual({ n: 4, sum: 171, max: 61, over: 1, hist: { 4: 1, 6: 1, 12: 2 } });
    addTime(t, 0, 0);
    expect(t.over).toBe(1);
  });
});

describe('merging two days', () => {
  it('adds every count, time and rating, keeps the larger maximum and merges histograms', () => {
    const a = emptyCounters();
    const b = emptyCounters();
    Object.assign(a, { issued: 1, served: 2, noShows: 3, transferred: 4, busyS: 5, idleS: 6, pausedS: 7 });
    Object.assign(b, { issued: 10, served: 20, noShows: 30, transferred: 40, busyS: 50, idleS: 60, pausedS: 70 });
    addTime(a.wait, 100, 50); addTime(b.wait, 300, 50); addTime(b.wait, 10, 50);
    addTime(a.walk, 7); addTime(b.walk, 9);
    addTime(a.service, 90, 60); addTime(b.service, 50, 60);
    a.ratings.satisfied = 2; b.ratings.satisfied = 3; b.ratings['very-unsatisfied'] = 1;
    const m = mergeCounters(a, b);
    expect(m).toBe(a);
    expect(m).toMatchObject({ issued: 11, served: 22, noShows: 33, transferred: 44, busyS: 55, idleS: 66, pausedS: 77 });
    expect(m.wait).toEqual({ n: 3, sum: 410, max: 300, over: 2, hist: { 20: 1, 60: 1, 2: 1 } });
    expect(m.walk).toMatchObject({ n: 2, sum: 16, max: 9 });
    expect(m.service).toMatchObject({ n: 2, sum: 140, max: 90, over: 1 });
    expect(m.ratings).toEqual({ 'very-satisfied': 0, satisfied: 5, basic: 0, unsatisfied: 0, 'very-unsatisfied': 1 });
    // Merging a smaller maximum keeps the larger one.
    const c = emptyCounters(); addTime(c.wait, 5);
    expect(mergeCounters(m, c).wait.max).toBe(300);
    // The same bucket on both days adds up.
    const d = emptyCounters(); addTime(d.wait, 101);
    expect(mergeCounters(m, d).wait.hist[20]).toBe(2);
  });
});

describe('p95', () => {
  it('is the top of the bucket holding the nearest-rank 95th value, capped at the largest seen', () => {
    const t = emptyTime();
    for (let i = 0; i < 19; i++) addTime(t, 10);
    addTime(t, 1000); // rank ceil(0.95 × 20) = 19: the 19th is 10 s, in [10, 15)
    expect(p95(t)).toBe(15);
    addTime(t, 1000); // 21 values: rank 20 is 1000 s, in [990, 1020), capped at 1000
    expect(p95(t)).toBe(1000);
    // Buckets are walked from the shortest up, whatever order the durations came in.
    const u = emptyTime();
    addTime(u, 700); addTime(u, 3);
    for (let i = 0; i < 18; i++) addTime(u, 40);
    expect(p95(u)).toBe(45); // rank 19 of 20: 3 s, then eighteen 40 s ([40, 45))
    expect(p95(emptyTime())).toBeNull();
  });

  it('falls back to the maximum when the histogram holds fewer values than counted', () => {
    const t = { n: 3, sum: 30, max: 12, over: 0, hist: { 0: 1 } };
    expect(p95(t)).toBe(12);
  });
});

describe('figures', () => {
  it('give means to a tenth of a second, the maximum to a tenth, shares to four places, and nulls when empty', () => {
    const c = emptyCounters();
    addTime(c.wait, 10, 15); addTime(c.wait, 20, 15); addTime(c.wait, 20.04, 15);
    addTime(c.service, 100, 60); addTime(c.service, 30, 60); addTime(c.service, 61, 60);
    addTime(c.walk, 1); addTime(c.walk, 2);
    c.served = 3;
    c.busyS = 100.4; c.idleS = 100.5; c.pausedS = 0.49;
    const f = finalize(c);
    expect(f.wait).toEqual({ n: 3, meanS: 16.7, p95S: 20.04, maxS: 20, overLimit: 2, overLimitShare: 0.6667 });
    expect(f.walk).toEqual({ n: 2, meanS: 1.5, p95S: 2 });
    expect(f.service).toEqual({ n: 3, meanS: 63.7, p95S: 100, overLimit: 2, overLimitShare: 0.6667 });
    expect(f).toMatchObject({ busyS: 100, idleS: 101, pausedS: 0 });
    const empty = finalize(emptyCounters());
    expect(empty.wait).toEqual({ n: 0, meanS: null, p95S: null, maxS: null, overLimit: 0, overLimitShare: null });
    expect(empty.service).toEqual({ n: 0, meanS: null, p95S: null, overLimit: 0, overLimitShare: null });
    expect(empty.walk).toEqual({ n: 0, meanS: null, p95S: null });
    expect(empty.satisfaction).toEqual({ counts: { 'very-satisfied': 0, satisfied: 0, basic: 0, unsatisfied: 0, 'very-unsatisfied': 0 }, rated: 0, rate: null, ratedShare: null });
  });

  it('satisfaction is (very satisfied + satisfied) ÷ ratings, and the rated share ratings ÷ served', () => {
    const c = emptyCounters();
    c.ratings = { 'very-satisfied': 3, satisfied: 2, basic: 1, unsatisfied: 1, 'very-unsatisfied': 2 };
    c.served = 27;
    c.issued = 30; c.noShows = 2; c.transferred = 1;
    const f = finalize(c);
    expect(f.satisfaction).toEqual({ counts: c.ratings, rated: 9, rate: 0.5556, ratedShare: 0.3333 });
    expect(f.satisfaction.counts).not.toBe(c.ratings); // a copy: merging later days does not change it
    expect(f).toMatchObject({ issued: 30, served: 27, noShows: 2, transferred: 1 });
    c.served = 0;
    expect(finalize(c).satisfaction.ratedShare).toBeNull();
  });
});
