// Shared set-up for the controller tests: the demo hall at a fixed local time.
import { loadHallConfig, type HallConfig } from '../../firmware/config/hall.ts';
import { localToMs } from '../../firmware/lib/time.ts';

export const hall: HallConfig = loadHallConfig();
export const TZ = hall.hall.timezone;
export const DAY = '2026-11-26';
/** 08:00 local on DAY, plus `s` seconds. */
export const at = (s = 0, day = DAY) => localToMs(day, 8 * 3600, TZ) + s * 1000;
