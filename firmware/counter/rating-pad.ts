// The citizen's rating pad: four or five lit buttons (very satisfied … very
// unsatisfied). It lights when the controller opens the rating window for the
// ticket just completed, takes exactly one press (debounced: a bouncing or
// held button is one press), thanks the citizen by blinking the chosen lamp,
// then goes dark. Presses while dark are ignored.
import type { RatingScore } from '../protocol/messages.ts';
import type { GpioChip, OutputPin } from '../hw/gpio.ts';
import { Button } from '../hw/button.ts';
import type { RatingPadSpec } from '../../hw-specs/schema.ts';

export type PadPhase = 'dark' | 'lit' | 'thanks';

export interface RatingPadOptions {
  /** How long the thank-you blink lasts, ms. */
  thanksMs?: number;
  /** Blink period of the thank-you pattern, ms. */
  blinkMs?: number;
}

export class RatingPad {
  phase: PadPhase = 'dark';
  /** The ticket the pad is open for. */
  ticket: string | null = null;
  private buttons: Button[] = [];
  private lamps = new Map<RatingScore, OutputPin>();
  private listeners = new Set<(r: { ticket: string; score: RatingScore }) => void>();
  private changeListeners = new Set<() => void>();
  private blink: NodeJS.Timeout | null = null;
  private thanksEnd: NodeJS.Timeout | null = null;
  private readonly thanksMs: number;
  private readonly blinkMs: number;
  readonly scores: RatingScore[];

  constructor(gpio: GpioChip, spec: RatingPadSpec, opts: RatingPadOptions = {}) {
    this.thanksMs = opts.thanksMs ?? 2400;
    this.blinkMs = opts.blinkMs ?? 300;
    this.scores = spec.keys.map((k) => k.score);
    for (const key of spec.keys) {
      this.lamps.set(key.score, gpio.output(key.lamp.bcm, { activeLow: key.lamp.activeLow, initial: 0 }));
      const b = new Button(gpio, key.button.bcm, { activeLow: key.button.activeLow, debounceMs: key.button.debounceMs });
      b.onPress(() => this.pressed(key.score));
      this.buttons.push(b);
    }
  }

  /** Calls `cb` with the one rating a citizen gave. */
  onRating(cb: (r: { ticket: string; score: RatingScore }) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Calls `cb` whenever the lamps change (the staff page redraws the pad). */
  onChange(cb: () => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  /** Lights every button for `ticket`. Re-opening for the same ticket changes nothing. */
  open(ticket: string): void {
    if (this.ticket === ticket && this.phase !== 'dark') return;
    this.stopTimers();
    this.ticket = ticket;
    this.phase = 'lit';
    for (const lamp of this.lamps.values()) lamp.write(1);
    this.changed();
  }

  /** The rating window closed (or moved on): dark, unless still thanking. */
  close(): void {
    if (this.phase === 'thanks') return;
    this.dark();
  }

  /** Which lamps are lit now. */
  lit(): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    for (const [s, l] of this.lamps) out[s] = l.read() === 1;
    return out;
  }

  private pressed(score: RatingScore): void {
    if (this.phase !== 'lit' || !this.ticket) return;
    const ticket = this.ticket;
    this.phase = 'thanks';
    for (const [s, l] of this.lamps) l.write(s === score ? 1 : 0);
    let on = true;
    const chosen = this.lamps.get(score)!;
    this.blink = setInterval(() => { on = !on; chosen.write(on ? 1 : 0); this.changed(); }, this.blinkMs);
    this.thanksEnd = setTimeout(() => this.dark(), this.thanksMs);
    this.changed();
    for (const cb of [...this.listeners]) cb({ ticket, score });
  }

  private dark(): void {
    this.stopTimers();
    this.phase = 'dark';
    this.ticket = null;
    for (const lamp of this.lamps.values()) lamp.write(0);
    this.changed();
  }

  private stopTimers(): void {
    if (this.blink) clearInterval(this.blink);
    if (this.thanksEnd) clearTimeout(this.thanksEnd);
    this.blink = this.thanksEnd = null;
  }

  private changed(): void { for (const cb of [...this.changeListeners]) cb(); }

  dispose(): void {
    this.stopTimers();
    for (const b of this.buttons) b.close();
    for (const l of this.lamps.values()) { l.write(0); l.close(); }
    this.listeners.clear();
    this.changeListeners.clear();
  }
}
