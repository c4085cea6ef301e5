// Simulated citizens and staff for the demo hall. They touch only what people in
// a hall touch: citizens press a kiosk's service buttons (and some use its touch
// page: English speakers, those with an appointment, and now and then anyone), so
// every ticket is printed by the kiosk role; at a seeded Poisson rate (by default a
// hospital's day, morning peak 08:00–09:00, averaging what keeps the windows about
// 95 % busy: morning.ts; `ratePerMin` makes it a constant rate). Each window's
// clerk signs in on the window's staff page with a staff id and PIN, reads that
// page, and works the desk's keypad: calls, starts, completes after a seeded service
// time, now and then recalls and marks a no-show or takes a short pause. The
// citizen just served presses the rating pad, and after a low score a second
// button for the reason the pad names (button i = the hall's reason i).
import type { Logger } from 'pino';
import type { HallConfig } from '../config/hall.ts';
import type { SimHardware } from '../hw/kit.ts';
import type { KeypadKey } from '../../hw-specs/schema.ts';
import type { RatingScore } from '../protocol/messages.ts';
import { createRng, exponential, lognormal, type Rng } from '../sim/rng.ts';
import { systemClock, type Clock } from '../lib/time.ts';
import { hospitalMorning } from './morning.ts';
import { StaffScreen } from './staff-screen.ts';

export interface TrafficOptions {
  /** Where the hall's pages answer, from this machine (http://127.0.0.1:8080). */
  webUrl: string;
  hall: HallConfig;
  /** The kiosks citizens walk up to: their id and their simulated buttons and printer. */
  kiosks: ReadonlyArray<{ id: string; sim: SimHardware }>;
  /** Each window's desk: its keypad and rating pad. */
  counters: ReadonlyArray<{ window: string; sim: SimHardware }>;
  /** The PIN the hall's staff sign in with (the demo's people file). */
  pin: string;
  /** Today's appointment codes the simulated citizens check in with (each once, in order). */
  appointments?: readonly string[];
  /** Citizens per minute, constant (default: a hospital's day averaging what keeps the windows about 95 % busy). */
  ratePerMin?: number;
  /** The hall's clock (the demo's shifted one): where in the hospital's day we are. */
  clock?: Clock;
  /** Service times are the hall's expected ones times this (default 0.5: a lively demo). */
  serviceScale?: number;
  seed?: number;
  /** Windows the simulated staff work (default: all). */
  windows?: string[];
  /** Windows the simulated staff leave alone (for a person at the staff page or mosquitto_pub). */
  freeWindows?: string[];
  log: Logger;
}

const SCORES: Array<[RatingScore, number]> = [['very-satisfied', 0.55], ['satisfied', 0.3], ['basic', 0.1], ['unsatisfied', 0.035], ['very-unsatisfied', 0.015]];
const LOW: ReadonlySet<RatingScore> = new Set(['unsatisfied', 'very-unsatisfied']);

function pick<T>(rng: Rng, weighted: Array<[T, number]>): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = rng.next() * total;
  for (const [v, w] of weighted) { x -= w; if (x < 0) return v; }
  return weighted[weighted.length - 1][0];
}

/** Seconds a window spends per ticket beyond the service itself (walking up, rating). */
const OVERHEAD_S = 7;

/**
 * The service mix and arrival rate that keep each service's own windows about
 * `load` busy: a lively hall with queues that come and go rather than grow all day.
 */
export function trafficPlan(hall: HallConfig, serviceScale = 0.5, load = 0.95): { ratePerMin: number; mix: Array<[string, number]> } {
  const mix: Array<[string, number]> = hall.services.map((svc) => {
    const windows = hall.windows.reduce((n, w) => n + (w.own.includes(svc.id) ? 1 / w.own.length : 0), 0);
    return [svc.id, windows / (svc.expectedServiceS * serviceScale + OVERHEAD_S)];
  });
  const perS = mix.reduce((sum, [, x]) => sum + x, 0);
  return { ratePerMin: Math.max(1, Math.round(perS * load * 60)), mix: mix.filter(([, x]) => x > 0) };
}

export interface Traffic {
  /** Tickets the kiosks printed (and showed on screen when they could not print), tickets served, ratings the pads sent. */
  counts(): { tickets: number; served: number; ratings: number };
  /** Citizens per minute: constant, or the day's average. */
  ratePerMin: number;
  profile: 'hospital-day' | 'constant';
  stop(): Promise<void>;
}

