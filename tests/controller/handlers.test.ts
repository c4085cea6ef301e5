// The controller's inbound handlers (firmware/controller/handlers/) over a stand-in
// MQTT client: staff sign-in (the PIN checked once per request, never logged),
// offline blocks capped per kiosk and day with one alert, the disk guard refusing
// new numbers but taking handovers, appointment check-ins believed only when the
// book says so, retained requests ignored, one id space per sender. The people
// file, the appointment book and the disk guard are stand-ins that record what
// they were asked; their own rules are tested in tests/security, tests/web and
// tests/safekeeping.
import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '../../firmware/controller/service.ts';
import { mountHandlers, type HandlerContext } from '../../firmware/controller/handlers/index.ts';
import { windowCommand } from '../../firmware/controller/handlers/window-command.ts';
import type { Verdict } from '../../firmware/security/people.ts';
import type { CheckResult } from '../../firmware/appointments/book.ts';
import { isoLocal } from '../../firmware/lib/time.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { at, DAY, hall, TZ } from './helpers.ts';
import { fakeController, recordingLog } from './fake-mqtt.ts';

const H = hall.hall.id;
const running: Controller[] = [];
afterEach(async () => { while (running.length) await running.pop()!.stop(); });

/** A people file with one staff member, s001, PIN 1234; records each check. */
function stubPeople() {
  const asked: Array<{ role: string; id: string; secret: string; place: string }> = [];
  return {
    asked,
    verify(role: 'staff' | 'manager', id: string, secret: string, place: string): Verdict {
      asked.push({ role, id, secret, place });
      return id === 's001' && secret === '1234'
        ? { ok: true, person: { id, role: 'staff', name: 'Staff One' } as never }
        : { ok: false, code: 'bad-login', message: 'wrong staff id or PIN' };
    },
  };
}

const reply = (mqtt: { msgs(t: string): any[] }, t: string) => mqtt.msgs(t).at(-1);

