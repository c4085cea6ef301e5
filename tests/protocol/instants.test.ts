// Every date and time in a message is a real instant, field by field: the form
// alone let `2026-02-30T25:61:00+08:00` through, and a handover with it left the
// controller with a RangeError and the kiosk with no reply. Each field refuses the
// impossible ones and takes a real one; the controller answers the bad handover.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  Alert, CallEvent, DeviceHealth, DeviceStatus, HallState, isRealInstant, KioskReply, KioskRequest, UpdateStatus, WindowState,
} from '../../firmware/protocol/messages.ts';

const T = '2026-11-26T09:00:00+08:00';
const D = '2026-11-26';
const IMPOSSIBLE = ['2026-02-30T25:61:00+08:00', '2026-02-29T09:00:00Z', '2026-13-01T09:00:00Z', '2026-00-10T09:00:00Z', '2026-04-31T09:00:00Z',
  '2026-11-26T24:00:00Z', '2026-11-26T09:60:00Z', '2026-11-26T09:00:60Z', '2026-11-26T09:00:00+15:00', '2026-11-26T09:00:00+08:60', '0000-01-01T00:00:00Z'];
const IMPOSSIBLE_DAYS = ['2026-02-30', '2026-13-01', '2026-00-01', '2025-02-29', '2026-11-31'];

/** A valid message of each kind, and where its times (and days) are. */
const cases: Array<{ name: string; schema: z.ZodType; sample: Record<string, unknown>; times: string[][]; days?: string[][] }> = [
  { name: 'kiosk handover', schema: KioskRequest, sample: { op: 'handover', id: 'r', service: 'p', offline: { no: 'A003', issuedAt: T } }, times: [['offline', 'issuedAt']] },
  {
    name: 'kiosk reply', schema: KioskReply,
    sample: { id: 'r', ok: true, ticket: { no: 'A001', service: 'p', issuedAt: T, ahead: 0, estWaitS: 0, windows: ['1'], day: D }, block: { service: 'p', day: D, numbers: ['A900'] } },
    times: [['ticket', 'issuedAt']], days: [['ticket', 'day'], ['block', 'day']],
  },
  {
    name: 'window state', schema: WindowState,
    sample: { status: 'open', serving: { no: 'A001', service: 'p', calledAt: T, startedAt: T }, rating: 'waiting', ratingFor: 'A001', ratingUntil: T, at: T },
    times: [['serving', 'calledAt'], ['serving', 'startedAt'], ['ratingUntil'], ['at']],
  },
  { name: 'hall state', schema: HallState, sample: { at: T, services: [], windows: [], advice: [], recentCalls: [{ no: 'A001', window: '1', service: 'p', at: T }] }, times: [['at'], ['recentCalls', '0', 'at']] },
  { name: 'call', schema: CallEvent, sample: { no: 'A001', window: '1', service: 'p', at: T, recall: false, text: { zh: 'x', en: 'x' } }, times: [['at']] },
  { name: 'alert', schema: Alert, sample: { id: 'a', kind: 'device-offline', at: T, subject: 's', message: 'm' }, times: [['at']] },
  { name: 'device status', schema: DeviceStatus, sample: { state: 'online', role: 'kiosk', version: '1', at: T }, times: [['at']] },
  { name: 'device health', schema: DeviceHealth, sample: { at: T, uptimeS: 1, rssMB: 1 }, times: [['at']] },
  { name: 'update status', schema: UpdateStatus, sample: { id: 'u', version: '1', state: 'healthy', at: T }, times: [['at']] },
];

function withValue(sample: Record<string, unknown>, path: string[], value: string): unknown {
  const copy = structuredClone(sample) as Record<string, unknown>;
  let o = copy as Record<string, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[path[path.length - 1]] = value;
  return copy;
}

describe('every date and time in a message is a real instant', () => {
  it('knows a real instant from an impossible one', () => {
    for (const t of [T, '2024-02-29T23:59:59.999Z', '2026-11-26T00:00:00-12:00', '2026-11-26T09:00:00+14:00']) expect(isRealInstant(t), t).toBe(true);
    for (const t of IMPOSSIBLE) expect(isRealInstant(t), t).toBe(false);
  });

  for (const c of cases) {
    for (const path of c.times) {
      it(`${c.name}: ${path.join('.')}`, () => {
        expect(c.schema.safeParse(c.sample).success).toBe(true);
        for (const bad of IMPOSSIBLE) {
          const r = c.schema.safeParse(withValue(c.sample, path, bad));
          expect(r.success, `${path.join('.')} = ${bad}`).toBe(false);
        }
      });
    }
    for (const path of c.days ?? []) {
      it(`${c.name}: ${path.join('.')} (a day)`, () => {
        for (const bad of IMPOSSIBLE_DAYS) expect(c.schema.safeParse(withValue(c.sample, path, bad)).success, `${path.join('.')} = ${bad}`).toBe(false);
        expect(c.schema.safeParse(withValue(c.sample, path, '2024-02-29')).success).toBe(true);
      });
    }
  }
});
