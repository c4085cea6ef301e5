// The family of generated halls: the same seed gives the same hall anywhere, and
// the halls have the shape issue #13 asks for (services, windows, wiring,
// service times, load with peaks past capacity).
import { describe, expect, it } from 'vitest';
import { apportion, randomHall, randomHalls } from '../../firmware/sim/random-hall.ts';
import { hhmmToS } from '../../firmware/lib/time.ts';
import { scenarioToHallConfig, type Scenario } from '../../firmware/sim/scenario.ts';
import { serviceAlone } from '../../firmware/sim/family.ts';
import { Command } from 'commander';
import { register } from '../../firmware/sim/cli.ts';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../firmware/sim/scenario.ts';

/** Offered work ÷ window capacity, per 30-minute span and over the opening hours. */
function load(s: Scenario): { mean: number; peak: number } {
  const mean = new Map(s.services.map((x) => [x.id, x.serviceTime.meanS]));
  const open = hhmmToS(s.open), close = hhmmToS(s.close);
  let work = 0, peak = 0;
  for (let t = open; t < close; t += 1800) {
    let rate = 0;
    for (const [id, spans] of Object.entries(s.arrivals)) {
      for (const [a, b, perHour] of spans) if (t >= hhmmToS(a) && t < hhmmToS(b)) rate += (perHour / 3600) * mean.get(id)!;
    }
    work += rate * 1800;
    peak = Math.max(peak, rate / s.windows.length);
  }
  return { mean: work / ((close - open) * s.windows.length), peak };
}