describe('staff sign-in at a window (with the hall\'s people file)', () => {
  it('opens a window only with the right staff id and PIN, and records who opened it', async () => {
    const people = stubPeople();
    const { mqtt, ctl } = await fakeController(running, { people });
    const r = topics.windowReply(H, '2');
    mqtt.send(topics.windowCommand(H, '2'), { id: 'o1', action: 'open', staff: 's001' });
    expect(reply(mqtt, r)).toEqual({ id: 'o1', ok: false, error: { code: 'bad-login', message: 'sign in with your staff id and PIN' } });
    mqtt.send(topics.windowCommand(H, '2'), { id: 'o2', action: 'open', pin: '1234' });
    expect(reply(mqtt, r)).toEqual({ id: 'o2', ok: false, error: { code: 'bad-login', message: 'sign in with your staff id and PIN' } });
    expect(people.asked).toEqual([]); // nothing to check: no guess made
    mqtt.send(topics.windowCommand(H, '2'), { id: 'o3', action: 'open', staff: 's001', pin: '9999' });
    expect(reply(mqtt, r)).toEqual({ id: 'o3', ok: false, error: { code: 'bad-login', message: 'wrong staff id or PIN' } });
    expect(ctl.engine.model.windows.get('2')!.status).toBe('closed');
    mqtt.send(topics.windowCommand(H, '2'), { id: 'o4', action: 'open', staff: 's001', pin: '1234' });
    expect(reply(mqtt, r)).toEqual({ id: 'o4', ok: true });
    expect(people.asked).toEqual([
      { role: 'staff', id: 's001', secret: '9999', place: 'window/2' },
      { role: 'staff', id: 's001', secret: '1234', place: 'window/2' },
    ]);
    expect(ctl.engine.model.windows.get('2')).toMatchObject({ status: 'open', staff: 's001' });
  });

  it('checks a sign-in at an open window too, and no other action', async () => {
    const people = stubPeople();
    const { mqtt, ctl } = await fakeController(running, { people });
    const r = topics.windowReply(H, '3');
    mqtt.send(topics.windowCommand(H, '3'), { id: 'o1', action: 'open', staff: 's001', pin: '1234' });
    mqtt.send(topics.windowCommand(H, '3'), { id: 's1', action: 'sign-in', staff: 's001', pin: '4321' });
    expect(reply(mqtt, r)).toEqual({ id: 's1', ok: false, error: { code: 'bad-login', message: 'wrong staff id or PIN' } });
    mqtt.send(topics.windowCommand(H, '3'), { id: 's2', action: 'sign-in', staff: 's001', pin: '1234' });
    expect(reply(mqtt, r)).toEqual({ id: 's2', ok: true });
    const asked = people.asked.length;
    for (const [id, action] of [['p1', 'pause'], ['p2', 'resume'], ['c1', 'call-next'], ['x1', 'close']] as const) {
      mqtt.send(topics.windowCommand(H, '3'), { id, action });
      expect(reply(mqtt, r)).toMatchObject({ id, ok: true });
    }
    expect(people.asked).toHaveLength(asked);
    expect(ctl.engine.model.windows.get('3')!.status).toBe('closed');
  });

  it('gives a retried sign-in (same id) the same verdict without another guess, and logs refusals without the PIN', async () => {
    const people = stubPeople();
    const { mqtt, records } = await fakeController(running, { people });
    const r = topics.windowReply(H, '4');
    mqtt.send(topics.windowCommand(H, '4'), { id: 'g1', action: 'open', staff: 's001', pin: '5555' });
    mqtt.send(topics.windowCommand(H, '4'), { id: 'g1', action: 'open', staff: 's001', pin: '5555' });
    expect(mqtt.to(r).map((m) => m.payload)).toEqual([mqtt.to(r)[0]!.payload, mqtt.to(r)[0]!.payload]);
    expect(people.asked).toHaveLength(1);
    // the same id at another window is another request, and another check
    mqtt.send(topics.windowCommand(H, '5'), { id: 'g1', action: 'open', staff: 's001', pin: '5555' });
    expect(people.asked.map((a) => a.place)).toEqual(['window/4', 'window/5']);
    const refused = records.filter((x) => x.msg === 'staff sign-in refused');
    expect(refused).toHaveLength(3);
    expect(refused[0]).toMatchObject({ level: 40, window: '4', staff: 's001', why: 'bad-login' });
    expect(records.some((x) => JSON.stringify(x).includes('5555'))).toBe(false);
  });

  it('remembers the last 500 verdicts: an older retry is checked again', async () => {
    const people = stubPeople();
    const { mqtt } = await fakeController(running, { people });
    const send = (i: number) => mqtt.send(topics.windowCommand(H, '6'), { id: `v${i}`, action: 'open', staff: 's001', pin: '0000' });
    for (let i = 0; i < 500; i++) send(i);
    expect(people.asked).toHaveLength(500);
    send(0); // still remembered: 500 kept
    expect(people.asked).toHaveLength(500);
    send(500); // the 501st: the oldest (v0) is forgotten
    expect(people.asked).toHaveLength(501);
    send(1);
    expect(people.asked).toHaveLength(501);
    send(0);
    expect(people.asked).toHaveLength(502);
  });

  it('without a verdict cache (a bench), checks every sign-in', () => {
    const people = stubPeople();
    const sent: unknown[] = [];
    const { log } = recordingLog();
    const c = {
      people, log, flush: () => {},
      engine: { storedReply: () => undefined, window: (_w: string, cmd: { id: string }) => ({ id: cmd.id, ok: true }) },
      bus: { hall: H, publish: (_k: string, _f: unknown, p: unknown) => { sent.push(p); return Promise.resolve(true); }, publishEncoded: () => Promise.resolve(true) },
    } as unknown as HandlerContext;
    windowCommand.onMessage(c, { id: 'n1', action: 'open', staff: 's001', pin: '1234' }, { window: '7' });
    windowCommand.onMessage(c, { id: 'n1', action: 'open', staff: 's001', pin: '1234' }, { window: '7' });
    expect(people.asked).toHaveLength(2);
    expect(sent).toEqual([{ id: 'n1', ok: true }, { id: 'n1', ok: true }]);
  });

  it('without a people file (tests, a bench), opens with any staff id and no PIN', async () => {
    const { mqtt, ctl } = await fakeController(running);
    mqtt.send(topics.windowCommand(H, '8'), { id: 'o1', action: 'open', staff: 'anyone' });
    expect(reply(mqtt, topics.windowReply(H, '8'))).toEqual({ id: 'o1', ok: true });
    expect(ctl.engine.model.windows.get('8')!.staff).toBe('anyone');
  });
});

