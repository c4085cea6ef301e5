// The seeded generator of hall days (firmware/stats/synthetic.ts) that the
// year-long benchmark and the store tests fill databases with: it must give the
// asked number of tickets inside opening hours, in an order the engine could have
// written, with no-shows, transfers and ratings at the asked shares.
import { describe, expect, it } from 'vitest';
import { loadHallConfig, type HallConfig } from '../../../firmware/config/hall.ts';
import type { HallEvent } from '../../../firmware/eventlog/schema.ts';
import { localToMs } from '../../../firmware/lib/time.ts';
import { synthesizeDay } from '../../../firmware/stats/synthetic.ts';

const hall = loadHallConfig();
const DAY = '2026-11-16';
const at = (h: number, m = 0) => localToMs(DAY, h * 3600 + m * 60, hall.hall.timezone);
const OPEN = at(7, 30), CLOSE = at(17), NOON = at(12);

type Ev<K extends HallEvent['kind']> = Extract<HallEvent, { kind: K }>;
const of = <K extends HallEvent['kind']>(ev: HallEvent[], kind: K) => ev.filter((e): e is Ev<K> => e.kind === kind);
const byTicket = (ev: HallEvent[]) => {
  const m = new Map<string, HallEvent[]>();
  for (const e of ev) if ('ticket' in e && e.ticket) m.set(e.ticket, [...(m.get(e.ticket) ?? []), e]);
  return m;
};

// Made inside each test (not once for the file), so mutation testing sees which test ran which line.
const day600 = () => synthesizeDay(hall, DAY, { tickets: 600, seed: 5 });

