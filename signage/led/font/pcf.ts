// A reader for X11 PCF bitmap fonts (the format of Debian's xfonts-wqy), enough to
// take glyph bitmaps out: properties, metrics, bitmaps and the encoding table.
// Format: the X.Org "PCF" description (tables of little- or big-endian words,
// each table saying its own byte order, bit order and row padding).

const PCF_PROPERTIES = 1 << 0;
const PCF_METRICS = 1 << 2;
const PCF_BITMAPS = 1 << 3;
const PCF_BDF_ENCODINGS = 1 << 5;
const PCF_COMPRESSED_METRICS = 0x100;

export interface PcfGlyph {
  /** Advance width in pixels. */
  width: number;
  /** Rows of the glyph's ink box, top first; each row's bits, leftmost first. */
  rows: boolean[][];
  /** Ink box: left bearing, ascent and descent from the baseline. */
  left: number;
  ascent: number;
  descent: number;
}

export interface PcfFont {
  properties: Record<string, string | number>;
  /** Font ascent/descent (from the properties FONT_ASCENT, FONT_DESCENT, or the largest glyph). */
  ascent: number;
  descent: number;
  glyph(codePoint: number): PcfGlyph | null;
}

class Reader {
  constructor(private readonly buf: Buffer, public pos: number, private readonly be: boolean) {}
  i32(): number { const v = this.be ? this.buf.readInt32BE(this.pos) : this.buf.readInt32LE(this.pos); this.pos += 4; return v; }
  i16(): number { const v = this.be ? this.buf.readInt16BE(this.pos) : this.buf.readInt16LE(this.pos); this.pos += 2; return v; }
  u16(): number { const v = this.be ? this.buf.readUInt16BE(this.pos) : this.buf.readUInt16LE(this.pos); this.pos += 2; return v; }
  u8(): number { return this.buf[this.pos++]; }
}

export function parsePcf(buf: Buffer): PcfFont {
  if (buf.toString('latin1', 0, 4) !== '\x01fcp') throw new Error('not a PCF font (bad magic)');
  const count = buf.readInt32LE(4);
  const tables = new Map<number, { format: number; offset: number }>();
  for (let i = 0; i < count; i++) {
    const at = 8 + i * 16;
    tables.set(buf.readInt32LE(at), { format: buf.readInt32LE(at + 4), offset: buf.readInt32LE(at + 12) });
  }
  const open = (type: number) => {
    const t = tables.get(type);
    if (!t) throw new Error(`PCF font has no table ${type}`);
    const format = buf.readInt32LE(t.offset);   // each table repeats its format, little-endian
    return { format, r: new Reader(buf, t.offset + 4, (format & 4) !== 0) };
  };

  // Properties.
  const properties: Record<string, string | number> = {};
  {
    const { r } = open(PCF_PROPERTIES);
    const n = r.i32();
    const props: Array<{ name: number; isString: boolean; value: number }> = [];
    for (let i = 0; i < n; i++) props.push({ name: r.i32(), isString: r.u8() !== 0, value: r.i32() });
    r.pos += (n & 3) === 0 ? 0 : 4 - (n & 3);
    const strSize = r.i32();
    const strings = buf.subarray(r.pos, r.pos + strSize);
    const str = (o: number) => strings.toString('latin1', o, strings.indexOf(0, o));
    for (const p of props) properties[str(p.name)] = p.isString ? str(p.value) : p.value;
  }

  // Metrics.
  const metrics: Array<{ left: number; right: number; width: number; ascent: number; descent: number }> = [];
  {
    const { format, r } = open(PCF_METRICS);
    if (format & PCF_COMPRESSED_METRICS) {
      const n = r.u16();   // INT16 in the spec; fonts with > 32767 glyphs (WenQuanYi: 41295) need it unsigned
      for (let i = 0; i < n; i++) metrics.push({ left: r.u8() - 0x80, right: r.u8() - 0x80, width: r.u8() - 0x80, ascent: r.u8() - 0x80, descent: r.u8() - 0x80 });
    } else {
      const n = r.i32();
      for (let i = 0; i < n; i++) { metrics.push({ left: r.i16(), right: r.i16(), width: r.i16(), ascent: r.i16(), descent: r.i16() }); r.u16(); }
    }
  }

  // Bitmaps.
  const bm = open(PCF_BITMAPS);
  const glyphCount = bm.r.i32();
  const offsets: number[] = [];
  for (let i = 0; i < glyphCount; i++) offsets.push(bm.r.i32());
  const sizes = [bm.r.i32(), bm.r.i32(), bm.r.i32(), bm.r.i32()];
  const pad = bm.format & 3;
  const dataStart = bm.r.pos;
  void sizes;
  const msbBit = (bm.format & 8) !== 0;
  const msbByte = (bm.format & 4) !== 0;
  const unit = 1 << ((bm.format >> 4) & 3);

  // Encodings.
  const enc = open(PCF_BDF_ENCODINGS);
  const min2 = enc.r.i16(), max2 = enc.r.i16(), min1 = enc.r.i16(), max1 = enc.r.i16();
  enc.r.i16(); // default char
  const perRow = max2 - min2 + 1;
  const indexAt = enc.r.pos;
  const encBe = (enc.format & 4) !== 0;

  const glyphIndex = (cp: number): number => {
    const b1 = cp >> 8, b2 = cp & 0xff;
    if (b1 < min1 || b1 > max1 || b2 < min2 || b2 > max2) return -1;
    const at = indexAt + ((b1 - min1) * perRow + (b2 - min2)) * 2;
    const v = encBe ? buf.readUInt16BE(at) : buf.readUInt16LE(at);
    return v === 0xffff ? -1 : v;
  };

  const rowBytes = (w: number) => { const bytes = Math.ceil(w / 8); const p = 1 << pad; return Math.ceil(bytes / p) * p; };

  const glyph = (cp: number): PcfGlyph | null => {
    const i = glyphIndex(cp);
    if (i < 0 || i >= metrics.length || i >= offsets.length) return null;
    const m = metrics[i];
    const w = m.right - m.left;
    const h = m.ascent + m.descent;
    const stride = rowBytes(w);
    const base = dataStart + offsets[i];
    const rows: boolean[][] = [];
    for (let y = 0; y < h; y++) {
      const row: boolean[] = [];
      for (let x = 0; x < w; x++) {
        let byteIndex = x >> 3;
        if (!msbByte && unit > 1) { const u = Math.floor(byteIndex / unit) * unit; byteIndex = u + (unit - 1 - (byteIndex - u)); }
        const byte = buf[base + y * stride + byteIndex];
        const bit = msbBit ? (byte >> (7 - (x & 7))) & 1 : (byte >> (x & 7)) & 1;
        row.push(bit === 1);
      }
      rows.push(row);
    }
    return { width: m.width, rows, left: m.left, ascent: m.ascent, descent: m.descent };
  };

  const ascent = Number(properties.FONT_ASCENT ?? Math.max(...metrics.map((m) => m.ascent)));
  const descent = Number(properties.FONT_DESCENT ?? Math.max(...metrics.map((m) => m.descent)));
  return { properties, ascent, descent, glyph };
}
