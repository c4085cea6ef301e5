// A simulated Arduino running Firmata, as a johnny-five IO plugin: johnny-five
// drives it exactly as it drives the real board over serial, and every
// digitalWrite goes to the attached wire listeners (a MAX7219 emulator).
// It is ready at once; used by the demo and by tests that need no mock library.
import { EventEmitter } from 'node:events';

const MODES = { INPUT: 0, OUTPUT: 1, ANALOG: 2, PWM: 3, SERVO: 4, SHIFT: 5, I2C: 6, ONEWIRE: 7, STEPPER: 8, SERIAL: 10, PULLUP: 11, IGNORE: 0x7f, UNKOWN: 0x10 };

interface SimPin { supportedModes: number[]; mode: number; value: number; report: number; analogChannel: number }

export class SimFirmataIO extends EventEmitter {
  readonly name = 'SimFirmata';
  readonly MODES = MODES;
  readonly HIGH = 1;
  readonly LOW = 0;
  readonly pins: SimPin[];
  readonly analogPins: number[] = [];
  readonly defaultLed = 13;
  isReady = false;
  private wires = new Set<(pin: number, value: number) => void>();

  constructor(pinCount = 20) {
    super();
    this.setMaxListeners(50);
    this.pins = Array.from({ length: pinCount }, (_v, i) => ({
      supportedModes: i < 2 ? [] : [0, 1, 11], mode: 1, value: 0, report: 0, analogChannel: 127,
    }));
    // Like a serial board, announce readiness after the caller attached its listeners.
    setImmediate(() => { this.isReady = true; this.emit('connect'); this.emit('ready'); });
  }

  /** Listens to every pin write (the wires leaving the Arduino). */
  onWrite(cb: (pin: number, value: number) => void): () => void {
    this.wires.add(cb);
    return () => this.wires.delete(cb);
  }

  pinMode(pin: number, mode: number): this {
    if (this.pins[pin]) this.pins[pin].mode = mode;
    return this;
  }

  digitalWrite(pin: number, value: number): this {
    if (this.pins[pin]) this.pins[pin].value = value;
    for (const w of this.wires) w(pin, value);
    return this;
  }

  digitalRead(_pin: number, _cb: (v: number) => void): void { /* no inputs on these boards */ }
  analogRead(_pin: number, _cb: (v: number) => void): void { /* none */ }
  reportDigitalPin(): void {}
  reportAnalogPin(): void {}
  setSamplingInterval(): void {}
  normalize(pin: number): number { return pin; }
  close(): void { this.emit('close'); }
}
