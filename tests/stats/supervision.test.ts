import { describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { localToMs } from '../../firmware/lib/time.ts';
import { Alert } from '../../firmware/protocol/messages.ts';
import { evaluateAlerts, Supervisor, type SupervisionInput } from '../../firmware/supervision/index.ts';

const hall = loadHallConfig();
const tz = hall.hall.timezone;
const at = (hhmm: string) => localToMs('2026-11-23', +hhmm.slice(0, 2) * 3600 + +hhmm.slice(3, 5) * 60, tz);

function input(nowMs: number, over: Partial<SupervisionInput> = {}): SupervisionInput {
  return { nowMs, hall, waiting: [], serving: [], windows: [], devices: [], ratings: [], ...over };
}

describe('evaluateAlerts', () => {
  it('raises a wait alert only past the service limit, measured from arrival', () => {
    const now = at('09:30');
    const waiting = [
      { ticket: 'A010', service: 'registration', arrivedAt: now - 901_000 },
      { ticket: 'A011', service: 'registration', arrivedAt: now - 899_000 },
    ];
    const alerts = evaluateAlerts(input(now, { waiting }));
    expect(alerts.map((a) => a.id)).toEqual(['wait-over-limit:A010']);
    expect(alerts[0]).toMatchObject({ kind: 'wait-over-limit', ticket: 'A010', service: 'registration', state: 'raised' });
    expect(alerts[0].message).toMatch(/A010.*15 min limit/);
    expect(() => Alert.parse(alerts[0])).not.toThrow();
  });

  it('raises service-over-limit with window and staff, only once the service has started', () => {
    const now = at('10:00');
    const serving = [
      { ticket: 'B002', service: 'payment', window: '6', staff: 's006', calledAt: now - 400_000, startedAt: now - 301_000 },
      { ticket: 'B003', service: 'payment', window: '7', calledAt: now - 4_000_000 },
    ];
    const [a, ...rest] = evaluateAlerts(input(now, { serving }));
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ kind: 'service-over-limit', window: '6', staff: 's006', ticket: 'B002' });
    expect(a.message).toContain('杨磊'); // staff name from the hall config
  });

  it('raises window-paused-long only during opening hours', () => {
    const pausedSince = at('16:40');
    const windows = [{ id: '3', status: 'paused' as const, since: pausedSince, staff: 's003' }];
    expect(evaluateAlerts(input(at('16:50'), { windows }))).toHaveLength(0); // 10 min = not longer than 600 s
    expect(evaluateAlerts(input(at('16:51'), { windows }))[0]).toMatchObject({ kind: 'window-paused-long', window: '3' });
    expect(evaluateAlerts(input(at('17:05'), { windows }))).toHaveLength(0); // hall closed at 17:00
    // A pause left on overnight counts from opening, not from yesterday.
    const overnight = [{ id: '3', status: 'paused' as const, since: at('07:00') - 86_400_000 }];
    expect(evaluateAlerts(input(at('07:35'), { windows: overnight }))).toHaveLength(0);
    expect(evaluateAlerts(input(at('07:41'), { windows: overnight }))).toHaveLength(1);
  });

  it('raises unsatisfied ratings with the reason, and forgets them after ratingAlertS', () => {
    const now = at('11:00');
    const ratings = [
      { ticket: 'B020', service: 'payment', window: '8', staff: 's008', score: 'very-unsatisfied' as const, reason: 'slow', at: now - 60_000 },
      { ticket: 'B021', service: 'payment', window: '8', score: 'satisfied' as const, at: now - 30_000 },
    ];
    const alerts = evaluateAlerts(input(now, { ratings }));
    expect(alerts).toHaveLength(1);
    expect(alerts[0].message).toContain('办理太慢');
    expect(alerts[0].message).toContain('Too slow');
    expect(evaluateAlerts(input(now + 900_000, { ratings }))).toHaveLength(0);
  });

  it('reports offline devices and printer trouble, but not a stale printer state of an offline kiosk', () => {
    const now = at('09:00');
    const devices = [
      { id: 'kiosk-1', role: 'kiosk' as const, online: true, lastSeenMs: now - 5_000, printer: 'paper-low' as const },
      { id: 'kiosk-2', role: 'kiosk' as const, online: true, lastSeenMs: now - 31_000, printer: 'paper-out' as const },
      { id: 'counter-3', role: 'counter' as const, online: false, lastSeenMs: now - 1_000 },
      { id: 'kiosk-3', online: true, lastSeenMs: now - 1_000, printer: 'ok' as const },
    ];
    const ids = evaluateAlerts(input(now, { devices })).map((a) => a.id).sort();
    expect(ids).toEqual(['device-offline:counter-3', 'device-offline:kiosk-2', 'printer-paper-low:kiosk-1']);
  });
});