describe('offline blocks (the hall\'s cap per kiosk, service and day)', () => {
  const reserve = (id: string, service: string, count: number) => ({ id, op: 'reserve', service, count });

  it('refuses a block larger than the hall\'s block size, and takes one of exactly that size', async () => {
    const { mqtt, ctl } = await fakeController(running);
    const r = topics.kioskReply(H, 'k1');
    mqtt.send(topics.kioskRequest(H, 'k1'), reserve('b1', 'registration', hall.offline.blockSize + 1));
    expect(reply(mqtt, r)).toEqual({ id: 'b1', ok: false, error: { code: 'not-allowed', message: `a block has at most ${hall.offline.blockSize} numbers` } });
    expect(ctl.engine.model.blocks.size).toBe(0);
    mqtt.send(topics.kioskRequest(H, 'k1'), reserve('b2', 'registration', hall.offline.blockSize));
    expect(reply(mqtt, r)).toMatchObject({ id: 'b2', ok: true, block: { service: 'registration', day: DAY } });
    expect(reply(mqtt, r).block.numbers).toHaveLength(hall.offline.blockSize);
  });

  it('lets one kiosk hold blockSize × blocksPerDay numbers of a service a day, no more; other kiosks and services count apart', async () => {
    const { mqtt, ctl, records } = await fakeController(running);
    const { blockSize, blocksPerDay } = hall.offline;
    const most = blockSize * blocksPerDay;
    const r = topics.kioskReply(H, 'k1');
    for (let i = 0; i < blocksPerDay; i++) {
      mqtt.send(topics.kioskRequest(H, 'k1'), reserve(`b${i}`, 'registration', blockSize));
      expect(reply(mqtt, r)).toMatchObject({ id: `b${i}`, ok: true });
    }
    const alerts = () => mqtt.msgs(topics.alert(H)).filter((a) => a.kind === 'offline-blocks-over-limit');
    expect(alerts()).toEqual([]);
    mqtt.send(topics.kioskRequest(H, 'k1'), reserve('over', 'registration', 1));
    expect(reply(mqtt, r)).toEqual({
      id: 'over', ok: false,
      error: { code: 'not-allowed', message: `kiosk k1 already holds ${most} numbers of registration today (at most ${most})` },
    });
    expect(ctl.engine.model.blocks.size).toBe(most);
    // one alert for the kiosk and day, however often it asks
    expect(alerts()).toEqual([{
      id: `offline-blocks/${DAY}/k1`, kind: 'offline-blocks-over-limit', at: isoLocal(at(0), TZ), subject: 'k1', device: 'k1',
      message: `自助机 k1 申请的离线号超出限额，已拒绝 / kiosk k1 asked for more offline numbers than allowed (refused): kiosk k1 already holds ${most} numbers of registration today (at most ${most})`,
      state: 'raised', service: 'registration',
    }]);
    expect(records.filter((x) => x.msg === 'offline block refused: over the hall\'s limit')).toEqual([
      expect.objectContaining({ level: 40, kiosk: 'k1', service: 'registration', count: 1, held: most }),
    ]);
    mqtt.send(topics.kioskRequest(H, 'k1'), reserve('over2', 'registration', 2));
    expect(reply(mqtt, r)).toMatchObject({ id: 'over2', ok: false, error: { code: 'not-allowed' } });
    expect(alerts()).toHaveLength(1);
    // another service of the same kiosk, and another kiosk, have their own allowance
    mqtt.send(topics.kioskRequest(H, 'k1'), reserve('pay', 'payment', blockSize));
    expect(reply(mqtt, r)).toMatchObject({ id: 'pay', ok: true });
    mqtt.send(topics.kioskRequest(H, 'k2'), reserve('k2a', 'registration', blockSize));
    expect(reply(mqtt, topics.kioskReply(H, 'k2'))).toMatchObject({ id: 'k2a', ok: true });
    // a second kiosk over its limit gets its own alert
    for (let i = 1; i < blocksPerDay; i++) mqtt.send(topics.kioskRequest(H, 'k2'), reserve(`k2b${i}`, 'registration', blockSize));
    mqtt.send(topics.kioskRequest(H, 'k2'), reserve('k2over', 'registration', 1));
    expect(reply(mqtt, topics.kioskReply(H, 'k2'))).toMatchObject({ id: 'k2over', ok: false, error: { code: 'not-allowed' } });
    expect(alerts().map((a) => a.id)).toEqual([`offline-blocks/${DAY}/k1`, `offline-blocks/${DAY}/k2`]);
  });

  it('counts a block that fills the allowance exactly as allowed', async () => {
    const { mqtt } = await fakeController(running);
    const { blockSize, blocksPerDay } = hall.offline;
    const r = topics.kioskReply(H, 'k3');
    for (let i = 0; i < blocksPerDay - 1; i++) mqtt.send(topics.kioskRequest(H, 'k3'), reserve(`b${i}`, 'payment', blockSize));
    mqtt.send(topics.kioskRequest(H, 'k3'), reserve('part', 'payment', blockSize - 1));
    expect(reply(mqtt, r)).toMatchObject({ id: 'part', ok: true });
    mqtt.send(topics.kioskRequest(H, 'k3'), reserve('last', 'payment', 1));
    expect(reply(mqtt, r)).toMatchObject({ id: 'last', ok: true });
    mqtt.send(topics.kioskRequest(H, 'k3'), reserve('one-more', 'payment', 1));
    expect(reply(mqtt, r)).toMatchObject({ id: 'one-more', ok: false, error: { code: 'not-allowed' } });
  });
});

