// Redirect advice: when a service's queue or predicted wait passes the hall's
// threshold, point citizens to the windows (or floors, or self-service) that can
// take it. Pure, like the policies.
import type { Bilingual, HallState } from '../protocol/messages.ts';
import type { RoutingWindow } from './types.ts';

export type Advice = HallState['advice'][number];

export interface AdviceInput {
  services: ReadonlyArray<{ id: string; name: Bilingual; waiting: number; estWaitS: number; selfService?: Bilingual }>;
  windows: ReadonlyArray<RoutingWindow & { name: string }>;
  /** Estimated wait if served at the windows that take this service as overflow. */
  overflowWaitS: (service: string) => number;
  thresholds: { adviceQueueLength: number; adviceWaitS: number };
}

const mins = (s: number) => Math.max(1, Math.round(s / 60));

/** Window names with runs of consecutive numbers joined: 12, 13, 14, 16 → 12–14, 16. */
export function nameRanges(names: readonly string[], sep: string): string {
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) {
    let j = i;
    while (j + 1 < names.length && /^\d+$/.test(names[j]!) && /^\d+$/.test(names[j + 1]!) && +names[j + 1]! === +names[j]! + 1) j++;
    out.push(j - i >= 2 ? `${names[i]}–${names[j]}` : names.slice(i, j + 1).join(sep));
    i = j;
  }
  return out.join(sep);
}

export function adviseRedirects(input: AdviceInput): Advice[] {
  const out: Advice[] = [];
  for (const s of input.services) {
    const long = s.waiting >= input.thresholds.adviceQueueLength || s.estWaitS >= input.thresholds.adviceWaitS;
    if (!long) continue;
    const helpers = input.windows.filter((w) => w.status === 'open' && w.overflow.includes(s.id));
    const otherWait = input.overflowWaitS(s.id);
    // Only worth a walk if the board can say it is sooner: "about 1 min … about 1 min" is noise.
    if (helpers.length > 0 && mins(otherWait) < mins(s.estWaitS)) {
      const floors = [...new Set(helpers.map((w) => w.floor))];
      const names = nameRanges(helpers.map((w) => w.name), '、');
      const namesEn = nameRanges(helpers.map((w) => w.name), ', ');
      out.push({
        service: s.id,
        windows: helpers.map((w) => w.id),
        text: {
          zh: `${s.name.zh}：${s.waiting}人等候，约${mins(s.estWaitS)}分钟；${floors.join('、')} ${names}号窗口也办理${s.name.zh}，约${mins(otherWait)}分钟`,
          en: `${s.name.en}: ${s.waiting} waiting, about ${mins(s.estWaitS)} min; ${floors.join(', ')} windows ${namesEn} also take ${s.name.en.toLowerCase()}, about ${mins(otherWait)} min`,
        },
      });
    } else if (s.selfService) {
      out.push({
        service: s.id,
        windows: [],
        text: {
          zh: `${s.name.zh}：${s.waiting}人等候，约${mins(s.estWaitS)}分钟；也可使用${s.selfService.zh}`,
          en: `${s.name.en}: ${s.waiting} waiting, about ${mins(s.estWaitS)} min; you may also use ${s.selfService.en}`,
        },
      });
    }
  }
  return out;
}
