// Live estimates of mean service time: from the hall's recorded days (same
// weekday and hour), not the configured guess, in the engine and in the live
// controller started on a database of recorded days.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import Database from 'better-sqlite3';
import { RecordedServiceTimes, samplesFromEvents, MIN_SAMPLES, type ServiceTimeSample } from '../../firmware/routing/service-times.ts';
import { liveServiceTimes, recordedServiceTimes, recordedSamples } from '../../firmware/routing/recorded.ts';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { SqliteStore } from '../../firmware/eventlog/sqlite-store.ts';
import { startController } from '../../firmware/controller/service.ts';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { loadHallConfig, parseHallConfig } from '../../firmware/config/hall.ts';
import { driveWeek } from '../../firmware/stats/demo-week.ts';
import { localToMs, localSecondOfDay, localWeekday, VirtualClock } from '../../firmware/lib/time.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

const TZ = 'Asia/Shanghai';
const at = (day: string, hhmm: string) => localToMs(day, +hhmm.slice(0, 2) * 3600 + +hhmm.slice(3) * 60, TZ);
const samples = (service: string, day: string, hhmm: string, n: number, durationS: number): ServiceTimeSample[] =>
  Array.from({ length: n }, (_, i) => ({ service, startedAtMs: at(day, hhmm) + i * 1000, durationS }));

describe('recorded service times', () => {
  it('pairs each start with its completion, and drops a start that ended otherwise', () => {
    const ev = (kind: string, t: number, ticket: string, service = 'R', day = '2026-11-16') => ({ kind, at: t * 1000, day, ticket, service });
    const out = [...samplesFromEvents([
      ev('ticket-started', 10, 'A001'), ev('ticket-started', 20, 'A002'), ev('ticket-completed', 70, 'A001'),
      ev('ticket-transferred', 30, 'A002', 'P'), ev('ticket-started', 100, 'A002', 'P'), ev('ticket-completed', 190, 'A002', 'P'),
      ev('ticket-completed', 200, 'A003'), // never started: no sample
      ev('ticket-started', 5, 'A001', 'R', '2026-11-17'), ev('ticket-no-show', 6, 'A001', 'R', '2026-11-17'),
    ])];
    expect(out).toEqual([
      { service: 'R', startedAtMs: 10_000, durationS: 60 },
      { service: 'P', startedAtMs: 100_000, durationS: 90 },
    ]);
  });

  it('adds and drops days, the means following', () => {
    const t = new RecordedServiceTimes([], TZ);
    t.addDay('2026-11-16', samples('R', '2026-11-16', '09:10', MIN_SAMPLES, 40));
    t.addDay('2026-11-23', samples('R', '2026-11-23', '09:10', MIN_SAMPLES, 80));
    expect(t.meanS('R', 1, 9)).toBe(60);
    const v = t.version;
    t.dropDay('2026-11-16');
    expect(t.version).toBeGreaterThan(v);
    expect(t.meanS('R', 1, 9)).toBe(80);
    t.addDay('2026-11-23', samples('R', '2026-11-23', '09:10', MIN_SAMPLES, 50)); // replaced, not added twice
    expect(t.meanS('R', 1, 9)).toBe(50);
    expect(t.samples).toBe(MIN_SAMPLES);
    t.dropDay('2026-11-23');
    expect(t.meanS('R', 1, 9)).toBeUndefined();
    expect(t.dayList()).toEqual([]);
  });

  it('gives the same weekday and hour, else the same hour, else the service, else nothing', () => {
    const t = new RecordedServiceTimes([
      ...samples('R', '2026-11-16', '09:10', MIN_SAMPLES, 40), // Monday 9 h
      ...samples('R', '2026-11-17', '09:10', MIN_SAMPLES, 80), // Tuesday 9 h
      ...samples('R', '2026-11-17', '14:10', MIN_SAMPLES - 1, 500), // thin: Tuesday 14 h
      ...samples('P', '2026-11-16', '10:05', 3, 100), // too few anywhere
      { service: 'R', startedAtMs: at('2026-11-16', '09:30'), durationS: 9 * 3600 }, // a window left serving: dropped
    ], TZ);
    expect(t.meanS('R', 1, 9)).toBe(40);
    expect(t.meanS('R', 2, 9)).toBe(80);
    expect(t.meanS('R', 3, 9)).toBe(60); // Wednesday: 9 h of any weekday
    expect(t.meanS('R', 2, 14)).toBeCloseTo((40 * 20 + 80 * 20 + 500 * 19) / 59, 9); // thin hour: the service's mean
    expect(t.meanS('P', 1, 10)).toBeUndefined();
    expect(t.count('R', 2, 14)).toBe(MIN_SAMPLES - 1);
  });

  it('the engine starts each hour from the recorded mean, not the configured guess, and blends in today', () => {
    const hall = loadHallConfig();
    const table = new RecordedServiceTimes([
      ...samples('registration', '2026-11-16', '08:10', 40, 50),
      ...samples('registration', '2026-11-16', '09:10', 40, 70),
    ], TZ);
    const clock = new VirtualClock(at('2026-11-23', '08:00'));
    const e = new HallEngine({ hall, clock, serviceTimes: table });
    const mean = () => e.model.routingServices.get('registration')!.meanServiceS;
    e.tick(at('2026-11-23', '08:00'));
    expect(hall.services.find((s) => s.id === 'registration')!.expectedServiceS).toBe(32);
    expect(mean()).toBe(50);
    e.tick(at('2026-11-23', '09:00'));
    expect(mean()).toBe(70);
    // Without recorded days the configured guess stays the prior.
    const plain = new HallEngine({ hall, clock });
    plain.tick(at('2026-11-23', '09:00'));
    expect(plain.model.routingServices.get('registration')!.meanServiceS).toBe(32);
    // Today's observations blend in (a prior worth three of them).
    e.window('1', { id: 'o', action: 'open' }, at('2026-11-23', '09:01'));
    e.kiosk('k', { op: 'ticket', id: 't', service: 'registration', priority: 'normal' }, at('2026-11-23', '09:02'));
    e.window('1', { id: 'c', action: 'call-next' }, at('2026-11-23', '09:03'));
    e.window('1', { id: 's', action: 'start' }, at('2026-11-23', '09:03'));
    e.window('1', { id: 'd', action: 'complete' }, at('2026-11-23', '09:03') + 10_000);
    expect(mean()).toBeCloseTo((70 * 3 + 10) / 4, 9);
  });
});

