// The simulated week driven through the controller's real engine
// (firmware/stats/demo-week.ts: the demo's and the acceptance tests' data): windows
// opened with clerks in rotation and closed after hours, the first day busier,
// lunch pauses, no-shows recalled once, transfers and ratings, refusals counted.
import { describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../../firmware/config/hall.ts';
import { HallEngine } from '../../../firmware/controller/engine.ts';
import type { HallEvent } from '../../../firmware/eventlog/schema.ts';
import { SqliteStore } from '../../../firmware/eventlog/sqlite-store.ts';
import { localToMs } from '../../../firmware/lib/time.ts';
import { driveWeek, weekSteps } from '../../../firmware/stats/demo-week.ts';

const hall = loadHallConfig();
const DAYS = ['2026-11-16', '2026-11-17'];
const WINDOWS = ['1', '2', '6', '7'];
const at = (day: string, h: number, m = 0) => localToMs(day, h * 3600 + m * 60, hall.hall.timezone);

type Ev<K extends HallEvent['kind']> = Extract<HallEvent, { kind: K }>;

/** The two days driven through a fresh engine (inside each test, so mutation testing sees which test ran which line). */
function week() {
  const sqlite = new SqliteStore(':memory:', { clock: { now: () => at('2026-11-18', 12) } });
  const refused = driveWeek(new HallEngine({ hall, store: sqlite }), { days: DAYS, ticketsPerDay: 50, seed: 4, windows: WINDOWS }).refused;
  const events = (sqlite.db.prepare('SELECT data FROM events ORDER BY seq').all() as Array<{ data: string }>).map((r) => JSON.parse(r.data) as HallEvent);
  const of = <K extends HallEvent['kind']>(kind: K, day?: string) => events.filter((e): e is Ev<K> => e.kind === kind && (!day || e.day === day));
  return { events, refused, of };
}

describe('a simulated week', () => {
  it('opens the listed windows at 07:30 with clerks in rotation, a step further each day, and closes them after 17:00', () => {
    const { of } = week();
    for (const [d, day] of DAYS.entries()) {
      const status = of('window-status', day);
      for (const [i, w] of WINDOWS.entries()) {
        const mine = status.filter((e) => e.window === w);
        expect(mine[0], `${day} ${w}`).toMatchObject({ status: 'open', at: at(day, 7, 30), staff: hall.staff[(i + d) % hall.staff.length]!.id });
        expect(mine.at(-1)!.status).toBe('closed');
        expect(mine.at(-1)!.at).toBeGreaterThanOrEqual(at(day, 17));
        expect(mine.at(-1)!.at).toBeLessThanOrEqual(at(day, 18));
      }
      expect(new Set(status.map((e) => e.window))).toEqual(new Set(WINDOWS));
    }
  });

  it('asks for 1.2 × the tickets on the first day, arriving from 07:31 to 16:00; the kiosk\'s refusals are counted', () => {
    const { refused, of } = week();
    const issued = (day: string) => of('ticket-issued', day);
    expect(issued(DAYS[0]!).length + issued(DAYS[1]!).length + refused).toBe(60 + 50);
    expect(refused).toBeGreaterThan(0); // enquiry tickets before 08:00 or over lunch
    expect(refused).toBeLessThan(20);
    for (const day of DAYS) {
      for (const e of issued(day)) {
        expect(e.at).toBeGreaterThanOrEqual(at(day, 7, 31));
        expect(e.at).toBeLessThanOrEqual(at(day, 16));
        expect(e.at % 5_000).toBe(0); // on the 5-second steps
      }
    }
    expect(issued(DAYS[0]!).length).toBeGreaterThan(issued(DAYS[1]!).length);
  });

  it('pauses the second window for 20 minutes from 12:05 every day, and the fourth from 12:15 on every other day', () => {
    const { of } = week();
    for (const [d, day] of DAYS.entries()) {
      for (const [i, w] of WINDOWS.entries()) {
        const mine = of('window-status', day).filter((e) => e.window === w);
        const pauses = mine.filter((e) => e.status === 'paused');
        const pausing = i === 1 || (i === 3 && d % 2 === 0);
        expect(pauses, `${day} ${w}`).toHaveLength(pausing ? 1 : 0);
        if (pausing) {
          expect(pauses[0]!.at).toBeGreaterThanOrEqual(at(day, 12, 5 * i));
          expect(pauses[0]!.at).toBeLessThan(at(day, 13));
          expect(mine[mine.indexOf(pauses[0]!) + 1]).toMatchObject({ status: 'open', at: pauses[0]!.at + 1_200_000 });
        }
      }
    }
  });

  it('recalls a citizen who does not come once, 30 s before giving up; rates most completed tickets; transfers between registration and payment', () => {
    const { events, of } = week();
    const byTicket = new Map<string, HallEvent[]>();
    for (const e of events) if ('ticket' in e && e.ticket) byTicket.set(`${e.day} ${e.ticket}`, [...(byTicket.get(`${e.day} ${e.ticket}`) ?? []), e]);
    const noShows = of('ticket-no-show');
    expect(noShows.length).toBeGreaterThan(0);
    expect(of('ticket-transferred').length).toBeGreaterThan(0);
    for (const n of noShows) {
      const list = byTicket.get(`${n.day} ${n.ticket}`)!;
      const calls = list.filter((e): e is Ev<'ticket-called'> => e.kind === 'ticket-called');
      expect(calls.map((c) => c.recall)).toEqual([false, true]);
      expect(n.at - calls[1]!.at).toBe(30_000);
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(10_000);
      expect(calls[1]!.at - calls[0]!.at).toBeLessThan(60_000);
    }
    expect(of('ticket-called').filter((c) => c.recall)).toHaveLength(noShows.length);
    const done = of('ticket-completed');
    const rated = of('rating');
    expect(rated.length / done.length).toBeGreaterThan(0.5);
    expect(rated.length / done.length).toBeLessThan(0.9);
    for (const r of rated) {
      const list = byTicket.get(`${r.day} ${r.ticket}`)!;
      expect(list.findIndex((e) => e.kind === 'ticket-completed')).toBeLessThan(list.indexOf(r));
      expect(r.reason).toBe(r.score === 'unsatisfied' || r.score === 'very-unsatisfied' ? 'slow' : undefined);
    }
    expect(rated.filter((r) => r.score === 'very-satisfied').length).toBeGreaterThan(rated.filter((r) => r.score === 'basic').length);
    for (const t of of('ticket-transferred')) expect([['payment', 'registration'], ['registration', 'payment'], ['discharge', 'payment'], ['enquiry', 'payment']]).toContainEqual([t.from, t.to]);
  });

  it('draws a morning-heavy day of mostly registration and payment, about one in ten a priority ticket', () => {
    const { of } = week();
    const issued = of('ticket-issued');
    const before = (e: Ev<'ticket-issued'>) => e.at < (at(e.day, 7, 31) + at(e.day, 16)) / 2;
    expect(issued.filter(before).length / issued.length).toBeGreaterThan(0.6);
    const n = (s: string) => issued.filter((e) => e.service === s).length;
    expect(n('registration')).toBeGreaterThan(n('payment'));
    expect(n('payment')).toBeGreaterThan(n('discharge'));
    expect(n('discharge')).toBeGreaterThan(0);
    const priority = issued.filter((e) => e.priority).length / issued.length;
    expect(priority).toBeGreaterThan(0.03);
    expect(priority).toBeLessThan(0.2);
  });

  it('walks a citizen to the window in 10–55 s, serves in whole 5-second steps, and rates 5 s after completion', () => {
    const { events, of } = week();
    const byTicket = new Map<string, HallEvent[]>();
    for (const e of events) if ('ticket' in e && e.ticket) byTicket.set(`${e.day} ${e.ticket}`, [...(byTicket.get(`${e.day} ${e.ticket}`) ?? []), e]);
    let served = 0;
    for (const [, list] of byTicket) {
      const call = list.find((e) => e.kind === 'ticket-called');
      const start = list.find((e) => e.kind === 'ticket-started');
      const done = list.find((e) => e.kind === 'ticket-completed');
      const rating = list.find((e) => e.kind === 'rating');
      if (!call || !start || !done) continue;
      served++;
      expect(start.at - call.at).toBeGreaterThanOrEqual(10_000);
      expect(start.at - call.at).toBeLessThanOrEqual(55_000);
      expect((done.at - start.at) % 5_000).toBe(0);
      expect(done.at - start.at).toBeGreaterThanOrEqual(5_000);
      if (rating) expect(rating.at - done.at).toBe(5_000);
    }
    expect(served).toBeGreaterThan(50);
  });

  it('ticks the engine once a minute, so citizens waiting too long raise alerts on the minute', () => {
    const { of } = week();
    const alerts = of('alert');
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) expect(a.at % 60_000).toBe(0);
  });

  it('stops with the engine\'s refusal when a window cannot be opened', () => {
    const sqlite = new SqliteStore(':memory:', { clock: { now: () => at('2026-11-18', 12) } });
    expect(() => driveWeek(new HallEngine({ hall, store: sqlite }), { days: ['2026-11-18'], ticketsPerDay: 5, seed: 1, windows: ['99'] }))
      .toThrow(/^window 99 open: \S+ /);
  });

  it('yields each 5-second step, so a caller can act between them', () => {
    const sqlite = new SqliteStore(':memory:', { clock: { now: () => at('2026-11-18', 12) } });
    const steps = weekSteps(new HallEngine({ hall, store: sqlite }), { days: ['2026-11-18'], ticketsPerDay: 5, seed: 1, windows: ['1'] });
    const first = steps.next();
    const second = steps.next();
    expect(first.value).toBe(at('2026-11-18', 7, 30));
    expect(second.value).toBe(at('2026-11-18', 7, 30) + 5_000);
    let last = second;
    for (let r = steps.next(); !r.done; r = steps.next()) last = r;
    expect(last.value).toBe(at('2026-11-18', 17) - 5_000); // the window closes on the 17:00 step, which ends the day
  });
});
