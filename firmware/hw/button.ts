// A debounced push button on a GPIO input: a contact that bounces, or a button
// held down, gives exactly one press. The level must stay stable for
// `debounceMs` before it counts, and a press fires once on the settled
// inactive→active change; nothing more until it settles released again.
import type { GpioChip, InputPin, Level } from './gpio.ts';

export interface ButtonOptions {
  /** Stable time before a level counts, ms (20 ms suits tactile and arcade buttons). */
  debounceMs?: number;
  /** Buttons wired to ground with the pull-up read low when pressed (the default). */
  activeLow?: boolean;
}

export class Button {
  private readonly pin: InputPin;
  private readonly stopWatch: () => void;
  private readonly debounceMs: number;
  private stable: Level;
  private timer: NodeJS.Timeout | null = null;
  private listeners = new Set<() => void>();
  private closed = false;

  constructor(gpio: GpioChip, readonly bcm: number, opts: ButtonOptions = {}) {
    this.debounceMs = opts.debounceMs ?? 20;
    this.pin = gpio.input(bcm, { edge: 'both', activeLow: opts.activeLow ?? true });
    this.stable = this.pin.read();
    this.stopWatch = this.pin.watch(() => this.changed());
  }

  /** Calls `cb` once per press; returns a function that removes it. */
  onPress(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** True while the (debounced) button is held. */
  get pressed(): boolean { return this.stable === 1; }

  private changed(): void {
    if (this.closed) return;
    // Restart the settle timer on every edge; read the level when it expires.
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const level = this.pin.read();
      if (level === this.stable) return;
      this.stable = level;
      if (level === 1) for (const cb of [...this.listeners]) cb();
    }, this.debounceMs);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.stopWatch();
    this.pin.close();
    this.listeners.clear();
  }
}
