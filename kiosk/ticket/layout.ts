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

/** `${publicUrl}/t/{day}/{no}` — the page behind the QR code. */
export function statusUrl(hall: HallConfig, ticket: IssuedTicket, publicUrl?: string): string {
  if (ticket.statusUrl) return ticket.statusUrl;
  const base = (publicUrl ?? hall.publicUrl ?? 'http://localhost:8080').replace(/\/$/, '');
  const day = ticket.day ?? localDay(Date.parse(ticket.issuedAt), hall.hall.timezone);
  return `${base}/t/${day}/${ticket.no}`;
}

/**
 * Splits text into lines of at most `cols` columns. Breaks at a space when one is
 * near the end of the line (English words stay whole); Chinese breaks anywhere.
 */
export function wrap(text: string, cols: number): string[] {
  const lines: string[] = [];
  let cur = '';
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (textWidth(cur + ch) <= cols) { cur += ch; continue; }
    const sp = cur.lastIndexOf(' ');
    if (ch !== ' ' && sp > 0 && (/[\x21-\x7e]/.test(ch) || textWidth(cur.slice(sp + 1)) <= cols / 3)) {
      lines.push(cur.slice(0, sp).trimEnd());
      cur = cur.slice(sp + 1) + ch;
    } else {
      lines.push(cur.trimEnd());
      cur = ch === ' ' ? '' : ch;
    }
  }
  if (cur.trim()) lines.push(cur.trimEnd());
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

  out.feed().align('center');
  const url = statusUrl(hall, ticket, input.publicUrl);
  if (input.qr === 'native') out.qrNative(url, p.qrModule).feed();
  else out.qrRaster(url, p.qrModule);
  out.line(T.scan[lang]);
  return out.cut().bytes();
}
