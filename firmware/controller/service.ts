// The controller on MQTT: turns kiosk requests, window commands and ratings into
// engine commands and publishes what the contract promises — one reply per request
// (a repeated id gets the stored reply byte for byte), retained window states and
// hall state, call events and alerts. Input can be anything: a bad payload gets the
// contract's `bad-request` reply and a log line, never a crash or a change.
import pino, { type Logger } from 'pino';
import type { Bus } from '../bus/types.ts';
import type { HallConfig } from '../config/hall.ts';
import type { Clock } from '../lib/time.ts';
import { systemClock } from '../lib/time.ts';
import { liveServiceTimes } from '../routing/recorded.ts';
import type { Alert } from '../protocol/messages.ts';
import { DeviceWatch, RecentRatings, Supervisor, supervisionInput, type SupervisionInput } from '../supervision/index.ts';
import { HallEngine } from './engine.ts';
import { SqliteStore } from '../eventlog/sqlite-store.ts';
import type { HallStore } from '../eventlog/store.ts';
import type { PeopleAuth } from '../security/people.ts';
import type { AppointmentBook } from '../appointments/book.ts';
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
  /**
   * Staff sign-in (firmware/security/people.ts): with it, `open` and `sign-in` need
   * the staff member's id and PIN. Without it (tests, a bench) `open` takes any staff id.
   */
  people?: Pick<PeopleAuth, 'verify'>;
  /**
   * The day's appointments (firmware/appointments): with it, a check-in code must be
   * on the list, in its time window, and unused; the controller role always passes one.
   */
  appointments?: Pick<AppointmentBook, 'check'>;
  /**
   * Below the disk's floor, no new ticket numbers (the controller role's disk guard,
   * firmware/safekeeping, watches the disk and raises its alert; the handlers only ask).
   */
  disk?: HandlerContext['disk'];
}

export interface Controller {
  engine: HallEngine;
  /** Active supervision alerts (the manager's page, the city). */
  activeAlerts(): Alert[];
  /** Devices as the controller last heard them (status and health messages). */
  devices(): SupervisionInput['devices'];
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

  const ctx: HandlerContext = {
    engine, bus, log, clock, devices, flush, people: opts.people, appointments: opts.appointments, pinVerdicts: new Map(), blockAlerted: new Set(), disk: opts.disk,
    alert: (a) => queued.push(() => void bus.publish('alert', {}, a)),
    discard: () => { windows.clear(); queued.length = 0; },
  };
  await mountHandlers(OWNER, ctx, supervise ? [...REQUEST_HANDLERS, ...SUPERVISION_HANDLERS] : [...REQUEST_HANDLERS]);

  // The truth at start, retained, so a board that boots now shows it at once.
  for (const id of engine.windowIds) windows.add(id);
  flush();
  publishHall(true);

  const timer = setInterval(() => {
    try {
      engine.tick();
      if (supervise) {
        for (const a of supervisor.tick(supervisionInput(engine.model, clock.now(), devices, ratings))) {
          if (a.kind !== 'wait-over-limit') queued.push(() => void bus.publish('alert', {}, a));
        }
      }
      flush();
    } catch (e) {
      log.error({ err: (e as Error).stack }, 'controller tick failed');
    }
  }, opts.tickMs ?? 1000);
  timer.unref?.();
  log.info({ hall: hall.hall.id, policy: engine.policyName, day: engine.day }, 'controller started');

  let stopped = false;
  return {
    engine,
    activeAlerts: () => supervisor.active(),
    devices: () => devices.list(),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      for (const u of unsubs) u();
      await bus.removeOwner(OWNER);
      if (!opts.store) store.close();
    },
  };
}
