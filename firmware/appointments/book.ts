// The day's appointments, so a check-in code is believed only when the hall knows
// it: imported from the hospital's CSV (`manyi appointments import FILE.csv`) or
// pushed by its system (`POST /api/appointments`, a manager's API token). One JSON
// file next to the controller's database, re-read when it changes. A code is good
// on its day, within its time window (a little early is fine), for its service if
// it names one, and once: the event log's tickets say which codes were used.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { Day, ServiceId } from '../protocol/messages.ts';
import { hhmmToS, localDay, localSecondOfDay } from '../lib/time.ts';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');

export const Appointment = z.object({
  /** What the citizen types or scans at the kiosk. */
  code: z.string().regex(/^[A-Za-z0-9-]{4,32}$/, '4–32 letters, digits or -'),
  day: Day,
  from: HHMM,
  to: HHMM,
  service: ServiceId.optional(),
  /** For the hall's own lists; never shown on a screen. */
  name: z.string().max(64).optional(),
}).strict().refine((a) => !HHMM.safeParse(a.from).success || !HHMM.safeParse(a.to).success || hhmmToS(a.from) < hhmmToS(a.to), { message: 'from must be before to', path: ['to'] });
export type Appointment = z.infer<typeof Appointment>;

export const AppointmentFile = z.object({ version: z.literal(1), appointments: z.array(Appointment) }).strict();
export type AppointmentFile = z.infer<typeof AppointmentFile>;

/** Minutes before `from` a citizen may already check in. */
export const EARLY_MIN = 30;

export function loadAppointments(file: string): AppointmentFile {
  if (!existsSync(file)) return { version: 1, appointments: [] };
  return AppointmentFile.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function saveAppointments(file: string, a: AppointmentFile): void {
  AppointmentFile.parse(a);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(a) + '\n', { mode: 0o600 }); // citizens' names may be in it
  renameSync(tmp, file);
}

/**
 * Adds appointments (the same code on the same day is replaced: a moved slot), and
 * drops those of days before `keepFrom` (the file does not grow forever).
 */
export function mergeAppointments(a: AppointmentFile, add: Appointment[], keepFrom: string): AppointmentFile {
  const key = (x: Appointment) => `${x.day}|${x.code}`;
  const byKey = new Map(a.appointments.filter((x) => x.day >= keepFrom).map((x) => [key(x), x]));
  for (const x of add) byKey.set(key(x), x);
  return { version: 1, appointments: [...byKey.values()] };
}

/** Parses the hospital's CSV (header: code,day,from,to[,service][,name]); names the line of every bad row. */
export function parseAppointmentsCsv(text: string): Appointment[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true, relax_column_count: false });
  } catch (e) {
    throw new Error(`not a CSV file: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  const out: Appointment[] = [];
  rows.forEach((row, i) => {
    const clean = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== ''));
    const r = Appointment.safeParse(clean);
    if (r.success) out.push(r.data);
    else problems.push(`line ${i + 2}: ${r.error.issues.map((x) => `${x.path.join('.') || 'row'}: ${x.message}`).join('; ')}`);
  });
  if (problems.length) throw new Error(`${problems.length} bad row(s), nothing imported:\n${problems.slice(0, 20).join('\n')}`);
  return out;
}

export type CheckResult = { ok: true; appointment: Appointment } | { ok: false; message: string };

export class AppointmentBook {
  private data: AppointmentFile = { version: 1, appointments: [] };
  private mtime = -1;

  constructor(readonly file: string, private readonly tz: string) { this.refresh(); }

  private refresh(): void {
    let m = 0;
    try { m = statSync(this.file).mtimeMs; } catch { /* none yet */ }
    if (m === this.mtime) return;
    try { this.data = loadAppointments(this.file); this.mtime = m; } catch (e) {
      process.emitWarning(`appointments not reloaded: ${(e as Error).message}`);
    }
  }

  /** Today's appointments (the push API's list). */
  day(day: string): Appointment[] {
    this.refresh();
    return this.data.appointments.filter((a) => a.day === day);
  }

  /**
   * Is `code` a check-in now, for `service`? `used` says whether a ticket of today
   * already carries it. Every refusal says why, in words a kiosk can show.
   */
  check(code: string, nowMs: number, service: string, used: (code: string) => boolean): CheckResult {
    this.refresh();
    const today = localDay(nowMs, this.tz);
    const a = this.data.appointments.find((x) => x.code.toUpperCase() === code.toUpperCase() && x.day === today);
    if (!a) return { ok: false, message: '预约码无效或不是今天的预约 / no appointment with this code today' };
    if (a.service && a.service !== service) return { ok: false, message: `此预约不是该业务 / this appointment is for another service (${a.service})` };
    const s = localSecondOfDay(nowMs, this.tz);
    if (s < hhmmToS(a.from) - EARLY_MIN * 60) return { ok: false, message: `预约时间 ${a.from}–${a.to}，请稍后再来签到 / too early: check in from ${EARLY_MIN} min before ${a.from}` };
    if (s > hhmmToS(a.to)) return { ok: false, message: `预约时间 ${a.from}–${a.to} 已过 / this appointment's time (${a.from}–${a.to}) is over` };
    if (used(a.code)) return { ok: false, message: '此预约码已签到 / this appointment has already checked in' };
    return { ok: true, appointment: a };
  }
}