describe('the disk guard (below its floor: no new numbers)', () => {
  it('refuses tickets and blocks with its words, but files a ticket a kiosk already handed out', async () => {
    const disk = { low: false, refusal: () => 'the controller\'s disk is almost full: no new tickets' };
    const { mqtt, ctl } = await fakeController(running, { disk });
    const r = topics.kioskReply(H, 'k1');
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'blk', op: 'reserve', service: 'registration', count: 5 });
    const block = reply(mqtt, r).block.numbers as string[];
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 't0', service: 'registration' });
    expect(reply(mqtt, r)).toMatchObject({ id: 't0', ok: true });
    disk.low = true;
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 't1', service: 'registration' });
    expect(reply(mqtt, r)).toEqual({ id: 't1', ok: false, error: { code: 'disk-full', message: 'the controller\'s disk is almost full: no new tickets' } });
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'b2', op: 'reserve', service: 'registration', count: 5 });
    expect(reply(mqtt, r)).toMatchObject({ id: 'b2', ok: false, error: { code: 'disk-full' } });
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'h1', op: 'handover', service: 'registration', offline: { no: block[0], issuedAt: isoLocal(at(-60), TZ) } });
    expect(reply(mqtt, r)).toMatchObject({ id: 'h1', ok: true, ticket: { no: block[0] } });
    expect([...ctl.engine.model.tickets.keys()]).toEqual(['A006', block[0]]);
  });
});

