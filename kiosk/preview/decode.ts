// Decodes the ESC/POS bytes the kiosk sends into a structured document: lines of
// text (GB18030) with alignment, bold and size, QR payloads (GS ( k), raster
// images (GS v 0) and cuts. No npm package decodes GS ( k reliably (STACK.md),
// so this covers the commands manyi emits plus the common ones around them;
// anything else is reported in `unknown` rather than guessed at.
import iconv from 'iconv-lite';
import type { Align } from '../ticket/escpos.ts';

export interface Span { text: string; bold: boolean; width: number; height: number }
export type Item =
  | { kind: 'line'; align: Align; spans: Span[] }
  | { kind: 'qr'; align: Align; data: string; moduleDots: number; ecLevel: string }
  | { kind: 'image'; align: Align; width: number; height: number; bits: Uint8Array }
  | { kind: 'cut' };

export interface EscPosDoc {
  items: Item[];
  /** Byte offsets of commands the decoder does not know (skipped one byte each). */
  unknown: number[];
  /** Text bytes outside Chinese mode that are not ASCII (a printer would misprint them). */
  warnings: string[];
}

const ALIGNS: Align[] = ['left', 'center', 'right'];

export class DecodeError extends Error {}

export function decodeEscPos(buf: Uint8Array): EscPosDoc {
  const doc: EscPosDoc = { items: [], unknown: [], warnings: [] };
  let align: Align = 'left', bold = false, width = 1, height = 1, chinese = false;
  let lineAlign: Align | null = null;
  let spans: Span[] = [];
  let text: number[] = [];
  let qrData = '', qrModule = 3, qrEc = 'L';
  let i = 0;

  const need = (n: number, what: string) => {
    if (i + n > buf.length) throw new DecodeError(`truncated ${what} at byte ${i}`);
  };
  const flushText = () => {
    if (!text.length) return;
    const bytes = Buffer.from(text);
    if (!chinese && bytes.some((b) => b > 0x7f)) doc.warnings.push(`non-ASCII text outside Chinese mode at byte ${i}`);
    lineAlign ??= align;
    spans.push({ text: iconv.decode(bytes, 'gb18030'), bold, width, height });
    text = [];
  };
  const endLine = () => {
    flushText();
    doc.items.push({ kind: 'line', align: lineAlign ?? align, spans });
    spans = []; lineAlign = null;
  };

  while (i < buf.length) {
    const b = buf[i];
    if (b === 0x0a) { endLine(); i++; continue; }
    if (b >= 0x20 || (chinese && b > 0x7f)) { text.push(b); i++; continue; }
    flushText();
    const c = buf[i + 1];
    if (b === 0x1b) { // ESC
      if (c === 0x40) { align = 'left'; bold = false; width = height = 1; chinese = false; i += 2; continue; }
      need(3, 'ESC command');
      const n = buf[i + 2];
      if (c === 0x61) { align = ALIGNS[n % 48] ?? 'left'; if (!spans.length) lineAlign = null; i += 3; continue; }
      if (c === 0x45) { bold = (n & 1) === 1; i += 3; continue; }
      if (c === 0x64) { for (let k = 0; k < n; k++) endLine(); i += 3; continue; }
      if (c === 0x21) { bold = (n & 0x08) !== 0; i += 3; continue; }
    } else if (b === 0x1d) { // GS
      if (c === 0x21) { need(3, 'GS !'); const n = buf[i + 2]; width = (n >> 4) + 1; height = (n & 7) + 1; i += 3; continue; }
      if (c === 0x56) {
        need(3, 'GS V'); const m = buf[i + 2];
        if (spans.length || text.length) endLine();
        doc.items.push({ kind: 'cut' });
        i += m === 65 || m === 66 ? 4 : 3; continue;
      }
      if (c === 0x28 && buf[i + 2] === 0x6b) { // GS ( k: QR code function
        need(7, 'GS ( k');
        const len = buf[i + 3] | (buf[i + 4] << 8);
        need(5 + len, 'GS ( k data');
        const fn = buf[i + 6];
        const body = buf.subarray(i + 7, i + 5 + len);
        if (fn === 0x43) qrModule = body[0];
        else if (fn === 0x45) qrEc = 'LMQH'[body[0] - 48] ?? 'L';
        else if (fn === 0x50) qrData = Buffer.from(body.subarray(1)).toString('utf8');
        else if (fn === 0x51) doc.items.push({ kind: 'qr', align, data: qrData, moduleDots: qrModule, ecLevel: qrEc });
        i += 5 + len; continue;
      }
      if (c === 0x76 && buf[i + 2] === 0x30) { // GS v 0: raster bit image
        need(8, 'GS v 0');
        const xBytes = buf[i + 4] | (buf[i + 5] << 8), h = buf[i + 6] | (buf[i + 7] << 8);
        need(8 + xBytes * h, 'GS v 0 data');
        const w = xBytes * 8, bits = new Uint8Array(w * h);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
          bits[y * w + x] = (buf[i + 8 + y * xBytes + (x >> 3)] >> (7 - (x & 7))) & 1;
        }
        doc.items.push({ kind: 'image', align, width: w, height: h, bits });
        i += 8 + xBytes * h; continue;
      }
    } else if (b === 0x1c) { // FS
      if (c === 0x26) { chinese = true; i += 2; continue; }
      if (c === 0x2e) { chinese = false; i += 2; continue; }
    } else if (b === 0x10 && c === 0x04) { i += 3; continue; } // DLE EOT n: a status query
    doc.unknown.push(i);
    i++;
  }
  if (text.length || spans.length) endLine();
  return doc;
}

/** The document's text, one string per line (spans joined). */
export function docLines(doc: EscPosDoc): string[] {
  return doc.items.filter((x): x is Extract<Item, { kind: 'line' }> => x.kind === 'line').map((l) => l.spans.map((s) => s.text).join(''));
}

/** The payloads of every QR code (native ones; raster QR need an image decoder). */
export function docQrCodes(doc: EscPosDoc): string[] {
  return doc.items.flatMap((x) => (x.kind === 'qr' ? [x.data] : []));
}
