// The hospital's system pushes the day's appointments to the controller:
//   POST /api/appointments   {"appointments": [{code, day, from, to, service?, name?}, …]}
//   GET  /api/appointments?day=YYYY-MM-DD
// with a manager's API token (`Authorization: Bearer mt_…`, manyi managers token),
// or a signed-in manager's session and its CSRF token. Nothing is stored unless
// every row is valid.
import { z } from 'zod';
import { HttpError, readJson, sendJson, type WebApp } from '../web/app.ts';
import type { ManagerLogin } from '../security/manager-login.ts';
import { Day } from '../protocol/messages.ts';
import { localDay } from '../lib/time.ts';
import { Appointment, loadAppointments, mergeAppointments, saveAppointments, type AppointmentBook } from './book.ts';

const Push = z.object({ appointments: z.array(Appointment).min(1).max(20_000) }).strict();

export function mountAppointmentsApi(web: WebApp, o: { file: string; book: AppointmentBook; login: ManagerLogin; tz: string; now: () => number }): void {
  web.post('/api/appointments', o.login.guard(async (req, res) => {
    // A browser session must also carry its CSRF token; a script's bearer token is its own proof.
    if (!req.headers.authorization) o.login.sessions.checkPost(req, o.login.sessions.current(req));
    const r = Push.safeParse(await readJson(req, 4 << 20));
    if (!r.success) throw new HttpError(400, r.error.issues.slice(0, 10).map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const today = localDay(o.now(), o.tz);
    saveAppointments(o.file, mergeAppointments(loadAppointments(o.file), r.data.appointments, today));
    sendJson(res, 200, { ok: true, stored: r.data.appointments.length });
  }, 'api'));
  web.get('/api/appointments', o.login.guard((_req, res, _p, url) => {
    const day = url.searchParams.get('day') ?? localDay(o.now(), o.tz);
    if (!Day.safeParse(day).success) throw new HttpError(400, 'day: must be a real YYYY-MM-DD');
    sendJson(res, 200, { day, appointments: o.book.day(day) });
  }, 'api'));
}
