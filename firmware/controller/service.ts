// The controller on MQTT: turns kiosk requests, window commands and ratings into
// engine commands and publishes what the contract promises — one reply per request
// (a repeated id gets the stored reply byte for byte), retained window states and
// hall state, call events and alerts. Input can be anything: a bad payload gets the
// contract's `bad-request` reply and a log line, never a crash or a change.
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import type { HallConfig } from '../config/hall.ts';
import type { Clock } from '../lib/time.ts';
import { isoLocal, systemClock } from '../lib/time.ts';
import { liveServiceTimes } from '../routing/recorded.ts';
import { decode, errorReply, type Decoded } from '../protocol/decode.ts';
import { DeviceHealth, DeviceStatus, WindowCommand, type Alert, WindowRating, parseKioskRequest, type KioskRequest } from '../protocol/messages.ts';
import { DeviceWatch, RecentRatings, Supervisor, supervisionInput } from '../supervision/index.ts';
import { filters, parseTopic, topics } from '../protocol/topics.ts';
import type { RoleStarter } from '../runtime/role.ts';
import { HallEngine, type ReplyTo } from './engine.ts';
import { DiskGuard, type DiskGuardOptions } from '../safekeeping/disk-guard.ts';
import { startRetention } from '../safekeeping/retention.ts';
import { SqliteStore } from '../eventlog/sqlite-store.ts';
import { engineTicketSource, mountTicketStatusPage } from '../../kiosk/status-page/status-page.ts';
import type { HallStore } from '../eventlog/store.ts';
import type { CityLinkInput } from '../city/link.ts';
import type { ForwarderStatus } from '../city/forwarder.ts';
import { PeopleAuth } from '../security/people.ts';

