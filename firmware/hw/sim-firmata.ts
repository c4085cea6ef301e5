// A simulated Arduino running the window-board firmware, as a johnny-five IO
// plugin: johnny-five drives it exactly as it drives the real board over serial.
// Every pin level goes to the attached wire listeners (a MAX7219 emulator); a
// LEDCHAIN frame comes out on the chain's pins bit by bit, as the firmware's SPI
// puts it there, so the emulator decodes both paths the same way. It counts the
// bytes the host would have sent over the serial line. With `firmware:
// 'StandardFirmata'` it has no LEDCHAIN (the pin-write path). Ready at once;
// used by the demo, the bench and tests that need no serial port.
import { EventEmitter } from 'node:events';
import { FIRMWARE_NAME, from7bit, LEDCHAIN, LEDCHAIN_CHAINS, LEDCHAIN_MAX_DEVICES, LEDCHAIN_SUB } from './ledchain.ts';

const MODES = { INPUT: 0, OUTPUT: 1, ANALOG: 2, PWM: 3, SERVO: 4, SHIFT: 5, I2C: 6, ONEWIRE: 7, STEPPER: 8, SERIAL: 10, PULLUP: 11, IGNORE: 0x7f, UNKOWN: 0x10 };
const REG = { DIGIT0: 1, DECODE: 9, INTENSITY: 10, SCANLIMIT: 11, SHUTDOWN: 12, DISPLAYTEST: 15 };

interface SimPin { supportedModes: number[]; mode: number; value: number; report: number; analogChannel: number }
interface Chain { devices: number; data: number; clock: number; cs: number }

export interface SimFirmataOptions {
  pinCount?: number;
  /** What the simulated board runs (default: ours, with LEDCHAIN). */
  firmware?: 'manyi-window' | 'StandardFirmata';
}

export class SimFirmataIO extends EventEmitter {
  readonly name = 'SimFirmata';
  readonly MODES = MODES;
  readonly HIGH = 1;
  readonly LOW = 0;
  readonly pins: SimPin[];
  readonly analogPins: number[] = [];
  readonly defaultLed = 13;
  readonly firmware: { name: string; version: { major: number; minor: number } };
  isReady = false;
  /** Bytes the host sent, as Firmata puts them on the serial line. */
  bytesSent = 0;
  private wires = new Set<(pin: number, value: number) => void>();
  private chains: Array<Chain | null> = Array(LEDCHAIN_CHAINS).fill(null);

  constructor(opts: SimFirmataOptions | number = {}) {
    super();
    const o = typeof opts === 'number' ? { pinCount: opts } : opts;
    this.setMaxListeners(50);
    this.firmware = o.firmware === 'StandardFirmata'
      ? { name: 'StandardFirmata.ino', version: { major: 2, minor: 5 } }
      : { name: FIRMWARE_NAME, version: { major: 1, minor: 0 } };
    this.pins = Array.from({ length: o.pinCount ?? 20 }, (_v, i) => ({
      supportedModes: i < 2 ? [] : [0, 1, 11], mode: 1, value: 0, report: 0, analogChannel: 127,
    }));
    // Like a serial board, announce readiness after the caller attached its listeners.
    setImmediate(() => { this.isReady = true; this.emit('connect'); this.emit('ready'); });
  }

  /** Listens to every pin level change (the wires leaving the Arduino). */
  onWrite(cb: (pin: number, value: number) => void): () => void {
    this.wires.add(cb);
    return () => this.wires.delete(cb);
  }

  private wire(pin: number, value: number): void {
    if (this.pins[pin]) this.pins[pin].value = value;
    for (const w of this.wires) w(pin, value);
  }

  pinMode(pin: number, mode: number): this {
    this.bytesSent += 3;
    if (this.pins[pin]) this.pins[pin].mode = mode;
    return this;
  }

  digitalWrite(pin: number, value: number): this {
    this.bytesSent += 3;
    this.wire(pin, value);
    return this;
  }

  /** firmata.js's SysEx: LEDCHAIN on our firmware; anything else is ignored, as the firmware does. */
  sysexCommand(body: number[]): this {
    this.bytesSent += body.length + 2;
    if (this.firmware.name !== FIRMWARE_NAME || body[0] !== LEDCHAIN) return this;
    const [, sub, id] = body;
    if (id === undefined || id >= LEDCHAIN_CHAINS) return this;
    if (sub === LEDCHAIN_SUB.CONFIG) {
      const [devices, data, clock, cs] = body.slice(3);
      const ok = devices >= 1 && devices <= LEDCHAIN_MAX_DEVICES && new Set([data, clock, cs]).size === 3;
      this.chains[id] = ok ? { devices, data, clock, cs } : null;
      const c = this.chains[id];
      if (c) {
        this.wire(c.cs, 1);
        for (const [reg, v] of [[REG.DISPLAYTEST, 0], [REG.SCANLIMIT, 7], [REG.DECODE, 0], [REG.INTENSITY, 8]]) this.shift(c, reg, Array(c.devices).fill(v));
        for (let r = 0; r < 8; r++) this.shift(c, REG.DIGIT0 + r, Array(c.devices).fill(0));
        this.shift(c, REG.SHUTDOWN, Array(c.devices).fill(1));
      }
      return this;
    }
    const c = this.chains[id];
    if (!c) return this;
    if (sub === LEDCHAIN_SUB.FRAME) {
      const bytes = from7bit(body.slice(3));
      if (bytes.length < c.devices * 8) return this;
      for (let r = 0; r < 8; r++) this.shift(c, REG.DIGIT0 + r, Array.from({ length: c.devices }, (_v, d) => bytes[d * 8 + r]));
    } else if (sub === LEDCHAIN_SUB.REGISTER) {
      const values = from7bit(body.slice(4));
      if (values.length >= c.devices) this.shift(c, body[3] & 0x0f, values);
    } else if (sub === LEDCHAIN_SUB.INTENSITY) {
      this.shift(c, REG.INTENSITY, Array(c.devices).fill(body[3] & 0x0f));
    } else if (sub === LEDCHAIN_SUB.SHUTDOWN) {
      this.shift(c, REG.SHUTDOWN, Array(c.devices).fill(body[3] ? 1 : 0));
    }
    return this;
  }

  /** One register of every device, on the chain's pins: what the firmware's SPI does. */
  private shift(c: Chain, reg: number, values: number[]): void {
    this.wire(c.cs, 0);
    for (let d = c.devices - 1; d >= 0; d--) {
      for (const byte of [reg, values[d] & 0xff]) {
        for (let i = 7; i >= 0; i--) { this.wire(c.clock, 0); this.wire(c.data, (byte >> i) & 1); this.wire(c.clock, 1); }
      }
    }
    this.wire(c.cs, 1);
  }

  sysexResponse(): this { return this; }
  digitalRead(_pin: number, _cb: (v: number) => void): void { /* no inputs on these boards */ }
  analogRead(_pin: number, _cb: (v: number) => void): void { /* none */ }
  reportDigitalPin(): void {}
  reportAnalogPin(): void {}
  setSamplingInterval(): void {}
  normalize(pin: number): number { return pin; }
  close(): void { this.emit('close'); }
}
