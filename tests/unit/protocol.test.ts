import { describe, expect, it } from 'vitest';
import {
  decode, parseKioskRequest, parseTopic, topics, WindowCommand, HallState, publishOptions,
} from '../../firmware/protocol/index.ts';

describe('topics', () => {
  it('builds and parses every contract topic', () => {
    const h = 'hall-1';
    expect(parseTopic(topics.kioskRequest(h, 'k1'))).toEqual({ hall: h, kind: 'kiosk-request', kiosk: 'k1' });
    expect(parseTopic(topics.windowReply(h, '5'))).toEqual({ hall: h, kind: 'window-reply', window: '5' });
    expect(parseTopic(topics.hallState(h))).toEqual({ hall: h, kind: 'hall-state' });
    expect(parseTopic(topics.deviceUpdateStatus(h, 'c-5'))).toEqual({ hall: h, kind: 'device-update-status', device: 'c-5' });
    expect(parseTopic(topics.deviceUpdate(h, 'c-5'))).toEqual({ hall: h, kind: 'device-update', device: 'c-5' });
  });
  it('rejects names outside the contract', () => {
    expect(() => topics.kioskRequest('Hall', 'k1')).toThrow(/invalid hall/);
    expect(parseTopic('manyi/v1/h/kiosk/K1/request')).toBeNull();
    expect(parseTopic('manyi/v2/h/state')).toBeNull();
    expect(parseTopic('manyi/v1/h/window/5/command/extra')).toBeNull();
  });
  it('marks retained topics as the contract says', () => {
    expect(publishOptions('hall-state')).toEqual({ qos: 1, retain: true });
    expect(publishOptions('call')).toEqual({ qos: 1, retain: false });
    expect(publishOptions('device-health')).toEqual({ qos: 0, retain: false });
  });
});

describe('messages', () => {
  it('defaults a kiosk request to a ticket request', () => {
    const r = parseKioskRequest({ id: 'r1', service: 'payment' });
    expect(r.success && r.data.op).toBe('ticket');
  });
  it('explains a bad request in words and keeps its id', () => {
    const d = decode('{"id":"x1","action":"call"}', WindowCommand);
    expect(d.ok).toBe(false);
    if (!d.ok) { expect(d.id).toBe('x1'); expect(d.message).toMatch(/ticket/); }
    const j = decode('{"id":', WindowCommand);
    expect(j.ok).toBe(false);
    if (!j.ok) { expect(j.id).toBeNull(); expect(j.message).toMatch(/JSON/); }
  });
  it('requires times with an offset', () => {
    const base = { services: [], windows: [], advice: [] };
    expect(HallState.safeParse({ ...base, at: '2026-11-26T09:00:00+08:00' }).success).toBe(true);
    expect(HallState.safeParse({ ...base, at: '2026-11-26T09:00:00' }).success).toBe(false);
  });
});
