// What is said for a call, in Mandarin and then English. espeak-ng reads
// "023" as "zero twenty-three" and "12" in English, so ticket digits are
// spelled one by one (A零二三) and window and floor numbers are written as
// Chinese numerals (十二号窗口, 二楼): the words a clerk would say.
import type { HallConfig } from '../../firmware/config/hall.ts';

const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const EN_DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** 0–99 as spoken Chinese numerals (12 → 十二, 20 → 二十, 5 → 五); longer numbers digit by digit. */
export function zhNumber(n: string): string {
  if (!/^\d+$/.test(n)) return n;
  const v = Number(n);
  if (n.length > 1 && n.startsWith('0')) return [...n].map((d) => ZH_DIGITS[Number(d)]).join('');
  if (v < 10) return ZH_DIGITS[v];
  if (v < 100) return `${v >= 20 ? ZH_DIGITS[Math.floor(v / 10)] : ''}十${v % 10 ? ZH_DIGITS[v % 10] : ''}`;
  return [...n].map((d) => ZH_DIGITS[Number(d)]).join('');
}

/** Numbers inside a name ("2楼", "12") as Chinese numerals. */
function zhNumerals(s: string): string {
  return s.replace(/\d+/g, (m) => zhNumber(m));
}

/** A023 → A零二三 / "A, zero, two, three". */
export function spellTicket(no: string, lang: 'zh' | 'en'): string {
  const m = /^([A-Z]+)(\d+)$/.exec(no);
  if (!m) return no;
  const digits = [...m[2]].map((d) => (lang === 'zh' ? ZH_DIGITS : EN_DIGITS)[Number(d)]);
  return lang === 'zh' ? `${m[1]}${digits.join('')}` : `${[...m[1]].join(' ')}, ${digits.join(', ')}`;
}

export interface Utterance { lang: 'zh' | 'en'; text: string }

/** The announcement of one call: Mandarin, then English. */
export function callPhrases(hall: HallConfig, call: { no: string; window: string; recall?: boolean }): Utterance[] {
  const w = hall.windows.find((x) => x.id === call.window);
  const name = w?.name ?? call.window;
  const floor = w ? hall.floors.find((f) => f.id === w.floor) : undefined;
  const zhFloor = floor ? zhNumerals(floor.name.zh) : '';
  const enFloor = floor ? `, ${floor.name.en}` : '';
  const zhWindow = /^\d+$/.test(name) ? `${zhNumber(name)}号窗口` : `${name}窗口`;
  const again = call.recall ? '再次呼叫，' : '';
  const againEn = call.recall ? 'Calling again: ' : '';
  return [
    { lang: 'zh', text: `${again}请${spellTicket(call.no, 'zh')}号到${zhFloor}${zhWindow}` },
    { lang: 'en', text: `${againEn}Number ${spellTicket(call.no, 'en')}, please go to window ${name}${enFloor}.` },
  ];
}
