// The staff keypad: one debounced button per key in the board's spec.
import type { GpioChip } from '../hw/gpio.ts';
import { Button } from '../hw/button.ts';
import type { CounterSpec, KeypadKey } from '../../hw-specs/schema.ts';

export class Keypad {
  private buttons: Button[] = [];

  constructor(gpio: GpioChip, keys: CounterSpec['keypad'], onKey: (key: KeypadKey) => void) {
    for (const [key, pin] of Object.entries(keys) as Array<[KeypadKey, NonNullable<CounterSpec['keypad'][KeypadKey]>]>) {
      const b = new Button(gpio, pin.bcm, { activeLow: pin.activeLow, debounceMs: pin.debounceMs });
      b.onPress(() => onKey(key));
      this.buttons.push(b);
    }
  }

  close(): void { for (const b of this.buttons) b.close(); }
}
