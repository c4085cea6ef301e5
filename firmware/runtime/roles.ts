// The role registry: which module defines each role, and which drivers the
// hardware kit uses — typed lazy imports that tsc and a reader can follow. Lazy,
// so a counter never loads SQLite and a controller never loads johnny-five. This
// file is the ONLY place firmware/ imports kiosk/ or signage/ (the import check,
// tests/unit/imports.test.ts, fails on any other).
import type { HardwareDrivers } from '../hw/kit.ts';
import type { Role } from '../protocol/messages.ts';
import type { RoleDefinition } from './parts.ts';

export const ROLES: Record<Role, () => Promise<RoleDefinition>> = {
  controller: () => import('../controller/role.ts').then((m) => m.controllerRole),
  kiosk: () => import('../../kiosk/role.ts').then((m) => m.kioskRole),
  counter: () => import('../counter/role.ts').then((m) => m.counterRole),
  board: () => import('../../signage/board/role.ts').then((m) => m.boardRole),
};

/** The drivers behind the hardware kit (firmware/hw/kit.ts), next to the hardware they drive. */
export const DRIVERS: HardwareDrivers = {
  printer: () => import('../../kiosk/printer/index.ts'),
  led: () => import('../../signage/led/drivers.ts'),
  voice: () => import('../../signage/voice/driver.ts'),
};

/** The spec a board of each role has when its configuration names none. */
export const DEFAULT_SPECS: Partial<Record<Role, string>> = { counter: 'counter-pi-zero', board: 'board-pi4' };

/** The commands that live with the kiosk's own code (`manyi ticket …`). */
export const KIOSK_COMMANDS = () => import('../../kiosk/cli.ts');
