// `manyi run` on a controller configuration starts THE controller role: besides the
// hall's broker and the engine it serves the ticket status page (/t/…), the
// manager's page and statistics API (/manager, /api/stats/*) and the update
// bundles (/bundles/) — what the demo's controller serves, from the same role.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_HALL_PATH } from '../../firmware/config/hall.ts';
import { readFileSync } from 'node:fs';
import { addToken, loadPeople, savePeople, setPerson } from '../../firmware/security/people.ts';
import { watch } from './helpers.ts';
import { freePort } from '../setup/free-port.ts';

const MANYI = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;
const H = 'manyi/v1/demo-hospital';
const children: ChildProcess[] = [];
afterAll(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

describe('manyi run, controller', () => {
  it('serves /t/…, /manager, /api/stats/* and /bundles/ from the one controller role', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manyi-run-ctl-'));
    const url = `mqtt://127.0.0.1:${await freePort()}`;
    // The demo hall, open around the clock: the test pulls a ticket whatever the time of day.
    const hall = JSON.parse(readFileSync(DEMO_HALL_PATH, 'utf8')) as { hours: unknown; services: Array<{ hours?: unknown }> };
    hall.hours = [{ open: '00:00', close: '23:59' }];
    for (const s of hall.services) delete s.hours;
    writeFileSync(join(dir, 'hall.json'), JSON.stringify(hall));
    const file = join(dir, 'ctl.json');
    writeFileSync(file, JSON.stringify({ device: 'ctl', role: 'controller', hall: 'demo-hospital', hallConfig: 'hall.json', broker: { url }, httpPort: 0, dataDir: 'ctl' }));
    // A manager who may see /manager and /api/stats (as `manyi managers add` and `token` write it).
    mkdirSync(join(dir, 'ctl'), { recursive: true });
    const people = addToken(setPerson(loadPeople(join(dir, 'ctl', 'people.json')), { id: 'alice', role: 'manager' }, 'correct horse battery', new Date()), 'alice', new Date());
    savePeople(join(dir, 'ctl', 'people.json'), people.people);
    const asManager = { headers: { authorization: `Bearer ${people.token}` } };
    // A bundle in the controller's bundle folder, as MAINTAINER.md §7 has a maintainer copy it.
    mkdirSync(join(dir, 'ctl', 'bundles'), { recursive: true });
    writeFileSync(join(dir, 'ctl', 'bundles', 'manyi-9.9.9.tar.gz'), 'not really gzip, but bytes to serve');
    const child = spawn(process.execPath, [MANYI, 'run', '--config', file, '--open-broker', '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // The web port is in the log line that says the broker started; the role is up when it says so.
    const lines = createInterface({ input: child.stderr! });
    const http = await new Promise<number>((resolve, reject) => {
      let port = 0;
      const t = setTimeout(() => reject(new Error('controller not up within 40 s')), 40_000);
      lines.on('line', (l) => {
        try {
          const j = JSON.parse(l) as { http?: number; msg?: string };
          if (j.http) port = j.http;
          if (j.msg === 'role started' && port) { clearTimeout(t); resolve(port); }
        } catch { /* not JSON */ }
      });
      child.once('exit', (code) => { clearTimeout(t); reject(new Error(`manyi run exited ${code}`)); });
    });
    const base = `http://127.0.0.1:${http}`;

    const w = await watch(url, `${H}/kiosk/k1/reply`);
    await w.client.publishAsync(`${H}/kiosk/k1/request`, JSON.stringify({ id: 'run-ctl-1', service: 'registration' }), { qos: 1 });
    const reply = await w.next(`${H}/kiosk/k1/reply`, (m) => m.id === 'run-ctl-1') as { ok: boolean; ticket: { no: string; day: string } };
    expect(reply.ok).toBe(true);
    await w.close();

    const status = await fetch(`${base}/t/${reply.ticket.day}/${reply.ticket.no}`);
    expect(status.status).toBe(200);
    expect(await status.text()).toContain(reply.ticket.no);
    expect((await fetch(`${base}/api/stats/live`)).status).toBe(401); // signed-in managers only
    const manager = await fetch(`${base}/manager`, asManager);
    expect(manager.status).toBe(200);
    expect(manager.headers.get('content-type')).toMatch(/text\/html/);
    const day = reply.ticket.day;
    const summary = await fetch(`${base}/api/stats/summary?from=${day}&to=${day}`, asManager);
    expect(summary.status).toBe(200);
    expect(((await summary.json()) as { total: { issued: number } }).total.issued).toBe(1);
    const live = await fetch(`${base}/api/stats/live`, asManager);
    expect(live.status).toBe(200);
    const bundle = await fetch(`${base}/bundles/manyi-9.9.9.tar.gz`);
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toBe('not really gzip, but bytes to serve');
    expect((await fetch(`${base}/bundles/..%2Fctl.json`)).status).toBe(404);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
