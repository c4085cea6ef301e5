// The controller on MQTT: turns kiosk requests, window commands and ratings into
// engine commands and publishes what the contract promises — one reply per request
// (a repeated id gets the stored reply byte for byte), retained window states and
// hall state, call events and alerts. Input can be anything: a bad payload gets the
// contract's `bad-request` reply and a log line, never a crash or a change.
import pino, { type Logger } from 'pino';
import type { Bus } from '../bus/types.ts';
import type { HallConfig } from '../config/hall.ts';
import type { Clock } from '../lib/time.ts';
import { isoLocal, systemClock } from '../lib/time.ts';
import { liveServiceTimes } from '../routing/recorded.ts';
import type { Alert } from '../protocol/messages.ts';
import { DeviceWatch, RecentRatings, Supervisor, supervisionInput } from '../supervision/index.ts';
import { HallEngine } from './engine.ts';
import { DiskGuard, type DiskGuardOptions } from '../safekeeping/disk-guard.ts';
import { startRetention } from '../safekeeping/retention.ts';
import { SqliteStore } from '../eventlog/sqlite-store.ts';
import type { HallStore } from '../eventlog/store.ts';
import type { CityLinkInput } from '../city/link.ts';
import type { ForwarderStatus } from '../city/forwarder.ts';
import type { PeopleAuth } from '../security/people.ts';
import { mountHandlers, REQUEST_HANDLERS, SUPERVISION_HANDLERS, type HandlerContext } from './handlers/index.ts';

export interface ControllerOptions {
  hall: HallConfig;
  dbPath: string | ':memory:';
  /** The process's bus; the controller registers its handlers as owner `controller`. */
  bus: Bus;
  clock?: Clock;
  log?: Logger;
  /** Routing policy name (firmware/routing). */
  policy?: string;
  /** Instead of opening `dbPath` (tests, simulator). */
  store?: HallStore;
  /** Hall state interval, ms (default 1000). */
  tickMs?: number;
  /** Run the supervision evaluator (firmware/supervision) each tick (default true). */
  supervise?: boolean;
  /** Join the city: ship the event log, alerts and devices to the city's broker (firmware/city). */
  city?: CityLinkInput;
  /**
   * Staff sign-in (firmware/security/people.ts): with it, `open` and `sign-in` need
   * the staff member's id and PIN. Without it (tests, a bench) `open` takes any staff id.
   */
  people?: Pick<PeopleAuth, 'verify'>;
  /** The device runtime's health fields: the city link's state goes there (`city: {connected, behind}`). */
  setHealth?: (fields: Record<string, unknown>) => void;
  /** Watch the free space where the database lives: below the floor, no new tickets (firmware/safekeeping). */
  disk?: DiskGuardOptions;
  /** Purge events older than the hall's retention after keeping their day summaries (default: on with a SQLite store). */
  retention?: boolean;
}

export interface Controller {
  engine: HallEngine;
  /** Active supervision alerts (the manager's page). */
  activeAlerts(): Alert[];
  /** The city link, when the hall has joined a city: how far the city has acknowledged its log. */
  cityStatus(): ForwarderStatus | null;
  stop(): Promise<void>;
}

const OWNER = 'controller';

