// The message rules at their exact edges, and the words a refusal is given in:
// the calendar (leap years, first and last days, years 1970–9999), the offsets,
// what a window command needs with each action (a ticket to call, a service to
// transfer to, staff and PIN to sign in, a PIN only where one is asked), the
// error codes a reply may carry, and the hashes of an update offer.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  Day, ErrorCode, IsoTime, KioskRequest, UpdateOffer, WindowCommand, isRealInstant, parseKioskRequest,
} from '../../firmware/protocol/messages.ts';
import { CONTRACT } from '../../firmware/protocol/contract.ts';
import { decode, describeIssues } from '../../firmware/protocol/decode.ts';

const why = (s: z.ZodType, v: unknown): string => {
  const r = s.safeParse(v);
  if (r.success) throw new Error(`accepted ${JSON.stringify(v)}`);
  return describeIssues(r.error);
};
const accepts = (s: z.ZodType, v: unknown) => expect(s.safeParse(v).success, JSON.stringify(v)).toBe(true);

describe('days', () => {
  it('a leap day exists in 2000 and 2024, not in 2100 or 2026', () => {
    accepts(Day, '2000-02-29');
    accepts(Day, '2024-02-29');
    expect(why(Day, '2100-02-29')).toBe('message: day must be a real calendar date');
    expect(why(Day, '2026-02-29')).toBe('message: day must be a real calendar date');
    expect(isRealInstant('2000-02-29T12:00:00Z')).toBe(true);
    expect(isRealInstant('2100-02-29T12:00:00Z')).toBe(false);
  });

  it('the first and last day of the year and of a month, from 1970 to 9999, are days; day 0 is not', () => {
    for (const d of ['1970-01-01', '2026-01-01', '2026-12-31', '2026-11-01', '2026-11-30', '9999-12-31']) accepts(Day, d);
    for (const d of ['1969-12-31', '2026-11-00', '2026-00-10', '2026-13-01', '2026-11-31']) {
      expect(why(Day, d), d).toBe('message: day must be a real calendar date');
    }
    for (const t of ['1970-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-12-31T23:59:59Z', '2026-11-01T09:00:00Z', '9999-12-31T12:00:00Z']) {
      expect(isRealInstant(t), t).toBe(true);
    }
    expect(isRealInstant('1969-12-31T23:59:59Z')).toBe(false);
  });

  it('a day not in the YYYY-MM-DD form is refused for its form, in one problem', () => {
    for (const d of ['2026-1-1', 'x2026-11-26', '2026-11-26x', '26-11-2026', '']) {
      expect(why(Day, d), d).toBe('message: day must be YYYY-MM-DD');
    }
  });
});

describe('times', () => {
  it('an offset may have minutes up to 59, hours up to 14', () => {
    for (const t of ['2026-11-26T09:00:00+05:59', '2026-11-26T09:00:00+14:00', '2026-11-26T09:00:00-09:30']) {
      expect(isRealInstant(t), t).toBe(true);
      accepts(IsoTime, t);
    }
    for (const t of ['2026-11-26T09:00:00+05:60', '2026-11-26T09:00:00+15:00']) expect(isRealInstant(t), t).toBe(false);
  });

  it('isRealInstant says no to anything that is not a time at all, without throwing', () => {
    for (const t of ['now', '', 'x2026-11-26T09:00:00Z', '2026-11-26T09:00:00Zx', '2026-11-26T09:00:00']) expect(isRealInstant(t), t).toBe(false);
  });

  it('an extended-year time (+002026-…), which Date.parse reads, is not a time of the contract', () => {
    expect(Number.isFinite(Date.parse('+002026-11-26T09:00:00Z'))).toBe(true);
    expect(isRealInstant('+002026-11-26T09:00:00Z')).toBe(false);
    expect(why(IsoTime, '+002026-11-26T09:00:00Z')).toBe('message: time must be ISO 8601 with an offset');
  });

  it('a time with text around it is refused for its form; an impossible one for its values', () => {
    for (const t of ['x2026-11-26T09:00:00Z', '2026-11-26T09:00:00Zx', '2026-11-26T09:00:00+08:00 ']) {
      expect(why(IsoTime, t), t).toBe('message: time must be ISO 8601 with an offset');
    }
    expect(why(IsoTime, '2026-02-30T09:00:00+08:00'))
      .toBe('message: time must be a real date and time (month, day, hour, minute, second and offset in range)');
  });
});

