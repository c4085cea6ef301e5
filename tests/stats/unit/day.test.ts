// One service day folded from its events (firmware/stats/day.ts), rule by rule, on
// hand-written event rows: where each wait, walk and service time starts and ends,
// which groups a count lands in, and how window time is split into busy, idle and
// paused and spread over the hours of the day.
import { describe, expect, it } from 'vitest';
import { loadHallConfig, type HallConfig } from '../../../firmware/config/hall.ts';
import type { EventRow } from '../../../firmware/eventlog/rows.ts';
import { localToMs } from '../../../firmware/lib/time.ts';
import { closingMs, DayFolder, openingMs } from '../../../firmware/stats/day.ts';

const hall = loadHallConfig(); // Asia/Shanghai; registration waits ≤ 900 s, serves ≤ 120 s; payment serves ≤ 300 s
const DAY = '2026-11-16';
const tz = hall.hall.timezone;
const at = (h: number, m = 0, s = 0) => localToMs(DAY, h * 3600 + m * 60 + s, tz);
const MIDNIGHT = at(0);

function folder() {
  const f = new DayFolder(hall, DAY);
  let seq = 0;
  const add = (kind: string, when: number, o: Partial<EventRow> = {}) => f.add({
    seq: ++seq, at: when, day: DAY, kind, ticket: null, service: null, window: null, staff: null, recall: null,
    arrivedAt: null, fromService: null, score: null, status: null, ...o,
  });
  return { f, add };
}

describe('waits', () => {
  it('run from arrival to the first call, counted by arrival hour; a recall does not start a second wait', () => {
    const { f, add } = folder();
    add('window-status', at(7, 30), { window: '1', status: 'open', staff: 's001' });
    add('ticket-issued', at(8, 10, 30), { ticket: 'A001', service: 'registration', arrivedAt: at(8, 10) });
    add('ticket-called', at(8, 25), { ticket: 'A001', service: 'registration', window: '1', recall: 0 });
    add('ticket-called', at(8, 26), { ticket: 'A001', service: 'registration', window: '1', recall: 1 });
    // No arrival time: the wait runs from the issue.
    add('ticket-issued', at(8, 50), { ticket: 'A002', service: 'registration' });
    add('ticket-called', at(9, 5, 1), { ticket: 'A002', service: 'registration', window: '1', recall: 0 });
    // A call of a ticket this day never issued has no wait.
    add('ticket-called', at(9, 6), { ticket: 'Z999', service: 'registration', window: '1', recall: 0 });
    const s = f.finish(at(17));
    expect(s.total.wait).toMatchObject({ n: 2, sum: 1801, max: 901, over: 1 });
    expect(s.services.registration!.wait).toMatchObject({ n: 2, sum: 1801, over: 1 });
    expect(s.windows['1']!.wait).toMatchObject({ n: 2, sum: 1801 });
    expect(s.staff.s001!.wait).toMatchObject({ n: 2, sum: 1801 }); // the clerk who opened the window
    expect(s.hours[8]!.wait.n).toBe(2); // both arrived between 08:00 and 09:00
    expect(s.hours[9]?.wait.n ?? 0).toBe(0);
  });

  it('are over the limit only when longer than the service\'s wait limit', () => {
    const { f, add } = folder();
    add('ticket-issued', at(8), { ticket: 'A001', service: 'registration', arrivedAt: at(8) });
    add('ticket-called', at(8, 15), { ticket: 'A001', service: 'registration', window: '1', recall: 0 }); // exactly 900 s
    add('ticket-issued', at(8), { ticket: 'A002', service: 'registration', arrivedAt: at(8) });
    add('ticket-called', at(8, 15, 1), { ticket: 'A002', service: 'registration', window: '2', recall: 0 }); // 901 s
    const s = f.finish(at(17));
    expect(s.total.wait.over).toBe(1);
    expect(s.windows['1']!.wait.over).toBe(0);
    expect(s.windows['2']!.wait.over).toBe(1);
  });

  it('counts issued tickets per service and arrival hour, not per window', () => {
    const { f, add } = folder();
    add('ticket-issued', at(9, 59), { ticket: 'A001', service: 'registration', arrivedAt: at(9, 58) });
    add('ticket-issued', at(10, 1), { ticket: 'B001', service: 'payment', arrivedAt: at(9, 59) });
    add('ticket-issued', at(10, 2), { ticket: 'B002', service: 'payment', arrivedAt: at(10, 1) });
    add('ticket-issued', at(10, 3), { ticket: 'X', service: null }); // not a ticket of a service: ignored
    const s = f.finish(at(17));
    expect(s.total.issued).toBe(3);
    expect(s.services.registration!.issued).toBe(1);
    expect(s.services.payment!.issued).toBe(2);
    expect(s.hours[9]!.issued).toBe(2);
    expect(s.hours[10]!.issued).toBe(1);
    expect(Object.keys(s.windows)).toEqual([]);
    expect(s.events).toBe(4);
  });
});

