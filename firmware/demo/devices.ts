// The demo hall's boards: one controller, two kiosks, a counter per window and a
// lobby board — each a `DeviceConfig` like a provisioned board's, on simulated hardware.
import { join } from 'node:path';
import type { HallConfig } from '../config/hall.ts';
import type { DeviceConfig } from '../runtime/role.ts';
import type { CityLink } from '../city/link.ts';

export const DEMO_KIOSKS = ['k1', 'k2'] as const;

/** `city`: the controller joins a city (firmware/city) with this block, as a real hall's configuration would. */
export function demoDevices(hall: HallConfig, brokerUrl: string, dataDir: string, city?: CityLink): DeviceConfig[] {
  const base = (device: string, role: DeviceConfig['role']): DeviceConfig => ({
    device, role, hall: hall.hall.id, broker: { url: brokerUrl }, simulated: true, dataDir: join(dataDir, device),
  });
  return [
    { ...base('controller', 'controller'), ...(city ? { city } : {}) },
    ...DEMO_KIOSKS.map((k, i) => ({ ...base(`kiosk-${i + 1}`, 'kiosk'), kiosk: k, spec: 'kiosk-pi4' })),
    ...hall.windows.map((w) => ({ ...base(`counter-${w.id}`, 'counter'), window: w.id })),
    base('lobby', 'board'),
  ];
}
