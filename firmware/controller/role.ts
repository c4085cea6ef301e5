// The hall's controller: ONE role, the same for `manyi run` on a controller board,
// `manyi controller` and the demo. Every part a hall's controller runs is listed
// here, in start order; the runtime stops them in reverse.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startCityForwarding, type CityPart } from '../city/controller-link.ts';
import { SqliteStore } from '../eventlog/sqlite-store.ts';
import { DiskGuard, watchDisk } from '../safekeeping/disk-guard.ts';
import { startRetention } from '../safekeeping/retention.ts';
import { mountManagerLogin } from '../security/manager-login.ts';
import { PeopleAuth } from '../security/people.ts';
import { AppointmentBook } from '../appointments/book.ts';
import { mountAppointmentsApi } from '../appointments/api.ts';
import { part, type RoleDefinition } from '../runtime/parts.ts';
import { mountManagerPages } from '../stats/manager/index.ts';
import { mountBundles } from '../update/serve.ts';
import { startController, type Controller } from './service.ts';
import { engineTicketSource, mountTicketStatusPage } from './status-page/status-page.ts';

export interface ControllerRoleOptions {
  /** Routing policy name (firmware/routing; default `default`). */
  policy?: string;
  /** The event log's file (default `{dataDir}/controller.db`). */
  dbFile?: string;
  /** Staff and managers who may sign in (default `{dataDir}/people.json`); `false`: no sign-in at all (a bench). */
  peopleFile?: string | false;
  /** Where `/bundles/` serves update archives from (default `{dataDir}/bundles`). */
  bundlesDir?: string;
}

/** What the controller's parts share; the demo and tests read the engine from it. */
export interface ControllerParts { store?: SqliteStore; controller?: Controller; people?: PeopleAuth; appointments?: AppointmentBook; disk?: DiskGuard; city?: CityPart }

/** `shared` (optional) receives the store and controller as they start (the demo, tests). */
/** The hall's open alerts, wherever they are shown (manager page, city): the supervisor's and the disk guard's. */
function hallAlerts(shared: ControllerParts) {
  return [...(shared.controller?.activeAlerts() ?? []), ...(shared.disk?.active() ?? [])];
}

export function controllerParts(o: ControllerRoleOptions = {}, into?: ControllerParts): RoleDefinition {
  return {
    role: 'controller',
    parts: () => { const shared: ControllerParts = into ?? {}; return [
      // The event log first: nothing is acknowledged before it is stored.
      part('event log', (ctx) => {
        const store = shared.store = new SqliteStore(o.dbFile ?? join(ctx.dataDir, 'controller.db'), { clock: ctx.clock });
        if (store.migrated.length && store.migrated[0] !== '1: events, replies and meta') ctx.log.info({ steps: store.migrated }, 'event log migrated');
        return () => store.close();
      }),
      // Staff sign in at their window with a PIN, managers with a password (`manyi staff|managers add`);
      // without a people file nobody can open a window or the manager's page.
      part('people', (ctx) => {
        if (o.peopleFile === false) { ctx.log.warn('no sign-in: any staff id opens a window, the manager\'s page is open (a bench, never a hall)'); return; }
        shared.people = new PeopleAuth(o.peopleFile ?? join(ctx.dataDir, 'people.json'), {}, () => ctx.clock.now());
      }),
      // The day's appointments (`manyi appointments import`, or pushed to /api/appointments below).
      part('appointments', (ctx) => {
        shared.appointments = new AppointmentBook(join(ctx.dataDir, 'appointments.json'), ctx.hall.hall.timezone);
      }),
      // Below the disk's floor, no new tickets (firmware/safekeeping): measured before the engine
      // takes its first request, then every 5 s, where the event log lives; its alert goes on the bus.
      part('disk guard', (ctx) => {
        const guard = shared.disk = new DiskGuard({ dir: o.dbFile ? dirname(o.dbFile) : ctx.dataDir });
        const watch = watchDisk(guard, {
          publish: (a) => void ctx.bus.publish('alert', {}, a), now: () => ctx.clock.now(), timezone: ctx.hall.hall.timezone, log: ctx.log.child({ part: 'disk' }),
        });
        return () => watch.stop();
      }),
      // The engine, its message handlers (one per inbound kind), state publishing, supervision.
      part('hall engine and messages', async (ctx) => {
        const c = shared.controller = await startController({
          hall: ctx.hall, dbPath: '', store: shared.store!, bus: ctx.bus, clock: ctx.clock, log: ctx.log, policy: o.policy, people: shared.people, appointments: shared.appointments, disk: shared.disk,
        });
        return () => c.stop();
      }),
      // A hall that has joined a city (device.city) ships its log, alerts and devices there (firmware/city).
      part('city forwarder', (ctx) => {
        if (!ctx.device.city) return;
        const city = shared.city = startCityForwarding({
          hall: ctx.hall, controller: shared.controller!, alerts: () => hallAlerts(shared), store: shared.store!, link: ctx.device.city, clock: ctx.clock, log: ctx.log.child({ part: 'city' }), setHealth: ctx.setHealth,
        });
        return () => city.stop();
      }),
      // Old days keep their summaries, not their events (firmware/safekeeping); in a city, nothing the
      // city has not acknowledged goes.
      part('retention', (ctx) => {
        const city = shared.city;
        const r = startRetention({
          db: shared.store!.db, hall: ctx.hall, now: () => ctx.clock.now(), retentionDays: ctx.hall.retentionDays, log: ctx.log.child({ part: 'retention' }),
          shippedUpTo: city ? () => (city.status().synced ? city.status().acked : 0) : undefined,
        });
        return () => r.stop();
      }),
      // `/t/{day}/{no}`: where the QR code on each ticket points.
      part('ticket status page', (ctx) => {
        const page = mountTicketStatusPage(ctx.web, engineTicketSource(shared.controller!.engine), ctx.hall);
        return () => page.close();
      }),
      // `/manager` and `/api/stats/*` (firmware/stats/API.md).
      part('manager page and statistics', (ctx) => {
        const c = shared.controller!;
        const login = shared.people ? mountManagerLogin(ctx.web, shared.people, { title: ctx.hall.hall.name.zh, now: () => ctx.clock.now() }) : undefined;
        mountManagerPages(ctx.web, {
          db: shared.store!.db, hall: ctx.hall, now: () => ctx.clock.now(),
          live: () => c.engine.hallState(ctx.clock.now()), alerts: () => hallAlerts(shared),
          guard: login?.guard, signOutToken: login?.token,
        });
        // The hospital's system pushes appointments with a manager's API token.
        if (login) mountAppointmentsApi(ctx.web, { file: join(ctx.dataDir, 'appointments.json'), book: shared.appointments!, login, tz: ctx.hall.hall.timezone, now: () => ctx.clock.now() });
      }),
      // `/bundles/NAME.tar.gz`: firmware bundles the boards download (MAINTAINER.md §7).
      part('update bundles', (ctx) => {
        const dir = o.bundlesDir ?? join(ctx.dataDir, 'bundles');
        mkdirSync(dir, { recursive: true });
        mountBundles(ctx.web, dir);
      }),
    ]; },
  };
}

export const controllerRole: RoleDefinition = controllerParts();
