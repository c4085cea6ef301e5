// The citizen's rating pad: five lit buttons, the national scale from very
// satisfied to very unsatisfied (a legacy four-button pad lacks the last). It
// lights when the controller opens the rating window for the ticket just
// completed and takes exactly one press (debounced: a bouncing or held button is
// one press). After one of the two lowest scores the pad itself asks why: the
// same buttons now stand for the hall's reasons, in order; its display names
// each reason in turn while that button's lamp is lit. The citizen presses one,
// or nothing, and the rating goes out with the reason or without one — never one
// chosen by anyone else. Then it thanks by blinking the chosen lamp and goes dark.
// Presses while dark are ignored.
import type { Bilingual, RatingScore } from '../protocol/messages.ts';
import type { GpioChip, OutputPin } from '../hw/gpio.ts';
import { Button } from '../hw/button.ts';
import type { RatingPadSpec } from '../../hw-specs/schema.ts';
import type { PadLabels } from '../hw/kit.ts';
import { systemClock } from '../lib/time.ts';

export type PadPhase = 'dark' | 'lit' | 'reason' | 'thanks';

/** The two lowest scores ask for a reason (national good/bad rating scheme). */
export const LOW_SCORES: ReadonlySet<RatingScore> = new Set(['unsatisfied', 'very-unsatisfied']);

export interface PadRating { ticket: string; score: RatingScore; reason?: string }

export interface RatingPadOptions {
  /** How long the thank-you blink lasts, ms. */
  thanksMs?: number;
  /** Blink period of the thank-you pattern, ms. */
  blinkMs?: number;
  /** The hall's reason list (its order is the buttons' order when the pad asks). */
  reasons?: Array<{ code: string; name: Bilingual }>;
  /** The pad's display; without one the pad cannot name the reasons and does not ask. */
  labels?: PadLabels | null;
  /** How long the pad waits for a reason before sending the rating without one, ms. */
  reasonWaitMs?: number;
  /** How long each reason is shown (its lamp lit), ms. */
  reasonSlotMs?: number;
  /** The injected clock (for a rating window's end). */
  now?: () => number;
}

interface Key { score: RatingScore; lamp: OutputPin }

export class RatingPad {
  phase: PadPhase = 'dark';
  /** The ticket the pad is open for. */
  ticket: string | null = null;
  /** While asking: the reason whose lamp is lit now. */
  showing: { code: string; name: Bilingual } | null = null;
  private buttons: Button[] = [];
  private keys: Key[] = [];
  private listeners = new Set<(r: PadRating) => void>();
  private changeListeners = new Set<() => void>();
  private timers: NodeJS.Timeout[] = [];
  private score: RatingScore | null = null;
  private until = Infinity;
  private readonly o: Required<Omit<RatingPadOptions, 'labels' | 'reasons'>> & Pick<RatingPadOptions, 'labels' | 'reasons'>;
  readonly scores: RatingScore[];

  constructor(gpio: GpioChip, spec: RatingPadSpec, opts: RatingPadOptions = {}) {
    this.o = { thanksMs: 2400, blinkMs: 300, reasonWaitMs: 20_000, reasonSlotMs: 2500, now: () => systemClock.now(), ...opts };
    this.scores = spec.keys.map((k) => k.score);
    for (const [i, key] of spec.keys.entries()) {
      this.keys.push({ score: key.score, lamp: gpio.output(key.lamp.bcm, { activeLow: key.lamp.activeLow, initial: 0 }) });
      const b = new Button(gpio, key.button.bcm, { activeLow: key.button.activeLow, debounceMs: key.button.debounceMs });
      b.onPress(() => this.pressed(i));
      this.buttons.push(b);
    }
  }

  /** The reasons this pad can offer: one per button, in the hall's order. */
  get reasons(): Array<{ code: string; name: Bilingual }> {
    return this.o.labels ? (this.o.reasons ?? []).slice(0, this.keys.length) : [];
  }

