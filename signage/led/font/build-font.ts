// Build step (`npm run build:hw`): takes the 16-pixel WenQuanYi bitmap font that
// Debian ships (xfonts-wqy: wenquanyi_12pt.pcf, 16 px at 75 dpi, Unicode) and
// writes the glyphs an LED strip needs — printable ASCII and all of GB2312
// (7,445 characters: the hanzi, punctuation and full-width forms of Chinese
// signs) — as 16-pixel columns into signage/led/font/wqy16.bin, which the
// strip loads at run time (font16.ts). Boards need neither the X font nor this script.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { parsePcf } from './pcf.ts';
import { encodeFont, FONT_FILE, FONT_HEIGHT, type Glyph16 } from './font16.ts';

export const WQY_PCF = '/usr/share/fonts/X11/misc/wenquanyi_12pt.pcf';
/** Row of the baseline in the 16-row cell: CJK glyphs rise 14 pixels above it and drop 2 below. */
const BASELINE = 14;

/** Every character of GB2312 (rows 0xA1–0xF7, cells 0xA1–0xFE), by decoding each code. */
export function gb2312Chars(): string[] {
  const out: string[] = [];
  for (let hi = 0xa1; hi <= 0xf7; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      const ch = iconv.decode(Buffer.from([hi, lo]), 'gb2312');
      if (ch.length === 1 && ch !== '\ufffd' && ch.codePointAt(0)! >= 0x80) out.push(ch);
    }
  }
  return out;
}

export function buildFont(pcfFile = WQY_PCF): Map<number, Glyph16> {
  if (!existsSync(pcfFile)) throw new Error(`${pcfFile} is missing: apt-get install xfonts-wqy (the LED strip's Chinese font is made from it)`);
  const font = parsePcf(readFileSync(pcfFile));
  if (Number(font.properties.PIXEL_SIZE) !== FONT_HEIGHT) throw new Error(`${pcfFile}: PIXEL_SIZE is ${font.properties.PIXEL_SIZE}, expected ${FONT_HEIGHT}`);
  const chars = [...Array.from({ length: 0x7f - 0x20 }, (_v, i) => String.fromCharCode(0x20 + i)), ...gb2312Chars()];
  const glyphs = new Map<number, Glyph16>();
  for (const ch of chars) {
    const cp = ch.codePointAt(0)!;
    const g = font.glyph(cp);
    if (!g) continue;
    const columns = Array(g.width).fill(0);
    g.rows.forEach((row, y) => {
      const cellY = BASELINE - g.ascent + y;
      if (cellY < 0 || cellY >= FONT_HEIGHT) return;
      row.forEach((on, x) => { const cx = g.left + x; if (on && cx >= 0 && cx < g.width) columns[cx] |= 1 << cellY; });
    });
    glyphs.set(cp, { columns });
  }
  return glyphs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const glyphs = buildFont(process.argv[2]);
  const out = process.argv[3] ?? FONT_FILE;
  writeFileSync(out, encodeFont(glyphs));
  console.log(`${out}: ${glyphs.size} glyphs from ${process.argv[2] ?? WQY_PCF}`);
}
