// `manyi devices`: every device of a hall from the retained `device/+/status`, the
// recent `health` and the last `update/status`, as rows and as a printed table.
import type { Bus } from '../bus/types.ts';
import type { DeviceHealth, UpdateStatus } from '../protocol/messages.ts';
import { randomBytes } from 'node:crypto';

export interface DeviceRow {
  device: string;
  role?: string;
  version?: string;
  state?: 'online' | 'offline';
  lastSeen?: string;
  health?: DeviceHealth;
  update?: UpdateStatus;
}

/** Collects for `listenMs` (health comes every few seconds; statuses at once, retained). */
export async function collectDevices(bus: Bus, listenMs = 3000): Promise<DeviceRow[]> {
  const rows = new Map<string, DeviceRow>();
  const row = (d: string) => rows.get(d) ?? rows.set(d, { device: d }).get(d)!;
  const owner = `devices-${randomBytes(6).toString('hex')}`;
  try {
    await Promise.all([
      bus.on(owner, 'device-status', 'any', (s, from) => Object.assign(row(from.device), { role: s.role, version: s.version, state: s.state, lastSeen: s.at })),
      bus.on(owner, 'device-health', 'any', (h, from) => { const r = row(from.device); r.health = h; r.lastSeen = h.at; }),
      bus.on(owner, 'device-update-status', 'any', (u, from) => { row(from.device).update = u; }),
    ]);
    await new Promise((r) => setTimeout(r, listenMs));
  } finally {
    await bus.removeOwner(owner);
  }
  return [...rows.values()].sort((a, b) => a.device.localeCompare(b.device));
}

/** Role health in words: the fields beyond the common ones (printer, arduino, …). */
function roleHealth(h: DeviceHealth | undefined): string {
  if (!h) return '-';
  const { at: _at, uptimeS: _u, rssMB: _r, ...rest } = h;
  const parts = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return parts.length ? parts.join(' ') : 'ok';
}

export function formatDevices(rows: DeviceRow[]): string {
  const head = ['DEVICE', 'ROLE', 'VERSION', 'STATE', 'LAST SEEN', 'HEALTH', 'UPDATE'];
  const body = rows.map((r) => [r.device, r.role ?? '?', r.version ?? '?', r.state ?? '?', r.lastSeen ?? '-', roleHealth(r.health),
    r.update ? `${r.update.version} ${r.update.state}${r.update.error ? `: ${r.update.error}` : ''}` : '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((cols) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