describe('walks and service times', () => {
  it('walk runs from the call (not a recall) to the start; service from the start to completion, over its limit', () => {
    const { f, add } = folder();
    add('window-status', at(9), { window: '6', status: 'open', staff: 's002' });
    add('ticket-issued', at(10), { ticket: 'B001', service: 'payment', arrivedAt: at(10) });
    add('ticket-called', at(10, 10), { ticket: 'B001', service: 'payment', window: '6', recall: 0 });
    add('ticket-called', at(10, 10, 30), { ticket: 'B001', service: 'payment', window: '6', recall: 1 });
    add('ticket-started', at(10, 11), { ticket: 'B001', service: 'payment', window: '6' });
    add('ticket-completed', at(10, 16, 1), { ticket: 'B001', service: 'payment', window: '6' }); // 301 s > 300
    add('ticket-issued', at(10, 20), { ticket: 'B002', service: 'payment', arrivedAt: at(10, 20) });
    add('ticket-called', at(10, 30), { ticket: 'B002', service: 'payment', window: '6', recall: 0 });
    add('ticket-started', at(10, 30, 20), { ticket: 'B002', service: 'payment', window: '6' });
    add('ticket-completed', at(10, 35, 20), { ticket: 'B002', service: 'payment', window: '6' }); // exactly 300 s
    // Started without a call, completed without a start: served, but no walk or service time.
    add('ticket-issued', at(10, 40), { ticket: 'B003', service: 'payment', arrivedAt: at(10, 40) });
    add('ticket-started', at(10, 41), { ticket: 'B003', service: 'payment', window: '6' });
    add('ticket-completed', at(10, 42), { ticket: 'B003', service: 'payment', window: '6' });
    const s = f.finish(at(17));
    expect(s.total.walk).toMatchObject({ n: 2, sum: 80, max: 60, over: 0 });
    expect(s.total.service).toMatchObject({ n: 2, sum: 601, max: 301, over: 1 });
    expect(s.total.served).toBe(3);
    for (const g of [s.services.payment!, s.windows['6']!, s.staff.s002!, s.hours[10]!]) {
      expect(g.served).toBe(3);
      expect(g.walk.n).toBe(2);
      expect(g.service.over).toBe(1);
    }
  });

  it('after a park, the next call (even a recall) starts the walk again, and the wait is not counted twice', () => {
    const { f, add } = folder();
    add('ticket-issued', at(9), { ticket: 'A001', service: 'registration', arrivedAt: at(9) });
    add('ticket-called', at(9, 5), { ticket: 'A001', service: 'registration', window: '1', recall: 0 });
    add('ticket-parked', at(9, 6), { ticket: 'A001', service: 'registration', window: '1' });
    add('ticket-called', at(9, 20), { ticket: 'A001', service: 'registration', window: '2', recall: 1 });
    add('ticket-started', at(9, 20, 45), { ticket: 'A001', service: 'registration', window: '2' });
    add('ticket-completed', at(9, 21, 45), { ticket: 'A001', service: 'registration', window: '2' });
    const s = f.finish(at(17));
    expect(s.total.wait).toMatchObject({ n: 1, sum: 300 });
    expect(s.total.walk).toMatchObject({ n: 1, sum: 45 });
    expect(s.total.service).toMatchObject({ n: 1, sum: 60, over: 0 });
    expect(s.total.noShows).toBe(0); // a park is not a no-show
    expect(s.windows['2']!.served).toBe(1);
  });

  it('counts a no-show at its service, window and clerk, and frees the window', () => {
    const { f, add } = folder();
    add('window-status', at(9), { window: '1', status: 'open', staff: 's001' });
    add('ticket-issued', at(9), { ticket: 'A001', service: 'registration', arrivedAt: at(9) });
    add('ticket-called', at(9, 10), { ticket: 'A001', window: '1', recall: 0 });
    add('ticket-no-show', at(9, 12), { ticket: 'A001', window: '1' }); // service taken from the ticket
    const s = f.finish(at(10));
    for (const g of [s.total, s.services.registration!, s.windows['1']!, s.staff.s001!, s.hours[9]!]) expect(g.noShows).toBe(1);
    expect(s.windows['1']!.busyS).toBe(120);
    expect(s.windows['1']!.idleS).toBe(3600 - 120);
  });

  it('counts a transfer against the service it left; the ticket is then served and timed as the new service', () => {
    const { f, add } = folder();
    add('window-status', at(8), { window: '1', status: 'open', staff: 's001' });
    add('window-status', at(8), { window: '6', status: 'open', staff: 's002' });
    add('ticket-issued', at(9), { ticket: 'A001', service: 'registration', arrivedAt: at(9) });
    add('ticket-called', at(9, 10), { ticket: 'A001', service: 'registration', window: '1', recall: 0 });
    add('ticket-started', at(9, 11), { ticket: 'A001', service: 'registration', window: '1' });
    add('ticket-transferred', at(9, 20), { ticket: 'A001', service: 'payment', fromService: 'registration', window: '1' });
    add('ticket-called', at(9, 30), { ticket: 'A001', window: '6', recall: 0 });
    add('ticket-started', at(9, 31), { ticket: 'A001', window: '6' });
    add('ticket-completed', at(9, 33), { ticket: 'A001', window: '6' });
    const s = f.finish(at(10));
    expect(s.total.transferred).toBe(1);
    expect(s.services.registration!.transferred).toBe(1);
    expect(s.services.payment?.transferred ?? 0).toBe(0);
    expect(s.windows['1']!.transferred).toBe(1);
    expect(s.staff.s001!.transferred).toBe(1);
    expect(s.total.wait.n).toBe(1); // one wait, from arrival to the first call
    expect(s.services.payment!.served).toBe(1);
    expect(s.services.registration!.served).toBe(0);
    expect(s.total.walk).toMatchObject({ n: 2, sum: 120 });
    expect(s.total.service).toMatchObject({ n: 1, sum: 120 }); // from the start at window 6
    expect(s.services.payment!.service.over).toBe(0); // 120 s is within payment's 300 s
    expect(s.windows['1']!.busyS).toBe(600); // 09:10 → 09:20, then free
    expect(s.windows['6']!.busyS).toBe(180);
  });
});