export async function startController(opts: ControllerOptions): Promise<Controller> {
  const { hall, bus } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? pino({ name: 'controller' });
  const store = opts.store ?? new SqliteStore(opts.dbPath, { clock });
  // Routing starts each hour from the mean service times this hall recorded on
  // the same weekday and hour (firmware/routing/recorded.ts), not the configured guess.
  const serviceTimes = store instanceof SqliteStore ? liveServiceTimes(store.db, hall.hall.timezone, () => clock.now()) : undefined;
  const engine = new HallEngine({ hall, store, clock, policy: opts.policy, serviceTimes });

  // What a command caused, published after its reply (the store already holds it).
  const windows = new Set<string>();
  const queued: Array<() => void> = [];
  const unsubs = [
    engine.onWindow((id) => windows.add(id)),
    engine.onCall((c) => queued.push(() => void bus.publish('call', {}, c))),
    engine.onAlert((a) => queued.push(() => void bus.publish('alert', {}, a))),
  ];

  // Supervision (firmware/supervision): device, service-time, pause and rating alerts.
  // The engine itself raises wait-over-limit (once per ticket, cleared on call), so
  // the supervisor's own wait-over-limit is not published twice.
  const supervise = opts.supervise ?? true;
  const supervisor = new Supervisor(hall);
  const devices = new DeviceWatch();
  const ratings = new RecentRatings();
  unsubs.push(engine.onEvent((e) => ratings.add(e)));

  let hallVersion = -1;
  let hallPublishedAt = 0;
  const publishHall = (force = false) => {
    const now = clock.now();
    if (!force && (engine.version === hallVersion || now - hallPublishedAt < 1000)) return;
    hallVersion = engine.version;
    hallPublishedAt = now;
    void bus.publish('hall-state', {}, engine.hallState(now));
  };
  const flush = () => {
    const now = clock.now();
    for (const id of windows) void bus.publish('window-state', { window: id }, engine.windowState(id, now));
    windows.clear();
    for (const send of queued.splice(0)) send();
    publishHall();
  };

  const disk = opts.disk ? new DiskGuard(opts.disk) : undefined;
  const checkDisk = () => {
    const a = disk?.check(clock.now(), (ms) => isoLocal(ms, hall.hall.timezone));
    if (!a) return;
    log[a.state === 'raised' ? 'error' : 'info']({ free: disk!.free }, a.message);
    queued.push(() => void bus.publish('alert', {}, a));
  };
  checkDisk();

  const ctx: HandlerContext = {
    engine, bus, log, clock, devices, flush, people: opts.people, pinVerdicts: new Map(), blockAlerted: new Set(), disk,
    alert: (a) => queued.push(() => void bus.publish('alert', {}, a)),
    discard: () => { windows.clear(); queued.length = 0; },
  };
  await mountHandlers(OWNER, ctx, supervise ? [...REQUEST_HANDLERS, ...SUPERVISION_HANDLERS] : [...REQUEST_HANDLERS]);

  // The truth at start, retained, so a board that boots now shows it at once.
  for (const id of engine.windowIds) windows.add(id);
  flush();
  publishHall(true);

  // The city forwarder reads the log the store writes: the hall never waits for it.
  let city: { notify(): void; stop(): Promise<void>; status(): ForwarderStatus } | undefined;
  if (opts.city) {
    if (!(store instanceof SqliteStore)) throw new Error('city: the forwarder ships the SQLite event log; this controller has none');
    const { CityForwarder } = await import('../city/forwarder.ts');
    const tz = hall.hall.timezone;
    const fwd = new CityForwarder({
      hall, events: store, link: opts.city, clock, log: log.child({ part: 'city' }),
      alerts: () => supervisor.active(),
      devices: () => devices.list().map((d) => ({
        id: d.id, ...(d.role ? { role: d.role } : {}), online: d.online, lastSeen: isoLocal(d.lastSeenMs, tz), ...(d.printer ? { printer: d.printer } : {}),
      })),
    });
    fwd.start();
    let queuedNotify = false;
    unsubs.push(engine.onEvent(() => {
      if (queuedNotify) return;
      queuedNotify = true;
      setImmediate(() => { queuedNotify = false; fwd.notify(); });
    }));
    city = fwd;
  }

  // Retention (firmware/safekeeping): old days keep their summaries, not their events.
  const retention = opts.retention !== false && store instanceof SqliteStore
    ? startRetention({
      db: store.db, hall, now: () => clock.now(), retentionDays: hall.retentionDays, log: log.child({ part: 'retention' }),
      // In a city, nothing the city has not acknowledged goes.
      shippedUpTo: city ? () => (city!.status().synced ? city!.status().acked : 0) : undefined,
    })
    : undefined;

  let cityHealth = '';
  let ticks = 0;
  const timer = setInterval(() => {
    try {
      if (++ticks % 5 === 0) checkDisk();
      engine.tick();
      if (supervise) {
        for (const a of supervisor.tick(supervisionInput(engine.model, clock.now(), devices, ratings))) {
          if (a.kind !== 'wait-over-limit') queued.push(() => void bus.publish('alert', {}, a));
        }
      }
      flush();
      if (city && opts.setHealth) {
        const st = city.status();
        const h = JSON.stringify([st.connected, st.synced, st.behind]);
        if (h !== cityHealth) { cityHealth = h; opts.setHealth({ city: { connected: st.connected, synced: st.synced, behind: st.behind } }); }
      }
    } catch (e) {
      log.error({ err: (e as Error).stack }, 'controller tick failed');
    }
  }, opts.tickMs ?? 1000);
  timer.unref?.();
  log.info({ hall: hall.hall.id, policy: engine.policyName, day: engine.day }, 'controller started');

  let stopped = false;
  return {
    engine,
    activeAlerts: () => [...supervisor.active(), ...(disk?.active() ?? [])],
    cityStatus: () => city?.status() ?? null,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      retention?.stop();
      for (const u of unsubs) u();
      await city?.stop();
      await bus.removeOwner(OWNER);
      if (!opts.store) store.close();
    },
  };
}
