// Where each role's starter lives. Loaded lazily (a counter never loads the
// controller's SQLite), with literal import paths so that `tsc`, a reader and the
// build (which makes each role its own chunk) can follow them. A role whose module
// is not in this build is reported as missing rather than faked.
import type { Role } from '../protocol/messages.ts';
import type { RoleStarter } from './role.ts';

type Loaded = Record<string, unknown>;

export const ROLE_MODULES: Record<Role, { path: string; export: string; load: () => Promise<Loaded> }> = {
  controller: { path: 'firmware/controller/service.ts', export: 'startControllerRole', load: () => import('../controller/service.ts') },
  kiosk: { path: 'kiosk/role.ts', export: 'startKioskRole', load: () => import('../../kiosk/role.ts') },
  counter: { path: 'firmware/counter/role.ts', export: 'startCounterRole', load: () => import('../counter/role.ts') },
  board: { path: 'signage/board/role.ts', export: 'startBoardRole', load: () => import('../../signage/board/role.ts') },
};

export type StarterLookup = { ok: true; starter: RoleStarter } | { ok: false; missing: string };

/** The role's starter, or why there is none (its file or export is not there yet). */
export async function loadStarter(role: Role): Promise<StarterLookup> {
  const m = ROLE_MODULES[role];
  let mod: Loaded;
  try {
    mod = await m.load();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return { ok: false, missing: `${m.path} (role ${role}) is not in this build` };
    throw e;
  }
  const starter = mod[m.export];
  if (typeof starter !== 'function') return { ok: false, missing: `${m.path} does not export ${m.export}` };
  return { ok: true, starter: starter as RoleStarter };
}
