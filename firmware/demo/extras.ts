// The demo's controller: the controller role as a board runs it (startControllerRole
// mounts the ticket status page too), plus the manager's page (`/manager`), which
// needs the controller's database and live state on the same web host.
import { join } from 'node:path';
import { startController } from '../controller/service.ts';
import { SqliteStore } from '../eventlog/sqlite-store.ts';
import type { RoleStarter } from '../runtime/role.ts';
import { engineTicketSource, mountTicketStatusPage } from '../../kiosk/status-page/status-page.ts';
import { mountManagerPages } from '../../signage/manager/index.ts';

export const controllerWithPages: RoleStarter = async (ctx) => {
  const store = new SqliteStore(join(ctx.dataDir, 'controller.db'), { clock: ctx.clock });
  const c = await startController({ hall: ctx.hall, dbPath: '', store, mqtt: ctx.mqtt, clock: ctx.clock, log: ctx.log, city: ctx.device.city, setHealth: ctx.setHealth, disk: { dir: ctx.dataDir } });
  const status = mountTicketStatusPage(ctx.web, engineTicketSource(c.engine), ctx.hall);
  mountManagerPages(ctx.web, { db: store.db, hall: ctx.hall, live: () => c.engine.hallState(ctx.clock.now()), alerts: () => c.activeAlerts(), now: () => ctx.clock.now() });
  return {
    engine: c.engine,
    async stop() {
      status.close();
      await c.stop();
      store.close();
    },
  };
};
