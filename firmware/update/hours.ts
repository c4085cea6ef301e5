// Kiosks and counters are updated outside opening hours unless an offer is forced:
// a restart in front of a citizen is the outage the hall notices.
import type { HallConfig } from '../config/hall.ts';
import { hhmmToS, localSecondOfDay } from '../lib/time.ts';

/** The reason an install must wait now, or null outside every opening span. */
export function openingHoursReason(hall: HallConfig, nowMs: number): string | null {
  const s = localSecondOfDay(nowMs, hall.hall.timezone);
  const span = hall.hours.find((h) => s >= hhmmToS(h.open) && s < hhmmToS(h.close));
  return span ? `inside opening hours (${span.open}–${span.close})` : null;
}
