// The lobby's LED matrix strip: scrolls the newest call and the controller's
// advice across a MAX7219 chain, one pixel column per step. The newest call
// goes first; a new call restarts the scroll so it is seen at once.
import type { Max7219Bus } from './max7219-chain.ts';
import { columnsToRows, renderColumns } from './matrix-font.ts';

export interface ScrollerOptions {
  /**
   * `scroll`: one column every `stepMs`. `page`: a screenful at a time, every
   * `pageMs` — for real boards: Firmata bit-bangs each bit at 57600 baud, so a
   * 64×8 frame takes about 1.6 s to send and smooth scrolling cannot keep up.
   */
  mode?: 'scroll' | 'page';
  /** One column every `stepMs` (40 ms ≈ 25 columns a second, readable across a hall). */
  stepMs?: number;
  pageMs?: number;
  /** Blank columns between two messages. */
  gap?: number;
}

export class LedScroller {
  private messages: string[] = [];
  private strip: number[] = [];
  private offset = 0;
  private timer: NodeJS.Timeout | null = null;
  readonly width: number;

  constructor(private readonly bus: Max7219Bus, private readonly opts: ScrollerOptions = {}) {
    this.width = bus.devices * 8;
  }

  /** Sets what scrolls (ASCII: the matrix font has Latin letters, digits and signs). */
  show(messages: string[], restart = false): void {
    const clean = messages.map((m) => m.toUpperCase().replace(/[^\x20-\x7e]/g, '').trim()).filter(Boolean);
    if (!restart && clean.join('\n') === this.messages.join('\n')) return;
    this.messages = clean;
    const gap = Array(this.opts.gap ?? 12).fill(0);
    // Lead with a blank screen's width so the text enters from the right.
    if (this.opts.mode === 'page') {
      // Each message split into screenfuls of whole characters.
      const per = Math.floor(this.width / 4);
      const pages = clean.flatMap((m) => { const out: string[] = []; for (let i = 0; i < m.length; i += per) out.push(m.slice(i, i + per)); return out; });
      this.strip = pages.flatMap((p) => { const c = renderColumns(p); return [...c, ...Array(this.width - c.length).fill(0)]; });
    } else {
      this.strip = [...Array(this.width).fill(0), ...clean.flatMap((m) => [...renderColumns(m), ...gap])];
    }
    this.offset = 0;
    this.draw();
    if (this.timer) { clearInterval(this.timer); this.timer = null; }
    if (this.strip.length > this.width) {
      this.timer = this.opts.mode === 'page' ? setInterval(() => this.step(), this.opts.pageMs ?? 3000) : setInterval(() => this.step(), this.opts.stepMs ?? 40);
    }
  }

  /** Advances one column, or one page (the timer calls this; tests may too). */
  step(): void {
    if (this.strip.length === 0) return;
    this.offset = (this.offset + (this.opts.mode === 'page' ? this.width : 1)) % this.strip.length;
    this.draw();
  }

  /** The columns on the strip now. */
  window(): number[] {
    const out: number[] = [];
    for (let x = 0; x < this.width; x++) out.push(this.strip.length ? this.strip[(this.offset + x) % this.strip.length] : 0);
    return out;
  }

  private draw(): void {
    this.bus.writeFrame(columnsToRows(this.window(), this.bus.devices));
  }

  stop(): void { if (this.timer) clearInterval(this.timer); this.timer = null; }
}

/** The scrolling text for a call: `A023 > 2F WINDOW 5`. */
export function callLine(call: { no: string; windowName: string; floor: string; recall?: boolean }): string {
  return `${call.recall ? 'AGAIN: ' : ''}${call.no} > ${call.floor} WINDOW ${call.windowName}`;
}
