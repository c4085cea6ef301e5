// Simulated citizens and staff for the demo hall, speaking only the MQTT contract:
// citizens request tickets at the kiosks' request topics at a seeded Poisson rate
// (by default a hospital's day, morning peak 08:00–09:00, averaging what keeps the
// windows about 95 % busy: morning.ts; `ratePerMin` makes it a constant rate);
// each window's "staff member" opens it with a staff id, calls, starts, completes
// after a seeded service time, presses the rating pad, and now and then recalls,
// marks a no-show or takes a short pause. Enough for the boards to move on their own.
import { DEMO_PIN } from './people.ts';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { MqttBus } from '../bus/mqtt-bus.ts';
import { NoReplyError, Requester } from '../bus/requester.ts';
import type { HallConfig } from '../config/hall.ts';
import type { KioskReply, RatingScore, WindowAction, WindowReply } from '../protocol/messages.ts';
import { createRng, exponential, lognormal, type Rng } from '../sim/rng.ts';
import { systemClock, type Clock } from '../lib/time.ts';
import { hospitalMorning } from './morning.ts';

export interface TrafficOptions {
  brokerUrl: string;
  hall: HallConfig;
  kiosks: readonly string[];
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

const SCORES: Array<[RatingScore, number]> = [['very-satisfied', 0.55], ['satisfied', 0.3], ['basic', 0.1], ['unsatisfied', 0.05]];

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
  /** Tickets requested and windows commanded so far (for the demo's summary). */
  counts(): { tickets: number; served: number; ratings: number };
  /** Citizens per minute: constant, or the day's average. */
  ratePerMin: number;
  profile: 'hospital-day' | 'constant';
  stop(): Promise<void>;
}

export async function startTraffic(o: TrafficOptions): Promise<Traffic> {
  const seed = o.seed ?? 1;
  const hall = o.hall.hall.id;
  // Ids must never repeat a previous run's (the controller would replay the old answer): the requester's do not.
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const client: MqttClient = await mqtt.connectAsync(o.brokerUrl, { protocolVersion: 4, clientId: `demo-traffic-${run}`, reconnectPeriod: 1000 });
  (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  const bus = new MqttBus(client, hall, o.log);
  const requester = new Requester(bus, { owner: 'sim', retryMs: 0, timeoutMs: 5_000, closedMessage: 'traffic stopped' });

  let running = true;
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
    timers.add(t);
  });
  /** The reply, or null when none came (or the traffic stopped). */
  const ask = async <R>(p: Promise<R>): Promise<R | null> => {
    try { return await p; } catch (e) {
      if (!(e instanceof NoReplyError) && running) o.log.debug({ err: (e as Error).message }, 'demo traffic: request failed');
      return null;
    }
  };
  const counts = { tickets: 0, served: 0, ratings: 0 };

  // Citizens: Poisson arrivals, service mix weighted towards registration and payment.
  const arrivals = createRng(seed, 1);
  const plan = trafficPlan(o.hall, o.serviceScale ?? 0.5);
  const ratePerMin = o.ratePerMin ?? plan.ratePerMin;
  const mixTotal = plan.mix.reduce((n, [, w]) => n + w, 0);
  const clock = o.clock ?? systemClock;
  // Each service's rate now: a constant share of --rate, or the hospital's day.
  const day = o.ratePerMin === undefined ? hospitalMorning(o.hall, plan.mix.map(([id, w]) => [id, plan.ratePerMin * w / mixTotal])) : null;
  const ratesNow = (): Array<[string, number]> => day ? day.ratesAt(clock.now()) : plan.mix.map(([id, w]) => [id, ratePerMin * w / mixTotal]);
  const citizens = (async () => {
    while (running) {
      const rates = ratesNow();
      const total = rates.reduce((n, [, r]) => n + r, 0);
      if (total <= 0) { await sleep(30_000); continue; } // nobody comes now (lunch, before opening)
      await sleep(exponential(arrivals, 60_000 / total));
      if (!running) break;
      const kiosk = o.kiosks[Math.floor(arrivals.next() * o.kiosks.length)];
      const body: Record<string, unknown> = { service: pick(arrivals, rates), lang: arrivals.next() < 0.8 ? 'zh' : 'en' };
      if (arrivals.next() < 0.08) body.priority = 'priority';
      const r: KioskReply | null = await ask(requester.request('kiosk-request', { kiosk }, body as never));
      if (r?.ok) counts.tickets++;
      else if (r && !r.ok) o.log.debug({ error: r.error }, 'demo traffic: ticket refused');
    }
  })();

  // Staff: one loop per window, each with its own seeded stream.
  const windows = o.hall.windows.filter((w) => (!o.windows || o.windows.includes(w.id)) && !o.freeWindows?.includes(w.id));
  const staffLoops = windows.map(async (w, i) => {
    const rng = createRng(seed, 100 + i);
    const cmd = (action: WindowAction, extra: Record<string, unknown> = {}): Promise<WindowReply | null> =>
      ask(requester.request('window-command', { window: w.id }, { action, ...extra }));
    const staff = o.hall.staff[i % Math.max(1, o.hall.staff.length)]?.id ?? `staff-${w.id}`;
    await sleep(rng.next() * 3_000);
    await cmd('open', { staff, pin: DEMO_PIN }); // signs in as staff do (the demo's people file)
    while (running) {
      const r = await cmd('call-next');
      if (r && !r.ok) {
        // The desk is not as this loop thinks (a previous run, a click on the staff
        // page): finish whatever is there, as a clerk would, and try again.
        for (const a of ['resume', 'start', 'complete'] as const) await cmd(a);
        await sleep(1_000);
        continue;
      }
      const ticket = r && r.ok ? r.ticket : null;
      if (!ticket) { await sleep(2_000 + rng.next() * 3_000); continue; }
      await sleep(2_000 + rng.next() * 4_000); // the citizen walks to the window
      if (!running) break;
      if (rng.next() < 0.05) {
        await cmd('recall');
        await sleep(5_000);
        await cmd('no-show');
        continue;
      }
      await cmd('start');
      const svc = o.hall.services.find((s) => s.id === ticket.service);
      await sleep(lognormal(rng, (svc?.expectedServiceS ?? 60) * 1000 * (o.serviceScale ?? 0.5), 0.5));
      if (!running) break;
      const done = await cmd('complete');
      if (done?.ok) counts.served++;
      if (rng.next() < 0.8) {
        await sleep(500 + rng.next() * 2_000);
        const score = pick(rng, SCORES);
        const rated = await ask(requester.request('window-rating', { window: w.id }, { ticket: ticket.no, score, ...(score === 'unsatisfied' ? { reason: 'slow' } : {}) }));
        if (rated?.ok) counts.ratings++;
      }
      if (rng.next() < 0.02) {
        await cmd('pause');
        await sleep(15_000 + rng.next() * 15_000);
        await cmd('resume');
      }
    }
  });

  return {
    counts: () => ({ ...counts }),
    ratePerMin,
    profile: day ? 'hospital-day' : 'constant',
    async stop() {
      running = false;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      // Loops waiting on a reply finish within its 5 s timeout; do not hold shutdown for them.
      void Promise.allSettled([citizens, ...staffLoops]);
      await requester.close();
      await client.endAsync(true).catch(() => undefined);
      bus.detach();
    },
  };
}
