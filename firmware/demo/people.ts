// The demo hall's people, so that the demo signs people in as a hall does: every
// staff member of the hall file with the demo PIN, and one manager. Written once
// into the controller's data folder (kept across demo restarts); the summary says
// what they are. The demo listens on loopback; a hall makes its own with
// `manyi staff add` and `manyi managers add`.
import { existsSync } from 'node:fs';
import type { HallConfig } from '../config/hall.ts';
import { localDay } from '../lib/time.ts';
import { loadAppointments, mergeAppointments, saveAppointments } from '../appointments/book.ts';
import { hashSecret, PersonId, savePeople, type Person } from '../security/people.ts';

export const DEMO_PIN = '1234';
export const DEMO_MANAGER = { id: 'manager', password: 'manyi-demo-manager' };

export function seedDemoPeople(file: string, hall: HallConfig, now: Date): void {
  if (existsSync(file)) return;
  // One hash for the one demo PIN: seeding 20 staff must not take seconds.
  const pinHash = hashSecret(DEMO_PIN);
  const at = now.toISOString();
  const people: Person[] = hall.staff.filter((s) => PersonId.safeParse(s.id).success)
    .map((s) => ({ id: s.id, name: s.name.slice(0, 64), role: 'staff', secretHash: pinHash, tokens: [], createdAt: at }));
  people.push({ id: DEMO_MANAGER.id, name: 'Demo manager', role: 'manager', secretHash: hashSecret(DEMO_MANAGER.password), tokens: [], createdAt: at });
  savePeople(file, { version: 1, people });
}

/** Check-in codes the demo's kiosks accept today (each once), across the opening hours. */
export const DEMO_APPOINTMENTS = Array.from({ length: 8 }, (_, i) => `DEMO-${String(i + 1).padStart(2, '0')}`);

export function seedDemoAppointments(file: string, hall: HallConfig, nowMs: number): void {
  const day = localDay(nowMs, hall.hall.timezone);
  const from = hall.hours[0].open;
  const to = hall.hours[hall.hours.length - 1].close;
  const rows = DEMO_APPOINTMENTS.map((code) => ({ code, day, from, to }));
  // Replacing today's rows is harmless: whether a code was used is in the event log, not here.
  saveAppointments(file, mergeAppointments(loadAppointments(file), rows, day));
}

/**
 * Check-in codes for the simulated citizens (SIM-0001 …), today across the
 * opening hours, as a hospital's system pushes them: more than a day of the
 * demo's traffic brings. Returns the codes.
 */
export function simulatedAppointments(file: string, hall: HallConfig, nowMs: number, count = 1500): string[] {
  const day = localDay(nowMs, hall.hall.timezone);
  const from = hall.hours[0].open;
  const to = hall.hours[hall.hours.length - 1].close;
  const codes = Array.from({ length: count }, (_, i) => `SIM-${String(i + 1).padStart(4, '0')}`);
  saveAppointments(file, mergeAppointments(loadAppointments(file), codes.map((code) => ({ code, day, from, to })), day));
  return codes;
}
