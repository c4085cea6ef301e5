// Staffing advice: windows per service and hour keeping P(wait > limit) under the
// target, from a scenario's rates or from recorded arrivals of one weekday.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import { register } from '../../firmware/sim/cli.ts';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hourlyRates, recordedRates, staffingPlan, formatStaffing, staffingSvg, planFromRates } from '../../firmware/sim/staffing.ts';
import { probWaitOver } from '../../firmware/sim/erlang.ts';
import { loadScenario } from '../../firmware/sim/scenario.ts';
import { localToMs } from '../../firmware/lib/time.ts';
import type { HallEvent } from '../../firmware/eventlog/schema.ts';
import { ARTIFACTS } from '../setup/global.ts';
import { benchFile } from './fixtures.ts';

describe('staffing advice', () => {
  const monday = loadScenario(benchFile('hospital-monday.json'));

  it('staffs each hour for its busiest span and meets the target with no window to spare', () => {
    expect(hourlyRates(monday, 'R').get(8)).toBe(840);
    expect(hourlyRates(monday, 'R').get(7)).toBe(480);
    const plan = staffingPlan(monday, 0.05);
    const r8 = plan.rows.find((r) => r.service === 'R')!.cells.find((c) => c.hour === 8)!;
    expect(r8.windows).toBeGreaterThan(840 * 32 / 3600); // more than the offered load
    expect(r8.pOver).toBeLessThanOrEqual(0.05);
    expect(probWaitOver({ lambdaPerS: 840 / 3600, meanServiceS: 32, servers: r8.windows - 1 }, 900)).toBeGreaterThan(0.05);
    // Noon has no registration arrivals: no window needed.
    expect(plan.rows.find((r) => r.service === 'R')!.cells.find((c) => c.hour === 12)!.windows).toBe(0);
    // A stricter target never needs fewer windows.
    const strict = staffingPlan(monday, 0.01);
    strict.rows.forEach((row, i) => row.cells.forEach((c, j) => expect(c.windows).toBeGreaterThanOrEqual(plan.rows[i]!.cells[j]!.windows)));
  });

  it('reads rates from the recorded arrivals of one weekday, averaged over days', () => {
    const tz = 'Asia/Shanghai';
    const ev = (day: string, h: number): HallEvent => {
      const at = localToMs(day, h * 3600 + 60, tz);
      return { kind: 'ticket-issued', at, day, ticket: 'A001', service: 'R', priority: false, kiosk: 'k1', arrivedAt: at };
    };
    // Two Mondays (3 and 1 arrivals at 9 h) and a Tuesday that must not count.
    const events = [ev('2026-11-16', 9), ev('2026-11-16', 9), ev('2026-11-16', 9), ev('2026-11-23', 9), ev('2026-11-24', 9)];
    const rates = recordedRates(events, tz, 1);
    expect(rates.get('R')!.get(9)).toBe(2);
    const plan = planFromRates(rates, new Map([['R', 60]]), 900, 0.05);
    expect(plan.rows[0]!.cells[0]!.windows).toBe(1);
    expect(() => planFromRates(rates, new Map(), 900, 0.05)).toThrow(/no service time known for R/);
  });

  it('manyi staffing prints the table and writes the chart', async () => {
    const svg = join(ARTIFACTS, 'staffing-monday.svg');
    rmSync(svg, { force: true });
    const bin = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;
    const out = execFileSync(process.execPath, [bin, 'staffing', '--scenario', benchFile('hospital-monday.json'), '--target', '0.05', '--svg', svg], { encoding: 'utf8' });
    const text = formatStaffing(staffingPlan(monday, 0.05));
    expect(out).toContain(text);
    expect(readFileSync(svg, 'utf8')).toBe(staffingSvg(staffingPlan(monday, 0.05)));
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const program = new Command('manyi').exitOverride();
    register(program);
    await expect(program.parseAsync(['node', 'manyi', 'staffing', '--scenario', benchFile('hospital-monday.json'), '--target', '2']))
      .rejects.toThrow(/--target must be between 0 and 1/);
  });
});