export interface ControllerOptions {
  hall: HallConfig;
  dbPath: string | ':memory:';
  mqtt: MqttClient;
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

type Outbound = { topic: string; payload: string; retain: boolean };

export async function startController(opts: ControllerOptions): Promise<Controller> {
  const { hall, mqtt } = opts;
  const hallId = hall.hall.id;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? pino({ name: 'controller' });
  const store = opts.store ?? new SqliteStore(opts.dbPath, { clock });
  // Routing starts each hour from the mean service times this hall recorded on
  // the same weekday and hour (firmware/routing/recorded.ts), not the configured guess.
  const serviceTimes = store instanceof SqliteStore ? liveServiceTimes(store.db, hall.hall.timezone, () => clock.now()) : undefined;
  const engine = new HallEngine({ hall, store, clock, policy: opts.policy, serviceTimes });

  // What a command caused, published after its reply (the store already holds it).
  const windows = new Set<string>();
  const queued: Outbound[] = [];
  const unsubs = [
    engine.onWindow((id) => windows.add(id)),
    engine.onCall((c) => queued.push({ topic: topics.call(hallId), payload: JSON.stringify(c), retain: false })),
    engine.onAlert((a) => queued.push({ topic: topics.alert(hallId), payload: JSON.stringify(a), retain: false })),
  ];

  // Supervision (firmware/supervision): device, service-time, pause and rating alerts.
  // The engine itself raises wait-over-limit (once per ticket, cleared on call), so
  // the supervisor's own wait-over-limit is not published twice.
  const supervise = opts.supervise ?? true;
  const supervisor = new Supervisor(hall);
  const devices = new DeviceWatch();
  const ratings = new RecentRatings();
  unsubs.push(engine.onEvent((e) => ratings.add(e)));

  const publish = (o: Outbound) => {
    mqtt.publish(o.topic, o.payload, { qos: 1, retain: o.retain }, (err) => {
      if (err) log.warn({ topic: o.topic, err: err.message }, 'publish failed');
    });
  };
  let hallVersion = -1;
  let hallPublishedAt = 0;
  const publishHall = (force = false) => {
    const now = clock.now();
    if (!force && (engine.version === hallVersion || now - hallPublishedAt < 1000)) return;
    hallVersion = engine.version;
    hallPublishedAt = now;
    publish({ topic: topics.hallState(hallId), payload: JSON.stringify(engine.hallState(now)), retain: true });
  };
  const flush = () => {
    const now = clock.now();
    for (const id of windows) publish({ topic: topics.windowState(hallId, id), payload: JSON.stringify(engine.windowState(id, now)), retain: true });
    windows.clear();
    for (const o of queued.splice(0)) publish(o);
    publishHall();
  };

  function handle<T extends { id: string }>(
    sender: string, replyTopic: string, payload: Buffer, decoded: Decoded<T>, run: (v: T, to: ReplyTo) => unknown,
  ): void {
    if (!decoded.ok) {
      log.warn({ sender, error: decoded.message, bytes: payload.length }, 'bad request');
      publish({ topic: replyTopic, payload: JSON.stringify(errorReply(decoded.id, 'bad-request', decoded.message)), retain: false });
      return;
    }
    const v = decoded.value;
    const first = engine.storedReply(sender, v.id);
    if (first) {
      log.debug({ sender, id: v.id }, 'repeated request: first reply again');
      publish({ topic: first.topic, payload: first.payload, retain: false });
      return;
    }
    let reply: unknown;
    try {
      reply = run(v, { sender, topic: replyTopic });
    } catch (e) {
      // A bug, not bad input: the sender still gets an answer (and may retry), and the hall goes on.
      publish({ topic: replyTopic, payload: JSON.stringify(errorReply(v.id, 'internal', 'the controller failed on this request; nothing changed')), retain: false });
      throw e;
    }
    publish({ topic: replyTopic, payload: JSON.stringify(reply), retain: false });
    flush();
  }

  const disk = opts.disk ? new DiskGuard(opts.disk) : undefined;
  const checkDisk = () => {
    const a = disk?.check(clock.now(), (ms) => isoLocal(ms, hall.hall.timezone));
    if (!a) return;
    log[a.state === 'raised' ? 'error' : 'info']({ free: disk!.free }, a.message);
    queued.push({ topic: topics.alert(hallId), payload: JSON.stringify(a), retain: false });
  };
  checkDisk();

  const pinVerdicts = new Map<string, ReturnType<PeopleAuth['verify']>>();
  /**
   * Caps a kiosk's offline blocks (hall `offline`): a compromised kiosk must not
   * reserve the day's numbers. Refused, with one alert per kiosk and day.
   */
  const blockAlerted = new Set<string>();
  const blockRefusal = (kiosk: string, v: Extract<KioskRequest, { op: 'reserve' }>) => {
    const cap = hall.offline;
    let held = 0;
    for (const b of engine.model.blocks.values()) if (b.kiosk === kiosk && b.service === v.service) held++;
    const over = v.count > cap.blockSize ? `a block has at most ${cap.blockSize} numbers`
      : held + v.count > cap.blockSize * cap.blocksPerDay ? `kiosk ${kiosk} already holds ${held} numbers of ${v.service} today (at most ${cap.blockSize * cap.blocksPerDay})` : null;
    if (!over) return null;
    const key = `${engine.day}/${kiosk}`;
    if (!blockAlerted.has(key)) {
      blockAlerted.add(key);
      log.warn({ kiosk, service: v.service, count: v.count, held }, 'offline block refused: over the hall\'s limit');
      const a: Alert = {
        id: `offline-blocks/${key}`, kind: 'offline-blocks-over-limit', at: isoLocal(clock.now(), hall.hall.timezone), subject: kiosk, device: kiosk,
        message: `自助机 ${kiosk} 申请的离线号超出限额，已拒绝 / kiosk ${kiosk} asked for more offline numbers than allowed (refused): ${over}`, state: 'raised', service: v.service,
      };
      queued.push({ topic: topics.alert(hallId), payload: JSON.stringify(a), retain: false });
    }
    return errorReply(v.id, 'not-allowed', over);
  };
  const onMessage = (topic: string, payload: Buffer, packet?: { retain?: boolean }) => {
    const t = parseTopic(topic);
    if (!t || t.hall !== hallId) return;
    // A retained request replays on every (re)subscription: never a citizen's or a clerk's act.
    // The embedded broker drops the flag; a Mosquitto hall keeps it, so the controller ignores it.
    if (packet?.retain && (t.kind === 'kiosk-request' || t.kind === 'window-command' || t.kind === 'window-rating')) {
      log.warn({ topic }, 'retained request ignored');
      return;
    }
    try {
      if (t.kind === 'kiosk-request') {
        handle<KioskRequest>(`kiosk/${t.kiosk}`, topics.kioskReply(hallId, t.kiosk), payload, decode(payload, parseKioskRequest),
          // A disk running out refuses new numbers; tickets kiosks already handed out (handover) are still taken.
          (v, to) => (disk?.low && v.op !== 'handover' ? errorReply(v.id, 'disk-full', disk.refusal())
            : v.op === 'reserve' ? (blockRefusal(t.kiosk, v) ?? engine.kiosk(t.kiosk, v, undefined, to))
              : engine.kiosk(t.kiosk, v, undefined, to)));
      } else if (t.kind === 'window-command') {
        handle<WindowCommand>(`window/${t.window}`, topics.windowReply(hallId, t.window), payload, decode(payload, WindowCommand),
          (v, to) => {
            const { pin, ...cmd } = v; // never stored, never logged
            if (opts.people && (cmd.action === 'open' || cmd.action === 'sign-in')) {
              if (!cmd.staff || !pin) return errorReply(v.id, 'bad-login', 'sign in with your staff id and PIN');
              // A retry of the same request (same id) gets the same verdict: it is not another guess.
              const key = `${t.window}|${v.id}`;
              const verdict = pinVerdicts.get(key) ?? opts.people.verify('staff', cmd.staff, pin, `window/${t.window}`);
              pinVerdicts.set(key, verdict);
              if (pinVerdicts.size > 500) pinVerdicts.delete(pinVerdicts.keys().next().value!);
              if (!verdict.ok) { log.warn({ window: t.window, staff: cmd.staff, why: verdict.code }, 'staff sign-in refused'); return errorReply(v.id, 'bad-login', verdict.message); }
            }
            return engine.window(t.window, cmd, undefined, to);
          });
      } else if (t.kind === 'window-rating') {
        handle<WindowRating>(`window/${t.window}`, topics.windowReply(hallId, t.window), payload, decode(payload, WindowRating),
          (v, to) => engine.rate(t.window, v, undefined, to));
      } else if (t.kind === 'device-status' || t.kind === 'device-health') {
        // Devices' own messages: no reply; bad ones are only logged.
        const d = t.kind === 'device-status' ? decode(payload, DeviceStatus) : decode(payload, DeviceHealth);
        if (!d.ok) { log.warn({ topic, error: d.message }, 'bad device message'); return; }
        if (t.kind === 'device-status') devices.status(t.device, d.value as DeviceStatus, clock.now());
        else devices.health(t.device, d.value as DeviceHealth, clock.now());
      }
    } catch (e) {
      // A bug, not bad input: say so loudly and keep serving the hall.
      log.error({ topic, err: (e as Error).stack }, 'controller failed on a message');
      windows.clear();
      queued.length = 0;
    }
  };
  mqtt.on('message', onMessage);
  const subs = [filters.kioskRequests(hallId), filters.windowCommands(hallId), filters.windowRatings(hallId)];
  if (supervise) subs.push(filters.deviceStatuses(hallId), filters.deviceHealths(hallId));
  await mqtt.subscribeAsync(subs, { qos: 1 });

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
          if (a.kind !== 'wait-over-limit') queued.push({ topic: topics.alert(hallId), payload: JSON.stringify(a), retain: false });
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
  log.info({ hall: hallId, policy: engine.policyName, day: engine.day }, 'controller started');

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
      mqtt.off('message', onMessage);
      for (const u of unsubs) u();
      await city?.stop();
      if (mqtt.connected) await mqtt.unsubscribeAsync(subs).catch(() => undefined);
      if (!opts.store) store.close();
    },
  };
}

/**
 * The controller as a role of the device runtime: its database is
 * `{dataDir}/controller.db`, and it serves the ticket status page (`/t/{day}/{no}`,
 * where the QR code on each ticket points) on the role's web host.
 */
export const startControllerRole: RoleStarter = async (ctx) => {
  // Staff sign in with a PIN (`manyi staff add`); without a people file nobody can open a window.
  const people = new PeopleAuth(join(ctx.dataDir, 'people.json'), {}, () => ctx.clock.now());
  const c = await startController({ hall: ctx.hall, dbPath: join(ctx.dataDir, 'controller.db'), mqtt: ctx.mqtt, clock: ctx.clock, log: ctx.log, people, city: ctx.device.city, setHealth: ctx.setHealth, disk: { dir: ctx.dataDir } });
  const status = mountTicketStatusPage(ctx.web, engineTicketSource(c.engine), ctx.hall);
  return {
    async stop() {
      status.close();
      await c.stop();
    },
  };
};
