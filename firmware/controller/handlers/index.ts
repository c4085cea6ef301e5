// The controller's inbound messages, one file per kind, behind one dispatch: each
// handler is registered on the bus for its kind; a handler that throws (a bug, not
// bad input) is logged loudly and what it queued is dropped, and the hall goes on.
import type { Kind } from '../../protocol/contract.ts';
import type { HandlerContext, InboundHandler } from './context.ts';
import { deviceHealth } from './device-health.ts';
import { deviceStatus } from './device-status.ts';
import { kioskRequest } from './kiosk-request.ts';
import { windowCommand } from './window-command.ts';
import { windowRating } from './window-rating.ts';

export type { HandlerContext } from './context.ts';

/** Requests: always handled. */
export const REQUEST_HANDLERS = [kioskRequest, windowCommand, windowRating] as const;
/** Devices' own messages: handled when the controller supervises. */
export const SUPERVISION_HANDLERS = [deviceStatus, deviceHealth] as const;

const REQUESTS = new Set<string>(REQUEST_HANDLERS.map((h) => h.kind));

export async function mountHandlers(owner: string, c: HandlerContext, handlers: ReadonlyArray<InboundHandler<Kind>>): Promise<void> {
  const guard = (kind: string, meta: { topic: string; retained: boolean }, fn: () => void) => {
    // A retained request replays on every (re)subscription: never a citizen's or a clerk's act.
    // The embedded broker drops the flag; a Mosquitto hall keeps it, so the controller ignores it.
    if (meta.retained && REQUESTS.has(kind)) { c.log.warn({ topic: meta.topic }, 'retained request ignored'); return; }
    try { fn(); } catch (e) {
      c.log.error({ kind, err: (e as Error).stack }, 'controller failed on a message');
      c.discard();
    }
  };
  await Promise.all(handlers.map((h) => c.bus.on(owner, h.kind, 'any',
    (msg, from, meta) => guard(h.kind, meta, () => h.onMessage(c, msg, from)),
    (err, from, meta) => guard(h.kind, meta, () => h.onInvalid?.(c, err, from, meta.bytes)))));
}