describe('generated halls', () => {
  const halls = randomHalls(1, 30);

  it('are the same for the same family and index, and differ otherwise', () => {
    expect(randomHall(1, 7)).toEqual(halls[7]);
    expect(randomHall(2, 7)).not.toEqual(halls[7]);
    expect(new Set(halls.map((h) => JSON.stringify(h.windows))).size).toBe(30);
  });

  it('have 3–8 services with lognormal times (mean 30–400 s, cv 0.3–1) and 8–30 windows wired 1–2 own, 0–3 overflow', () => {
    for (const h of halls) {
      expect(h.services.length).toBeGreaterThanOrEqual(3);
      expect(h.services.length).toBeLessThanOrEqual(8);
      expect(h.windows.length).toBeGreaterThanOrEqual(8);
      expect(h.windows.length).toBeLessThanOrEqual(30);
      for (const s of h.services) {
        expect(s.serviceTime.dist).toBe('lognormal');
        expect(s.serviceTime.meanS).toBeGreaterThanOrEqual(30);
        expect(s.serviceTime.meanS).toBeLessThanOrEqual(400);
        if (s.serviceTime.dist === 'lognormal') {
          expect(s.serviceTime.cv).toBeGreaterThanOrEqual(0.3);
          expect(s.serviceTime.cv).toBeLessThanOrEqual(1);
        }
        expect(h.windows.some((w) => w.own.includes(s.id)), `${h.name} ${s.id} has an own window`).toBe(true);
      }
      for (const w of h.windows) {
        expect(w.own.length).toBeGreaterThanOrEqual(1);
        expect(w.own.length).toBeLessThanOrEqual(2);
        expect(w.overflow.length).toBeLessThanOrEqual(3);
        expect(w.overflow.some((x) => w.own.includes(x))).toBe(false);
      }
      // Some services are nobody's overflow.
      expect(h.services.some((s) => !h.windows.some((w) => w.overflow.includes(s.id))), h.name).toBe(true);
      // Every generated hall is a valid hall configuration.
      expect(() => scenarioToHallConfig(h)).not.toThrow();
    }
    // Across the family every shape occurs.
    expect(new Set(halls.map((h) => h.services.length)).size).toBeGreaterThanOrEqual(5);
    expect(halls.some((h) => h.windows.some((w) => w.own.length === 2))).toBe(true);
    expect(halls.some((h) => h.windows.some((w) => w.overflow.length === 3))).toBe(true);
    expect(halls.some((h) => h.windows.some((w) => w.overflow.length === 0))).toBe(true);
  });

  it('load the windows 0.75–0.95 over the day, with a morning peak past capacity on the busy ones', () => {
    for (const h of halls) {
      const l = load(h);
      expect(l.mean, h.name).toBeGreaterThan(0.74);
      expect(l.mean, h.name).toBeLessThan(0.96);
      // The busiest span is in the morning or in the afternoon bump, never at closing.
      expect(l.peak).toBeGreaterThan(l.mean);
    }
    const loads = halls.map(load);
    expect(loads.filter((l) => l.peak > 1).length).toBeGreaterThanOrEqual(10);
    expect(loads.filter((l) => l.mean > 0.9).length).toBeGreaterThanOrEqual(3);
    expect(loads.filter((l) => l.mean < 0.8).length).toBeGreaterThanOrEqual(3);
  });

  it('staff each service roughly in proportion to its work', () => {
    let agree = 0, pairs = 0;
    for (const h of halls) {
      const work = h.services.map((s) => (h.arrivals[s.id] ?? []).reduce((n, [a, b, r]) => n + (r * (hhmmToS(b) - hhmmToS(a))) / 3600, 0) * s.serviceTime.meanS);
      const own = h.services.map((s) => h.windows.filter((w) => w.own[0] === s.id).length);
      for (let i = 0; i < work.length; i++) for (let j = i + 1; j < work.length; j++) {
        if (own[i] === own[j]) continue;
        pairs++;
        if ((work[i]! - work[j]!) * (own[i]! - own[j]!) > 0) agree++;
      }
    }
    expect(agree / pairs).toBeGreaterThan(0.8);
  });

  it('apportions windows by largest remainder, each part at least one', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(8, [0.7, 0.2, 0.1])).toEqual([5, 2, 1]);
    expect(() => apportion(2, [1, 1, 1])).toThrow(/at least 1/);
  });

  it('a service alone keeps its arrivals and every window allowed to take it', () => {
    const h = halls[3]!;
    const s = h.services[0]!.id;
    const alone = serviceAlone(h, s);
    expect(alone.services.map((x) => x.id)).toEqual([s]);
    expect(alone.windows.map((w) => w.id)).toEqual(h.windows.filter((w) => w.own.includes(s) || w.overflow.includes(s)).map((w) => w.id));
    expect(alone.arrivals[s]).toEqual(h.arrivals[s]);
  });

  it('manyi simulate --random-halls runs and writes the family; one of --scenario and --random-halls is required', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manyi-halls-'));
    const lines: string[] = [];
    const log = console.log;
    console.log = (x: string) => { lines.push(x); };
    try {
      const program = new Command('manyi').exitOverride();
      register(program);
      await program.parseAsync(['node', 'manyi', 'simulate', '--random-halls', '2', '--seed', '1', '--seeds', '1', '--policy', 'eligible-fcfs', '--json', '--out', dir]);
    } finally {
      console.log = log;
    }
    const out = JSON.parse(lines.join('')) as Array<{ scenario: string; services: Record<string, { overLimitShare: number; meanWaitS: number; p95WaitS: number }> }>;
    expect(out.map((r) => r.scenario)).toEqual(['random-1-0', 'random-1-1']);
    expect(Object.keys(out[1]!.services)).toEqual(halls[1]!.services.map((s) => s.id));
    for (const f of Object.values(out[1]!.services)) expect(f.p95WaitS).toBeGreaterThanOrEqual(0);
    expect(readdirSync(dir).sort()).toEqual(['random-1-0.json', 'random-1-1.json']);
    expect(loadScenario(join(dir, 'random-1-1.json'))).toEqual(halls[1]);
    rmSync(dir, { recursive: true, force: true });
    const program = new Command('manyi').exitOverride();
    register(program);
    await expect(program.parseAsync(['node', 'manyi', 'simulate', '--seeds', '1'])).rejects.toThrow(/either --scenario FILE or --random-halls N/);
  }, 60_000);
});
