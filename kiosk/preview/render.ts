// Renders a decoded ESC/POS document to a PNG of the paper. Text is laid out by
// headless Chromium with the system's CJK font (fonts-wqy-zenhei): drawing GB18030
// glyphs ourselves would need a font rasteriser, and Chromium is already on every
// kiosk (the touch page). One CSS pixel is one printer dot (203 dpi); a normal
// character cell is 12×24 dots (Font A). QR codes and raster images are drawn
// dot-exact from pngjs bitmaps, so a QR reader can decode the preview.
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import type { Browser, Page } from 'playwright-core';
import type { EscPosDoc, Item } from './decode.ts';

export const CHROMIUM_PATH = process.env.MANYI_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A 1-bit bitmap as PNG bytes (black on white), each dot `scale` pixels. */
export function bitsToPng(bits: Uint8Array, width: number, height: number, scale = 1): Buffer {
  const png = new PNG({ width: width * scale, height: height * scale });
  for (let y = 0; y < height * scale; y++) for (let x = 0; x < width * scale; x++) {
    const v = bits[Math.floor(y / scale) * width + Math.floor(x / scale)] ? 0 : 255;
    const o = (y * width * scale + x) * 4;
    png.data[o] = png.data[o + 1] = png.data[o + 2] = v; png.data[o + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** The QR a printer would print for `data` at `moduleDots` per module (EC level as sent). */
export function qrBits(data: string, moduleDots: number, ecLevel = 'M'): { bits: Uint8Array; size: number } {
  const qr = QRCode.create(data, { errorCorrectionLevel: ecLevel as 'L' | 'M' | 'Q' | 'H' });
  const n = qr.modules.size, quiet = 4, size = (n + quiet * 2) * moduleDots;
  const bits = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const my = Math.floor(y / moduleDots) - quiet, mx = Math.floor(x / moduleDots) - quiet;
    if (my >= 0 && mx >= 0 && my < n && mx < n && qr.modules.get(my, mx)) bits[y * size + x] = 1;
  }
  return { bits, size };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

function itemHtml(it: Item): string {
  switch (it.kind) {
    case 'line': {
      const spans = it.spans.map((s) => `<span style="font-size:${20 * s.height}px;line-height:${24 * s.height}px;${s.bold ? 'font-weight:bold;' : ''}${s.width !== s.height ? `display:inline-block;transform:scaleX(${s.width / s.height});` : ''}">${esc(s.text)}</span>`).join('');
      return `<div class="l" style="text-align:${it.align}">${spans || '&nbsp;'}</div>`;
    }
    case 'qr': {
      const { bits, size } = qrBits(it.data, it.moduleDots, it.ecLevel);
      return `<div style="text-align:${it.align}"><img width="${size}" height="${size}" src="${dataUrl(bitsToPng(bits, size, size))}"></div>`;
    }
    case 'image':
      return `<div style="text-align:${it.align}"><img width="${it.width}" height="${it.height}" src="${dataUrl(bitsToPng(it.bits, it.width, it.height))}"></div>`;
    case 'cut':
      return '<div class="cut"></div>';
  }
}

/** An HTML page of the paper, `dots` wide (576 on 80 mm, 384 on 58 mm). */
export function docToHtml(doc: EscPosDoc, dots: number): string {
  return `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#888}
#paper{width:${dots}px;background:#fff;color:#000;padding:16px 0;font-family:'DejaVu Sans Mono','WenQuanYi Zen Hei',monospace;font-size:20px;line-height:24px}
.l{white-space:pre;overflow:hidden;min-height:24px}
img{image-rendering:pixelated;display:inline-block}
.cut{border-top:2px dashed #999;margin-top:24px}
</style><div id="paper">${doc.items.map(itemHtml).join('\n')}</div>`;
}

/** Renders documents to PNG through one headless Chromium and one page, launched on first use. */
export class PreviewRenderer {
  private browser: Promise<Browser> | null = null;
  private page: Promise<Page> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  private async launch(): Promise<Browser> {
    const { chromium } = await import('playwright-core');
    return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }

  /** One render at a time on the shared page. */
  render(doc: EscPosDoc, dots: number): Promise<Buffer> {
    const job = this.queue.then(() => this.renderNow(doc, dots));
    this.queue = job.catch(() => {});
    return job;
  }

  private async renderNow(doc: EscPosDoc, dots: number): Promise<Buffer> {
    this.browser ??= this.launch();
    const browser = this.browser;
    this.page ??= browser.then((b) => b.newPage({ viewport: { width: 640, height: 800 } }));
    const page = await this.page;
    await page.setContent(docToHtml(doc, dots));
    return page.locator('#paper').screenshot({ type: 'png' });
  }

  async close(): Promise<void> {
    const b = this.browser;
    this.browser = null; this.page = null;
    if (b) await (await b).close().catch(() => {});
  }
}

let shared: { renderer: PreviewRenderer; users: number } | null = null;

/**
 * One renderer for every simulated printer in the process (the demo runs two
 * kiosks): one Chromium, not one per kiosk. Release closes it after the last user.
 */
export function acquireSharedRenderer(): { renderer: PreviewRenderer; release(): Promise<void> } {
  shared ??= { renderer: new PreviewRenderer(), users: 0 };
  const s = shared;
  s.users++;
  let released = false;
  return {
    renderer: s.renderer,
    async release() {
      if (released) return;
      released = true;
      if (--s.users === 0) { if (shared === s) shared = null; await s.renderer.close(); }
    },
  };
}
