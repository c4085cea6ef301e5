// A small ESC/POS byte builder. We write the few commands a ticket needs ourselves
// rather than go through @node-escpos/core: its qrcode() sends GS Z (ignored by many
// printers), its image path needs a decoded picture, and it buffers status queries.
// Owning the bytes keeps the output deterministic, which the decoder tests rely on.
import iconv from 'iconv-lite';
import QRCode from 'qrcode';

export const ESC = 0x1b, GS = 0x1d, FS = 0x1c, DLE = 0x10, EOT = 0x04, LF = 0x0a;

export type Align = 'left' | 'center' | 'right';
const ALIGN: Record<Align, number> = { left: 0, center: 1, right: 2 };

/** Characters GB18030 encodes in four bytes: GBK-only printers garble them. */
export function fourByteChars(text: string): string[] {
  const out: string[] = [];
  for (const ch of text) if (iconv.encode(ch, 'gb18030').length === 4) out.push(ch);
  return out;
}

/** Replacements for four-byte characters that have a safe two-byte or ASCII twin. */
const SAFE: Record<string, string> = { '¥': '￥', '€': 'EUR', '•': '·', '✓': '√', '—': '-', '–': '-', '’': "'", '‘': "'", '½': '1/2' };

/** Replaces four-byte GB18030 characters with a safe twin, or `?` when none exists. */
export function gbkSafe(text: string): string {
  let out = '';
  for (const ch of text) {
    if (iconv.encode(ch, 'gb18030').length !== 4) { out += ch; continue; }
    const alt = SAFE[ch];
    out += alt && fourByteChars(alt).length === 0 ? alt : '?';
  }
  return out;
}

/** Display width in printer columns: CJK and full-width characters take two. */
export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += (ch.codePointAt(0) ?? 0) > 0x7f ? 2 : 1;
  return w;
}

export class EscPos {
  private parts: Buffer[] = [];
  private chinese = false;

  raw(...bytes: number[] | [Buffer]): this {
    this.parts.push(Buffer.isBuffer(bytes[0]) ? bytes[0] : Buffer.from(bytes as number[]));
    return this;
  }
  init(): this { this.chinese = false; return this.raw(ESC, 0x40); }
  align(a: Align): this { return this.raw(ESC, 0x61, ALIGN[a]); }
  bold(on: boolean): this { return this.raw(ESC, 0x45, on ? 1 : 0); }
  /** Character size multiples 1–8 (GS !). */
  size(width: number, height: number): this {
    const w = Math.min(8, Math.max(1, width)) - 1, h = Math.min(8, Math.max(1, height)) - 1;
    return this.raw(GS, 0x21, (w << 4) | h);
  }
  feed(lines = 1): this { for (let i = 0; i < lines; i++) this.raw(LF); return this; }

  /** Text in GB18030 (four-byte characters replaced); turns Chinese mode on (FS &) when needed. */
  text(s: string): this {
    const safe = gbkSafe(s);
    const wide = /[^\x00-\x7f]/.test(safe);
    if (wide && !this.chinese) { this.raw(FS, 0x26); this.chinese = true; }
    if (!wide && this.chinese) { this.raw(FS, 0x2e); this.chinese = false; }
    return this.raw(iconv.encode(safe, 'gb18030'));
  }
  line(s = ''): this { return this.text(s).feed(); }

  /** Native QR: GS ( k model 2, module size, error level M, store, print. */
  qrNative(data: string, moduleDots = 6): this {
    const payload = Buffer.from(data, 'utf8');
    const len = payload.length + 3;
    return this
      .raw(GS, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0)
      .raw(GS, 0x28, 0x6b, 3, 0, 0x31, 0x43, Math.min(16, Math.max(1, moduleDots)))
      .raw(GS, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x31)
      .raw(GS, 0x28, 0x6b, len & 0xff, len >> 8, 0x31, 0x50, 0x30).raw(payload)
      .raw(GS, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30);
  }

  /** QR as a raster bitmap (GS v 0), for printers without GS ( k. */
  qrRaster(data: string, moduleDots = 6): this {
    const qr = QRCode.create(data, { errorCorrectionLevel: 'M' });
    const n = qr.modules.size, quiet = 4;
    const dots = (n + quiet * 2) * moduleDots;
    const bitmap = new Uint8Array(dots * dots);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      if (!qr.modules.get(y, x)) continue;
      for (let dy = 0; dy < moduleDots; dy++) for (let dx = 0; dx < moduleDots; dx++) {
        bitmap[((y + quiet) * moduleDots + dy) * dots + (x + quiet) * moduleDots + dx] = 1;
      }
    }
    return this.raster(bitmap, dots, dots);
  }

  /** A 1-bit image, `bits[y*width+x]` = 1 for black, as GS v 0. */
  raster(bits: Uint8Array, width: number, height: number): this {
    const xBytes = Math.ceil(width / 8);
    const data = Buffer.alloc(xBytes * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      if (bits[y * width + x]) data[y * xBytes + (x >> 3)] |= 0x80 >> (x & 7);
    }
    return this.raw(GS, 0x76, 0x30, 0, xBytes & 0xff, xBytes >> 8, height & 0xff, height >> 8).raw(data);
  }

  /** Feed and partial cut (GS V 66 n). */
  cut(feedLines = 3): this { return this.raw(GS, 0x56, 0x42, feedLines); }

  bytes(): Buffer { return Buffer.concat(this.parts); }
}

/** Real-time status request DLE EOT n (n = 1..4). */
export function statusQuery(n: 1 | 2 | 3 | 4): Buffer { return Buffer.from([DLE, EOT, n]); }
