// The contract's schemas at their edges: each field's limits, accepted on the
// edge and refused one past it, extra fields refused where the contract is strict,
// and the words a refusal is explained in. Decoding never throws, whatever arrives.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  Alert, CallEvent, DeviceHealth, DeviceStatus, HallState, IsoTime, KioskReply, KioskRequest, Name, NumberBlock,
  RATING_SCORES, RequestId, ServiceId, TicketNo, UpdateOffer, UpdateStatus, WindowCommand, WindowRating, WindowReply,
  WindowState, parseKioskRequest,
} from '../../firmware/protocol/messages.ts';
import { decode, describeIssues, errorReply, extractId, parseJson } from '../../firmware/protocol/decode.ts';
import { NAME_RE, isName } from '../../firmware/protocol/names.ts';

const ok = (s: z.ZodType, v: unknown) => expect(s.safeParse(v).success, JSON.stringify(v)).toBe(true);
const bad = (s: z.ZodType, v: unknown) => expect(s.safeParse(v).success, JSON.stringify(v)).toBe(false);
const why = (s: z.ZodType, v: unknown) => { const r = s.safeParse(v); if (r.success) throw new Error('accepted'); return describeIssues(r.error); };

describe('field types', () => {
  it('request ids: 1–64 printable ASCII characters', () => {
    for (const v of ['a', ' ', '~', 'x'.repeat(64), 'id-1 with spaces']) ok(RequestId, v);
    for (const v of ['', 'x'.repeat(65), 'tab\there', 'nul\0', 'é', '\x7f', 5]) bad(RequestId, v);
    expect(why(RequestId, '')).toBe('message: id must be 1–64 printable characters');
  });

  it('times: ISO 8601 with an offset, milliseconds optional (1–3 digits)', () => {
    for (const v of ['2026-11-26T09:00:00Z', '2026-11-26T09:00:00+08:00', '2026-11-26T09:00:00-05:30', '2026-11-26T09:00:00.1Z', '2026-11-26T09:00:00.123+08:00']) ok(IsoTime, v);
    for (const v of [
      '2026-11-26T09:00:00', '2026-11-26 09:00:00Z', '2026-11-26T09:00Z', '26-11-26T09:00:00Z', '2026-11-26T09:00:00.1234Z',
      '2026-11-26T09:00:00+0800', '2026-11-26T09:00:00+8:00', 'x2026-11-26T09:00:00Z', '2026-11-26T09:00:00Zx', '2026-1a-26T09:00:00Z',
      '2026-11-26T09:00:00.Z', 'yyyy-11-26T09:00:00Z',
    ]) bad(IsoTime, v);
    expect(why(IsoTime, 'now')).toBe('message: time must be ISO 8601 with an offset');
  });

  it('names (halls, kiosks, windows, devices): lower-case letters, digits and -, 1–48, not starting with -', () => {
    for (const v of ['a', '1', 'k-1', 'a'.repeat(48), 'counter-16']) { ok(Name, v); expect(isName(v)).toBe(true); }
    for (const v of ['', '-a', 'A', 'a_b', 'a'.repeat(49), 'a/b', 'a+', '#', ' a']) { bad(Name, v); expect(isName(v)).toBe(false); }
    expect(isName(5)).toBe(false);
    expect(NAME_RE.source).toBe('^[a-z0-9][a-z0-9-]{0,47}$');
    expect(why(Name, 'A')).toBe('message: must match [a-z0-9][a-z0-9-]{0,47}');
  });

  it('service ids: letters, digits and -, 1–32, not starting with -', () => {
    for (const v of ['a', 'Payment', 'x-ray-2', 'A'.repeat(32), '9']) ok(ServiceId, v);
    for (const v of ['', '-a', 'a_b', 'A'.repeat(33), 'a b', 'a/b']) bad(ServiceId, v);
    expect(why(ServiceId, '')).toBe('message: service id must be 1–32 letters, digits or -');
  });

  it('ticket numbers: one or two capitals, then 3–5 digits', () => {
    for (const v of ['A001', 'AB123', 'Z99999', 'B1000']) ok(TicketNo, v);
    for (const v of ['A01', 'A123456', 'ABC123', 'a001', '001', 'A00x', ' A001', 'A001 ', 'AA']) bad(TicketNo, v);
    expect(why(TicketNo, 'A1')).toBe('message: ticket number must be a letter and digits, e.g. A023');
  });
});