describe('window commands', () => {
  it('call needs a ticket and transfer a service, and the refusal says so', () => {
    expect(why(WindowCommand, { id: 'c', action: 'call' })).toBe('ticket: `call` needs `ticket`');
    expect(why(WindowCommand, { id: 'c', action: 'transfer' })).toBe('service: `transfer` needs `service`');
    accepts(WindowCommand, { id: 'c', action: 'call', ticket: 'A001' });
    accepts(WindowCommand, { id: 'c', action: 'transfer', service: 'payment' });
  });

  it('sign-in needs both staff and PIN', () => {
    accepts(WindowCommand, { id: 'c', action: 'sign-in', staff: 's-1', pin: '1234' });
    for (const c of [{}, { staff: 's-1' }, { pin: '1234' }]) {
      expect(why(WindowCommand, { id: 'c', action: 'sign-in', ...c }), JSON.stringify(c)).toBe('pin: `sign-in` needs `staff` and `pin`');
    }
  });

  it('a PIN goes only with open or sign-in', () => {
    accepts(WindowCommand, { id: 'c', action: 'open', staff: 's-1', pin: '1234' });
    accepts(WindowCommand, { id: 'c', action: 'open', staff: 's-1' });
    for (const action of ['call-next', 'close', 'pause', 'complete']) {
      expect(why(WindowCommand, { id: 'c', action, pin: '1234' }), action).toBe('pin: `pin` goes only with `open` or `sign-in`');
    }
  });

  it('a PIN is 4 to 8 digits, nothing around them', () => {
    for (const pin of ['1234', '12345678', '0000']) accepts(WindowCommand, { id: 'c', action: 'open', staff: 's', pin });
    for (const pin of ['123', '123456789', 'abcd', 'x1234', '1234x', '12 34', '']) {
      expect(why(WindowCommand, { id: 'c', action: 'open', staff: 's', pin }), pin).toBe('pin: a PIN is 4 to 8 digits');
    }
  });
});

describe('kiosk requests', () => {
  it('without op are ticket requests, through the contract\'s own schema and parseKioskRequest alike', () => {
    for (const parse of [(v: unknown) => CONTRACT['kiosk-request'].schema.safeParse(v), parseKioskRequest, (v: unknown) => KioskRequest.safeParse(v)]) {
      expect(parse({ id: 'r', service: 'p' })).toEqual({ success: true, data: { op: 'ticket', id: 'r', service: 'p' } });
      expect(parse({ op: 'reserve', id: 'r', service: 'p', count: 3 })).toEqual({ success: true, data: { op: 'reserve', id: 'r', service: 'p', count: 3 } });
      expect(parse({ id: 'r', service: 'p', count: 3 }).success).toBe(false); // a ticket request has no count
    }
  });

  it('that are not objects are refused as a whole, not field by field', () => {
    for (const v of ['hello', [{ id: 'r', service: 'p' }], null, 7]) {
      const r = parseKioskRequest(v);
      expect(r.success, JSON.stringify(v)).toBe(false);
      if (!r.success) expect(describeIssues(r.error), JSON.stringify(v)).toMatch(/^message: Invalid input: expected object/);
    }
    expect(decode('"hello"', parseKioskRequest)).toEqual({ ok: false, id: null, message: 'payload must be a JSON object' });
  });
});

describe('payloads as they come off the wire', () => {
  it('decode from bytes as from text (UTF-8)', () => {
    const text = '{"id":"c","action":"open","staff":"王芳"}';
    expect(decode(Buffer.from(text, 'utf8'), WindowCommand)).toEqual({ ok: true, value: { id: 'c', action: 'open', staff: '王芳' } });
    expect(decode(Buffer.from(text, 'utf8'), WindowCommand)).toEqual(decode(text, WindowCommand));
  });
});

describe('replies', () => {
  it('carry one of the contract\'s error codes (and manyi\'s three), no other', () => {
    expect(ErrorCode.options).toEqual([
      'bad-request', 'unknown-service', 'unknown-window', 'unknown-ticket', 'service-closed', 'window-closed', 'not-allowed',
      'wrong-state', 'rating-closed', 'block-exhausted', 'bad-appointment', 'bad-login', 'internal', 'disk-full',
    ]);
    expect(ErrorCode.safeParse('').success).toBe(false);
  });
});

describe('update offers', () => {
  const offer = { id: 'o', version: '1', url: 'http://b/x.tar.gz', sha256: 'a'.repeat(64), size: 1, signature: 's' };
  it('carry exactly 64 lower-case hex digits of SHA-256, nothing before or after', () => {
    accepts(UpdateOffer, offer);
    for (const sha256 of [`x${'a'.repeat(64)}`, `${'a'.repeat(64)}x`, `${'a'.repeat(64)} `, 'a'.repeat(65), 'g'.repeat(64)]) {
      expect(UpdateOffer.safeParse({ ...offer, sha256 }).success, sha256).toBe(false);
    }
  });
});
