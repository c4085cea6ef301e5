// The controller's event log: every change to the hall is one event, stored before
// it is acknowledged. Replay after a crash, statistics, the simulator's figures and
// the city forwarder all read these events. The zod schema is the source of the
// types; events read back from disk are checked against it.
import { z } from 'zod';
import { AlertKind, RatingScore, WindowStatus } from '../protocol/messages.ts';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'day must be YYYY-MM-DD');
const base = {
  /** Epoch milliseconds of the change. */
  at: z.number().int(),
  /** The hall's service day, YYYY-MM-DD. */
  day: Day,
};
const atWindow = { ticket: z.string(), service: z.string(), window: z.string(), staff: z.string().optional() };

export const HallEvent = z.discriminatedUnion('kind', [
  z.object({
    ...base, kind: z.literal('ticket-issued'), ticket: z.string(), service: z.string(), priority: z.boolean(),
    appointment: z.string().optional(), kiosk: z.string(), arrivedAt: z.number().int(), offline: z.boolean().optional(),
  }),
  z.object({ ...base, kind: z.literal('ticket-called'), ...atWindow, recall: z.boolean() }),
  z.object({ ...base, kind: z.literal('ticket-started'), ...atWindow }),
  z.object({ ...base, kind: z.literal('ticket-completed'), ...atWindow }),
  z.object({ ...base, kind: z.literal('ticket-no-show'), ...atWindow }),
  z.object({ ...base, kind: z.literal('ticket-parked'), ...atWindow }),
  z.object({
    ...base, kind: z.literal('ticket-transferred'), ticket: z.string(), from: z.string(), to: z.string(),
    window: z.string().optional(), staff: z.string().optional(),
  }),
  z.object({ ...base, kind: z.literal('rating'), ...atWindow, score: RatingScore, reason: z.string().optional() }),
  z.object({ ...base, kind: z.literal('window-status'), window: z.string(), status: WindowStatus, staff: z.string().optional() }),
  z.object({ ...base, kind: z.literal('block-reserved'), kiosk: z.string(), service: z.string(), numbers: z.array(z.string()) }),
  // Raised by the engine: a wait-over-limit alert, once per ticket, cleared when it is called.
  z.object({
    ...base, kind: z.literal('alert'), alert: z.string(), alertKind: AlertKind, state: z.enum(['raised', 'cleared']),
    ticket: z.string().optional(), service: z.string().optional(), window: z.string().optional(),
  }),
]);

export type HallEvent = z.infer<typeof HallEvent>;
export type HallEventKind = HallEvent['kind'];
export const HALL_EVENT_KINDS = HallEvent.options.map((o) => o.shape.kind.value) as HallEventKind[];
