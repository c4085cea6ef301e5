// Reading a board's configuration file (`DeviceConfig`, written by `manyi provision`)
// and the hall configuration it names. Relative paths are relative to the file.
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadJsonFile } from '../config/load.ts';
import { DEMO_HALL_PATH, loadHallConfig, type HallConfig } from '../config/hall.ts';
import type { Role } from '../protocol/messages.ts';
import { DeviceConfig } from './role.ts';

export interface LoadedDevice {
  device: DeviceConfig;
  hall: HallConfig;
  hallFile: string;
}

export function loadDeviceConfig(file: string, overrides: { role?: Role; hallConfig?: string } = {}): LoadedDevice {
  const raw = loadJsonFile(file, DeviceConfig);
  const device = DeviceConfig.parse({ ...raw, ...(overrides.role ? { role: overrides.role } : {}) });
  const here = dirname(resolve(file));
  const rel = (p: string) => (isAbsolute(p) ? p : resolve(here, p));
  const hallFile = overrides.hallConfig ? resolve(overrides.hallConfig) : device.hallConfig ? rel(device.hallConfig) : DEMO_HALL_PATH;
  if (device.dataDir) device.dataDir = rel(device.dataDir);
  if (device.broker.ca) device.broker.ca = rel(device.broker.ca);
  if (device.city?.ca) device.city.ca = rel(device.city.ca);
  if (device.tls) device.tls = { ...device.tls, cert: rel(device.tls.cert), key: rel(device.tls.key) };
  const hall = loadHallConfig(hallFile);
  if (hall.hall.id !== device.hall) {
    throw new Error(`${file}: hall: the board belongs to hall ${device.hall}, but ${hallFile} describes hall ${hall.hall.id}`);
  }
  // A role needs its own id to know its topics.
  if (device.role === 'counter' && !device.window) throw new Error(`${file}: window: a counter needs the window it serves`);
  if (device.role === 'counter' && !hall.windows.some((w) => w.id === device.window)) {
    throw new Error(`${file}: window: ${device.window} is not a window of hall ${hall.hall.id}`);
  }
  if (device.role === 'kiosk' && !device.kiosk) throw new Error(`${file}: kiosk: a kiosk needs its kiosk id`);
  return { device, hall, hallFile };
}

/** True when the controller should run the hall's broker itself (the broker URL is this machine). */
export function brokerIsLocal(url: string): boolean {
  let host: string;
  try { host = new URL(url).hostname; } catch { return false; }
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1';
}
