// The ticket's bytes and words, piece by piece and fast (no preview images; those
// are in ticket.test.ts): each ESC/POS command's exact bytes, Chinese mode on and
// off, the GBK-safe replacements, column widths and wrapping, the windows line,
// the status link, and the lines a citizen reads on an online, offline and
// priority ticket.
import { describe, expect, it } from 'vitest';
import { loadHallConfig, type HallConfig } from '../../firmware/config/hall.ts';
import type { IssuedTicket } from '../../firmware/protocol/messages.ts';
import { decodeEscPos, docLines, docQrCodes } from '../../kiosk/preview/decode.ts';
import { EscPos, fourByteChars, gbkSafe, statusQuery, textWidth } from '../../kiosk/ticket/escpos.ts';
import { minutes, statusUrl, ticketBytes, windowsLine, wrap } from '../../kiosk/ticket/layout.ts';

const hall = loadHallConfig();
const hex = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

describe('ESC/POS commands', () => {
  it('writes each command\'s exact bytes', () => {
    expect(hex(new EscPos().init().bytes())).toBe('1b 40');
    expect(hex(new EscPos().align('left').align('center').align('right').bytes())).toBe('1b 61 00 1b 61 01 1b 61 02');
    expect(hex(new EscPos().bold(true).bold(false).bytes())).toBe('1b 45 01 1b 45 00');
    expect(hex(new EscPos().size(1, 1).size(2, 3).size(8, 8).bytes())).toBe('1d 21 00 1d 21 12 1d 21 77');
    expect(hex(new EscPos().size(0, 9).size(-1, 100).bytes())).toBe('1d 21 07 1d 21 07'); // clamped to 1–8
    expect(hex(new EscPos().feed().feed(2).feed(0).bytes())).toBe('0a 0a 0a');
    expect(hex(new EscPos().cut().cut(5).bytes())).toBe('1d 56 42 03 1d 56 42 05');
    expect(hex(new EscPos().line('A1').line().bytes())).toBe('41 31 0a 0a');
    expect(hex(statusQuery(1))).toBe('10 04 01');
    expect(hex(statusQuery(4))).toBe('10 04 04');
  });

  it('turns Chinese mode on before Chinese text and off before plain text, once each', () => {
    const b = new EscPos().text('A').text('号').text('号').text('B').text('C').bytes();
    expect(hex(b)).toBe('41 1c 26 ba c5 ba c5 1c 2e 42 43');
    // init forgets the mode: the next Chinese text turns it on again
    expect(hex(new EscPos().text('号').init().text('号').bytes())).toBe('1c 26 ba c5 1b 40 1c 26 ba c5');
  });

  it('stores and prints a native QR code (GS ( k, model 2, module size clamped 1–16, level M)', () => {
    const b = new EscPos().qrNative('ab', 6).bytes();
    expect(hex(b)).toBe([
      '1d 28 6b 04 00 31 41 32 00', '1d 28 6b 03 00 31 43 06', '1d 28 6b 03 00 31 45 31',
      '1d 28 6b 05 00 31 50 30 61 62', '1d 28 6b 03 00 31 51 30',
    ].join(' '));
    expect(new EscPos().qrNative('x', 0).bytes()[16]).toBe(1);
    expect(new EscPos().qrNative('x', 40).bytes()[16]).toBe(16);
    const long = 'u'.repeat(300); // length over 255: low and high byte
    const lb = new EscPos().qrNative(long).bytes();
    expect([lb[28], lb[29]]).toEqual([303 & 0xff, 303 >> 8]);
    expect(docQrCodes(decodeEscPos(lb))).toEqual([long]);
  });

  it('packs a raster image eight dots a byte, most significant first, with its size in the header', () => {
    const w = 10, h = 2;
    const bits = new Uint8Array(w * h);
    bits[0] = 1; bits[7] = 1; bits[8] = 1; bits[w + 9] = 1;
    expect(hex(new EscPos().raster(bits, w, h).bytes())).toBe('1d 76 30 00 02 00 02 00 81 80 00 40');
    const wide = new EscPos().raster(new Uint8Array(2100 * 1), 2100, 1).bytes();
    expect([wide[4], wide[5]]).toEqual([263 & 0xff, 263 >> 8]); // 2100 dots = 263 bytes
    const qr = new EscPos().qrRaster('hello', 2).bytes();
    expect(hex(qr.subarray(0, 4))).toBe('1d 76 30 00');
    const side = (21 + 8) * 2; // version 1 QR + quiet zone of 4 on each side, 2 dots a module
    expect(qr.readUInt16LE(6)).toBe(side);
    expect(qr.readUInt16LE(4)).toBe(Math.ceil(side / 8));
  });
});