describe('the live controller', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manyi-st-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the recorded days of its database, same weekday and hour, when it starts', async () => {
    // A configured guess far from what the hall does: the recorded days must win.
    const base = loadHallConfig();
    const hall = parseHallConfig({ ...base, services: base.services.map((s) => ({ ...s, expectedServiceS: 999 })) });
    const db = join(dir, 'controller.db');
    const days = ['2026-11-09', '2026-11-10', '2026-11-16']; // two Mondays and a Tuesday
    const seedStore = new SqliteStore(db, { clock: new VirtualClock(at(days[0]!, '07:00')) });
    seedStore.db.pragma('synchronous = OFF'); // a file of simulated days: no need to sync each command
    const open = hall.services.flatMap((s) => hall.windows.filter((w) => w.own.includes(s.id)).slice(0, 2).map((w) => w.id));
    driveWeek(new HallEngine({ hall: base, store: seedStore }), { days, ticketsPerDay: 400, seed: 3, windows: [...new Set(open)] });
    seedStore.close();

    // What the hall recorded at 10 h on Mondays, read independently of the table.
    const raw = new Database(db, { readonly: true });
    const monday10 = recordedSamples(raw, '2026-11-01', '2026-11-22').filter((x) =>
      x.service === 'registration' && localWeekday(x.startedAtMs, TZ) === 1 && Math.floor(localSecondOfDay(x.startedAtMs, TZ) / 3600) === 10);
    const table = recordedServiceTimes(raw, TZ, '2026-11-23');
    // The live table: the 56 days before today, kept as days pass (the newest added, the oldest dropped).
    let now = at('2026-11-23', '10:00');
    const live = liveServiceTimes(raw, TZ, () => now);
    await live.ready();
    expect(live.dayList()).toHaveLength(56);
    expect(live.dayList().at(-1)).toBe('2026-11-22');
    expect(live.meanS('registration', 1, 10)).toBeCloseTo(table.meanS('registration', 1, 10)!, 9);
    now = at('2026-11-24', '08:00');
    live.meanS('registration', 2, 8);
    await live.ready();
    expect(live.dayList()[0]).toBe('2026-09-29');
    expect(live.dayList().at(-1)).toBe('2026-11-23');
    raw.close();
    expect(monday10.length).toBeGreaterThanOrEqual(MIN_SAMPLES);
    const expected = monday10.reduce((a, x) => a + x.durationS, 0) / monday10.length;
    expect(table.meanS('registration', 1, 10)).toBeCloseTo(expected, 9);

    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    const clock = new VirtualClock(at('2026-11-23', '10:15')); // the next Monday
    const c = await startController({ hall, dbPath: db, bus: new MqttBus(client, hall.hall.id), clock, log: pino({ level: 'silent' }), supervise: false });
    try {
      // The recorded days are read in the background, one day per turn of the event loop.
      await vi.waitFor(() => {
        c.engine.tick();
        expect(c.engine.model.routingServices.get('registration')!.meanServiceS).toBeCloseTo(expected, 6);
      }, { timeout: 20_000, interval: 50 });
      expect(expected).toBeLessThan(300);
    } finally {
      await c.stop();
      await client.endAsync();
      await broker.close();
    }
  }, 60_000);
});
