// A scripted morning: arrivals and staff presses at set times, played through
// the controller's engine on a virtual clock. The same script played through the
// live controller over MQTT must give the same calls (one routing code path).
import { z } from 'zod';
import { loadJsonFile } from '../config/load.ts';
import type { HallConfig } from '../config/hall.ts';
import { HallEngine } from '../controller/engine.ts';
import { ServiceId, Name } from '../protocol/messages.ts';
import { localToMs, VirtualClock } from '../lib/time.ts';

const HMS = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/, 'must be HH:MM:SS');

export const Script = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'),
  policy: z.string().default('default'),
  steps: z.array(z.discriminatedUnion('do', [
    z.object({ at: HMS, do: z.literal('ticket'), kiosk: Name.default('k1'), service: ServiceId, priority: z.boolean().default(false) }).strict(),
    z.object({ at: HMS, do: z.enum(['open', 'close', 'pause', 'resume', 'call-next', 'start', 'complete', 'no-show']), window: Name }).strict(),
  ])).min(1),
}).strict().superRefine((s, ctx) => {
  for (let i = 1; i < s.steps.length; i++) {
    if (s.steps[i]!.at < s.steps[i - 1]!.at) ctx.addIssue({ code: 'custom', path: ['steps', i, 'at'], message: 'steps must be in time order' });
  }
});
export type Script = z.infer<typeof Script>;
export type ScriptStep = Script['steps'][number];

export const loadScript = (file: string): Script => loadJsonFile(file, Script);

export interface ScriptCall { at: string; window: string; no: string }

const secs = (hms: string) => +hms.slice(0, 2) * 3600 + +hms.slice(3, 5) * 60 + +hms.slice(6, 8);

/** Instant of a step in the hall's time zone. */
export function stepMs(hall: HallConfig, day: string, at: string): number {
  return localToMs(day, secs(at), hall.hall.timezone);
}

/**
 * Plays `script` on a fresh engine (or the one given) and returns the calls in
 * order, with each refused step's reason: a refused press is part of the
 * behaviour to compare, not an error.
 */
export function playScript(hall: HallConfig, script: Script, engine?: HallEngine): { calls: ScriptCall[]; refused: string[] } {
  const clock = new VirtualClock(stepMs(hall, script.day, '00:00:00'));
  const e = engine ?? new HallEngine({ hall, clock, policy: script.policy });
  const calls: ScriptCall[] = [];
  const refused: string[] = [];
  e.onEvent((ev) => { if (ev.kind === 'ticket-called' && !ev.recall) calls.push({ at: new Date(ev.at).toISOString(), window: ev.window, no: ev.ticket }); });
  script.steps.forEach((st, i) => {
    const now = stepMs(hall, script.day, st.at);
    clock.set(Math.max(clock.now(), now));
    const r = st.do === 'ticket'
      ? e.kiosk(st.kiosk, { op: 'ticket', id: `script-${i}`, service: st.service, priority: st.priority ? 'priority' : 'normal' }, now)
      : e.window(st.window, { id: `script-${i}`, action: st.do }, now);
    if (!r.ok) refused.push(`${st.at} ${st.do}: ${r.error.code}`);
  });
  return { calls, refused };
}