export async function startTraffic(o: TrafficOptions): Promise<Traffic> {
  const seed = o.seed ?? 1;
  let running = true;
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
    timers.add(t);
  });
  const aborts = new AbortController();
  const screens = new Set<StaffScreen>();
  const counts = { shownOnly: 0, served: 0, ratings: 0 };

  // Citizens: Poisson arrivals, each for one service.
  const arrivals = createRng(seed, 1);
  const plan = trafficPlan(o.hall, o.serviceScale ?? 0.5);
  const ratePerMin = o.ratePerMin ?? plan.ratePerMin;
  const mixTotal = plan.mix.reduce((n, [, w]) => n + w, 0);
  const clock = o.clock ?? systemClock;
  // Each service's rate now: a constant share of --rate, or the hospital's day.
  const day = o.ratePerMin === undefined ? hospitalMorning(o.hall, plan.mix.map(([id, w]) => [id, plan.ratePerMin * w / mixTotal])) : null;
  const ratesNow = (): Array<[string, number]> => day ? day.ratesAt(clock.now()) : plan.mix.map(([id, w]) => [id, ratePerMin * w / mixTotal]);

  /** A citizen at the kiosk's touch page (as its screen's script posts it). */
  const atScreen = async (kiosk: string, body: Record<string, unknown>): Promise<'ticket' | 'refused' | 'failed'> => {
    try {
      const res = await fetch(`${o.webUrl}/kiosk/${encodeURIComponent(kiosk)}/api/ticket`, {
        method: 'POST', signal: AbortSignal.any([aborts.signal, AbortSignal.timeout(20_000)]),
        headers: { 'content-type': 'application/json', origin: o.webUrl }, body: JSON.stringify(body),
      });
      const r = (await res.json()) as { ok?: boolean; printed?: boolean; code?: string };
      if (r.ok && !r.printed) counts.shownOnly++;
      if (r.ok) return 'ticket';
      o.log.debug({ kiosk, code: r.code, status: res.status }, 'demo traffic: no ticket at the touch page');
      return 'refused';
    } catch (e) {
      if (running) o.log.debug({ kiosk, err: (e as Error).message }, 'demo traffic: touch page did not answer');
      return 'failed';
    }
  };

  // A restarted demo on the same data folder finds its first codes used: those citizens get an ordinary ticket.
  let nextAppointment = 0;
  const citizens = (async () => {
    while (running) {
      const rates = ratesNow();
      const total = rates.reduce((n, [, r]) => n + r, 0);
      if (total <= 0) { await sleep(30_000); continue; } // nobody comes now (lunch, before opening)
      await sleep(exponential(arrivals, 60_000 / total));
      if (!running || o.kiosks.length === 0) break;
      const kiosk = o.kiosks[Math.floor(arrivals.next() * o.kiosks.length)];
      const service = pick(arrivals, rates);
      const lang = arrivals.next() < 0.8 ? 'zh' : 'en';
      const appointment = arrivals.next() < 0.08 ? o.appointments?.[nextAppointment++] ?? null : null;
      const screen = arrivals.next() < 0.2;
      // English, an appointment to check in, or a taste for screens: the touch page.
      // Everyone else presses the service's button and takes the printed ticket.
      if (lang === 'en' || appointment || screen || !(await kiosk.sim.pressService(service))) {
        void atScreen(kiosk.id, { service, lang, ...(appointment ? { appointment } : {}) }).then(async (r) => {
          if (appointment && r === 'refused' && running) await atScreen(kiosk.id, { service, lang });
        });
      }
    }
  })();

  // Staff: one clerk per window, each with its own seeded stream.
  const desks = o.counters.filter((c) => (!o.windows || o.windows.includes(c.window)) && !o.freeWindows?.includes(c.window));
  const clerks = desks.map(async (desk, i) => {
    const rng = createRng(seed, 100 + i);
    const staff = o.hall.staff[o.hall.windows.findIndex((w) => w.id === desk.window) % Math.max(1, o.hall.staff.length)]?.id ?? `staff-${desk.window}`;
    const press = desk.sim.pressKey.bind(desk.sim);
    await sleep(rng.next() * 3_000);
    while (running) {
      let screen: StaffScreen;
      try {
        screen = await StaffScreen.open(o.webUrl, desk.window, staff, o.pin);
      } catch (e) {
        if (running) o.log.debug({ window: desk.window, err: (e as Error).message }, 'demo traffic: sign-in failed, trying again');
        await sleep(10_000 + rng.next() * 20_000);
        continue;
      }
      screens.add(screen);
      try {
        await work(desk, screen, press, rng);
      } catch (e) {
        if (running) o.log.warn({ window: desk.window, err: (e as Error).message }, 'demo traffic: clerk stopped working, signing in again');
      } finally {
        screens.delete(screen);
        screen.close();
      }
      // The page closed or the window was closed from elsewhere: a moment before signing in again.
      await sleep(2_000 + rng.next() * 3_000);
    }
  });

  /** One clerk's shift at the desk, until the page closes or the traffic stops. */
  async function work(desk: TrafficOptions['counters'][number], screen: StaffScreen, press: (k: KeypadKey) => Promise<boolean>, rng: Rng): Promise<void> {
    const S = 15_000; // how long a clerk looks for an answer on the page
    while (running && !screen.closed) {
      const v = screen.view!;
      const state = v.state;
      if (!state || v.lost) { await screen.waitFor((x) => x.state && !x.lost, S); continue; }
      if (state.status === 'closed') return; // closed from elsewhere: sign in again (opens it)
      // Whatever is at the desk from before (a previous run, a click on the page): finish it first.
      if (state.status === 'paused') { await screen.key(press, 'pause', ['resume']); await screen.waitFor((x) => x.state?.status !== 'paused', S); continue; }
      if (state.serving) { await serve(screen, press, state.serving.no, !!state.serving.startedAt, rng, desk); continue; }

      const called = await screen.key(press, 'call-next', ['call-next']);
      if (!running) return;
      if (!called || !called.ok) { await sleep(1_000); continue; }
      if (called.detail === 'nobody waiting') { await sleep(2_000 + rng.next() * 3_000); continue; }
      const no = called.detail;
      // The page shows the ticket at the desk: the citizen walks up (or does not come).
      if (!(await screen.waitFor((x) => x.state?.serving?.no === no, S))) continue;
      await sleep(2_000 + rng.next() * 4_000);
      if (!running) return;
      if (rng.next() < 0.05) {
        await screen.key(press, 'recall', ['recall']);
        await sleep(5_000);
        await screen.key(press, 'no-show', ['no-show']);
        continue;
      }
      await serve(screen, press, no, false, rng, desk);
      if (rng.next() < 0.02 && running) {
        await screen.key(press, 'pause', ['pause']);
        await screen.waitFor((x) => x.state?.status === 'paused', S);
        await sleep(15_000 + rng.next() * 15_000);
        await screen.key(press, 'pause', ['resume']);
      }
    }
  }

  /** Starts (the complete key starts a called ticket), serves, completes; the citizen rates on the pad. */
  async function serve(screen: StaffScreen, press: (k: KeypadKey) => Promise<boolean>, no: string, started: boolean, rng: Rng, desk: TrafficOptions['counters'][number]): Promise<void> {
    const S = 15_000;
    if (!started) {
      const r = await screen.key(press, 'complete', ['start']);
      if (!r?.ok || !(await screen.waitFor((x) => x.state?.serving?.no === no && !!x.state.serving.startedAt, S))) return;
      const svc = o.hall.services.find((s) => s.id === screen.view?.state?.serving?.service);
      await sleep(lognormal(rng, (svc?.expectedServiceS ?? 60) * 1000 * (o.serviceScale ?? 0.5), 0.5));
      if (!running) return;
    }
    const done = await screen.key(press, 'complete', ['complete']);
    if (!done?.ok) return;
    counts.served++;
    if (rng.next() < 0.8) await rate(screen, desk.sim, no, rng);
  }

  /** The citizen at the rating pad: one press, and after a low score mostly a second for the reason the pad names. */
  async function rate(screen: StaffScreen, sim: SimHardware, no: string, rng: Rng): Promise<void> {
    const lit = await screen.waitFor((x) => x.pad?.phase === 'lit' && x.pad.ticket === no ? x.pad : null, 10_000);
    if (!lit || !running) return;
    await sleep(500 + rng.next() * 2_000);
    const score = pick(rng, SCORES.filter(([s]) => lit.scores.includes(s)));
    const mark = screen.mark();
    if (!(await sim.pressRating(score))) return;
    if (LOW.has(score) && rng.next() < 0.85) {
      const asking = await screen.waitFor((x) => x.pad?.phase === 'reason' ? x.pad : null, 5_000);
      if (asking) {
        // Reads the reasons as the pad names them, then presses the one that fits (button i = reason i).
        const reasons = Math.min(o.hall.rating.reasons.length, asking.scores.length);
        const i = pick(rng, Array.from({ length: reasons }, (_x, k) => [k, 1 / (k + 1)] as [number, number]));
        await sleep(1_000 + rng.next() * 4_000);
        if (!running) return;
        await sim.pressRating(asking.scores[i]);
      }
    } else if (LOW.has(score)) {
      return; // walks away: the pad sends the score without a reason when it stops asking
    }
    const sent = await screen.answer(mark, 'pad', ['rating'], 10_000);
    if (sent?.ok) counts.ratings++;
  }

  return {
    counts: () => ({
      tickets: o.kiosks.reduce((n, k) => n + k.sim.printed().length, 0) + counts.shownOnly,
      served: counts.served, ratings: counts.ratings,
    }),
    ratePerMin,
    profile: day ? 'hospital-day' : 'constant',
    async stop() {
      running = false;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      aborts.abort();
      for (const s of screens) s.close();
      // Loops waiting on a page finish on their own; do not hold shutdown for them.
      void Promise.allSettled([citizens, ...clerks]);
    },
  };
}