describe('kiosk messages', () => {
  it('a ticket request: op defaults to ticket; priority, appointment (1–64) and lang are optional; nothing else', () => {
    expect(parseKioskRequest({ id: 'r', service: 'payment' })).toMatchObject({ success: true, data: { op: 'ticket' } });
    expect(KioskRequest.safeParse({ id: 'r', service: 'payment' })).toMatchObject({ success: true, data: { op: 'ticket' } });
    ok(KioskRequest, { op: 'ticket', id: 'r', service: 'p', priority: 'priority', appointment: 'x'.repeat(64), lang: 'zh' });
    ok(KioskRequest, { op: 'ticket', id: 'r', service: 'p', priority: 'normal', appointment: 'x', lang: 'en' });
    bad(KioskRequest, { op: 'ticket', id: 'r', service: 'p', appointment: '' });
    bad(KioskRequest, { op: 'ticket', id: 'r', service: 'p', appointment: 'x'.repeat(65) });
    bad(KioskRequest, { op: 'ticket', id: 'r', service: 'p', priority: 'vip' });
    bad(KioskRequest, { op: 'ticket', id: 'r', service: 'p', lang: 'fr' });
    bad(KioskRequest, { op: 'ticket', id: 'r', service: 'p', count: 3 });
    bad(KioskRequest, { op: 'ticket', id: 'r' });
    expect(parseKioskRequest(null).success).toBe(false);
    expect(parseKioskRequest([{ id: 'r', service: 'p' }]).success).toBe(false);
    expect(parseKioskRequest({ op: 'dance', id: 'r', service: 'p' }).success).toBe(false);
  });

  it('a reserve asks for 1–200 whole numbers', () => {
    for (const count of [1, 200]) ok(KioskRequest, { op: 'reserve', id: 'r', service: 'p', count });
    for (const count of [0, 201, 1.5, '3']) bad(KioskRequest, { op: 'reserve', id: 'r', service: 'p', count });
    bad(KioskRequest, { op: 'reserve', id: 'r', service: 'p', count: 3, priority: 'normal' });
  });

  it('a handover carries the offline number and when it was issued, and nothing else', () => {
    const h = { op: 'handover', id: 'r', service: 'p', offline: { no: 'A003', issuedAt: '2026-11-26T09:00:00+08:00' } };
    ok(KioskRequest, h);
    ok(KioskRequest, { ...h, priority: 'priority', appointment: 'a', lang: 'zh' });
    bad(KioskRequest, { ...h, appointment: '' });
    bad(KioskRequest, { ...h, offline: { no: 'A003' } });
    bad(KioskRequest, { ...h, offline: { ...h.offline, extra: 1 } });
    bad(KioskRequest, { ...h, offline: { no: 'A3', issuedAt: h.offline.issuedAt } });
    bad(KioskRequest, { ...h, extra: true });
  });

  it('replies: a ticket or a block with its id, or an error with the contract\'s codes (id may be null)', () => {
    const t = { no: 'A001', service: 'p', issuedAt: '2026-11-26T09:00:00+08:00', ahead: 0, estWaitS: 0, windows: ['1'] };
    ok(KioskReply, { id: 'r', ok: true, ticket: t });
    ok(KioskReply, { id: 'r', ok: true, ticket: { ...t, day: '2026-11-26', priority: true, statusUrl: 'u', advice: { zh: 'a', en: 'b' } } });
    bad(KioskReply, { id: 'r', ok: true, ticket: { ...t, ahead: -1 } });
    bad(KioskReply, { id: 'r', ok: true, ticket: { ...t, ahead: 0.5 } });
    bad(KioskReply, { id: 'r', ok: true, ticket: { ...t, estWaitS: -1 } });
    bad(KioskReply, { id: 'r', ok: true, ticket: { ...t, day: '26.11.2026' } });
    bad(KioskReply, { id: 'r', ok: true, ticket: { ...t, windows: ['Window 1'] } });
    ok(KioskReply, { id: 'r', ok: true, block: { service: 'p', day: '2026-11-26', numbers: ['A001'] } });
    ok(KioskReply, { id: null, ok: false, error: { code: 'bad-request', message: 'x' } });
    bad(KioskReply, { id: null, ok: true });
    bad(KioskReply, { id: 'r', ok: false, error: { code: 'oops', message: 'x' } });
    ok(NumberBlock, { service: 'p', day: '2026-11-26', numbers: [] });
    bad(NumberBlock, { service: 'p', day: '2026-11-26x', numbers: [] });
    bad(NumberBlock, { service: 'p', day: 'x2026-11-26', numbers: [] });
  });
});

