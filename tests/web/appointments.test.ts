// Appointment check-in is believed only when the hall knows the code: imported from
// a CSV (all rows or none) or pushed over the authenticated API; good on its day, in
// its time window, for its service, once. A refused code gets a clear message at
// the kiosk and no priority ticket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import mqtt from 'mqtt';
import { topics } from '../../firmware/protocol/topics.ts';
import { startDemoHall, type DemoHall } from '../../firmware/demo/hall.ts';
import { DEMO_APPOINTMENTS } from '../../firmware/demo/people.ts';
import { AppointmentBook, loadAppointments, parseAppointmentsCsv, saveAppointments } from '../../firmware/appointments/book.ts';
import { addToken, loadPeople, savePeople } from '../../firmware/security/people.ts';
import { localDay, localToMs } from '../../firmware/lib/time.ts';

const run = promisify(execFile);
const MANYI = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;
let demo: DemoHall;
let base: string;
let dataDir: string;
let token: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'manyi-appt-'));
  demo = await startDemoHall({ port: 0, mqttPort: 0, host: '127.0.0.1', dataDir, log: pino({ level: 'silent' }) });
  base = `http://127.0.0.1:${demo.httpPort}`;
  const file = join(dataDir, 'controller', 'people.json');
  const t = addToken(loadPeople(file), 'manager', new Date());
  savePeople(file, t.people);
  token = t.token;
}, 60_000);
afterAll(async () => { await demo?.stop(); });

/**
 * A kiosk's ticket request straight over MQTT (the kiosk's own request/reply, waiting
 * for the controller's answer: a busy machine must not turn it into an offline ticket).
 */
let seq = 0;
async function pull(body: Record<string, unknown>): Promise<{ ok: boolean; code?: string; message?: string; ticket?: { no: string; priority?: boolean } }> {
  const H = demo.hall.hall.id;
  const c = await mqtt.connectAsync(demo.brokerUrl, { protocolVersion: 4, reconnectPeriod: 0 });
  try {
    await c.subscribeAsync(topics.kioskReply(H, 'k2'), { qos: 1 });
    const id = `appt-${++seq}`;
    const got = new Promise<Record<string, unknown>>((res) => c.on('message', (_t, p) => { const m = JSON.parse(String(p)); if (m.id === id) res(m); }));
    await c.publishAsync(topics.kioskRequest(H, 'k2'), JSON.stringify({ id, service: 'registration', ...body }), { qos: 1 });
    const r = await got as { ok: boolean; error?: { code: string; message: string }; ticket?: { no: string; priority?: boolean } };
    return r.ok ? { ok: true, ticket: r.ticket } : { ok: false, code: r.error?.code, message: r.error?.message };
  } finally { await c.endAsync(true); }
}

