// GPIO behind a small interface: the real adapter (onoff, with the sysfs base
// found from the kernel) and a simulated twin share it. Pins are BCM numbers.

export type Level = 0 | 1;
export type Edge = 'rising' | 'falling' | 'both';

export interface InputPin {
  read(): Level;
  /** Calls `cb` on each edge; returns a function that stops watching. */
  watch(cb: (level: Level) => void): () => void;
  close(): void;
}

export interface OutputPin {
  write(level: Level): void;
  read(): Level;
  close(): void;
}

export interface GpioChip {
  input(bcm: number, opts?: { edge?: Edge; activeLow?: boolean }): InputPin;
  output(bcm: number, opts?: { activeLow?: boolean; initial?: Level }): OutputPin;
  close(): void;
}
