// Staffing from what happened: the hall's recorded arrivals and service times of
// one weekday → windows per service and hour by Erlang C, then the proposal
// simulated through the controller's engine (the hall opening and pausing
// windows hour by hour) and corrected where the simulated days miss the target.
import type BetterSqlite3 from 'better-sqlite3';
import type { HallConfig } from '../config/hall.ts';
import { recordedArrivals, recordedSamples, recordedSpan, openRecorded, type RecordedArrival } from '../routing/recorded.ts';
import type { ServiceTimeSample } from '../routing/service-times.ts';
import { localWeekdayHour } from '../routing/service-times.ts';
import { formatStaffing, planFromRates, recordedRates, type StaffingPlan } from './staffing.ts';
import { parseScenario, type Scenario } from './scenario.ts';
import { simulateDay } from './day.ts';
import { createHall } from './make-hall.ts';

type Database = BetterSqlite3.Database;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** `mon`, `Monday` or `1` (0 = Sunday) → 1. */
export function parseWeekday(v: string): number {
  const s = v.trim().toLowerCase();
  if (/^[0-6]$/.test(s)) return Number(s);
  const i = NAMES.findIndex((n) => s.length >= 3 && n.startsWith(s));
  if (i < 0) throw new Error(`--weekday must be a day name (mon … sun) or 0–6 (0 = Sunday), got ${v}`);
  return i;
}

export interface RecordedStaffingOptions {
  weekday: number;
  /** Largest acceptable P(wait > limit) per service and hour. */
  target: number;
  /** Service days to read (default: the last eight weeks recorded). */
  from?: string;
  to?: string;
  /** Seeded days simulated for the check (0: Erlang C only). */
  checkSeeds: number;
  /** Rounds of adding a window where the simulation misses the target. */
  maxRounds?: number;
}

/** One service and hour as simulated: citizens arriving in that hour and their share past the limit. */
export interface CheckedCell { service: string; hour: number; windows: number; citizens: number; pOver: number }

export interface RecordedStaffing {
  weekday: number;
  /** The recorded days of that weekday the rates average over. */
  days: string[];
  /** Erlang C's proposal. */
  erlang: StaffingPlan;
  /** After the simulation check: Erlang C's proposal with the windows the simulated days needed added. */
  checked: StaffingPlan;
  /** The simulated figures of `checked` (empty without a check). */
  cells: CheckedCell[];
  /** Rounds of correction the check took (0: Erlang C's proposal met the target as simulated). */
  rounds: number;
  /** Whether the checked plan meets the target in every simulated service and hour. */
  meetsTarget: boolean;
}

const dayBefore = (day: string, n: number) => {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
};

/** Mean and coefficient of variation of each service's recorded service time on `weekday`. */
function serviceTimes(samples: readonly ServiceTimeSample[], hall: HallConfig): Map<string, { meanS: number; cv: number }> {
  const acc = new Map<string, { n: number; sum: number; sq: number }>();
  for (const x of samples) {
    if (!(x.durationS > 0 && x.durationS < 4 * 3600)) continue;
    const a = acc.get(x.service) ?? { n: 0, sum: 0, sq: 0 };
    a.n++; a.sum += x.durationS; a.sq += x.durationS ** 2;
    acc.set(x.service, a);
  }
  const out = new Map<string, { meanS: number; cv: number }>();
  for (const s of hall.services) {
    const a = acc.get(s.id);
    if (a && a.n >= 5) {
      const mean = a.sum / a.n;
      const sd = Math.sqrt(Math.max(0, a.sq / a.n - mean * mean));
      out.set(s.id, { meanS: mean, cv: Math.min(3, Math.max(0.05, sd / mean)) });
    } else {
      out.set(s.id, { meanS: s.expectedServiceS, cv: 0.6 }); // nothing recorded: the configured guess
    }
  }
  return out;
}

const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

/**
 * The plan as a hall the simulator can run: per service as many own windows as
 * its busiest hour needs (no overflow: Erlang C's model), the recorded hourly
 * arrivals, and a staffing schedule opening `windows` of them each hour.
 */
