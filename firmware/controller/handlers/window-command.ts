// `window/{window}/command`: open, call-next, start, complete … from a counter. With
// the hall's people file, `open` and `sign-in` carry the staff member's id and PIN,
// checked here; the PIN is never stored, never logged, never passed on.
import { errorReply } from '../../protocol/decode.ts';
import { answer, refuseBadRequest, type InboundHandler } from './context.ts';

export const windowCommand: InboundHandler<'window-command'> = {
  kind: 'window-command',
  onMessage: (c, v, from) => answer<'window-command'>(c, 'window-reply', from, v.id, (to) => {
    const { pin, ...cmd } = v;
    if (c.people && (cmd.action === 'open' || cmd.action === 'sign-in')) {
      if (!cmd.staff || !pin) return errorReply(v.id, 'bad-login', 'sign in with your staff id and PIN');
      // A retry of the same request (same id) gets the same verdict: it is not another guess.
      const key = `${from.window}|${v.id}`;
      const verdict = c.pinVerdicts?.get(key) ?? c.people.verify('staff', cmd.staff, pin, `window/${from.window}`);
      c.pinVerdicts?.set(key, verdict);
      if (c.pinVerdicts && c.pinVerdicts.size > 500) c.pinVerdicts.delete(c.pinVerdicts.keys().next().value!);
      if (!verdict.ok) {
        c.log.warn({ window: from.window, staff: cmd.staff, why: verdict.code }, 'staff sign-in refused');
        return errorReply(v.id, 'bad-login', verdict.message);
      }
    }
    return c.engine.window(from.window, cmd, undefined, to);
  }),
  onInvalid: (c, err, from, bytes) => refuseBadRequest<'window-command'>(c, 'window-reply', from, err, bytes),
};
