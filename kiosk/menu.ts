// The service menu a kiosk shows: every service of the hall, open or closed by its
// hours (the service's own, else the hall's) on the hall's local clock, with the
// queue figures of the latest retained hall state when there is one.
import type { HallConfig } from '../firmware/config/hall.ts';
import { hhmmToS, localSecondOfDay } from '../firmware/lib/time.ts';
import type { Bilingual, HallState } from '../firmware/protocol/messages.ts';

export interface MenuService {
  id: string;
  letter: string;
  name: Bilingual;
  open: boolean;
  hours: Array<{ open: string; close: string }>;
  waiting: number | null;
  estWaitS: number | null;
}

export function serviceOpen(hall: HallConfig, serviceId: string, nowMs: number): boolean {
  const s = hall.services.find((x) => x.id === serviceId);
  if (!s) return false;
  const sec = localSecondOfDay(nowMs, hall.hall.timezone);
  return (s.hours ?? hall.hours).some((h) => sec >= hhmmToS(h.open) && sec < hhmmToS(h.close));
}

export function buildMenu(hall: HallConfig, nowMs: number, state?: HallState | null): MenuService[] {
  return hall.services.map((s) => {
    const live = state?.services.find((x) => x.id === s.id);
    return {
      id: s.id, letter: s.letter, name: s.name,
      open: live?.open ?? serviceOpen(hall, s.id, nowMs),
      hours: s.hours ?? hall.hours,
      waiting: live?.waiting ?? null,
      estWaitS: live?.estWaitS ?? null,
    };
  });
}
