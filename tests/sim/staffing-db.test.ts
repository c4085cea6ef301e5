// Staffing from what happened: `manyi staffing --db` on a database made by
// `manyi stats-seed` (simulated days driven through the engine) reads the
// recorded arrivals of one weekday, proposes windows by Erlang C, checks the
// proposal by simulating it through the engine, and the manager's page shows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import Database from 'better-sqlite3';
import { register as registerSim } from '../../firmware/sim/cli.ts';
import { register as registerStats } from '../../firmware/stats/cli.ts';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { recordedArrivals } from '../../firmware/routing/recorded.ts';
import { recordedRates, staffingSvg, type StaffingPlan } from '../../firmware/sim/staffing.ts';
import { parseWeekday, staffingFromRecorded, type RecordedStaffing } from '../../firmware/sim/staffing-recorded.ts';
import { staffingSection, staffingView, staffingViewReady } from '../../firmware/stats/manager/staffing.ts';
import { probWaitOver } from '../../firmware/sim/erlang.ts';

async function run(register: (p: Command) => void, ...args: string[]): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...x: unknown[]) => { lines.push(x.join(' ')); };
  try {
    const program = new Command('manyi').exitOverride();
    register(program);
    await program.parseAsync(['node', 'manyi', ...args]);
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

describe('manyi staffing --db', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manyi-staffing-'));
  const db = join(dir, 'controller.db');
  const hall = loadHallConfig();
  beforeAll(async () => {
    // Eight days ending on a Monday: two Mondays, every other weekday once.
    await run(registerStats, 'stats-seed', '--db', db, '--days', '8', '--end', '2026-11-23', '--tickets', '300', '--seed', '5');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the recorded Mondays, proposes windows by Erlang C, and checks them through the engine', async () => {
    const svg = join(dir, 'monday.svg');
    const out = await run(registerSim, 'staffing', '--db', db, '--weekday', 'mon', '--check-seeds', '3', '--json', '--svg', svg);
    const r = JSON.parse(out) as RecordedStaffing;
    expect(r.weekday).toBe(1);
    expect(r.days).toEqual(['2026-11-16', '2026-11-23']);
    // The rates are the recorded arrivals of those Mondays per hour, averaged over the two.
    const raw = new Database(db, { readonly: true });
    const rates = recordedRates(recordedArrivals(raw, '2026-11-01', '2026-11-30'), hall.hall.timezone, 1);
    raw.close();
    for (const row of r.erlang.rows) {
      for (const c of row.cells) {
        expect(c.perHour, `${row.service} ${c.hour}h`).toBeCloseTo(rates.get(row.service)?.get(c.hour) ?? 0, 9);
        // Erlang C: the fewest windows meeting the target.
        if (c.windows > 0) {
          const q = (n: number) => probWaitOver({ lambdaPerS: c.perHour / 3600, meanServiceS: row.meanServiceS, servers: n }, r.erlang.waitLimitS);
          expect(q(c.windows)).toBeLessThanOrEqual(0.05);
          if (c.windows > 1) expect(q(c.windows - 1)).toBeGreaterThan(0.05);
        }
      }
    }
    // Most of the demo week's arrivals come in the morning: the proposal staffs it more.
    const total = (p: StaffingPlan, h: number) => p.rows.reduce((n, row) => n + (row.cells.find((c) => c.hour === h)?.windows ?? 0), 0);
    expect(total(r.erlang, 8)).toBeGreaterThan(total(r.erlang, 15));
    // The check: the proposal simulated through the engine, windows added where it missed the target.
    expect(r.cells.length).toBeGreaterThan(0);
    r.checked.rows.forEach((row, i) => row.cells.forEach((c, j) => expect(c.windows).toBeGreaterThanOrEqual(r.erlang.rows[i]!.cells[j]!.windows)));
    if (r.meetsTarget) for (const c of r.cells) if (c.citizens > 0) expect(c.pOver).toBeLessThanOrEqual(0.05);
    expect(readFileSync(svg, 'utf8')).toBe(staffingSvg(r.checked));
    // The text output says what was read and both tables.
    const text = await run(registerSim, 'staffing', '--db', db, '--weekday', 'monday', '--check-seeds', '0');
    expect(text).toContain('2 recorded monday(s): 2026-11-16, 2026-11-23');
    expect(text).toContain('Erlang C, from the recorded arrivals and service times');
  }, 180_000);

  it('the same proposal as the library, and the manager page section shows its chart once worked out', async () => {
    const raw = new Database(db);
    try {
      const lib = staffingFromRecorded(raw, hall, { weekday: 1, target: 0.05, checkSeeds: 0 });
      // Worked out in the background: the first request says so.
      const first = staffingView(raw, hall, 1, '2026-11-24');
      expect('pending' in first).toBe(true);
      expect(staffingSection('en', first, () => '')).toContain('reload in a moment');
      const view = await staffingViewReady(raw, hall, 1, '2026-11-24');
      if (!('plan' in view)) throw new Error('no plan');
      expect(staffingView(raw, hall, 1, '2026-11-24')).toBe(view);
      expect(view.plan).toEqual(lib.erlang);
      const html = staffingSection('en', view, (d) => `/manager?staffing=${d}`);
      expect(html).toContain('<svg');
      expect(html).toContain('href="/manager?staffing=tue#staffing"');
      // Days before the first one recorded: the section says so.
      const none = await staffingViewReady(raw, hall, 3, '2026-11-10');
      expect('error' in none).toBe(true);
      expect(staffingSection('zh', none, () => '')).toContain('尚无该星期日的记录');
    } finally {
      raw.close();
    }
  });

  it('refuses bad input with a clear message', async () => {
    await expect(run(registerSim, 'staffing', '--db', db)).rejects.toThrow(/--db needs --weekday/);
    await expect(run(registerSim, 'staffing', '--db', db, '--weekday', 'someday')).rejects.toThrow(/--weekday must be a day name/);
    await expect(run(registerSim, 'staffing', '--db', join(dir, 'none.db'), '--weekday', 'mon')).rejects.toThrow(/no database at/);
    await expect(run(registerSim, 'staffing', '--weekday', 'mon')).rejects.toThrow(/either --scenario FILE or --db FILE/);
    await expect(run(registerSim, 'staffing', '--db', db, '--weekday', 'sat', '--from', '2026-11-16', '--to', '2026-11-20')).rejects.toThrow(/no sat recorded between 2026-11-16 and 2026-11-20/);
    expect(parseWeekday('0')).toBe(0);
    expect(parseWeekday('Sun')).toBe(0);
    expect(parseWeekday('WEDNESDAY')).toBe(3);
    expect(() => parseWeekday('mo')).toThrow();
  });
});
