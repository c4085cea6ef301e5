// Scenarios for the simulator's tests, built in code and validated like files.
import { parseScenario, type Scenario } from '../../firmware/sim/scenario.ts';

/** The client's reference hall days (copies of shared/bench/, kept in the repo so a clean clone tests alone). */
export const benchFile = (name: string) => new URL(`../../firmware/sim/scenarios/${name}`, import.meta.url).pathname;

/** One service, `c` identical windows, Poisson arrivals, exponential service: M/M/c.
 *  The day must drain before midnight: the engine starts a new service day then. */
export function mmc(opts: { perHour: number; meanS: number; c: number; from?: string; to?: string }): Scenario {
  return parseScenario({
    name: 'mmc', waitLimitS: 900, open: opts.from ?? '00:00', close: opts.to ?? '20:00',
    services: [{ id: 'S', letter: 'A', name: { zh: '业务', en: 'Service' }, serviceTime: { dist: 'exponential', meanS: opts.meanS } }],
    windows: Array.from({ length: opts.c }, (_, i) => ({ id: String(i + 1), floor: '1F', own: ['S'] })),
    arrivals: { S: [[opts.from ?? '00:00', opts.to ?? '20:00', opts.perHour]] },
  });
}
