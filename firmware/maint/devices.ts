// `manyi devices`: every device of a hall from the retained `device/+/status`, the
// recent `health` and the last `update/status`, as rows and as a printed table.
import type { MqttClient } from 'mqtt';
import { filters, parseTopic } from '../protocol/topics.ts';
import { DeviceHealth, DeviceStatus, UpdateStatus } from '../protocol/messages.ts';
import { decode } from '../protocol/decode.ts';

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
export async function collectDevices(mqtt: MqttClient, hall: string, listenMs = 3000): Promise<DeviceRow[]> {
  const rows = new Map<string, DeviceRow>();
  const row = (d: string) => rows.get(d) ?? rows.set(d, { device: d }).get(d)!;
  const onMessage = (topic: string, payload: Buffer) => {
    const t = parseTopic(topic);
    if (!t || t.hall !== hall || !('device' in t) || payload.length === 0) return;
    if (t.kind === 'device-status') {
      const s = decode(payload, DeviceStatus);
      if (s.ok) Object.assign(row(t.device), { role: s.value.role, version: s.value.version, state: s.value.state, lastSeen: s.value.at });
    } else if (t.kind === 'device-health') {
      const h = decode(payload, DeviceHealth);
      if (h.ok) { const r = row(t.device); r.health = h.value; r.lastSeen = h.value.at; }
    } else if (t.kind === 'device-update-status') {
      const u = decode(payload, UpdateStatus);
      if (u.ok) row(t.device).update = u.value;
    }
  };
  mqtt.on('message', onMessage);
  try {
    await mqtt.subscribeAsync([filters.deviceStatuses(hall), filters.deviceHealths(hall), filters.deviceUpdateStatuses(hall)], { qos: 1 });
    await new Promise((r) => setTimeout(r, listenMs));
  } finally {
    mqtt.off('message', onMessage);
    await mqtt.unsubscribeAsync([filters.deviceStatuses(hall), filters.deviceHealths(hall), filters.deviceUpdateStatuses(hall)]).catch(() => undefined);
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
