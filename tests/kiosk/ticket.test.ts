// Tickets for every demo service × both paper widths × both languages, decoded
// from the ESC/POS bytes: number, names, windows, sizes, and a QR code (native
// GS ( k payload, and the raster one read back with jsqr from the preview PNG)
// that opens the ticket's status page. Preview PNGs are kept as artifacts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { jsQR } from './qr.ts';
import { loadHallConfig, type HallConfig } from '../../firmware/config/hall.ts';
import type { IssuedTicket } from '../../firmware/protocol/messages.ts';
import { ARTIFACTS } from '../setup/global.ts';
import { fourByteChars, gbkSafe, textWidth } from '../../kiosk/ticket/escpos.ts';
import { PAPER, ticketBytes, windowsLine, wrap } from '../../kiosk/ticket/layout.ts';
import { decodeEscPos, docLines, docQrCodes, type Item } from '../../kiosk/preview/decode.ts';
import { PreviewRenderer } from '../../kiosk/preview/render.ts';

const hall = { ...loadHallConfig(), publicUrl: 'https://queue.demo-hospital.example' };
const OUT = `${ARTIFACTS}tickets/`;
mkdirSync(OUT, { recursive: true });
const renderer = new PreviewRenderer();
afterAll(() => renderer.close());

function ticketFor(service: string, i: number): IssuedTicket {
  const s = hall.services.find((x) => x.id === service)!;
  const windows = hall.windows.filter((w) => w.own.includes(service) || w.overflow.includes(service)).map((w) => w.id);
  return {
    no: `${s.letter}${String(20 + i).padStart(3, '0')}`, service, issuedAt: '2026-11-26T09:12:34.000+08:00',
    ahead: 7 + i, estWaitS: 420 + 60 * i, windows, day: '2026-11-26',
    ...(service === 'payment' ? { advice: { zh: '收费排队较长：2楼12–14号窗口也可办理，约4分钟', en: 'Payment is busy: 2F windows 12–14 also take it, about 4 min' } } : {}),
  };
}

const squash = (s: string) => s.replace(/\s+/g, '');
const lines = (items: Item[]) => items.filter((x): x is Extract<Item, { kind: 'line' }> => x.kind === 'line');