describe('appointment check-ins (with the day\'s book)', () => {
  /** A book that takes code OK-1 (stored as OK-1) and refuses any other; records each check. */
  function stubBook() {
    const asked: Array<{ code: string; at: number; service: string; usedOk: boolean; usedOther: boolean }> = [];
    return {
      asked,
      check(code: string, atMs: number, service: string, used: (c: string) => boolean): CheckResult {
        asked.push({ code, at: atMs, service, usedOk: used('ok-1'), usedOther: used('OTHER') });
        if (code.toUpperCase() !== 'OK-1') return { ok: false, message: 'no appointment with this code today' };
        if (used(code)) return { ok: false, message: 'this appointment has already checked in' };
        return { ok: true, appointment: { code: 'OK-1', service: 'registration', from: '08:00', to: '09:00' } as never };
      },
    };
  }

  it('gives a listed code a priority ticket under the book\'s spelling of the code, once', async () => {
    const appointments = stubBook();
    const { mqtt, ctl, clock } = await fakeController(running, { appointments });
    const r = topics.kioskReply(H, 'k1');
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'p1', service: 'payment' }); // a ticket without a code: the book's `used` passes over it
    clock.advance(5000);
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'a1', service: 'registration', appointment: 'ok-1' });
    expect(reply(mqtt, r)).toMatchObject({ id: 'a1', ok: true, ticket: { no: 'A001', priority: true } });
    expect(ctl.engine.model.tickets.get('A001')).toMatchObject({ appointment: 'OK-1', priority: true });
    expect(appointments.asked).toEqual([{ code: 'ok-1', at: at(5), service: 'registration', usedOk: false, usedOther: false }]);
    // the same code again: the book is told it is used (whatever the case), and refuses
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'a2', service: 'registration', appointment: 'OK-1' });
    expect(reply(mqtt, r)).toEqual({ id: 'a2', ok: false, error: { code: 'bad-appointment', message: 'this appointment has already checked in' } });
    expect(appointments.asked[1]).toMatchObject({ usedOk: true, usedOther: false });
    expect(ctl.engine.model.tickets.size).toBe(2);
  });

  it('refuses an unknown code with the book\'s words and logs why; a ticket without a code is not checked', async () => {
    const appointments = stubBook();
    const { mqtt, ctl, records } = await fakeController(running, { appointments });
    const r = topics.kioskReply(H, 'k1');
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'a1', service: 'payment', appointment: 'NOPE' });
    expect(reply(mqtt, r)).toEqual({ id: 'a1', ok: false, error: { code: 'bad-appointment', message: 'no appointment with this code today' } });
    expect(ctl.engine.model.tickets.size).toBe(0);
    expect(records.filter((x) => x.msg === 'appointment check-in refused')).toEqual([
      expect.objectContaining({ level: 30, service: 'payment', op: 'ticket', why: 'no appointment with this code today' }),
    ]);
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 't1', service: 'payment' });
    expect(reply(mqtt, r)).toMatchObject({ id: 't1', ok: true, ticket: { no: 'B001', priority: false } });
    expect(appointments.asked).toHaveLength(1);
  });

  it('checks a handed-over check-in at its issue time; a refused one becomes an ordinary ticket', async () => {
    const appointments = stubBook();
    const { mqtt, ctl, clock } = await fakeController(running, { appointments });
    const r = topics.kioskReply(H, 'k1');
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'blk', op: 'reserve', service: 'registration', count: 3 });
    const [n1, n2] = reply(mqtt, r).block.numbers as string[];
    clock.advance(600_000);
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'h1', op: 'handover', service: 'registration', appointment: 'OK-1', offline: { no: n1, issuedAt: isoLocal(at(120), TZ) } });
    expect(reply(mqtt, r)).toMatchObject({ id: 'h1', ok: true, ticket: { no: n1, priority: true } });
    expect(appointments.asked[0]).toMatchObject({ code: 'OK-1', at: at(120) });
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'h2', op: 'handover', service: 'registration', appointment: 'BAD', priority: 'priority', offline: { no: n2, issuedAt: isoLocal(at(180), TZ) } });
    expect(reply(mqtt, r)).toMatchObject({ id: 'h2', ok: true, ticket: { no: n2, priority: false } });
    const t2 = ctl.engine.model.tickets.get(n2)!;
    expect(t2.priority).toBe(false);
    expect(t2.appointment).toBeUndefined();
  });

  it('without a book, takes a ticket as asked', async () => {
    const { mqtt, ctl } = await fakeController(running);
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'a1', service: 'registration', appointment: 'ANY' });
    expect(reply(mqtt, topics.kioskReply(H, 'k1'))).toMatchObject({ id: 'a1', ok: true });
    expect(ctl.engine.model.tickets.get('A001')!.appointment).toBe('ANY');
  });
});

