// Where each role's starter lives. Loaded lazily (a counter never loads the
// controller's SQLite), and a role whose module is not in this build is reported
// as missing rather than faked.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Role } from '../protocol/messages.ts';
import type { RoleStarter } from './role.ts';

export const ROLE_MODULES: Record<Role, { path: string; export: string }> = {
  controller: { path: '../controller/service.ts', export: 'startControllerRole' },
  kiosk: { path: '../../kiosk/role.ts', export: 'startKioskRole' },
  counter: { path: '../counter/role.ts', export: 'startCounterRole' },
  board: { path: '../../signage/board/role.ts', export: 'startBoardRole' },
};

export type StarterLookup = { ok: true; starter: RoleStarter } | { ok: false; missing: string };

/** The role's starter, or why there is none (its file or export is not there yet). */
export async function loadStarter(role: Role): Promise<StarterLookup> {
  const m = ROLE_MODULES[role];
  const url = new URL(m.path, import.meta.url);
  const shown = fileURLToPath(url).replace(`${process.cwd()}/`, '');
  if (!existsSync(url)) return { ok: false, missing: `${shown} (role ${role}) is not in this build` };
  const mod = (await import(url.href)) as Record<string, unknown>;
  const starter = mod[m.export];
  if (typeof starter !== 'function') return { ok: false, missing: `${shown} does not export ${m.export}` };
  return { ok: true, starter: starter as RoleStarter };
}
