// A scripted morning played through the controller's engine on a virtual clock:
// the calls follow the default policy (short errands first, priority in its
// ratio), refused presses are reported, and a replay gives the same calls.
// tests/sim/morning.json is the script a live-controller test can play over MQTT.
import { describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { loadScript, playScript, Script } from '../../firmware/sim/script.ts';
import { loadJsonFile } from '../../firmware/config/load.ts';

const MORNING = new URL('./morning.json', import.meta.url).pathname;

describe('scripted morning', () => {
  const hall = loadHallConfig();
  const script = loadScript(MORNING);

  it('calls in the order the default policy gives, and reports refused presses', () => {
    const { calls, refused } = playScript(hall, script);
    expect(calls.map((c) => `${c.window}:${c.no}`)).toEqual([
      '1:A001', // registration's oldest at its own window
      '6:A002', // a payment window takes the short registration errand before the payment one
      '1:A003', // two ordinary called: the priority ticket goes next
      '6:B001', // then payment
    ]);
    expect(calls[0]!.at).toBe('2026-11-22T23:32:00.000Z'); // 07:32 in Asia/Shanghai
    expect(refused).toEqual(['07:33:10 call-next: window-closed']);
    expect(playScript(hall, script)).toEqual({ calls, refused });
  });

  it('refuses a script out of time order, naming the step', () => {
    expect(() => loadJsonFile('bad-script.json', Script, { ...script, steps: [{ ...script.steps[0], at: '08:00:00' }, script.steps[1]] }))
      .toThrow(/bad-script\.json: steps\[1\]\.at: steps must be in time order/);
  });
});
