// The lobby's LED matrix strip: scrolls the newest call and the controller's
// advice across a MAX7219 chain, one pixel column per step. The newest call
// goes first; a new call restarts the scroll so it is seen at once.
// A strip two modules high (16 px) shows Chinese and English in the 16-pixel
// WenQuanYi font (font/font16.ts); a one-module strip (8 px) shows English in
// the 3×5 font. On a board without our firmware's whole-frame messages (stock
// StandardFirmata: a 64×8 frame takes ~0.8 s by pin writes) it shows a
// screenful at a time instead of scrolling.
import type { Max7219Bus } from './max7219-chain.ts';
import { columnsToRows, renderColumns } from './matrix-font.ts';
import { FONT_HEIGHT, font16, renderColumns16 } from './font/font16.ts';

export interface ScrollerOptions {
  /** `scroll`: one column every `stepMs`; `page`: a screenful every `pageMs`; default: scroll when the bus is fast. */
  mode?: 'scroll' | 'page';
  /** One column every `stepMs` (40 ms ≈ 25 columns a second, readable across a hall). */
  stepMs?: number;
  pageMs?: number;
  /** Blank columns between two messages. */
  gap?: number;
}

/** A message in both languages (16-pixel strips show both; 8-pixel strips the English). */
export interface StripMessage { zh?: string; en: string }

export class LedScroller {
  private raw: StripMessage[] = [];
  private key = '';
  private strip: number[] = [];
  private offset = 0;
  private timer: NodeJS.Timeout | null = null;
  private mode: 'scroll' | 'page' = 'scroll';
  readonly width: number;
  readonly height: 8 | 16;
  private readonly moduleRows: 1 | 2;

  constructor(private readonly bus: Max7219Bus, private readonly opts: ScrollerOptions = {}) {
    this.moduleRows = bus.rows ?? 1;
    this.height = this.moduleRows === 2 ? 16 : 8;
    this.width = Math.ceil(bus.devices / this.moduleRows) * 8;
  }

  /** True when this strip shows Chinese (16 pixels high and the font is built). */
  get chinese(): boolean { return this.height === 16 && font16() !== null; }

  private wantedMode(): 'scroll' | 'page' { return this.opts.mode ?? (this.bus.fast === false ? 'page' : 'scroll'); }

  /** Sets what scrolls. */
  show(messages: Array<string | StripMessage>, restart = false): void {
    const msgs = messages.map((m) => (typeof m === 'string' ? { en: m } : m));
    const key = JSON.stringify(msgs);
    if (!restart && key === this.key && this.mode === this.wantedMode()) return;
    this.raw = msgs;
    this.key = key;
    this.mode = this.wantedMode();
    const texts = this.texts(msgs);
    const gap = Array(this.opts.gap ?? 12).fill(0);
    if (this.mode === 'page') {
      this.strip = texts.flatMap((t) => this.pages(t)).flatMap((p) => [...p, ...Array(Math.max(0, this.width - p.length)).fill(0)]);
    } else {
      // Lead with a blank screen's width so the text enters from the right.
      this.strip = [...Array(this.width).fill(0), ...texts.flatMap((t) => [...this.render(t), ...gap])];
    }
    this.offset = 0;
    this.draw();
    if (this.timer) { clearInterval(this.timer); this.timer = null; }
    if (this.strip.length > this.width) {
      this.timer = this.mode === 'page' ? setInterval(() => this.step(), this.opts.pageMs ?? 3000) : setInterval(() => this.step(), this.opts.stepMs ?? 40);
    }
  }

  /** The lines shown, in order: both languages on a Chinese strip, else the English in capitals. */
  private texts(msgs: StripMessage[]): string[] {
    if (this.chinese) return msgs.flatMap((m) => [m.zh, m.en]).map((t) => t?.trim()).filter((t): t is string => !!t);
    return msgs.map((m) => m.en.toUpperCase().replace(/[^\x20-\x7e]/g, '').trim()).filter(Boolean);
  }

  private render(text: string): number[] {
    if (this.chinese) return renderColumns16(text);
    // 8-pixel glyphs on a 16-pixel strip without its font: centred on the two rows.
    const shift = this.height === FONT_HEIGHT ? 4 : 0;
    return renderColumns(text).map((c) => c << shift);
  }

  /** Screenfuls of whole characters. */
  private pages(text: string): number[][] {
    const pages: number[][] = [];
    let cur: number[] = [];
    for (const ch of text) {
      const cols = this.render(ch);
      if (cur.length + cols.length > this.width && cur.length) { pages.push(cur); cur = []; }
      cur.push(...cols);
    }
    if (cur.length) pages.push(cur);
    return pages;
  }

  /** Advances `n` columns, or `n` pages, and draws once (the timer calls this; tests may too). */
  step(n = 1): void {
    if (this.strip.length === 0) return;
    if (this.wantedMode() !== this.mode) { this.show(this.raw, true); return; }
    this.offset = (this.offset + n * (this.mode === 'page' ? this.width : 1)) % this.strip.length;
    this.draw();
  }

  /** The columns on the strip now. */
  window(): number[] {
    const out: number[] = [];
    for (let x = 0; x < this.width; x++) out.push(this.strip.length ? this.strip[(this.offset + x) % this.strip.length] : 0);
    return out;
  }

  private draw(): void {
    this.bus.writeFrame(columnsToRows(this.window(), this.bus.devices, this.moduleRows));
  }

  stop(): void { if (this.timer) clearInterval(this.timer); this.timer = null; }
}

/** What the strip says for a call: `请A023号到1楼5号窗口` / `A023 > 1F WINDOW 5`. */
export function callLine(call: { no: string; windowName: string; floor: string; floorName?: { zh: string; en: string }; recall?: boolean }): StripMessage {
  return {
    zh: `${call.recall ? '再次呼叫：' : ''}请${call.no}号到${call.floorName?.zh ?? call.floor}${call.windowName}号窗口`,
    en: `${call.recall ? 'AGAIN: ' : ''}${call.no} > ${call.floor} WINDOW ${call.windowName}`,
  };
}