describe('ratings', () => {
  it('land at the service, the window and its clerk; a rating without a score counts nowhere', () => {
    const { f, add } = folder();
    add('window-status', at(8), { window: '3', status: 'open', staff: 's005' });
    add('rating', at(9), { ticket: 'A001', service: 'registration', window: '3', score: 'satisfied' });
    add('rating', at(9, 1), { ticket: 'A002', service: 'registration', window: '3', score: 'very-unsatisfied', staff: 's006' });
    add('rating', at(9, 2), { ticket: 'A003', service: 'registration', window: '3', score: null });
    const s = f.finish(at(10));
    expect(s.total.ratings).toMatchObject({ satisfied: 1, 'very-unsatisfied': 1, 'very-satisfied': 0, basic: 0, unsatisfied: 0 });
    expect(s.services.registration!.ratings).toMatchObject({ satisfied: 1, 'very-unsatisfied': 1 });
    expect(s.windows['3']!.ratings).toMatchObject({ satisfied: 1, 'very-unsatisfied': 1 });
    expect(s.staff.s005!.ratings).toMatchObject({ satisfied: 1, 'very-unsatisfied': 0 });
    expect(s.staff.s006!.ratings).toMatchObject({ satisfied: 0, 'very-unsatisfied': 1 }); // the row's own clerk first
    expect(s.hours[9]!.ratings.satisfied).toBe(1);
    expect(s.events).toBe(4);
  });
});

