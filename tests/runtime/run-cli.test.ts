import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MANYI = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'manyi-run-'));

function run(config: unknown, extra: string[] = []) {
  const file = join(dir, `board-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  const r = spawnSync(process.execPath, [MANYI, 'run', '--config', file, ...extra], { encoding: 'utf8', timeout: 20_000 });
  return { file, ...r };
}

const good = { device: 'counter-3', role: 'counter', hall: 'demo-hospital', window: '3', broker: { url: 'mqtt://127.0.0.1:1' } };

describe('manyi run with a bad configuration', () => {
  it('names the file, the path and the problem, and exits non-zero', () => {
    const r = run({ ...good, device: 'Counter 3', broker: { url: 'mqtt://x', port: 1883 } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(r.file);
    expect(r.stderr).toMatch(/device: must match/);
    expect(r.stderr).toMatch(/broker: .*port/);
  });
  it('says so when the file is not JSON', () => {
    const r = run('{ "device": ');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${r.file}: not valid JSON`);
  });
  it('refuses a counter for a window the hall does not have, and an unknown --role', () => {
    const r = run({ ...good, window: '99' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/window: 99 is not a window of hall demo-hospital/);
    const r2 = run(good, ['--role', 'toaster']);
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toMatch(/--role: unknown role toaster/);
  });
});
