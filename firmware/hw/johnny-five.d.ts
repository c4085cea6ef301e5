// johnny-five ships no types; only what manyi uses is declared.
declare module 'johnny-five' {
  import { EventEmitter } from 'node:events';
  namespace five {
    interface BoardOptions {
      id?: string; port?: string; io?: unknown; repl?: boolean; sigint?: boolean; debug?: boolean; timeout?: number;
    }
    class Board extends EventEmitter {
      constructor(opts?: BoardOptions);
      io: { digitalWrite(pin: number, v: number): void; close?(): void; transport?: { close?(cb?: () => void): void } } & EventEmitter;
      isReady: boolean;
      id: string;
    }
    interface LedControlOptions {
      board: Board;
      pins: { data: number; clock: number; cs: number };
      devices?: number;
    }
    class LedControl {
      constructor(opts: LedControlOptions);
      readonly devices: number;
      send(device: number, register: number, value: number): this;
      brightness(device: number, percent: number): this;
      on(device?: number): this;
      off(device?: number): this;
      clear(device?: number): this;
      row(device: number, row: number, value: number): this;
    }
    namespace Led {
      class Digits extends LedControl {}
      class Matrix extends LedControl {}
    }
  }
  const five: { Board: typeof five.Board; Led: { Digits: typeof five.Led.Digits; Matrix: typeof five.Led.Matrix } };
  export default five;
}
declare module 'mock-firmata' {
  import { EventEmitter } from 'node:events';
  export class Firmata extends EventEmitter {
    constructor(opts?: Record<string, unknown>);
    digitalWrite(pin: number, v: number): void;
    pinMode(pin: number, mode: number): void;
    isReady: boolean;
    [k: string]: unknown;
  }
}
declare module 'firmata' {
  import { EventEmitter } from 'node:events';
  /** firmata.js's Board (the IO johnny-five drives over a serial port). */
  class Firmata extends EventEmitter {
    constructor(port: string, opts?: { reportVersionTimeout?: number; skipCapabilities?: boolean; serialport?: Record<string, unknown> });
    firmware: { name?: string; version?: { major: number; minor: number } };
    isReady: boolean;
    [k: string]: unknown;
  }
  export default Firmata;
}