describe('window messages', () => {
  it('commands: one of the twelve actions; call needs a ticket, transfer a service; staff 1–64', () => {
    for (const action of ['open', 'close', 'pause', 'resume', 'call-next', 'recall', 'start', 'complete', 'no-show', 'park']) ok(WindowCommand, { id: 'c', action });
    ok(WindowCommand, { id: 'c', action: 'call', ticket: 'A001' });
    ok(WindowCommand, { id: 'c', action: 'transfer', service: 'payment' });
    ok(WindowCommand, { id: 'c', action: 'open', staff: 'x'.repeat(64) });
    bad(WindowCommand, { id: 'c', action: 'open', staff: '' });
    bad(WindowCommand, { id: 'c', action: 'open', staff: 'x'.repeat(65) });
    bad(WindowCommand, { id: 'c', action: 'dance' });
    bad(WindowCommand, { id: 'c', action: 'open', extra: 1 });
    expect(why(WindowCommand, { id: 'c', action: 'call' })).toBe('ticket: `call` needs `ticket`');
    expect(why(WindowCommand, { id: 'c', action: 'transfer' })).toBe('service: `transfer` needs `service`');
    ok(WindowCommand, { id: 'c', action: 'call-next', ticket: 'A001' }); // harmless extras of the contract's own fields
  });

  it('ratings: a ticket, one of five scores, a reason of 1–64', () => {
    expect(RATING_SCORES).toEqual(['very-satisfied', 'satisfied', 'basic', 'unsatisfied', 'very-unsatisfied']);
    for (const score of RATING_SCORES) ok(WindowRating, { id: 'r', ticket: 'A001', score });
    ok(WindowRating, { id: 'r', ticket: 'A001', score: 'basic', reason: 'x'.repeat(64) });
    bad(WindowRating, { id: 'r', ticket: 'A001', score: 'basic', reason: '' });
    bad(WindowRating, { id: 'r', ticket: 'A001', score: 'basic', reason: 'x'.repeat(65) });
    bad(WindowRating, { id: 'r', ticket: 'A001', score: 'great' });
    bad(WindowRating, { id: 'r', ticket: 'A001', score: 'basic', extra: 1 });
  });

  it('replies and states', () => {
    ok(WindowReply, { id: 'c', ok: true });
    ok(WindowReply, { id: 'c', ok: true, ticket: null });
    ok(WindowReply, { id: 'c', ok: true, ticket: { no: 'A001', service: 'p' } });
    ok(WindowReply, { id: null, ok: false, error: { code: 'wrong-state', message: 'm' } });
    bad(WindowReply, { id: null, ok: true });
    const at = '2026-11-26T09:00:00+08:00';
    ok(WindowState, { status: 'open', serving: null, rating: 'idle' });
    ok(WindowState, { status: 'paused', serving: { no: 'A001', service: 'p', calledAt: at, startedAt: at }, rating: 'waiting', ratingFor: 'A000', ratingUntil: at, at, staff: { id: 's' } });
    bad(WindowState, { status: 'busy', serving: null, rating: 'idle' });
    bad(WindowState, { status: 'open', rating: 'idle' });
    bad(WindowState, { status: 'open', serving: null, rating: 'maybe' });
  });
});

describe('hall-wide and device messages', () => {
  const at = '2026-11-26T09:00:00+08:00';
  it('hall state, calls and alerts', () => {
    const svc = { id: 'p', name: { zh: '收费', en: 'Payment' }, waiting: 0, estWaitS: 0, longestWaitS: 0 };
    ok(HallState, { at, services: [svc], windows: [{ id: '1', name: '1', floor: '1F', status: 'open', serving: null }], advice: [], recentCalls: [] });
    bad(HallState, { at, services: [{ ...svc, waiting: -1 }], windows: [], advice: [] });
    bad(HallState, { at, services: [{ ...svc, waiting: 1.5 }], windows: [], advice: [] });
    bad(HallState, { at, services: [{ ...svc, estWaitS: -1 }], windows: [], advice: [] });
    bad(HallState, { at, services: [{ ...svc, longestWaitS: -1 }], windows: [], advice: [] });
    bad(HallState, { at, services: [{ ...svc, name: { zh: '收费' } }], windows: [], advice: [] });
    ok(CallEvent, { no: 'A001', window: '1', service: 'p', at, recall: false, text: { zh: 'a', en: 'b' }, floor: '1F', windowName: '1' });
    bad(CallEvent, { no: 'A001', window: '1', service: 'p', at, text: { zh: 'a', en: 'b' } });
    ok(Alert, { id: 'x', kind: 'device-offline', at, subject: 's', message: 'm', state: 'raised', device: 'kiosk-1' });
    bad(Alert, { id: '', kind: 'device-offline', at, subject: 's', message: 'm' });
    bad(Alert, { id: 'x', kind: 'coffee-low', at, subject: 's', message: 'm' });
  });

  it('device status, health (extra fields pass), update offers and statuses', () => {
    ok(DeviceStatus, { state: 'online', role: 'kiosk', version: '1', at });
    bad(DeviceStatus, { state: 'asleep', role: 'kiosk', version: '1', at });
    bad(DeviceStatus, { state: 'online', role: 'toaster', version: '1', at });
    expect(DeviceHealth.parse({ at, uptimeS: 0, rssMB: 0, screen: 'ok' })).toEqual({ at, uptimeS: 0, rssMB: 0, screen: 'ok' });
    bad(DeviceHealth, { at, uptimeS: -1, rssMB: 0 });
    bad(DeviceHealth, { at, uptimeS: 0, rssMB: -1 });
    bad(DeviceHealth, { at, uptimeS: 0, rssMB: 0, printer: 'jammed' });
    const offer = { id: 'o', version: '1', url: 'u', sha256: 'a'.repeat(64), size: 1, signature: 's' };
    ok(UpdateOffer, offer);
    ok(UpdateOffer, { ...offer, version: 'v'.repeat(64), force: true });
    for (const change of [{ version: '' }, { version: 'v'.repeat(65) }, { url: '' }, { sha256: 'A'.repeat(64) }, { sha256: 'a'.repeat(63) }, { size: 0 }, { size: 1.5 }, { signature: '' }]) {
      bad(UpdateOffer, { ...offer, ...change });
    }
    ok(UpdateStatus, { id: 'o', version: '1', state: 'rolled-back', error: 'e', at });
    bad(UpdateStatus, { id: 'o', version: '1', state: 'partying' });
  });
});