describe('what every request gets', () => {
  it('ignores a retained request (a replay on resubscription, not a citizen\'s act), with a warning naming the topic', async () => {
    const { mqtt, ctl, records } = await fakeController(running);
    const from = mqtt.sent.length;
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 'r1', service: 'registration' }, { retain: true });
    mqtt.send(topics.windowCommand(H, '1'), { id: 'r2', action: 'open' }, { retain: true });
    mqtt.send(topics.windowRating(H, '1'), { id: 'r3', ticket: 'A001', score: 'satisfied' }, { retain: true });
    expect(mqtt.sent.length).toBe(from);
    expect(ctl.engine.model.tickets.size).toBe(0);
    expect(records.filter((x) => x.msg === 'retained request ignored').map((x) => [x.level, x.topic])).toEqual([
      [40, topics.kioskRequest(H, 'k1')], [40, topics.windowCommand(H, '1')], [40, topics.windowRating(H, '1')],
    ]);
    // a retained device status is the device's last word: taken
    mqtt.send(topics.deviceStatus(H, 'kiosk-9'), { state: 'online', role: 'kiosk', version: '1', at: '2026-11-26T08:00:00+08:00' }, { retain: true });
    expect(ctl.devices().map((d) => d.id)).toContain('kiosk-9');
  });

  it('keeps one id space per sender: the same id at two windows is two requests; a repeat is logged at debug', async () => {
    const { mqtt, records } = await fakeController(running);
    mqtt.send(topics.windowCommand(H, '2'), { id: 'same', action: 'open' });
    mqtt.send(topics.windowCommand(H, '3'), { id: 'same', action: 'pause' });
    expect(reply(mqtt, topics.windowReply(H, '2'))).toEqual({ id: 'same', ok: true });
    expect(reply(mqtt, topics.windowReply(H, '3'))).toMatchObject({ id: 'same', ok: false, error: { code: 'wrong-state' } });
    expect(records.filter((x) => x.msg === 'repeated request: first reply again')).toEqual([]);
    mqtt.send(topics.windowCommand(H, '3'), { id: 'same', action: 'open' });
    expect(records.filter((x) => x.msg === 'repeated request: first reply again')).toEqual([
      expect.objectContaining({ level: 20, sender: 'window/3', id: 'same' }),
    ]);
  });

  it('answers a completed ticket\'s rating from its window, and logs bad requests with the sender and size', async () => {
    const { mqtt, records } = await fakeController(running);
    const r = topics.windowReply(H, '2');
    mqtt.send(topics.kioskRequest(H, 'k1'), { id: 't1', service: 'registration' });
    for (const action of ['open', 'call-next', 'start', 'complete']) mqtt.send(topics.windowCommand(H, '2'), { id: action, action });
    mqtt.send(topics.windowRating(H, '2'), { id: 'rate', ticket: 'A001', score: 'satisfied' });
    expect(reply(mqtt, r)).toEqual({ id: 'rate', ok: true, ticket: { no: 'A001', service: 'registration' } });
    const bad = '{"id":"b1","action":"dance"}';
    mqtt.send(topics.windowCommand(H, '2'), bad);
    expect(records.filter((x) => x.msg === 'bad request')).toEqual([
      expect.objectContaining({ level: 40, sender: 'window/2', bytes: bad.length, error: expect.stringContaining('action') }),
    ]);
  });

  it('logs a bad device message with the device and which message', async () => {
    const { mqtt, records } = await fakeController(running);
    mqtt.send(topics.deviceStatus(H, 'kiosk-7'), { state: 'napping' });
    mqtt.send(topics.deviceHealth(H, 'kiosk-8'), { uptimeS: -1 });
    expect(records.filter((x) => x.msg === 'bad device message')).toEqual([
      expect.objectContaining({ level: 40, device: 'kiosk-7', kind: 'status', error: expect.any(String) }),
      expect.objectContaining({ level: 40, device: 'kiosk-8', kind: 'health', error: expect.any(String) }),
    ]);
  });

  it('logs a handler\'s bug with its kind and stack; a handler without onInvalid drops bad input quietly', async () => {
    const { mqtt, records } = await fakeController(running);
    const { log, records: own } = recordingLog();
    const { MqttBus } = await import('../../firmware/bus/mqtt-bus.ts');
    const bus = new MqttBus(mqtt as never, H, log);
    let discarded = 0;
    const c = { bus, log, discard: () => { discarded++; } } as unknown as HandlerContext;
    await mountHandlers('probe', c, [{ kind: 'window-command', onMessage: () => { throw new Error('bug here'); } }] as never);
    mqtt.send(topics.windowCommand(H, '9'), { id: 'x', action: 'open' });
    expect(own.filter((x) => x.msg === 'controller failed on a message')).toEqual([
      expect.objectContaining({ level: 50, kind: 'window-command', err: expect.stringContaining('bug here') }),
    ]);
    expect(discarded).toBe(1);
    mqtt.send(topics.windowCommand(H, '9'), '{"action":');
    expect(own.filter((x) => x.level >= 50)).toHaveLength(1);
    expect(discarded).toBe(1);
    expect(records.filter((x) => x.msg === 'bad request')).toHaveLength(1); // the controller's own handler answered it
  });
});
