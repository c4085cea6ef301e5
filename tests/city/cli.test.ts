// `manyi city` and `manyi city-account` as an operator runs them: accounts and
// Mosquitto files written, the service started against PostgreSQL and the city
// broker (migrations applied, pages served), stopped cleanly by SIGTERM.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import https from 'node:https';
import pg from 'pg';
import { makeTls } from '../../firmware/security/tls.ts';
import { addToken, savePeople, setPerson } from '../../firmware/security/people.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../firmware/city/cli.ts';
import { cityMosquittoConf } from '../../firmware/city/access.ts';
import { startMosquitto, type RunningMosquitto } from '../setup/mosquitto.ts';
import { startPostgres, type RunningPostgres } from '../setup/postgres.ts';
import { startCityProcess } from './city-process.ts';

let dir: string;
let pgs: RunningPostgres;
let broker: RunningMosquitto | undefined;

/** Runs a `manyi city-account` in this process and returns what it printed. */
async function account(args: string[]): Promise<string> {
  const program = new Command('manyi').exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => { out += s; return true; }) as typeof process.stdout.write;
  try { await program.parseAsync(['node', 'manyi', 'city-account', '--dir', dir, ...args]); } finally { process.stdout.write = write; }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'manyi-city-cli-'));
  pgs = await startPostgres();
});
afterAll(async () => {
  await broker?.stop();
  await pgs?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('manyi city-account', () => {
  it("prints a hall's city block and writes Mosquitto's password and ACL files", async () => {
    const block = JSON.parse(await account(['--hall', 'east', '--url', 'mqtts://city.example:8883'])) as { city: { url: string; username: string; password: string } };
    expect(block.city).toMatchObject({ url: 'mqtts://city.example:8883', username: 'east' });
    expect(block.city.password.length).toBeGreaterThanOrEqual(32);
    const svc = JSON.parse(await account(['--service', 'ingest', '--password', 'secret-for-test'])) as { username: string };
    expect(svc.username).toBe('city.ingest');
    const acl = readFileSync(join(dir, 'acl_file'), 'utf8');
    expect(acl).toContain('user east\ntopic write manyi/v1/east/city/events');
    expect(acl).toContain('topic read manyi/v1/east/city/ack');
    const eastBlock = acl.split('\n\n').find((b) => b.startsWith('user east'))!;
    expect(eastBlock.split('\n').filter((l) => l.startsWith('topic write')).every((l) => l.startsWith('topic write manyi/v1/east/city/'))).toBe(true);
    expect(eastBlock).not.toContain('+');
    expect(acl).toContain('user city.ingest\ntopic write manyi/v1/+/city/ack');
    expect(readFileSync(join(dir, 'password_file'), 'utf8')).toMatch(/^east:\$7\$/m);
    await expect(account(['--hall', 'Bad_Id'])).rejects.toThrow();
    await expect(account(['--hall', 'x', '--service', 'y'])).rejects.toThrow();
  });
});

/** GET over HTTPS, trusting only `ca`. */
function httpsGet(port: number, path: string, ca: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, ca, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
  });
}

describe('manyi city', () => {
  it('migrates the database, serves the pages over HTTPS behind sign-in, and stops on SIGTERM', async () => {
    broker = await startMosquitto({ config: ['user root', ...cityMosquittoConf(dir)].join('\n') });
    const db = await pgs.createDatabase('cli');
    const tls = makeTls({ dir: join(dir, 'tls'), names: ['127.0.0.1'], hall: 'city' });
    const peopleFile = join(dir, 'people.json');
    const t = addToken(setPerson({ version: 1, people: [] }, { id: 'office', role: 'manager' }, 'a-long-enough-password', new Date()), 'office', new Date());
    savePeople(peopleFile, t.people);
    const p = await startCityProcess(['--db', db, '--broker', broker.url, '--username', 'city.ingest', '--password', 'secret-for-test', '--instance', 'one',
      '--people', peopleFile, '--tls-cert', tls.cert, '--tls-key', tls.key]);
    try {
      expect(p.http).toBeGreaterThan(0);
      const ca = readFileSync(tls.caCert);
      const stranger = await httpsGet(p.http!, '/city?lang=en', ca);
      expect(stranger.status).toBe(303);
      expect(stranger.location).toMatch(/^\/login/);
      expect((await httpsGet(p.http!, '/login', ca)).status).toBe(200);
      const res = await httpsGet(p.http!, '/city?lang=en', ca, { authorization: `Bearer ${t.token}` });
      expect(res.status).toBe(200);
      expect(res.body).toContain('City supervision');
      const c = new pg.Client(db);
      await c.connect();
      const tables = (await c.query("SELECT tablename FROM pg_tables WHERE tablename LIKE 'city_%' ORDER BY 1")).rows.map((r: { tablename: string }) => r.tablename);
      await c.end();
      expect(tables).toEqual(expect.arrayContaining(['city_alerts', 'city_days', 'city_devices', 'city_events', 'city_halls', 'city_migrations', 'city_reported_days']));
    } finally {
      expect(await p.stop()).toBe(0);
    }
    // A wrong password: it says so and exits non-zero.
    await expect(startCityProcess(['--db', db, '--broker', broker.url, '--username', 'city.ingest', '--password', 'wrong', '--no-pages'])).rejects.toThrow(/exited \(1\)[\s\S]*Not authorized|Bad user name/);
    // Pages need to know who may sign in, or to be told they are open.
    await expect(startCityProcess(['--db', db, '--broker', broker.url])).rejects.toThrow(/--people FILE is required/);
  });
});