describe('decoding', () => {
  it('parses only JSON objects, saying what was wrong', () => {
    expect(parseJson('')).toEqual({ ok: false, message: 'empty payload: expected a JSON object' });
    expect(parseJson(Buffer.alloc(0))).toEqual({ ok: false, message: 'empty payload: expected a JSON object' });
    for (const v of ['[]', '3', '"x"', 'null', 'true']) expect(parseJson(v)).toEqual({ ok: false, message: 'payload must be a JSON object' });
    expect(parseJson('{"a":')).toMatchObject({ ok: false, message: expect.stringMatching(/^payload is not valid JSON \(.+\)$/) });
    expect(parseJson(Buffer.from('{"a":1}'))).toEqual({ ok: true, value: { a: 1 } });
  });

  it('keeps the request id of an invalid request so the refusal reaches the sender', () => {
    expect(extractId({ id: 'r-1' })).toBe('r-1');
    expect(extractId({ id: '' })).toBeNull();
    expect(extractId({ id: 5 })).toBeNull();
    expect(extractId({})).toBeNull();
    expect(extractId([{ id: 'r' }])).toBeNull();
    expect(extractId(null)).toBeNull();
    expect(extractId('r')).toBeNull();
  });

  it('decodes with a schema or a parse function; explains up to five problems with their paths', () => {
    expect(decode('{"id":"c","action":"open"}', WindowCommand)).toEqual({ ok: true, value: { id: 'c', action: 'open' } });
    expect(decode('{"id":"r","service":"p"}', parseKioskRequest)).toEqual({ ok: true, value: { op: 'ticket', id: 'r', service: 'p' } });
    expect(decode('{"id":"c","action":"dance"}', WindowCommand)).toEqual({ ok: false, id: 'c', message: expect.stringMatching(/^action: /) });
    expect(decode('[1]', WindowCommand)).toEqual({ ok: false, id: null, message: 'payload must be a JSON object' });
    const many = decode(JSON.stringify({ id: 'r', op: 'handover', service: '-', offline: { no: 'x', issuedAt: 'y' }, priority: 'z', appointment: '', lang: 'fr' }), KioskRequest);
    expect(many.ok).toBe(false);
    const msg = (many as { message: string }).message;
    expect(msg.split('; ')).toHaveLength(5);
    expect(msg).toMatch(/offline\.(no|issuedAt): /);
    expect(decode('{}', WindowCommand)).toMatchObject({ ok: false, id: null });
    expect(errorReply('r', 'internal', 'disk full')).toEqual({ id: 'r', ok: false, error: { code: 'internal', message: 'disk full' } });
  });

  it('never throws on hostile bytes', () => {
    for (const p of ['\u0000', '{"__proto__":{"x":1}}', '{"id":"' + 'x'.repeat(100_000) + '"}', '\uD800', '{"id":"r","action":"open","staff":"<script>"}', Buffer.from([0xff, 0xfe, 0x00])]) {
      expect(() => decode(p, WindowCommand)).not.toThrow();
    }
  });
});