describe('ticket bytes decode to what the citizen must read', () => {
  const cases = hall.services.flatMap((s, i) => ([80, 58] as const).flatMap((paper) => (['zh', 'en'] as const).map((lang) => ({ s, i, paper, lang }))));
  it.each(cases)('$s.id on $paper mm in $lang', async ({ s, i, paper, lang }) => {
    const ticket = ticketFor(s.id, i);
    const bytes = ticketBytes({ hall, ticket, lang, paper, qr: 'native' });
    const doc = decodeEscPos(bytes);
    expect(doc.unknown).toEqual([]);
    expect(doc.warnings).toEqual([]);
    const text = docLines(doc);
    // The number is on its own line, the largest text on the ticket.
    const numberLine = lines(doc.items).find((l) => l.spans.some((sp) => sp.text === ticket.no))!;
    expect(numberLine.spans[0].height).toBe(PAPER[paper].numberSize);
    expect(numberLine.align).toBe('center');
    expect(Math.max(...lines(doc.items).flatMap((l) => l.spans.map((sp) => sp.height)))).toBe(PAPER[paper].numberSize);
    // Both names of the service, the hall's name, people ahead, the windows by floor.
    const all = text.join('\n');
    expect(text).toContain(s.name.zh);
    expect(squash(all)).toContain(squash(s.name.en));
    expect(squash(all)).toContain(squash(hall.hall.name[lang]));
    expect(all).toContain(lang === 'zh' ? `前面还有 ${ticket.ahead} 人` : `${ticket.ahead} people ahead`);
    expect(squash(all)).toContain(squash(windowsLine(hall, ticket.windows, lang)));
    for (const w of ticket.windows) expect(windowsLine(hall, ticket.windows, lang)).toContain(hall.windows.find((x) => x.id === w)!.name);
    expect(all).toContain('2026-11-26 09:12');
    if (ticket.advice) expect(squash(all)).toContain(squash(ticket.advice[lang]));
    // No line wider than the paper.
    for (const l of lines(doc.items)) {
      const cols = l.spans.reduce((n, sp) => n + [...sp.text].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x7f ? 2 : 1), 0) * sp.width, 0);
      expect(cols).toBeLessThanOrEqual(PAPER[paper].columns);
    }
    expect(doc.items.at(-1)).toEqual({ kind: 'cut' });
    const url = `https://queue.demo-hospital.example/t/2026-11-26/${ticket.no}`;
    expect(docQrCodes(doc)).toEqual([url]);

    const png = await renderer.render(doc, PAPER[paper].dots);
    writeFileSync(`${OUT}${s.id}-${paper}mm-${lang}.png`, png);
    writeFileSync(`${OUT}${s.id}-${paper}mm-${lang}.bin`, bytes);
    const img = PNG.sync.read(png);
    expect(img.width).toBe(PAPER[paper].dots);
    expect(jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data).toBe(url);
  });

  it('raster QR (GS v 0) for printers without GS ( k decodes to the status page', async () => {
    const ticket = ticketFor('registration', 0);
    const doc = decodeEscPos(ticketBytes({ hall, ticket, lang: 'zh', paper: 58, qr: 'raster' }));
    expect(docQrCodes(doc)).toEqual([]);
    const img = doc.items.find((x) => x.kind === 'image');
    if (img?.kind !== 'image') throw new Error('no raster image');
    expect(img.width).toBeLessThanOrEqual(PAPER[58].dots);
    const rgba = new Uint8ClampedArray(img.width * img.height * 4);
    img.bits.forEach((b, k) => { rgba.fill(b ? 0 : 255, k * 4, k * 4 + 3); rgba[k * 4 + 3] = 255; });
    expect(jsQR(rgba, img.width, img.height)?.data).toBe('https://queue.demo-hospital.example/t/2026-11-26/A020');
    const png = await renderer.render(doc, PAPER[58].dots);
    writeFileSync(`${OUT}registration-58mm-zh-raster.png`, png);
  });

  it('replaces characters GB18030 encodes in four bytes', () => {
    expect(fourByteChars('挂号 ¥5 € • ½')).toEqual(['¥', '•', '½']);
    expect(gbkSafe('费用 ¥5 • ½')).toBe('费用 ￥5 · 1/2');
    expect(fourByteChars(gbkSafe('𠀀¥'))).toEqual([]);
    const doc = decodeEscPos(ticketBytes({ hall: { ...hall, hall: { ...hall.hall, name: { zh: '收费¥大厅', en: 'x' } } }, ticket: ticketFor('payment', 0), lang: 'zh', paper: 80, qr: 'native' }));
    expect(docLines(doc)[0]).toBe('收费￥大厅');
  });

  it('lists windows floor by floor in the hall\'s order, whatever the reply\'s order', () => {
    expect(windowsLine(hall, ['12', '1', '11', '2'], 'en')).toBe('1F window 1, 2; 2F window 11, 12');
    expect(windowsLine(hall, ['12', '1'], 'zh')).toBe('1楼 1号窗口；2楼 12号窗口');
  });

  it('wraps long text within the columns', () => {
    expect(wrap('Insurance enquiries and more words here', 16)).toEqual(['Insurance', 'enquiries and', 'more words here']);
    for (const l of wrap('Served at: 1F window 1, 2, 3, 4, 5, 6, 7, 8, 9, 10', 32)) expect(l.length).toBeLessThanOrEqual(32);
    expect(wrap('一二三四五六七八九十', 8)).toEqual(['一二三四', '五六七八', '九十']);
  });

  it('breaks Chinese lines by display width between words: never 窗 / 口, never a number from its 号', () => {
    const text = '服务窗口：1楼 1、2、3、4、5、6、7、8、9、10号窗口；2楼 11号窗口';
    for (const cols of [24, 32, 40, 48]) {
      const got = wrap(text, cols);
      expect(got.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      for (const l of got) {
        expect(textWidth(l), `${cols}: "${l}"`).toBeLessThanOrEqual(cols);
        expect(l, `${cols}`).not.toMatch(/窗$|^口|\d$(?<=\d号?)|^号|^[，。、；：]/);
      }
      expect(got.filter((l) => l.includes('10号窗口'))).toHaveLength(1);
    }
    expect(wrap('收费排队较长：2楼15、16号窗口也办理收费，约等4分钟', 24)).toEqual(['收费排队较长：2楼15、', '16号窗口也办理收费，约等', '4分钟']);
    // Only a word wider than the paper is cut.
    expect(wrap('abcdefghijkl mn', 5)).toEqual(['abcde', 'fghij', 'kl mn']);
  });

  it('a printed ticket never splits 窗口, on either paper, whatever the windows', () => {
    // A ticket served at every window of the hall: the longest windows line there is.
    const all = { ...ticketFor('registration', 0), windows: hall.windows.map((w) => w.id) };
    for (const paper of [58, 80] as const) {
      const ls = docLines(decodeEscPos(ticketBytes({ hall, ticket: all, lang: 'zh', paper, qr: 'native' })));
      for (const l of ls) { expect(l).not.toMatch(/窗$/); expect(l).not.toMatch(/^口/); }
      expect(ls.join('')).toContain('号窗口');
    }
  });

  it('the QR code opens the status page at the hall\'s public address; a hall without one prints no QR code, never localhost', () => {
    const t = ticketFor('registration', 1);
    const qr = (h: HallConfig, tk: IssuedTicket) => docQrCodes(decodeEscPos(ticketBytes({ hall: h, ticket: tk, lang: 'zh', paper: 80, qr: 'native' })));
    expect(qr(hall, t)).toEqual([`https://queue.demo-hospital.example/t/2026-11-26/${t.no}`]);
    expect(qr({ ...hall, publicUrl: 'https://hall.example/q/' }, t)).toEqual([`https://hall.example/q/t/2026-11-26/${t.no}`]);
    // The controller's reply names the address (the hall's publicUrl on the controller): it wins.
    expect(qr(hall, { ...t, statusUrl: 'https://controller.example/t/x' })).toEqual(['https://controller.example/t/x']);
    const none = { ...hall, publicUrl: undefined };
    expect(qr(none, t)).toEqual([]);
    expect(docLines(decodeEscPos(ticketBytes({ hall: none, ticket: t, lang: 'zh', paper: 80, qr: 'native' }))).join('\n')).not.toMatch(/localhost|扫码/);
  });
});
