// A hall joins the city over TLS with the CA its configuration names: with the
// city's CA its log arrives; with another CA it never connects (and says why).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityForwarder } from '../../firmware/city/forwarder.ts';
import { startCity, type CityService } from '../../firmware/city/service.ts';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { SqliteStore, writeEvents } from '../../firmware/eventlog/sqlite-store.ts';
import { synthesizeDay } from '../../firmware/stats/synthetic.ts';
import { startMosquitto, type RunningMosquitto } from '../setup/mosquitto.ts';
import { startPostgres, type RunningPostgres } from '../setup/postgres.ts';
import { cityLog, quiet, until } from './helpers.ts';
import { freePort } from '../setup/free-port.ts';

const base = loadHallConfig();
const clock = { now: () => Date.parse('2026-11-20T04:00:00Z') };
let dir: string;
let pgs: RunningPostgres;
let broker: RunningMosquitto;
let city: CityService;
let dbUrl: string;
let tlsPort: number;
const fwds: CityForwarder[] = [];

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'manyi-city-tls-'));
  // The city's CA, its broker's certificate (for 127.0.0.1), and an unrelated CA.
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=manyi city test CA', '-days', '2');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-subj', '/CN=someone else', '-days', '2');
  tlsPort = await freePort();
  [pgs, broker] = await Promise.all([startPostgres(), startMosquitto({
    config: ['user root', `listener ${tlsPort} 127.0.0.1`, `cafile ${join(dir, 'ca.pem')}`, `certfile ${join(dir, 'server.pem')}`, `keyfile ${join(dir, 'server.key')}`].join('\n'),
  })]);
  dbUrl = await pgs.createDatabase('tls_test');
  city = await startCity({ db: dbUrl, broker: { url: broker.url }, log: quiet });
});

afterAll(async () => {
  for (const f of fwds) await f.stop();
  await city?.stop();
  await broker?.stop();
  await pgs?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function hallWith(id: string, ca: string, log = quiet): CityForwarder {
  const hall = { ...base, hall: { ...base.hall, id } };
  const events = new SqliteStore(':memory:', { clock });
  writeEvents(events.db, synthesizeDay(hall, '2026-11-16', { tickets: 60, seed: 5 }));
  const f = new CityForwarder({
    hall, events, clock, log, link: { url: `mqtts://127.0.0.1:${tlsPort}`, ca: join(dir, ca), reconnectMaxS: 0.2, reportDays: 0 }, pollMs: 50,
  });
  fwds.push(f);
  f.start();
  return f;
}

describe('the city link over TLS', () => {
  it("with the city's CA the hall's log arrives", async () => {
    const f = hallWith('tls-good', 'ca.pem');
    await until('caught up', () => { const s = f.status(); return s.synced && s.behind === 0; });
    expect((await cityLog(dbUrl, 'tls-good')).rows.length).toBe(f.status().last);
  });

  it('with another CA it never connects, and logs why', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (s: string) => { lines.push(s); } });
    const f = hallWith('tls-bad', 'other.pem', log);
    await until('a refused certificate', () => lines.some((l) => /certificate/i.test(l)));
    expect(f.status().connected).toBe(false);
    expect((await cityLog(dbUrl, 'tls-bad')).rows).toEqual([]);
  });
});