describe('a synthetic day', () => {

  it('issues the asked number of tickets, numbered per service from 001, arriving inside opening hours', () => {
    const ev = day600();
    const issued = of(ev, 'ticket-issued');
    expect(issued).toHaveLength(600);
    // Numbered in order of arrival (issued a few seconds later, so the events may interleave).
    for (const s of hall.services) {
      const mine = issued.filter((e) => e.service === s.id).sort((a, b) => a.ticket.localeCompare(b.ticket));
      expect(mine.map((e) => e.ticket), s.id).toEqual(mine.map((_, i) => `${s.letter}${String(i + 1).padStart(3, '0')}`));
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.arrivedAt).toBeGreaterThanOrEqual(mine[i - 1]!.arrivedAt);
    }
    // Busier first services: registration gets the most.
    const count = (id: string) => issued.filter((e) => e.service === id).length;
    expect(count('registration')).toBeGreaterThan(count('payment'));
    expect(count('payment')).toBeGreaterThan(count('enquiry'));
    for (const e of issued) {
      expect(e.arrivedAt).toBeGreaterThanOrEqual(OPEN);
      expect(e.arrivedAt).toBeLessThanOrEqual(CLOSE - 60_000);
      expect(e.at - e.arrivedAt).toBeGreaterThanOrEqual(5_000);
      expect(e.at - e.arrivedAt).toBeLessThan(45_000);
      expect(e.day).toBe(DAY);
      expect(e.kiosk).toBe('k1');
    }
    // A morning-heavy day: more arrive from 08:00 to 11:00 than from 13:00 to 16:00.
    const between = (a: number, b: number) => issued.filter((e) => e.arrivedAt >= a && e.arrivedAt < b).length;
    expect(between(at(8), at(11))).toBeGreaterThan(2 * between(at(13), at(16)));
    expect(between(OPEN, at(8))).toBeGreaterThan(0);
    expect(issued.filter((e) => e.priority).length / 600).toBeGreaterThan(0.05);
    expect(issued.filter((e) => e.priority).length / 600).toBeLessThan(0.15);
  });

  it('is in time order, each ticket\'s events in the order the engine writes them', () => {
    const ev = day600();
    for (let i = 1; i < ev.length; i++) expect(ev[i]!.at).toBeGreaterThanOrEqual(ev[i - 1]!.at);
    for (const [no, list] of byTicket(ev)) {
      const kinds = list.map((e) => (e.kind === 'ticket-called' && e.recall ? 'recall' : e.kind));
      expect([
        'ticket-issued,ticket-called,ticket-started,ticket-completed',
        'ticket-issued,ticket-called,ticket-started,ticket-completed,rating',
        'ticket-issued,ticket-called,ticket-started,ticket-transferred',
        'ticket-issued,ticket-called,recall,ticket-no-show',
      ], no).toContain(kinds.join(','));
    }
  });

  it('calls each ticket at a window serving its service, at least a second after it was issued and after the window is free', () => {
    const ev = day600();
    const windows = new Map(hall.windows.map((w) => [w.id, w]));
    const visits = new Map<string, Array<[number, number]>>();
    for (const [, list] of byTicket(ev)) {
      const issued = list[0] as Ev<'ticket-issued'>;
      const call = list[1] as Ev<'ticket-called'>;
      const w = windows.get(call.window)!;
      expect([...w.own, ...w.overflow]).toContain(issued.service);
      expect(call.at - issued.at).toBeGreaterThanOrEqual(1_000);
      expect(call.staff).toBe(hall.staff[hall.windows.indexOf(w) % hall.staff.length]!.id);
      const end = list.at(-1)!.kind === 'rating' ? list.at(-2)! : list.at(-1)!;
      visits.set(call.window, [...(visits.get(call.window) ?? []), [call.at, end.at]]);
    }
    // One citizen at a time: the next call comes at least 3 s after the last one left.
    for (const [, v] of visits) {
      v.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < v.length; i++) expect(v[i]![0] - v[i - 1]![1]).toBeGreaterThanOrEqual(3_000);
    }
  });

  it('opens every window at opening time, closes it at or after closing, and pauses half of them for 15 minutes after noon', () => {
    const ev = day600();
    const status = of(ev, 'window-status');
    for (const [i, w] of hall.windows.entries()) {
      const mine = status.filter((e) => e.window === w.id);
      expect(mine[0]).toMatchObject({ at: OPEN, status: 'open', staff: hall.staff[i % hall.staff.length]!.id });
      expect(mine.at(-1)!.status).toBe('closed');
      expect(mine.at(-1)!.at).toBeGreaterThanOrEqual(CLOSE);
      const pauses = mine.filter((e) => e.status === 'paused');
      if (i % 2 === 1) expect(pauses, w.id).toHaveLength(0);
      else {
        expect(pauses, w.id).toHaveLength(1);
        expect(pauses[0]!.at).toBeGreaterThanOrEqual(NOON);
        const back = mine[mine.indexOf(pauses[0]!) + 1]!;
        expect(back).toMatchObject({ status: 'open', at: pauses[0]!.at + 900_000 });
      }
    }
  });

  it('recalls a no-show after 30 s and gives up 90 s after the call; rates 3–23 s after completion, asking a reason only of the unsatisfied', () => {
    const ev = day600();
    for (const [, list] of byTicket(ev)) {
      const call = list[1]!;
      if (list.at(-1)!.kind === 'ticket-no-show') {
        expect(list[2]!.at - call.at).toBe(30_000);
        expect(list[3]!.at - call.at).toBe(90_000);
      } else {
        expect(list[2]!.at - call.at).toBeGreaterThanOrEqual(5_000);
        expect(list[3]!.at - list[2]!.at).toBeGreaterThanOrEqual(5_000);
      }
      const rating = list.find((e): e is Ev<'rating'> => e.kind === 'rating');
      if (rating) {
        const done = list.find((e) => e.kind === 'ticket-completed')!;
        expect(rating.at - done.at).toBeGreaterThanOrEqual(3_000);
        expect(rating.at - done.at).toBeLessThan(23_000);
        expect(rating.reason).toBe(rating.score.includes('unsatisfied') ? 'slow' : undefined);
      }
    }
    const ratings = of(ev, 'rating');
    const share = (s: string) => ratings.filter((r) => r.score === s).length / ratings.length;
    expect(share('very-satisfied')).toBeGreaterThan(share('satisfied'));
    expect(share('satisfied')).toBeGreaterThan(share('basic'));
    expect(share('basic')).toBeGreaterThan(share('very-unsatisfied'));
    expect(share('very-unsatisfied')).toBeGreaterThan(0);
  });

  it('gives no-shows, transfers and ratings at about the asked shares (3 %, 2 %, 60 % by default)', () => {
    const ev = day600();
    const share = (e: HallEvent[], kind: HallEvent['kind'], n: number) => of(e, kind).length / n;
    expect(share(ev, 'ticket-no-show', 600)).toBeGreaterThan(0.01);
    expect(share(ev, 'ticket-no-show', 600)).toBeLessThan(0.05);
    expect(share(ev, 'ticket-transferred', 600)).toBeGreaterThan(0.005);
    expect(share(ev, 'ticket-transferred', 600)).toBeLessThan(0.04);
    const done = of(ev, 'ticket-completed').length;
    expect(of(ev, 'rating').length / done).toBeGreaterThan(0.54);
    expect(of(ev, 'rating').length / done).toBeLessThan(0.66);
    const other = synthesizeDay(hall, DAY, { tickets: 1000, seed: 6, noShow: 0.2, transfer: 0.1, rated: 0.1 });
    expect(share(other, 'ticket-no-show', 1000)).toBeGreaterThan(0.17);
    expect(share(other, 'ticket-no-show', 1000)).toBeLessThan(0.23);
    expect(share(other, 'ticket-transferred', 1000)).toBeGreaterThan(0.07);
    expect(share(other, 'ticket-transferred', 1000)).toBeLessThan(0.13);
    expect(of(other, 'rating').length / of(other, 'ticket-completed').length).toBeLessThan(0.14);
    for (const t of of(other, 'ticket-transferred')) expect(t.to).not.toBe(t.from);
  });

  it('shortens services on a crowded day so that the demand fits 85 % of the windows\' time', () => {
    const meanService = (e: HallEvent[]) => {
      const d: number[] = [];
      for (const [, list] of byTicket(e)) {
        const start = list.find((x) => x.kind === 'ticket-started');
        const end = list.find((x) => x.kind === 'ticket-completed' || x.kind === 'ticket-transferred');
        if (start && end) d.push(end.at - start.at);
      }
      return d.reduce((x, y) => x + y, 0) / d.length;
    };
    // 5000 tickets ask for about 1.22 × the windows' time (expected service + 30 s each): services run at 0.85 / 1.22.
    const ratio = meanService(synthesizeDay(hall, DAY, { tickets: 5000, seed: 2 })) / meanService(synthesizeDay(hall, DAY, { tickets: 1000, seed: 2 }));
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(0.8);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(synthesizeDay(hall, DAY, { tickets: 50, seed: 9 })).toEqual(synthesizeDay(hall, DAY, { tickets: 50, seed: 9 }));
    expect(synthesizeDay(hall, DAY, { tickets: 50, seed: 9 })).not.toEqual(synthesizeDay(hall, DAY, { tickets: 50, seed: 10 }));
  });

  it('transfers nothing in a hall with one service', () => {
    const one: HallConfig = { ...hall, services: [hall.services[0]!], windows: hall.windows.slice(0, 5) };
    const e = synthesizeDay(one, DAY, { tickets: 300, seed: 1, transfer: 0.5 });
    expect(of(e, 'ticket-transferred')).toHaveLength(0);
    expect(of(e, 'ticket-completed').length + of(e, 'ticket-no-show').length).toBe(300);
  });
});