describe('appointment check-in at the kiosk', () => {
  it('refuses a code the hall does not know, with words for the screen, and gives no priority ticket', async () => {
    const r = await pull({ appointment: 'ABCD' });
    expect(r).toMatchObject({ ok: false, code: 'bad-appointment' });
    expect(r.message).toMatch(/no appointment with this code today/);
  });

  it("takes one of today's codes once, for a priority ticket", async () => {
    const ok = await pull({ appointment: DEMO_APPOINTMENTS[0] });
    expect(ok).toMatchObject({ ok: true, ticket: { priority: true } });
    const again = await pull({ appointment: DEMO_APPOINTMENTS[0] });
    expect(again).toMatchObject({ ok: false, code: 'bad-appointment' });
    expect(again.message).toMatch(/already checked in/);
    // Case does not make a second code of it.
    expect((await pull({ appointment: DEMO_APPOINTMENTS[0].toLowerCase() })).ok).toBe(false);
  });

  it('takes codes pushed by the hospital over the API (manager token), refuses the API without one', async () => {
    const day = localDay(demo.clock.now(), demo.hall.hall.timezone);
    const body = JSON.stringify({ appointments: [{ code: 'HIS-7731', day, from: '00:00', to: '23:59', service: 'registration' }] });
    expect((await fetch(`${base}/api/appointments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);
    expect((await fetch(`${base}/api/appointments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer mt_00000000_' + 'x'.repeat(32) }, body })).status).toBe(401);
    const bad = await fetch(`${base}/api/appointments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ appointments: [{ code: 'x', day: '2026-02-30', from: '9', to: '8' }] }) });
    expect(bad.status).toBe(400);
    const r = await fetch(`${base}/api/appointments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    expect(await r.json()).toEqual({ ok: true, stored: 1 });
    const list = await (await fetch(`${base}/api/appointments?day=${day}`, { headers: { authorization: `Bearer ${token}` } })).json() as { appointments: Array<{ code: string }> };
    expect(list.appointments.map((a) => a.code)).toContain('HIS-7731');
    // For its service only.
    expect((await pull({ service: 'payment', appointment: 'HIS-7731' })).message).toMatch(/another service/);
    expect(await pull({ appointment: 'HIS-7731' })).toMatchObject({ ok: true, ticket: { priority: true } });
  });
});

describe('the appointment book', () => {
  const tz = 'Asia/Shanghai';
  const dir = mkdtempSync(join(tmpdir(), 'manyi-book-'));
  const file = join(dir, 'appointments.json');
  saveAppointments(file, { version: 1, appointments: [{ code: 'T-1001', day: '2099-11-26', from: '09:00', to: '09:30', service: 'payment' }] });
  const book = new AppointmentBook(file, tz);
  const at = (day: string, hhmm: string) => localToMs(day, Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3)) * 60, tz);
  const never = () => false;

  it('holds a code to its day and time window (30 minutes early is fine)', () => {
    expect(book.check('T-1001', at('2099-11-26', '08:29'), 'payment', never)).toMatchObject({ ok: false, message: expect.stringMatching(/too early/) });
    expect(book.check('T-1001', at('2099-11-26', '08:31'), 'payment', never).ok).toBe(true);
    expect(book.check('T-1001', at('2099-11-26', '09:30'), 'payment', never).ok).toBe(true);
    expect(book.check('T-1001', at('2099-11-26', '09:31'), 'payment', never)).toMatchObject({ ok: false, message: expect.stringMatching(/is over/) });
    expect(book.check('T-1001', at('2099-11-27', '09:10'), 'payment', never).ok).toBe(false);
    expect(book.check('T-1001', at('2099-11-26', '09:10'), 'payment', () => true)).toMatchObject({ ok: false, message: expect.stringMatching(/already/) });
  });

  it('imports a CSV all or nothing, naming each bad line', async () => {
    expect(parseAppointmentsCsv('code,day,from,to,service\nP-1001,2099-11-26,09:00,10:00,payment\n')).toHaveLength(1);
    expect(() => parseAppointmentsCsv('code,day,from,to\nP-1001,2099-11-26,09:00,10:00\nx,2026-02-30,25:00,10:00\n')).toThrow(/line 3: code: .*day: day must be a real calendar date/s);
    const csv = join(dir, 'his.csv');
    writeFileSync(csv, '\ufeffcode,day,from,to,service,name\r\nP-2001,2099-11-26,08:00,08:30,payment,"Wang, Fang"\r\nP-2002,2099-11-26,08:30,09:00,,\r\n');
    const out = await run(process.execPath, [MANYI, 'appointments', 'import', csv, '--file', file]);
    expect(out.stdout).toMatch(/imported 2 appointment\(s\) for 2099-11-26/);
    expect(loadAppointments(file).appointments.map((a) => a.code).sort()).toEqual(['P-2001', 'P-2002', 'T-1001']);
    writeFileSync(csv, 'code,day,from,to\nP-3001,2099-11-26,10:00,09:00\n');
    await expect(run(process.execPath, [MANYI, 'appointments', 'import', csv, '--file', file])).rejects.toThrow(/line 2: to: from must be before to/);
    expect(loadAppointments(file).appointments).toHaveLength(3);
  }, 60_000);
});
