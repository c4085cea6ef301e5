// The LED strip's 16-pixel Chinese font: made at build time from Debian's
// WenQuanYi bitmap font (xfonts-wqy), read by our PCF reader.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parsePcf } from '../../signage/led/font/pcf.ts';
import { buildFont, gb2312Chars, WQY_PCF } from '../../signage/led/font/build-font.ts';
import { decodeFont, encodeFont, font16, hasGlyphs, renderColumns16 } from '../../signage/led/font/font16.ts';
import { columnsToRows, rowsToColumns } from '../../signage/led/matrix-font.ts';

const art = (cols: number[]) => Array.from({ length: 16 }, (_v, y) => cols.map((c) => ((c >> y) & 1 ? '#' : '.')).join(''));

describe('16-pixel LED font from xfonts-wqy', () => {
  it('reads the PCF: a 16-pixel Unicode font whose 口 is a box', () => {
    const f = parsePcf(readFileSync(WQY_PCF));
    expect(f.properties.PIXEL_SIZE).toBe(16);
    expect(f.properties.CHARSET_REGISTRY).toBe('ISO10646');
    const g = f.glyph('口'.codePointAt(0)!)!;
    expect(g.width).toBe(16);
    const rows = g.rows.map((r) => r.map((b) => (b ? '#' : '.')).join(''));
    expect(rows[2]).toBe('..###########...');
    expect(rows[7]).toBe('..#.........#...');
    expect(f.glyph(0x10ffff)).toBeNull();
  });

  it('the built font file holds ASCII and all of GB2312, exactly what the PCF gives', () => {
    const built = font16();
    expect(built, 'signage/led/font/wqy16.bin is built by npm run build:hw').not.toBeNull();
    const fresh = buildFont();
    expect(built!.size).toBe(fresh.size);
    expect(gb2312Chars().length).toBeGreaterThanOrEqual(7445);
    expect(built!.size).toBeGreaterThanOrEqual(7445 + 95);
    for (const ch of ['请', '号', '窗', '口', '楼', 'A', '0', '：', '￥']) expect(built!.get(ch.codePointAt(0)!)).toEqual(fresh.get(ch.codePointAt(0)!));
    expect(decodeFont(encodeFont(fresh)).get('窗'.codePointAt(0)!)).toEqual(fresh.get('窗'.codePointAt(0)!));
  });

  it('renders text as 16-pixel columns: CJK 16 wide sitting on the baseline, Latin narrower; unknown characters as a box', () => {
    const cols = renderColumns16('窗口');
    expect(cols).toHaveLength(32);
    const a = art(cols);
    expect(a[2].slice(16)).toBe('..###########...');   // 口's top, row 2
    expect(a[15].slice(16)).toBe('................');
    expect(renderColumns16('A').length).toBeLessThan(16);
    expect(hasGlyphs('请A023号到1楼5号窗口')).toBe(true);
    expect(hasGlyphs('😀')).toBe(false);
    expect(renderColumns16('😀').some((c) => c !== 0)).toBe(true);
  });

  it('two rows of modules: the chain runs along the top row, then the bottom; columns survive the round trip', () => {
    const cols = renderColumns16('请到5号窗').slice(0, 64);
    const rows = columnsToRows(cols, 16, 2);
    expect(rows).toHaveLength(16);
    expect(rowsToColumns(rows, 2)).toEqual(cols);
    // Device 0 is the top-left module: pixel rows 0–7 of columns 0–7; device 8 the bottom-left.
    expect(rows[0][2]).toBe([0, 1, 2, 3, 4, 5, 6, 7].reduce((v, x) => v | ((cols[x] >> 2) & 1 ? 0x80 >> x : 0), 0));
    expect(rows[8][2]).toBe([0, 1, 2, 3, 4, 5, 6, 7].reduce((v, x) => v | ((cols[x] >> 10) & 1 ? 0x80 >> x : 0), 0));
  });
});