export function planScenario(hall: HallConfig, plan: StaffingPlan, rates: ReadonlyMap<string, ReadonlyMap<number, number>>,
  times: ReadonlyMap<string, { meanS: number; cv: number }>): { scenario: Scenario; staffing: Array<{ atS: number; window: string; open: boolean }> } {
  const first = plan.hours[0] ?? 8, last = (plan.hours.at(-1) ?? 17) + 1;
  const windows: Array<{ id: string; floor: string; own: string[] }> = [];
  const staffing: Array<{ atS: number; window: string; open: boolean }> = [];
  const arrivals: Record<string, Array<[string, string, number]>> = {};
  plan.rows.forEach((row, i) => {
    const most = Math.max(1, ...row.cells.map((c) => c.windows));
    const ids = Array.from({ length: most }, (_, k) => `s${i}-${k + 1}`);
    ids.forEach((id) => windows.push({ id, floor: '1F', own: [row.service] }));
    for (const c of row.cells) ids.forEach((id, k) => staffing.push({ atS: c.hour * 3600, window: id, open: k < c.windows }));
    // After the last hour every window stays until the queue is served.
    ids.forEach((id) => staffing.push({ atS: last * 3600, window: id, open: true }));
    arrivals[row.service] = [...(rates.get(row.service) ?? new Map())].filter(([, r]) => r > 0).sort((a, b) => a[0] - b[0])
      .map(([h, r]) => [hh(h), h + 1 >= 24 ? '23:59' : hh(h + 1), r]);
  });
  const services = plan.rows.map((row) => {
    const svc = hall.services.find((s) => s.id === row.service)!;
    const t = times.get(row.service)!;
    return { id: svc.id, letter: svc.letter, name: svc.name, serviceTime: { dist: 'lognormal', meanS: t.meanS, cv: t.cv } };
  });
  const scenario = parseScenario({
    name: `${hall.hall.id}-staffing`, waitLimitS: plan.waitLimitS, open: hh(first), close: last >= 24 ? '23:59' : hh(last),
    timezone: hall.hall.timezone, services, windows, arrivals,
  }, 'staffing plan');
  return { scenario, staffing };
}

/** Simulates the plan for `seeds` days: each service and hour's citizens and share past the limit. */
export function simulatePlan(hall: HallConfig, plan: StaffingPlan, rates: ReadonlyMap<string, ReadonlyMap<number, number>>,
  times: ReadonlyMap<string, { meanS: number; cv: number }>, seeds: number): CheckedCell[] {
  const { scenario, staffing } = planScenario(hall, plan, rates, times);
  const acc = new Map<string, { n: number; over: number }>();
  for (let seed = 1; seed <= seeds; seed++) {
    const d = simulateDay(scenario, createHall(scenario, 'eligible-fcfs'), seed, { staffing });
    for (const c of d.citizens) {
      const h = localWeekdayHour(c.arrivedAtMs, scenario.timezone).hour;
      const key = `${c.service}|${h}`;
      const a = acc.get(key) ?? { n: 0, over: 0 };
      a.n++;
      if (c.waitS === undefined || c.waitS > plan.waitLimitS) a.over++;
      acc.set(key, a);
    }
  }
  return plan.rows.flatMap((row) => row.cells.map((c) => {
    const a = acc.get(`${row.service}|${c.hour}`) ?? { n: 0, over: 0 };
    return { service: row.service, hour: c.hour, windows: c.windows, citizens: a.n, pOver: a.n ? a.over / a.n : 0 };
  }));
}

/** What a weekday's proposal reads: that weekday's service days in the span, their arrivals and service times. */
export interface RecordedWeekday { from: string; to: string; days: string[]; arrivals: RecordedArrival[]; samples: ServiceTimeSample[] }

const weekdayOf = (day: string) => new Date(`${day}T12:00:00Z`).getUTCDay();

function span(db: Database, o: Pick<RecordedStaffingOptions, 'from' | 'to' | 'weekday'>): { from: string; to: string; days: string[] } {
  openRecorded(db);
  const all = recordedSpan(db);
  if (!all) throw new Error('the database holds no recorded days');
  const to = o.to ?? all.to;
  const from = o.from ?? dayBefore(to, 55);
  const days: string[] = [];
  for (let d = from; d <= to; d = dayBefore(d, -1)) if (weekdayOf(d) === o.weekday) days.push(d);
  return { from, to, days };
}

/** Reads a weekday's recorded days (only those: a service day's weekday is its date's). */
export function readWeekday(db: Database, o: Pick<RecordedStaffingOptions, 'from' | 'to' | 'weekday'>): RecordedWeekday {
  const { from, to, days } = span(db, o);
  const arrivals: RecordedArrival[] = [], samples: ServiceTimeSample[] = [];
  for (const d of days) { arrivals.push(...recordedArrivals(db, d, d)); samples.push(...recordedSamples(db, d, d)); }
  return { from, to, days, arrivals, samples };
}

