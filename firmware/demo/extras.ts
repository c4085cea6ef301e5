// The demo's controller: the controller role as a board runs it (startControllerRole
// mounts the ticket status page too), plus the manager's page (`/manager`), which
// needs the controller's database and live state on the same web host.
import { join } from 'node:path';
import { startController } from '../controller/service.ts';
import { SqliteStore } from '../eventlog/sqlite-store.ts';
import type { RoleStarter } from '../runtime/role.ts';
import { engineTicketSource, mountTicketStatusPage } from '../../kiosk/status-page/status-page.ts';
import { mountManagerPages } from '../../signage/manager/index.ts';
import { PeopleAuth } from '../security/people.ts';
import { mountManagerLogin } from '../security/manager-login.ts';

export const controllerWithPages: RoleStarter = async (ctx) => {
  const store = new SqliteStore(join(ctx.dataDir, 'controller.db'), { clock: ctx.clock });
  // Staff sign in at their window with a PIN, managers with a password (seeded by the demo).
  const people = new PeopleAuth(join(ctx.dataDir, 'people.json'), {}, () => ctx.clock.now());
  const c = await startController({ hall: ctx.hall, dbPath: '', store, bus: ctx.bus, clock: ctx.clock, log: ctx.log, city: ctx.device.city, setHealth: ctx.setHealth, disk: { dir: ctx.dataDir }, people });
  const status = mountTicketStatusPage(ctx.web, engineTicketSource(c.engine), ctx.hall);
  const login = mountManagerLogin(ctx.web, people, { title: ctx.hall.hall.name.zh, now: () => ctx.clock.now() });
  mountManagerPages(ctx.web, {
    db: store.db, hall: ctx.hall, live: () => c.engine.hallState(ctx.clock.now()), alerts: () => c.activeAlerts(), now: () => ctx.clock.now(),
    guard: login.guard, signOutToken: login.token,
  });
  return {
    engine: c.engine,
    async stop() {
      status.close();
      await c.stop();
      store.close();
    },
  };
};