describe('window time', () => {
  it('is idle when open and empty, busy with a citizen, paused when paused, and spread over the hours it was open', () => {
    const { f, add } = folder();
    add('window-status', at(8, 30), { window: '2', status: 'open', staff: 's003' });
    add('ticket-issued', at(9), { ticket: 'A001', service: 'registration', arrivedAt: at(9) });
    add('ticket-called', at(9, 15), { ticket: 'A001', service: 'registration', window: '2', recall: 0 });
    add('ticket-completed', at(9, 25), { ticket: 'A001', service: 'registration', window: '2' });
    add('window-status', at(9, 40), { window: '2', status: 'paused' }); // the clerk stays on the window
    add('window-status', at(10), { window: '2', status: 'open' });
    add('window-status', at(11, 30), { window: '2', status: 'closed' });
    add('window-status', at(16), { window: '2', status: 'open' }); // reopened by nobody in particular
    const s = f.finish(at(17));
    expect(s.windows['2']).toMatchObject({ idleS: 2700 + 900 + 5400 + 3600, busyS: 600, pausedS: 1200 });
    expect(s.total).toMatchObject({ idleS: 12600, busyS: 600, pausedS: 1200 });
    expect(s.staff.s003).toMatchObject({ idleS: 9000, busyS: 600, pausedS: 1200 });
    expect(s.hours[8]).toMatchObject({ openS: 1800, idleS: 1800, busyS: 0 });
    expect(s.hours[9]).toMatchObject({ openS: 2400, idleS: 1800, busyS: 600, pausedS: 0 }); // a pause is not open time
    expect(s.hours[10]).toMatchObject({ openS: 3600, idleS: 3600 });
    expect(s.hours[11]).toMatchObject({ openS: 1800 });
    expect(s.hours[12]).toBeUndefined();
    expect(s.hours[16]).toMatchObject({ openS: 3600, idleS: 3600 });
    expect(s.endMs).toBe(at(17));
  });

  it('counts a window called at without being opened as open from that call', () => {
    const { f, add } = folder();
    add('ticket-issued', at(8, 55), { ticket: 'A001', service: 'registration' });
    add('ticket-called', at(9), { ticket: 'A001', service: 'registration', window: '3', recall: 0 });
    add('ticket-completed', at(9, 5), { ticket: 'A001', service: 'registration', window: '3' });
    const s = f.finish(at(10));
    expect(s.windows['3']).toMatchObject({ busyS: 300, idleS: 3300, pausedS: 0 });
    expect(s.hours[9]!.openS).toBe(3600);
  });

  it('a closed window stops counting, loses its clerk and its citizen', () => {
    const { f, add } = folder();
    add('window-status', at(9), { window: '4', status: 'open', staff: 's004' });
    add('ticket-issued', at(9), { ticket: 'A001', service: 'registration' });
    add('ticket-called', at(9, 30), { ticket: 'A001', service: 'registration', window: '4', recall: 0 });
    add('window-status', at(10), { window: '4', status: 'closed' });
    add('window-status', at(11), { window: '4', status: 'open' });
    const s = f.finish(at(11, 30));
    expect(s.windows['4']).toMatchObject({ idleS: 1800 + 1800, busyS: 1800 });
    expect(s.staff.s004).toMatchObject({ idleS: 1800, busyS: 1800 });
  });

  it('carries over windows left open or paused from an earlier day, from the opening time', () => {
    const f = new DayFolder(hall, DAY);
    f.carryOver([
      { window: '4', status: 'open', staff: 's004' },
      { window: '5', status: 'closed', staff: 's005' },
      { window: '7', status: 'paused' },
    ], at(7, 30));
    const s = f.finish(at(8));
    expect(s.windows['4']).toMatchObject({ idleS: 1800, busyS: 0, pausedS: 0 });
    expect(s.staff.s004!.idleS).toBe(1800);
    expect(s.windows['5']).toBeUndefined();
    expect(s.staff.s005).toBeUndefined();
    expect(s.windows['7']).toMatchObject({ pausedS: 1800, idleS: 0 });
    expect(s.hours[7]).toMatchObject({ openS: 1800 });
  });

  it('keeps time before midnight in the first hour and time after 23:00 in the last', () => {
    const f = new DayFolder(hall, DAY);
    f.carryOver([{ window: '1', status: 'open' }], MIDNIGHT - 3_600_000);
    const s1 = f.finish(MIDNIGHT + 3_600_000);
    expect(s1.hours[0]).toMatchObject({ openS: 7200, idleS: 7200 });
    expect(s1.hours[1]).toBeUndefined();
    const { f: g, add } = folder();
    add('window-status', at(22, 30), { window: '1', status: 'open' });
    add('ticket-issued', MIDNIGHT - 600_000, { ticket: 'A001', service: 'registration', arrivedAt: MIDNIGHT - 600_000 });
    add('ticket-issued', at(23, 50), { ticket: 'A002', service: 'registration', arrivedAt: at(23, 50) });
    const s2 = g.finish(MIDNIGHT + 25 * 3_600_000);
    expect(s2.hours[22]).toMatchObject({ openS: 1800 });
    expect(s2.hours[23]).toMatchObject({ openS: 7200 });
    expect(s2.hours[0]!.issued).toBe(1);
    expect(s2.hours[23]!.issued).toBe(1);
  });
});

