import { describe, expect, it } from 'vitest';
import { BoardModel } from '../../signage/board/model.ts';
import { HALL, hallState, iso } from './helpers.ts';

const call = (no: string, window: string, at: string, recall = false) =>
  JSON.stringify({ no, window, service: 'registration', at, recall, text: { zh: '', en: '' } });

describe('lobby board model', () => {
  it('lists each call once: retained history, then the live event, a duplicate delivery, and a recall that moves it to the top', () => {
    const m = new BoardModel(HALL);
    const t = Date.now();
    m.takeHallState(JSON.stringify(hallState({ recentCalls: [
      { no: 'A002', window: '2', service: 'registration', at: iso(t - 1000) },
      { no: 'A001', window: '1', service: 'registration', at: iso(t - 2000) },
    ] })), t);
    expect(m.view(t).calls.map((c) => c.no)).toEqual(['A002', 'A001']);
    const at3 = iso(t);
    m.takeCall(call('A003', '3', at3));
    m.takeCall(call('A003', '3', at3)); // QoS 1 duplicate
    m.takeHallState(JSON.stringify(hallState({ recentCalls: [{ no: 'A003', window: '3', service: 'registration', at: at3 }] })), t);
    expect(m.view(t).calls.map((c) => c.no)).toEqual(['A003', 'A002', 'A001']);
    m.takeCall(call('A001', '1', iso(t + 1000), true));
    const v = m.view(t);
    expect(v.calls.map((c) => c.no)).toEqual(['A001', 'A003', 'A002']);
    expect(v.calls[0]).toMatchObject({ recall: true, floor: '1F', floorName: { zh: '1楼', en: '1F' } });
  });

  it('refuses bad messages without changing anything', () => {
    const m = new BoardModel(HALL);
    expect(m.takeCall('{"no":"nope"}')).toBeNull();
    expect(m.takeHallState('not json', Date.now())).toBe(false);
    expect(m.takeWindowState('3', '{"status":"sleeping"}')).toBe(false);
    expect(m.view(Date.now()).calls).toEqual([]);
    expect(m.hallState).toBeNull();
  });

  it('a board configured with services and windows shows only those', () => {
    const m = new BoardModel(HALL, { services: ['payment'], windows: ['6', '7', '15'] });
    m.takeHallState(JSON.stringify(hallState()), Date.now());
    const v = m.view(Date.now());
    expect(v.services.map((s) => s.id)).toEqual(['payment']);
    expect(v.services[0].windows).toEqual(['6', '7', '15']);
    expect(v.windows.map((w) => w.id)).toEqual(['6', '7', '15']);
  });
});
