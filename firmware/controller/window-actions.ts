// A window's command → the events it causes, or why it is refused. Pure: reads
// the model, changes nothing (the engine stores the events, then applies them).
import type { ErrorCode, WindowCommand } from '../protocol/messages.ts';
import type { HallEvent } from '../eventlog/schema.ts';
import type { HallModel, Ticket, WindowRt } from './state.ts';

export type ActionResult =
  | { events: HallEvent[]; ticket?: { no: string; service: string } | null }
  | { error: ErrorCode; message: string };

const refuse = (error: ErrorCode, message: string): ActionResult => ({ error, message });
const ref = (t: Ticket) => ({ no: t.no, service: t.service });

export function windowAction(
  m: HallModel, w: WindowRt, cmd: WindowCommand, now: number, pick: (w: WindowRt) => Ticket | null,
): ActionResult {
  // Built only when an event is (most refused or idle calls build nothing).
  const base = () => (w.staff ? { at: now, day: m.day, window: w.id, staff: w.staff } : { at: now, day: m.day, window: w.id });
  const cur = w.current;
  const status = (s: 'open' | 'paused' | 'closed', staff?: string): ActionResult =>
    ({ events: [{ ...base(), kind: 'window-status', status: s, ...(staff ? { staff } : {}) }] });

  switch (cmd.action) {
    case 'open':
      if (w.status !== 'closed') return refuse('wrong-state', `window ${w.id} is already ${w.status}`);
      return status('open', cmd.staff);
    case 'sign-in':
      // The PIN was checked before the engine; here only: is this window theirs (or free)?
      if (w.status !== 'closed' && w.staff && w.staff !== cmd.staff) return refuse('not-allowed', `window ${w.id} is open for ${w.staff}: they close it first`);
      return { events: [] };
    case 'close':
      if (w.status === 'closed') return refuse('wrong-state', `window ${w.id} is already closed`);
      if (cur) return refuse('wrong-state', `finish ${cur.no} first (complete, no-show, park or transfer)`);
      return status('closed');
    case 'pause':
      if (w.status !== 'open') return refuse('wrong-state', `window ${w.id} is ${w.status}, not open`);
      return status('paused');
    case 'resume':
      if (w.status !== 'paused') return refuse('wrong-state', `window ${w.id} is ${w.status}, not paused`);
      return status('open');
    case 'call-next':
    case 'call': {
      if (w.status !== 'open') return refuse('window-closed', `window ${w.id} is ${w.status}`);
      if (cur) return refuse('wrong-state', `window ${w.id} still has ${cur.no}`);
      let t: Ticket | null;
      if (cmd.action === 'call') {
        t = m.tickets.get(cmd.ticket!) ?? null;
        if (!t) return refuse('unknown-ticket', `no ticket ${cmd.ticket} today`);
        if (t.state !== 'waiting' && t.state !== 'parked') return refuse('wrong-state', `${t.no} is ${t.state}`);
        if (!w.own.includes(t.service) && !w.overflow.includes(t.service)) {
          return refuse('not-allowed', `window ${w.id} does not serve ${t.service}`);
        }
      } else {
        t = pick(w);
        if (!t) return { events: [], ticket: null };
      }
      const events: HallEvent[] = [{ ...base(), kind: 'ticket-called', ticket: t.no, service: t.service, recall: false }];
      if (t.alerted) {
        events.push({ at: now, day: m.day, kind: 'alert', alert: `wait-over-limit/${t.day}/${t.no}`, alertKind: 'wait-over-limit', state: 'cleared', ticket: t.no, service: t.service, window: w.id });
      }
      return { events, ticket: ref(t) };
    }
    case 'recall':
      if (!cur || cur.state !== 'called') return refuse('wrong-state', 'nothing called to recall');
      return { events: [{ ...base(), kind: 'ticket-called', ticket: cur.no, service: cur.service, recall: true }], ticket: ref(cur) };
    case 'start':
      if (!cur || cur.state !== 'called') return refuse('wrong-state', cur ? `${cur.no} is already being served` : 'nothing called to start');
      return { events: [{ ...base(), kind: 'ticket-started', ticket: cur.no, service: cur.service }], ticket: ref(cur) };
    case 'complete':
      if (!cur || cur.state !== 'serving') return refuse('wrong-state', cur ? `start ${cur.no} first` : 'nothing being served');
      return { events: [{ ...base(), kind: 'ticket-completed', ticket: cur.no, service: cur.service }], ticket: ref(cur) };
    case 'no-show':
      if (!cur || cur.state !== 'called') return refuse('wrong-state', cur ? `${cur.no} came: it is being served` : 'nothing called');
      return { events: [{ ...base(), kind: 'ticket-no-show', ticket: cur.no, service: cur.service }], ticket: ref(cur) };
    case 'park':
      if (!cur) return refuse('wrong-state', 'nothing to park');
      return { events: [{ ...base(), kind: 'ticket-parked', ticket: cur.no, service: cur.service }], ticket: ref(cur) };
    case 'transfer': {
      if (!cur) return refuse('wrong-state', 'nothing to transfer');
      const to = cmd.service!;
      if (!m.services.has(to)) return refuse('unknown-service', `no service ${to} in this hall`);
      if (to === cur.service) return refuse('wrong-state', `${cur.no} is already in ${to}`);
      return {
        events: [{ ...base(), kind: 'ticket-transferred', ticket: cur.no, from: cur.service, to }],
        ticket: { no: cur.no, service: to },
      };
    }
  }
}