describe('Supervisor', () => {
  it('publishes an alert once when raised and once when cleared', () => {
    const sup = new Supervisor(hall);
    const t0 = at('09:00');
    const waiting = [{ ticket: 'A001', service: 'registration', arrivedAt: t0 - 1_000_000 }];
    const first = sup.tick(input(t0, { waiting }));
    expect(first.map((a) => [a.id, a.state])).toEqual([['wait-over-limit:A001', 'raised']]);
    expect(sup.tick(input(t0 + 1_000, { waiting }))).toEqual([]); // still raised: nothing new
    expect(sup.active()).toHaveLength(1);
    const cleared = sup.tick(input(t0 + 2_000, { waiting: [] })); // A001 was called
    expect(cleared).toHaveLength(1);
    expect(cleared[0]).toMatchObject({ id: 'wait-over-limit:A001', state: 'cleared', ticket: 'A001' });
    expect(cleared[0].at).toMatch(/^2026-11-23T09:00:02\.000\+08:00$/);
    expect(sup.active()).toEqual([]);
  });
});

describe('supervision fed from the engine', () => {
  it('raises and clears alerts as the hall changes', async () => {
    const { HallEngine } = await import('../../firmware/controller/engine.ts');
    const { DeviceWatch, RecentRatings, supervisionInput } = await import('../../firmware/supervision/index.ts');
    const engine = new HallEngine({ hall });
    const devices = new DeviceWatch();
    const ratings = new RecentRatings();
    engine.onEvent((e) => ratings.add(e));
    const sup = new Supervisor(hall);
    const t0 = at('08:00');
    engine.tick(t0);
    const tick = (now: number) => sup.tick(supervisionInput(engine.model, now, devices, ratings));
    const ok = <T extends { ok: boolean }>(r: T) => { expect(r.ok).toBe(true); return r; };
    ok(engine.window('1', { id: 'o1', action: 'open', staff: 's001' }, t0));
    ok(engine.window('2', { id: 'o2', action: 'open', staff: 's002' }, t0));
    ok(engine.window('2', { id: 'p2', action: 'pause' }, t0 + 1_000));
    ok(engine.kiosk('kiosk-1', { op: 'ticket', id: 'k1', service: 'registration' }, t0 + 2_000));
    expect(tick(t0 + 60_000)).toEqual([]);
    // 16 minutes on: A001 has waited past 15 min, window 2 paused past 10 min.
    const raised = tick(t0 + 16 * 60_000);
    expect(raised.map((a) => a.kind).sort()).toEqual(['wait-over-limit', 'window-paused-long']);
    expect(raised.find((a) => a.kind === 'window-paused-long')).toMatchObject({ window: '2', staff: 's002' });
    // Window 1 calls A001, serves it, and gets a bad rating; window 2 resumes.
    const t1 = t0 + 17 * 60_000;
    ok(engine.window('1', { id: 'c1', action: 'call-next' }, t1));
    ok(engine.window('1', { id: 's1', action: 'start' }, t1 + 10_000));
    ok(engine.window('1', { id: 'd1', action: 'complete' }, t1 + 40_000));
    ok(engine.rate('1', { id: 'r1', ticket: 'A001', score: 'unsatisfied', reason: 'attitude' }, t1 + 45_000));
    ok(engine.window('2', { id: 'r2', action: 'resume' }, t1 + 45_000));
    const changes = tick(t1 + 46_000);
    expect(changes.filter((a) => a.state === 'cleared').map((a) => a.kind).sort()).toEqual(['wait-over-limit', 'window-paused-long']);
    const bad = changes.find((a) => a.state === 'raised')!;
    expect(bad).toMatchObject({ kind: 'unsatisfied-rating', window: '1', staff: 's001', ticket: 'A001' });
    expect(bad.message).toContain('服务态度差');
  });
});

describe('skipping kinds raised elsewhere', () => {
  it('leaves out the kinds it is told to', () => {
    const now = at('09:30');
    const waiting = [{ ticket: 'A010', service: 'registration', arrivedAt: now - 1_000_000 }];
    const devices = [{ id: 'kiosk-9', online: false, lastSeenMs: now }];
    expect(evaluateAlerts(input(now, { waiting, devices })).map((a) => a.kind).sort()).toEqual(['device-offline', 'wait-over-limit']);
    expect(evaluateAlerts(input(now, { waiting, devices }), { skip: ['wait-over-limit'] }).map((a) => a.kind)).toEqual(['device-offline']);
  });
});
