// The simulator end to end: seeded runs repeat exactly, bad scenarios are
// refused with their path, the CLI prints what the library computes.
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../firmware/sim/scenario.ts';
import { simulate } from '../../firmware/sim/run.ts';
import { simulateDay } from '../../firmware/sim/day.ts';
import { createHall } from '../../firmware/sim/make-hall.ts';
import { ConfigError } from '../../firmware/config/load.ts';
import { parseScenario } from '../../firmware/sim/scenario.ts';
import { benchFile } from './fixtures.ts';
import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import { register } from '../../firmware/sim/cli.ts';

const bin = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;
const manyi = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: 'pipe' });
async function runCli(...args: string[]): Promise<void> {
  const program = new Command('manyi').exitOverride();
  register(program);
  await program.parseAsync(['node', 'manyi', ...args]);
}

describe('simulator', () => {
  const monday = loadScenario(benchFile('hospital-monday.json'));

  it('repeats a seeded day exactly, and another seed gives another day', () => {
    const a = simulateDay(monday, createHall(monday, 'default'), 7);
    const b = simulateDay(monday, createHall(monday, 'default'), 7);
    const c = simulateDay(monday, createHall(monday, 'default'), 8);
    expect(a.calls.length).toBeGreaterThan(5000);
    expect(b.calls).toEqual(a.calls);
    expect(b.citizens.map((x) => x.waitS)).toEqual(a.citizens.map((x) => x.waitS));
    expect(c.calls).not.toEqual(a.calls);
  }, 60_000); // CPU-bound simulated days: seconds on an idle machine, more on a shared one

  it('refuses a bad scenario with the path of the problem', () => {
    expect(() => parseScenario({ ...monday, windows: [{ id: '1', floor: '1F', own: ['X'] }] }, 'bad.json'))
      .toThrow(ConfigError);
    expect(() => parseScenario({ ...monday, windows: [{ id: '1', floor: '1F', own: ['X'] }] }, 'bad.json'))
      .toThrow(/bad\.json: windows\[0\]\.own\[0\]: unknown service X/);
    expect(() => parseScenario({ ...monday, arrivals: { ...monday.arrivals, R: [['07:00', '08:00', 100]] } }, 'early.json'))
      .toThrow(/early\.json: arrivals\.R\[0\]: span 07:00–08:00 is outside opening hours 07:30–17:00/);
  });

  it('manyi simulate --json prints the averages as one object, and refuses bad input clearly', async () => {
    const r = JSON.parse(manyi('simulate', '--scenario', benchFile('hospital-day.json'), '--policy', 'default', '--seeds', '1', '--json'));
    expect(r).toMatchObject({ scenario: 'hospital-outpatient-day', policy: 'default', seeds: 1 });
    const same = simulate(loadScenario(benchFile('hospital-day.json')), 'default', { seeds: 1 });
    for (const k of ['citizens', 'meanWaitS', 'p95WaitS', 'maxWaitS', 'overLimitShare', 'maxQueue', 'utilisation'] as const) {
      expect(r[k], k).toBeCloseTo(same[k], 9);
    }
    expect(r.overLimitShare).toBeGreaterThanOrEqual(0);
    expect(r.overLimitShare).toBeLessThanOrEqual(1);
    // The error paths, in process (the same commander program the binary builds).
    await expect(runCli('simulate', '--scenario', benchFile('hospital-day.json'), '--policy', 'fastest')).rejects.toThrow(/unknown routing policy fastest/);
    await expect(runCli('simulate', '--scenario', '/nonexistent.json')).rejects.toThrow(/nonexistent\.json: cannot read/);
    await expect(runCli('simulate', '--scenario', benchFile('hospital-day.json'), '--seeds', '0')).rejects.toThrow(/--seeds must be a positive integer/);
  });

  it('plays no-shows and walking time through the engine: fewer served, same citizens called', () => {
    const civic = loadScenario(new URL('../../firmware/sim/scenarios/civic-centre.json', import.meta.url).pathname);
    const noShows = parseScenario({ ...civic, services: civic.services.map((x) => ({ ...x, noShowShare: 0.3 })) });
    const a = simulateDay(civic, createHall(civic, 'default'), 5);
    const b = simulateDay(noShows, createHall(noShows, 'default'), 5);
    expect(b.citizens.length).toBe(a.citizens.length);
    expect(b.citizens.every((c) => c.waitS !== undefined)).toBe(true);
    expect(b.utilisation).toBeLessThan(a.utilisation * 0.85);
  });
});
