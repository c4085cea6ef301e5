// One event ↔ one row of `events`: the columns statistics and the forwarder read,
// and the whole event as JSON (`data`) for replay, checked against the schema when
// it is read back.
import { HallEvent } from './schema.ts';

/** A row as statistics read it: columns only, never the JSON. */
export interface EventRow {
  seq: number;
  at: number;
  day: string;
  kind: string;
  ticket: string | null;
  /** The event's service; for a transfer, the service it went to. */
  service: string | null;
  window: string | null;
  staff: string | null;
  /** `ticket-called`: 1 for a recall. */
  recall: number | null;
  /** `ticket-issued`: when the citizen arrived (epoch ms). */
  arrivedAt: number | null;
  /** `ticket-transferred`: the service it left. */
  fromService: string | null;
  /** `rating`: the score. */
  score: string | null;
  /** `window-status`: open, paused or closed. */
  status: string | null;
}

/** Columns in insert order (after seq). */
export const INSERT_COLUMNS = ['at', 'day', 'kind', 'ticket', 'service', '"window"', 'staff', 'recall', 'arrived_at', 'priority', 'kiosk',
  'from_service', 'score', 'reason', 'status', 'data'] as const;

/** SELECT list that yields an `EventRow`. */
export const ROW_SELECT = `seq, at, day, kind, ticket, service, "window" AS window, staff, recall, arrived_at AS arrivedAt,
  from_service AS fromService, score, status`;

type Cell = string | number | null;

/** The values of `INSERT_COLUMNS` for one event. */
export function eventColumns(e: HallEvent): Cell[] {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const bool = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : null);
  const r = e as Record<string, unknown>;
  return [
    e.at, e.day, e.kind, str(r.ticket),
    e.kind === 'ticket-transferred' ? e.to : str(r.service),
    str(r.window), str(r.staff),
    e.kind === 'ticket-called' ? bool(e.recall) : null,
    e.kind === 'ticket-issued' ? e.arrivedAt : null,
    e.kind === 'ticket-issued' ? bool(e.priority) : null,
    e.kind === 'ticket-issued' || e.kind === 'block-reserved' ? e.kiosk : null,
    e.kind === 'ticket-transferred' ? e.from : null,
    e.kind === 'rating' ? e.score : null,
    e.kind === 'rating' ? (e.reason ?? null) : null,
    e.kind === 'window-status' ? e.status : null,
    JSON.stringify(e),
  ];
}

export class CorruptEvent extends Error {
  constructor(readonly seq: number | undefined, why: string) {
    super(`event ${seq ?? '?'} in the log is not a valid event: ${why}`);
    this.name = 'CorruptEvent';
  }
}

/** An event read back from `data`, checked against the schema (a damaged row stops replay loudly). */
export function eventFromData(data: string, seq?: number): HallEvent {
  let json: unknown;
  try { json = JSON.parse(data); } catch (e) { throw new CorruptEvent(seq, (e as Error).message); }
  const r = HallEvent.safeParse(json);
  if (!r.success) throw new CorruptEvent(seq, r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}