  /** Calls `cb` with the one rating a citizen gave (with the reason they chose, if any). */
  onRating(cb: (r: PadRating) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Calls `cb` whenever the lamps or the display change (the staff page redraws the pad). */
  onChange(cb: () => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  /** Lights every button for `ticket`, until `untilMs` (clock time) at the latest. Re-opening for the same ticket changes nothing. */
  open(ticket: string, untilMs = Infinity): void {
    if (this.ticket === ticket && this.phase !== 'dark') return;
    this.stopTimers();
    this.ticket = ticket;
    this.until = untilMs;
    this.phase = 'lit';
    for (const k of this.keys) k.lamp.write(1);
    this.changed();
  }

  /** The rating window closed (or moved on): dark, unless thanking; a reason not given by now is not given. */
  close(): void {
    if (this.phase === 'thanks') return;
    if (this.phase === 'reason') { this.finish(null); return; }
    this.dark();
  }

  /** Which lamps are lit now. */
  lit(): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    for (const k of this.keys) out[k.score] = k.lamp.read() === 1;
    return out;
  }

  private pressed(i: number): void {
    if (!this.ticket) return;
    if (this.phase === 'lit') {
      const score = this.keys[i].score;
      this.score = score;
      if (LOW_SCORES.has(score) && this.reasons.length > 0) this.ask();
      else this.thank(i, { ticket: this.ticket, score });
    } else if (this.phase === 'reason' && i < this.reasons.length) {
      this.finish(i);
    }
  }

  /** Names each reason in turn on the display, with its button's lamp lit. */
  private ask(): void {
    this.phase = 'reason';
    const reasons = this.reasons;
    const labels = this.o.labels!;
    let i = -1;
    const next = () => {
      i = (i + 1) % (reasons.length + 1);
      for (const k of this.keys) k.lamp.write(0);
      if (i === reasons.length) {
        this.showing = null;
        labels.show('请按键选择原因', 'PRESS A KEY: REASON?', this.o.reasonSlotMs);
      } else {
        this.showing = reasons[i];
        this.keys[i].lamp.write(1);
        labels.show(reasons[i].name.zh, reasons[i].name.en, this.o.reasonSlotMs);
      }
      this.changed();
    };
    // Start with the prompt, then each reason.
    i = reasons.length - 1;
    next();
    this.timers.push(setInterval(next, this.o.reasonSlotMs));
    const wait = Math.max(0, Math.min(this.o.reasonWaitMs, this.until - this.o.now() - 2000));
    this.timers.push(setTimeout(() => this.finish(null), wait));
  }

  /** The reason `i` was pressed, or none was (null): the rating goes out as the citizen gave it. */
  private finish(i: number | null): void {
    if (this.phase !== 'reason' || !this.ticket || !this.score) return;
    this.stopTimers();
    this.o.labels?.clear();
    this.showing = null;
    const rating: PadRating = { ticket: this.ticket, score: this.score, ...(i !== null ? { reason: this.reasons[i].code } : {}) };
    if (i === null) { this.dark(); this.emit(rating); return; }
    this.thank(i, rating);
  }

  private thank(i: number, rating: PadRating): void {
    this.stopTimers();
    this.phase = 'thanks';
    for (const [j, k] of this.keys.entries()) k.lamp.write(j === i ? 1 : 0);
    let on = true;
    const chosen = this.keys[i].lamp;
    this.timers.push(setInterval(() => { on = !on; chosen.write(on ? 1 : 0); this.changed(); }, this.o.blinkMs));
    this.timers.push(setTimeout(() => this.dark(), this.o.thanksMs));
    this.changed();
    this.emit(rating);
  }

  private emit(r: PadRating): void { for (const cb of [...this.listeners]) cb(r); }

  private dark(): void {
    this.stopTimers();
    this.o.labels?.clear();
    this.phase = 'dark';
    this.ticket = null;
    this.score = null;
    this.showing = null;
    for (const k of this.keys) k.lamp.write(0);
    this.changed();
  }

  private stopTimers(): void {
    for (const t of this.timers) { clearInterval(t); clearTimeout(t); }
    this.timers = [];
  }

  private changed(): void { for (const cb of [...this.changeListeners]) cb(); }

  dispose(): void {
    this.stopTimers();
    this.o.labels?.close();
    for (const b of this.buttons) b.close();
    for (const k of this.keys) { k.lamp.write(0); k.lamp.close(); }
    this.listeners.clear();
    this.changeListeners.clear();
  }
}
