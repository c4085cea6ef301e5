// The controller role's city part: a hall that has joined a city (`device.city`)
// ships its event log, alerts and devices there. The forwarder reads the log the
// controller writes — the hall never waits for the city — and is told of new
// events as the engine stores them; the link's state goes into the device's
// health (`city: {connected, synced, behind}`), so a maintainer sees a hall that
// has fallen behind.
import type { Logger } from 'pino';
import type { HallConfig } from '../config/hall.ts';
import type { Alert } from '../protocol/messages.ts';
import type { Controller } from '../controller/service.ts';
import type { SqliteStore } from '../eventlog/sqlite-store.ts';
import { isoLocal, type Clock } from '../lib/time.ts';
import { CityForwarder, type ForwarderOptions, type ForwarderStatus } from './forwarder.ts';
import type { CityLinkInput } from './link.ts';

export interface CityPartOptions {
  hall: HallConfig;
  /** The running controller: its events and devices. */
  controller: Pick<Controller, 'engine' | 'devices'>;
  /** The hall's open alerts, as its manager page shows them (the supervisor's and the disk guard's). */
  alerts: () => Alert[];
  /** The controller's event log (read only): the forwarder's outbox. */
  store: SqliteStore;
  link: CityLinkInput;
  clock: Clock;
  log: Logger;
  /** The device runtime's health fields. */
  setHealth?: (fields: Record<string, unknown>) => void;
  /** Milliseconds between looks at the link's state for the health fields (default 1 s). */
  healthMs?: number;
  /** Passed to the forwarder (tests: shorter polls, back-off). */
  forwarder?: Pick<ForwarderOptions, 'pollMs' | 'backoff'>;
}

export interface CityPart {
  /** How far the city has acknowledged the hall's log. */
  status(): ForwarderStatus;
  stop(): Promise<void>;
}

export function startCityForwarding(o: CityPartOptions): CityPart {
  const tz = o.hall.hall.timezone;
  const fwd = new CityForwarder({
    hall: o.hall, events: o.store, link: o.link, clock: o.clock, log: o.log, ...o.forwarder,
    alerts: o.alerts,
    devices: () => o.controller.devices().map((d) => ({
      id: d.id, ...(d.role ? { role: d.role } : {}), online: d.online, lastSeen: isoLocal(d.lastSeenMs, tz), ...(d.printer ? { printer: d.printer } : {}),
    })),
  });
  fwd.start();
  // Many events in one command (or one tick): one look at the log.
  let queued = false;
  const unsub = o.controller.engine.onEvent(() => {
    if (queued) return;
    queued = true;
    setImmediate(() => { queued = false; fwd.notify(); });
  });
  let health = '';
  const timer = o.setHealth ? setInterval(() => {
    const st = fwd.status();
    const h = JSON.stringify([st.connected, st.synced, st.behind]);
    if (h !== health) { health = h; o.setHealth!({ city: { connected: st.connected, synced: st.synced, behind: st.behind } }); }
  }, o.healthMs ?? 1000) : undefined;
  timer?.unref?.();
  return {
    status: () => fwd.status(),
    async stop() {
      if (timer) clearInterval(timer);
      unsub();
      await fwd.stop();
    },
  };
}
