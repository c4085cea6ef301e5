// Where the controller keeps what it acknowledged: the event log and the replies
// to requests (for idempotency). The engine writes one command's events and its
// reply in ONE call, which a store must make atomic; only then does anything get
// published. `SqliteStore` (sqlite-store.ts) is the real one; `MemoryStore` serves
// the simulator and tests.
import type { HallEvent } from './schema.ts';

/** A reply as sent: who asked, their request id, the topic and the exact bytes. */
export interface StoredReply {
  sender: string;
  id: string;
  topic: string;
  payload: string;
}

export interface HallStore {
  /** Appends `events` (and `reply`, if any) atomically; throws and keeps nothing on failure. */
  append(events: readonly HallEvent[], reply?: StoredReply): void;
  /** The reply first given to `(sender, id)`, if any. */
  reply(sender: string, id: string): StoredReply | undefined;
  /**
   * The events the engine replays on start: the latest `window-status` of each
   * window before the latest service day, then every event of that day, in order.
   */
  resumeEvents(): HallEvent[];
  close(): void;
}

export class MemoryStore implements HallStore {
  readonly events: HallEvent[] = [];
  private replies = new Map<string, StoredReply>();
  /** Set to make the next append fail (tests of the `internal` error path). */
  failNext = false;

  append(events: readonly HallEvent[], reply?: StoredReply): void {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('simulated store failure');
    }
    for (const e of events) this.events.push(e);
    if (reply) this.replies.set(`${reply.sender}\n${reply.id}`, reply);
  }

  reply(sender: string, id: string): StoredReply | undefined {
    return this.replies.get(`${sender}\n${id}`);
  }

  resumeEvents(): HallEvent[] {
    return resumeFrom(this.events);
  }

  close(): void {}
}

/** The resume rule of `HallStore.resumeEvents`, over an in-memory log. */
export function resumeFrom(events: readonly HallEvent[]): HallEvent[] {
  if (events.length === 0) return [];
  let last = events[0]!.day;
  for (const e of events) if (e.day > last) last = e.day;
  const windows = new Map<string, HallEvent>();
  const today: HallEvent[] = [];
  for (const e of events) {
    if (e.day === last) today.push(e);
    else if (e.kind === 'window-status') windows.set(e.window, e);
  }
  return [...windows.values(), ...today];
}