describe('text on the paper', () => {
  it('counts CJK and other non-ASCII characters as two columns', () => {
    expect(textWidth('')).toBe(0);
    expect(textWidth('A001')).toBe(4);
    expect(textWidth('请A001')).toBe(6);
    expect(textWidth('\x7f')).toBe(1);
    expect(textWidth('é')).toBe(2);
  });

  it('replaces what GB18030 would write in four bytes with a safe twin, or ?', () => {
    expect(fourByteChars('¥5 €3 • ✓ ½ 号 —')).toEqual(['¥', '•', '✓', '½']);
    expect(gbkSafe('¥5, €3 • ✓ — ½')).toBe('￥5, €3 · √ — 1/2'); // € and — have two-byte codes: kept
    expect(gbkSafe('😀 号')).toBe('? 号');
    expect(gbkSafe('plain 挂号')).toBe('plain 挂号');
  });

  it('wraps between words (English at spaces, Chinese at word breaks), never past the width', () => {
    expect(wrap('', 10)).toEqual([]);
    expect(wrap('short', 10)).toEqual(['short']);
    expect(wrap('exactly ten', 11)).toEqual(['exactly ten']);
    expect(wrap('Served at: window 1, 2', 12)).toEqual(['Served at:', 'window 1, 2']);
    expect(wrap('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
    const zh = wrap('挂号收费出院结账', 6);
    expect(zh.slice(0, 2)).toEqual(['挂号', '收费']);       // words stay whole (#14)
    expect(zh.join('')).toBe('挂号收费出院结账');
    for (const l of zh) expect(textWidth(l)).toBeLessThanOrEqual(6);
    expect(wrap('a  b', 2)).toEqual(['a', 'b']);
    // 窗口 is never split, nor a window number from its 号窗口 (#14)
    expect(wrap('服务窗口：1楼 1、2、3、4、5号窗口', 16)).toEqual(['服务窗口：1楼', '1、2、3、4、', '5号窗口']);
    for (const l of wrap('Payment is busy: 2F windows 12–14 also take it, about 4 min', 20)) expect(textWidth(l)).toBeLessThanOrEqual(20);
  });

  it('lists the windows by floor in the hall\'s order, in each language', () => {
    expect(windowsLine(hall, ['16', '1', '12', '2'], 'zh')).toBe('1楼 1、2号窗口；2楼 12、16号窗口');
    expect(windowsLine(hall, ['16', '1', '12', '2'], 'en')).toBe('1F window 1, 2; 2F window 12, 16');
    expect(windowsLine(hall, ['5'], 'en')).toBe('1F window 5');
    expect(windowsLine(hall, [], 'zh')).toBe('');
    expect(windowsLine(hall, ['99'], 'zh')).toBe('');
    const noFloorNames = { ...hall, floors: [] };
    expect(windowsLine(noFloorNames, ['5'], 'en')).toBe('1F window 5'); // the floor id when it has no name
  });

  it('rounds the wait to whole minutes, at least one', () => {
    expect([0, 29, 30, 89, 90, 600].map(minutes)).toEqual([1, 1, 1, 1, 2, 10]);
  });

  it('links the QR to the reply\'s status page, else the given or the hall\'s public URL, else none (never localhost)', () => {
    const t: IssuedTicket = { no: 'A001', service: 'registration', issuedAt: '2026-11-26T23:59:00.000+08:00', ahead: 0, estWaitS: 0, windows: [] };
    expect(statusUrl(hall, { ...t, statusUrl: 'https://x/t/1' })).toBe('https://x/t/1');
    expect(statusUrl(hall, t, 'https://q.example/')).toBe('https://q.example/t/2026-11-26/A001');
    expect(statusUrl({ ...hall, publicUrl: 'https://hall.example' }, t)).toBe('https://hall.example/t/2026-11-26/A001');
    const withUrl = { ...hall, publicUrl: 'https://hall.example/' };
    expect(statusUrl(withUrl, t)).toBe('https://hall.example/t/2026-11-26/A001'); // the hall's day, not UTC's
    expect(statusUrl(withUrl, { ...t, day: '2026-11-25' })).toBe('https://hall.example/t/2026-11-25/A001');
    expect(statusUrl({ ...hall, publicUrl: undefined }, t)).toBeNull();
  });
});

describe('what a citizen reads', () => {
  const base: IssuedTicket = { no: 'B023', service: 'payment', issuedAt: '2026-11-26T09:12:34.000+08:00', ahead: 1, estWaitS: 150, windows: ['6', '12'], day: '2026-11-26' };
  const withUrl: HallConfig = { ...hall, publicUrl: 'https://hall.example' };
  const read = (t: IssuedTicket, lang: 'zh' | 'en', extra: { offline?: boolean } = {}, h: HallConfig = withUrl) =>
    docLines(decodeEscPos(ticketBytes({ hall: h, ticket: t, lang, paper: 80, qr: 'native', ...extra })));

  it('an online ticket: hall, number, both service names, people ahead, wait, windows, time, scan line', () => {
    expect(read(base, 'en')).toEqual([
      'Demo Hospital Outpatient Hall', '', 'B023', 'Payment', '收费', '', '1 person ahead', 'Estimated wait about 3 min',
      'Served at: 1F window 6; 2F window 12', '2026-11-26 09:12', '', '', 'Scan for your live queue status',
    ]);
    expect(read(base, 'en', {}, { ...hall, publicUrl: undefined })).not.toContain('Scan for your live queue status'); // no address, no QR
    expect(read({ ...base, ahead: 0 }, 'en')).toContain('0 people ahead');
    expect(read({ ...base, ahead: 2 }, 'en')).toContain('2 people ahead');
    expect(read(base, 'zh')).toEqual([
      '示范医院门诊大厅', '', 'B023', '收费', 'Payment', '', '前面还有 1 人', '预计等候约 3 分钟',
      '服务窗口：1楼 6号窗口；2楼 12号窗口', '2026-11-26 09:12', '', '', '扫码查看排队进度',
    ]);
  });

  it('an offline, priority ticket with advice: no promise of a wait, the label, the advice', () => {
    const t = { ...base, priority: true, windows: [], advice: { zh: '请到2楼', en: 'Try 2F' } };
    expect(read(t, 'en', { offline: true })).toEqual([
      'Demo Hospital Outpatient Hall', '', 'B023', '[Priority]', 'Payment', '收费', '', 'Issued offline: watch the call boards',
      '2026-11-26 09:12', '', 'Try 2F', '', '', 'Scan for your live queue status',
    ]);
    expect(read(t, 'zh', { offline: true })).toContain('[优先]');
    expect(read(t, 'zh', { offline: true })).toContain('离线出票：请留意叫号屏');
  });

  it('names an unknown service by its id', () => {
    expect(read({ ...base, service: 'x-ray' }, 'en').slice(3, 5)).toEqual(['x-ray', 'x-ray']);
  });
});