/** The same, one day per turn of the event loop (the manager's page: a controller must keep serving the hall). */
export async function readWeekdayAsync(db: Database, o: Pick<RecordedStaffingOptions, 'from' | 'to' | 'weekday'>): Promise<RecordedWeekday> {
  const { from, to, days } = span(db, o);
  const arrivals: RecordedArrival[] = [], samples: ServiceTimeSample[] = [];
  for (const d of days) {
    await new Promise<void>((r) => setImmediate(r));
    arrivals.push(...recordedArrivals(db, d, d));
    samples.push(...recordedSamples(db, d, d));
  }
  return { from, to, days, arrivals, samples };
}

export function staffingFromRecorded(db: Database, hall: HallConfig, o: RecordedStaffingOptions): RecordedStaffing {
  return proposeStaffing(hall, readWeekday(db, o), o);
}

/** The proposal from a weekday's recorded days (and its check by simulation, when asked). */
export function proposeStaffing(hall: HallConfig, rec: RecordedWeekday, o: RecordedStaffingOptions): RecordedStaffing {
  const tz = hall.hall.timezone;
  const days = [...new Set(rec.arrivals.filter((a) => localWeekdayHour(a.arrivedAt, tz).weekday === o.weekday).map((a) => a.day))].sort();
  if (days.length === 0) throw new Error(`no ${WEEKDAYS[o.weekday]} recorded between ${rec.from} and ${rec.to}`);
  const rates = recordedRates(rec.arrivals, tz, o.weekday);
  for (const s of hall.services) if (!rates.has(s.id)) rates.set(s.id, new Map());
  const times = serviceTimes(rec.samples.filter((x) => localWeekdayHour(x.startedAtMs, tz).weekday === o.weekday), hall);
  const means = new Map([...times].map(([k, v]) => [k, v.meanS] as const));
  const waitLimitS = Math.min(...hall.services.map((s) => s.waitLimitS));
  const erlang = planFromRates(rates, means, waitLimitS, o.target);
  if (o.checkSeeds <= 0) return { weekday: o.weekday, days, erlang, checked: erlang, cells: [], rounds: 0, meetsTarget: true };

  // The check: simulate, then add a window to each service and hour whose simulated share passes the target.
  let checked: StaffingPlan = structuredClone(erlang);
  let cells = simulatePlan(hall, checked, rates, times, o.checkSeeds);
  let rounds = 0;
  const missing = (cs: CheckedCell[]) => cs.filter((c) => c.citizens > 0 && c.pOver > o.target);
  while (missing(cells).length > 0 && rounds < (o.maxRounds ?? 6)) {
    rounds++;
    for (const m of missing(cells)) {
      const cell = checked.rows.find((r) => r.service === m.service)!.cells.find((c) => c.hour === m.hour)!;
      cell.windows++;
    }
    cells = simulatePlan(hall, checked, rates, times, o.checkSeeds);
  }
  // The checked plan's probabilities are the simulated ones.
  checked = { ...checked, rows: checked.rows.map((r) => ({ ...r, cells: r.cells.map((c) => ({ ...c, pOver: cells.find((x) => x.service === r.service && x.hour === c.hour)!.pOver })) })) };
  return { weekday: o.weekday, days, erlang, checked, cells, rounds, meetsTarget: missing(cells).length === 0 };
}

/** The proposal as text: what was read, Erlang C's table, and the checked table with the simulated misses. */
export function formatRecordedStaffing(r: RecordedStaffing): string {
  const name = NAMES[r.weekday]!;
  const lines = [`${r.days.length} recorded ${name}(s): ${r.days.join(', ')}`, '', 'Erlang C, from the recorded arrivals and service times:', formatStaffing(r.erlang)];
  if (r.cells.length) {
    lines.push('', `Checked by simulating it through the engine${r.rounds ? ` (${r.rounds} round(s) adding a window where the simulated days missed the target)` : ' (it met the target as simulated)'}:`, formatStaffing(r.checked, `Open windows per service and hour, as simulated: P(wait > ${Math.round(r.checked.waitLimitS / 60)} min) ≤ ${r.checked.target}`));
    const worst = [...r.cells].sort((a, b) => b.pOver - a.pOver).slice(0, 3).filter((c) => c.citizens > 0);
    lines.push(`simulated: ${r.meetsTarget ? 'every service and hour meets the target' : 'some hours still miss the target'}; highest P(wait > limit): ${worst.map((c) => `${c.service} ${String(c.hour).padStart(2, '0')}h ${(c.pOver * 100).toFixed(1)}%`).join(', ')}`);
  }
  return lines.join('\n');
}
