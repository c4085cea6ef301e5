// The controller's event log: every change to the hall is one event, stored
// before it is acknowledged. Statistics, replay after a crash and the simulator's
// figures are all read from these events.
import type { AlertKind, RatingScore, WindowStatus } from '../protocol/messages.ts';

interface Base {
  /** Epoch milliseconds of the change. */
  at: number;
  /** The hall's service day, YYYY-MM-DD. */
  day: string;
}

export type HallEvent = Base & (
  | { kind: 'ticket-issued'; ticket: string; service: string; priority: boolean; appointment?: string;
      kiosk: string; arrivedAt: number; offline?: boolean }
  | { kind: 'ticket-called'; ticket: string; service: string; window: string; staff?: string; recall: boolean }
  | { kind: 'ticket-started'; ticket: string; service: string; window: string; staff?: string }
  | { kind: 'ticket-completed'; ticket: string; service: string; window: string; staff?: string }
  | { kind: 'ticket-no-show'; ticket: string; service: string; window: string; staff?: string }
  | { kind: 'ticket-parked'; ticket: string; service: string; window: string; staff?: string }
  | { kind: 'ticket-transferred'; ticket: string; from: string; to: string; window?: string; staff?: string }
  | { kind: 'rating'; ticket: string; service: string; window: string; staff?: string; score: RatingScore; reason?: string }
  | { kind: 'window-status'; window: string; status: WindowStatus; staff?: string }
  | { kind: 'block-reserved'; kiosk: string; service: string; numbers: string[] }
  // Added by the controller engine: a wait-over-limit alert raised once per ticket, cleared when it is called.
  | { kind: 'alert'; alert: string; alertKind: AlertKind; state: 'raised' | 'cleared'; ticket?: string; service?: string; window?: string }
);

export type HallEventKind = HallEvent['kind'];
