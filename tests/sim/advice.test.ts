// Redirect advice: given when a queue or its predicted wait passes the hall's
// threshold, naming the windows (and floors) that also take the service and
// their wait, or the self-service alternative; silent otherwise.
import { describe, expect, it } from 'vitest';
import { adviseRedirects, nameRanges, type AdviceInput } from '../../firmware/routing/advice.ts';

const win = (id: string, floor: string, own: string[], overflow: string[], status: 'open' | 'closed' = 'open') =>
  ({ id, name: id, floor, own, overflow, status, busy: true });
const pay = { zh: '收费', en: 'Payment' };

function input(waiting: number, estWaitS: number, over: Partial<AdviceInput> = {}): AdviceInput {
  return {
    services: [{ id: 'P', name: pay, waiting, estWaitS }],
    windows: [win('6', '1F', ['P'], []), win('12', '2F', ['D'], ['P']), win('13', '2F', ['D'], ['P']), win('14', '2F', ['D'], ['P']),
      win('15', '2F', ['D'], ['P'], 'closed')],
    overflowWaitS: () => 240,
    thresholds: { adviceQueueLength: 25, adviceWaitS: 900 },
    ...over,
  };
}

describe('redirect advice', () => {
  it('is silent below both thresholds', () => {
    expect(adviseRedirects(input(24, 600))).toEqual([]);
  });

  it('names the open overflow windows, their floor and wait once the queue reaches 25', () => {
    const [a] = adviseRedirects(input(25, 1080));
    expect(a!.service).toBe('P');
    expect(a!.windows).toEqual(['12', '13', '14']);
    expect(a!.text.en).toBe('Payment: 25 waiting, about 18 min; 2F windows 12–14 also take payment, about 4 min');
    expect(a!.text.zh).toContain('12–14号窗口也办理收费，约4分钟');
  });

  it('is given on a long predicted wait even with a short queue', () => {
    expect(adviseRedirects(input(5, 1000))).toHaveLength(1);
  });

  it('points to self-service when no other window is quicker, and stays silent without one', () => {
    const slow = input(30, 600, { overflowWaitS: () => 900 });
    expect(adviseRedirects(slow)).toEqual([]);
    // sooner by seconds only: the same minute on the board is no reason to walk
    expect(adviseRedirects(input(30, 80, { overflowWaitS: () => 50 }))).toEqual([]);
    expect(adviseRedirects(input(30, 100, { overflowWaitS: () => 50 }))).toHaveLength(1);
    const self = input(30, 600, { overflowWaitS: () => 900 });
    self.services[0]!.selfService = { zh: '自助缴费机', en: 'the self-service payment machines' };
    const [a] = adviseRedirects(self);
    expect(a!.windows).toEqual([]);
    expect(a!.text.en).toContain('you may also use the self-service payment machines');
  });

  it('joins runs of window numbers', () => {
    expect(nameRanges(['1', '2', '3', '5', '7', '8', 'A'], ', ')).toBe('1–3, 5, 7, 8, A');
    // Only whole numbers, only rising by one, form a run.
    expect(nameRanges(['1.5', '2.5', '3.5'], ', ')).toBe('1.5, 2.5, 3.5');
    expect(nameRanges(['1.0', '2', '3'], ', ')).toBe('1.0, 2, 3');
    expect(nameRanges(['1', '2', '3.0'], ', ')).toBe('1, 2, 3.0');
    expect(nameRanges(['3', '2', '1'], '、')).toBe('3、2、1');
    expect(nameRanges(['A1', 'A2', 'A3', '4', '5', '6'], ', ')).toBe('A1, A2, A3, 4–6');
    expect(nameRanges([], ', ')).toBe('');
  });

  it('counts a threshold reached as passed, the queue and the wait alike', () => {
    expect(adviseRedirects(input(25, 600))).toHaveLength(1);
    expect(adviseRedirects(input(5, 900))).toHaveLength(1);
    expect(adviseRedirects(input(5, 899))).toEqual([]);
  });

  it('writes both languages whole, floors and windows joined in each', () => {
    const twoFloors = input(30, 1200, { windows: [win('3', '1F', ['R'], ['P']), win('12', '2F', ['D'], ['P']), win('13', '2F', ['D'], ['P'])] });
    const [a] = adviseRedirects(twoFloors);
    expect(a!.windows).toEqual(['3', '12', '13']);
    expect(a!.text.zh).toBe('收费：30人等候，约20分钟；1F、2F 3、12、13号窗口也办理收费，约4分钟');
    expect(a!.text.en).toBe('Payment: 30 waiting, about 20 min; 1F, 2F windows 3, 12, 13 also take payment, about 4 min');
  });

  it('sends to self-service, in both languages, when no window takes the service as overflow however short its wait', () => {
    const alone = input(30, 1200, { windows: [win('6', '1F', ['P'], [])], overflowWaitS: () => 0 });
    expect(adviseRedirects(alone)).toEqual([]);
    alone.services[0]!.selfService = { zh: '自助缴费机', en: 'the self-service payment machines' };
    expect(adviseRedirects(alone)).toEqual([{
      service: 'P', windows: [],
      text: { zh: '收费：30人等候，约20分钟；也可使用自助缴费机', en: 'Payment: 30 waiting, about 20 min; you may also use the self-service payment machines' },
    }]);
  });
});
