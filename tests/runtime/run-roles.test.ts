// `manyi run` as a board runs it: a controller that starts the hall's broker itself,
// and a counter that joins it; SIGTERM stops each cleanly (offline, exit 0).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { watch } from './helpers.ts';
import { freePort } from '../setup/free-port.ts';

const MANYI = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;
const H = 'manyi/v1/demo-hospital';
const children: ChildProcess[] = [];
afterAll(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

function manyiRun(dir: string, name: string, config: object, extra: string[] = []): ChildProcess & { exited: Promise<number | null> } {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const c = spawn(process.execPath, [MANYI, 'run', '--config', file, '--log-level', 'warn', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(c);
  const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
  return Object.assign(c, { exited });
}

async function connectWhenUp(url: string, filter: string) {
  for (let i = 0; i < 100; i++) {
    try { return await watch(url, filter); } catch { await new Promise((r) => setTimeout(r, 200)); }
  }
  throw new Error(`no broker at ${url}`);
}

describe('manyi run', () => {
  it('a controller runs the embedded broker; a counter joins it; both stop cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manyi-run-roles-'));
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    const ctl = manyiRun(dir, 'ctl', { device: 'ctl', role: 'controller', hall: 'demo-hospital', broker: { url }, httpPort: 0, dataDir: 'ctl' }, ['--open-broker']);
    const w = await connectWhenUp(url, `${H}/#`);
    expect(await w.next(`${H}/device/ctl/status`, (m) => m.state === 'online')).toMatchObject({ role: 'controller' });
    expect(await w.next(`${H}/window/3/state`)).toMatchObject({ status: 'closed' });

    const counter = manyiRun(dir, 'c3', { device: 'counter-3', role: 'counter', window: '3', simulated: true, hall: 'demo-hospital', broker: { url }, httpPort: 0, dataDir: 'c3' });
    expect(await w.next(`${H}/device/counter-3/status`, (m) => m.state === 'online', 20_000)).toMatchObject({ role: 'counter' });
    counter.kill('SIGTERM');
    expect(await counter.exited).toBe(0);
    expect(await w.next(`${H}/device/counter-3/status`, (m) => m.state === 'offline')).toMatchObject({ role: 'counter' });

    ctl.kill('SIGTERM');
    expect(await ctl.exited).toBe(0);
    await w.close();
  }, 45_000);
});
