// The ticket's layout, for 80 mm (48 columns, 576 dots) and 58 mm (32 columns,
// 384 dots) paper: what a citizen reads first (the number) is largest; text stays
// text (GB18030) so it prints fast and sharp; the QR opens the live status page.
import type { HallConfig } from '../../firmware/config/hall.ts';
import type { Bilingual, IssuedTicket } from '../../firmware/protocol/messages.ts';
import { isoLocal, localDay } from '../../firmware/lib/time.ts';
import { EscPos, textWidth } from './escpos.ts';

export type Paper = 58 | 80;
export type Lang = 'zh' | 'en';

export const PAPER = {
  80: { columns: 48, dots: 576, numberSize: 4, qrModule: 6 },
  58: { columns: 32, dots: 384, numberSize: 3, qrModule: 4 },
} as const;

export interface TicketInput {
  hall: HallConfig;
  ticket: IssuedTicket;
  lang: Lang;
  paper: Paper;
  qr: 'native' | 'raster';
  /** Base of the status page URL; defaults to the hall's publicUrl. */
  publicUrl?: string;
  /** Issued from an offline block: ahead/wait are not known yet. */
  offline?: boolean;
}

/**
 * `${publicUrl}/t/{day}/{no}` — the page behind the QR code, at the hall's
 * configured public address (the controller's reply carries it). A hall that has
 * not configured one gets no QR code, rather than one no phone can open.
 */
export function statusUrl(hall: HallConfig, ticket: IssuedTicket, publicUrl?: string): string | null {
  if (ticket.statusUrl) return ticket.statusUrl;
  const configured = publicUrl ?? hall.publicUrl;
  if (!configured) return null;
  const base = configured.replace(/\/+$/, '');
  const day = ticket.day ?? localDay(Date.parse(ticket.issuedAt), hall.hall.timezone);
  return `${base}/t/${day}/${ticket.no}`;
}

const WORDS = new Intl.Segmenter('zh', { granularity: 'word' });
/** Closing punctuation never starts a line: it stays with what it closes. */
const CLOSING = /^[，。、；：！？）》」』”’%,.;:!?)\]]/;

/**
 * Text cut into the units a line may not split: words (ICU's dictionary word
 * breaks, so 窗口 stays whole), with closing punctuation kept on the word before
 * it, and a number kept with its measure word (10号, 2楼, 15分钟) and 号 with 窗口.
 */
function units(text: string): string[] {
  const out: string[] = [];
  for (const { segment } of WORDS.segment(text)) {
    const prev = out[out.length - 1];
    const glue = prev !== undefined && !/\s$/.test(prev) && (CLOSING.test(segment)
      || (/\d$/.test(prev) && /^[号楼层人分位个]/.test(segment))
      || (/号$/.test(prev) && segment === '窗口'));
    if (glue) out[out.length - 1] += segment; else out.push(segment);
  }
  return out;
}

/**
 * Splits text into lines of at most `cols` printer columns (CJK characters take
 * two), breaking between words, never inside one — a word longer than a whole
 * line is the only thing cut. Spaces at a break are dropped.
 */
export function wrap(text: string, cols: number): string[] {
  const lines: string[] = [];
  let cur = '';
  const flush = () => { if (cur.trim()) lines.push(cur.trimEnd()); cur = ''; };
  for (const u of units(text)) {
    if (textWidth(cur + u.trimEnd()) <= cols) { cur += u; continue; }
    flush();
    let rest = u.trimStart();
    // Only a word wider than the paper is cut, by character.
    while (textWidth(rest) > cols) {
      let take = '';
      for (const ch of rest) { if (textWidth(take + ch) > cols) break; take += ch; }
      lines.push(take);
      rest = rest.slice(take.length);
    }
    cur = rest;
  }
  flush();
  return lines;
}

/** "1F: 1, 2 · 2F: 12" — the windows that serve the ticket, by floor. */
export function windowsLine(hall: HallConfig, windowIds: string[], lang: Lang): string {
  const byFloor = new Map<string, string[]>();
  // In the hall's own order (floor by floor, as the signs run), not the reply's.
  for (const w of hall.windows) {
    if (windowIds.includes(w.id)) byFloor.set(w.floor, [...(byFloor.get(w.floor) ?? []), w.name]);
  }
  const floorName = (f: string) => hall.floors.find((x) => x.id === f)?.name[lang] ?? f;
  const parts = [...byFloor].map(([f, names]) => lang === 'zh' ? `${floorName(f)} ${names.join('、')}号窗口` : `${floorName(f)} window ${names.join(', ')}`);
  return parts.join(lang === 'zh' ? '；' : '; ');
}

export function minutes(s: number): number { return Math.max(1, Math.round(s / 60)); }

const T = {
  ahead: { zh: (n: number) => `前面还有 ${n} 人`, en: (n: number) => `${n} ${n === 1 ? 'person' : 'people'} ahead` },
  wait: { zh: (m: number) => `预计等候约 ${m} 分钟`, en: (m: number) => `Estimated wait about ${m} min` },
  windows: { zh: '服务窗口：', en: 'Served at: ' },
  scan: { zh: '扫码查看排队进度', en: 'Scan for your live queue status' },
  offline: { zh: '离线出票：请留意叫号屏', en: 'Issued offline: watch the call boards' },
  priority: { zh: '优先', en: 'Priority' },
} satisfies Record<string, Bilingual | { zh: unknown; en: unknown }>;

/** Builds the ESC/POS bytes of one ticket. */
export function ticketBytes(input: TicketInput): Buffer {
  const { hall, ticket, lang, paper } = input;
  const p = PAPER[paper];
  const service = hall.services.find((s) => s.id === ticket.service);
  const tz = hall.hall.timezone;
  const out = new EscPos().init().align('center');

  out.bold(true);
  for (const l of wrap(hall.hall.name[lang], p.columns)) out.line(l);
  out.bold(false).feed();

  // The number: the biggest thing on the paper.
  out.size(p.numberSize, p.numberSize).bold(true).line(ticket.no).bold(false).size(1, 1);
  if (ticket.priority) out.line(`[${T.priority[lang]}]`);
  // Service name in both languages, the chosen language first and larger.
  const name = service?.name ?? { zh: ticket.service, en: ticket.service };
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  out.size(2, 2);
  for (const l of wrap(name[lang], Math.floor(p.columns / 2))) out.line(l);
  out.size(1, 1);
  for (const l of wrap(name[other], p.columns)) out.line(l);
  out.feed();

  out.align('left');
  if (input.offline) {
    for (const l of wrap(T.offline[lang], p.columns)) out.line(l);
  } else {
    out.line(T.ahead[lang](ticket.ahead));
    out.line(T.wait[lang](minutes(ticket.estWaitS)));
  }
  const wl = windowsLine(hall, ticket.windows, lang);
  if (wl) for (const l of wrap(T.windows[lang] + wl, p.columns)) out.line(l);
  out.line(isoLocal(Date.parse(ticket.issuedAt), tz).slice(0, 16).replace('T', ' '));
  if (ticket.advice) {
    out.feed().bold(true);
    for (const l of wrap(ticket.advice[lang], p.columns)) out.line(l);
    out.bold(false);
  }

  const url = statusUrl(hall, ticket, input.publicUrl);
  if (url) {
    out.feed().align('center');
    if (input.qr === 'native') out.qrNative(url, p.qrModule).feed();
    else out.qrRaster(url, p.qrModule);
    out.line(T.scan[lang]);
  }
  return out.cut().bytes();
}
