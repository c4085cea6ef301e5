import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { synthesizeDay } from '../../firmware/stats/synthetic.ts';
import { openEventTables as createEventsTable, writeEvents } from '../../firmware/eventlog/sqlite-store.ts';

const run = promisify(execFile);
const BIN = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;
const hall = loadHallConfig();
let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'manyi-stats-cli-'));
  file = join(dir, 'controller.db');
  const db = new Database(file);
  createEventsTable(db);
  writeEvents(db, synthesizeDay(hall, '2026-11-19', { tickets: 300, seed: 1 }));
  writeEvents(db, synthesizeDay(hall, '2026-11-20', { tickets: 200, seed: 2 }));
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('manyi stats', () => {
  it('prints the figures of a range as JSON and as a table', async () => {
    const { stdout } = await run('node', [BIN, 'stats', '--db', file, '--from', '2026-11-19', '--to', '2026-11-20', '--json']);
    const st = JSON.parse(stdout);
    expect(st.days).toBe(2);
    expect(st.total.issued).toBe(500);
    expect(st.byDay.map((d: { issued: number }) => d.issued)).toEqual([300, 200]);
    const table = (await run('node', [BIN, 'stats', '--db', file, '--from', '2026-11-20', '--by', 'days'])).stdout;
    expect(table).toMatch(/^2026-11-20\s+200\s/m);
    expect(table).toMatch(/^total\s+200\s/m);
  });

  it('fails with one line naming the problem', async () => {
    const err = await run('node', [BIN, 'stats', '--db', file, '--from', '2026-11-31']).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr.trim()).toBe('manyi stats: from: not a calendar date');
    const missing = await run('node', [BIN, 'stats', '--db', join(dir, 'none.db')]).catch((e) => e);
    expect(missing.stderr).toContain('no database at');
  });

  it('stats-seed fills a new database through the engine, and refuses to seed it twice', async () => {
    const seeded = join(dir, 'demo.db');
    const out = (await run('node', [BIN, 'stats-seed', '--db', seeded, '--days', '2', '--end', '2026-11-18', '--tickets', '120'])).stdout;
    expect(out).toMatch(/2 day\(s\) 2026-11-17 – 2026-11-18/);
    const st = JSON.parse((await run('node', [BIN, 'stats', '--db', seeded, '--from', '2026-11-17', '--to', '2026-11-18', '--json'])).stdout);
    expect(st.days).toBe(2);
    expect(st.total.served).toBeGreaterThan(150);
    expect(st.total.satisfaction.rated).toBeGreaterThan(0);
    const again = await run('node', [BIN, 'stats-seed', '--db', seeded]).catch((e) => e);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds \d+ events/);
  });
});
