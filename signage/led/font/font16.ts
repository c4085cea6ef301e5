// The LED strip's 16-pixel font (two rows of 8×8 modules): glyph columns made at
// build time from Debian's WenQuanYi bitmap font (build-font.ts), loaded once.
// A column is 16 bits, bit 0 = top row. Characters the font lacks show as a box.
import { existsSync, readFileSync } from 'node:fs';

export const FONT_HEIGHT = 16;
export const FONT_FILE = new URL('./wqy16.bin', import.meta.url).pathname;
const MAGIC = 'MNY16';

export interface Glyph16 { columns: number[] }

/** File: "MNY16", u8 version 1, u32 count, then per glyph u32 code point, u8 width, width × u16 columns (LE). */
export function encodeFont(glyphs: Map<number, Glyph16>): Buffer {
  const parts: Buffer[] = [Buffer.from(MAGIC, 'latin1'), Buffer.from([1])];
  const count = Buffer.alloc(4); count.writeUInt32LE(glyphs.size); parts.push(count);
  for (const [cp, g] of [...glyphs].sort((a, b) => a[0] - b[0])) {
    const b = Buffer.alloc(5 + g.columns.length * 2);
    b.writeUInt32LE(cp, 0); b[4] = g.columns.length;
    g.columns.forEach((c, i) => b.writeUInt16LE(c & 0xffff, 5 + i * 2));
    parts.push(b);
  }
  return Buffer.concat(parts);
}

export function decodeFont(buf: Buffer): Map<number, Glyph16> {
  if (buf.toString('latin1', 0, 5) !== MAGIC || buf[5] !== 1) throw new Error('not a manyi 16-pixel LED font (bad header)');
  const n = buf.readUInt32LE(6);
  const glyphs = new Map<number, Glyph16>();
  let at = 10;
  for (let i = 0; i < n; i++) {
    const cp = buf.readUInt32LE(at); const w = buf[at + 4];
    const columns: number[] = [];
    for (let x = 0; x < w; x++) columns.push(buf.readUInt16LE(at + 5 + x * 2));
    glyphs.set(cp, { columns });
    at += 5 + w * 2;
  }
  return glyphs;
}

let loaded: Map<number, Glyph16> | null | undefined;

/** The built font, or null when it was not built (`npm run build:hw`; needs xfonts-wqy). */
export function font16(): Map<number, Glyph16> | null {
  if (loaded === undefined) loaded = existsSync(FONT_FILE) ? decodeFont(readFileSync(FONT_FILE)) : null;
  return loaded;
}

const BOX = [0xfffe, 0x8002, 0x8002, 0x8002, 0x8002, 0x8002, 0x8002, 0x8002, 0x8002, 0x8002, 0x8002, 0xfffe, 0];

/** Text → 16-pixel columns, one pixel gap after each Latin character (CJK glyphs carry their own). */
export function renderColumns16(text: string, font = font16()): number[] {
  if (!font) throw new Error(`the LED strip's Chinese font is not built (${FONT_FILE}): run npm run build:hw (needs Debian's xfonts-wqy)`);
  const out: number[] = [];
  for (const ch of text) {
    const g = font.get(ch.codePointAt(0)!);
    out.push(...(g ? g.columns : BOX));
  }
  return out;
}

/** True when every character of `text` has a glyph. */
export function hasGlyphs(text: string, font = font16()): boolean {
  return !!font && [...text].every((ch) => font.has(ch.codePointAt(0)!));
}