describe('the day so far', () => {
  it('a snapshot accrues window time to its end without changing the folder, which takes more events', () => {
    const { f, add } = folder();
    add('window-status', at(8), { window: '1', status: 'open', staff: 's001' });
    const s1 = f.snapshot(at(9));
    expect(s1.total.idleS).toBe(3600);
    expect(s1.endMs).toBe(at(9));
    const s2 = f.snapshot(at(10));
    expect(s2.total.idleS).toBe(7200); // not 3600 + 7200: the first snapshot booked nothing
    expect(f.summary.total.idleS).toBe(0);
    expect(f.summary.windows['1']).toBeUndefined();
    add('window-status', at(10, 30), { window: '1', status: 'closed' });
    expect(f.snapshot(at(12)).total.idleS).toBe(9000);
    expect(f.finish(at(12)).total.idleS).toBe(9000);
  });

  it('a snapshot or finish before the last change books nothing backwards', () => {
    const { f, add } = folder();
    add('window-status', at(8), { window: '1', status: 'open' });
    add('window-status', at(9), { window: '1', status: 'paused' });
    expect(f.snapshot(at(8, 30)).total).toMatchObject({ idleS: 3600, pausedS: 0 });
    expect(f.finish(at(8, 30)).total).toMatchObject({ idleS: 3600, pausedS: 0 });
  });

  it('keeps the highest seq and the latest time seen, and counts every event, even of kinds it ignores', () => {
    const f = new DayFolder(hall, DAY);
    const base = { day: DAY, ticket: null, service: null, window: null, staff: null, recall: null, arrivedAt: null, fromService: null, score: null, status: null };
    f.add({ ...base, seq: 7, at: at(10), kind: 'block-reserved' });
    f.add({ ...base, seq: 5, at: at(9), kind: 'window-status', window: '1', status: 'open' });
    f.add({ ...base, seq: 6, at: at(9, 30), kind: 'window-status', window: null, status: 'open' });
    expect(f.summary).toMatchObject({ events: 3, lastSeq: 7, lastAt: at(10) });
  });
});

describe('opening and closing', () => {
  it('opens at the earliest span\'s opening and closes at the latest span\'s closing', () => {
    const split: HallConfig = { ...hall, hours: [{ open: '13:30', close: '17:30' }, { open: '08:00', close: '12:00' }] };
    expect(openingMs(split, DAY)).toBe(at(8));
    expect(closingMs(split, DAY)).toBe(at(17, 30));
    expect(openingMs(hall, DAY)).toBe(at(7, 30));
    expect(closingMs(hall, DAY)).toBe(at(17));
  });
});
