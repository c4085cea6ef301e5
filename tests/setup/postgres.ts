// Starts a private PostgreSQL (Debian's `postgresql` package) for tests and
// benchmarks that need the city store: `initdb` into a temporary folder, then
// `postgres` on a free loopback port, stopped by its PID. PostgreSQL refuses to
// run as root (CI runs as root), so under root the cluster belongs to the
// `postgres` user the Debian package creates, and both programs run as that user.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';

export interface RunningPostgres {
  /** Connection URL of the `postgres` database as the superuser `manyi` (trust on loopback). */
  url: string;
  port: number;
  pid: number;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The newest installed server's bin folder (`/usr/lib/postgresql/N/bin`). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
  if (!versions.length) throw new Error('PostgreSQL server not installed: apt-get install postgresql (tests/setup/debian-packages.txt)');
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], 'bin');
}

function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export interface PostgresOptions {
  /** Durable commits (the bench measures with them); tests run with fsync off. */
  durable?: boolean;
}

export async function startPostgres(opts: PostgresOptions = {}): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'manyi-pg-'));
  const who = runAs();
  if (who.uid !== undefined) { chownSync(dir, who.uid, who.gid!); chmodSync(dir, 0o700); }
  const data = join(dir, 'data');
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'manyi', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...who, stdio: ['ignore', 'ignore', 'pipe'] });
  const settings = ['-c', 'listen_addresses=127.0.0.1', '-k', dir, '-c', 'max_connections=200', '-c', 'shared_buffers=64MB'];
  if (!opts.durable) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), ...settings], { ...who, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    let exited = false;
    const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
    const url = `postgres://manyi@127.0.0.1:${port}/postgres`;
    // Bounded wait: 300 tries of 50 ms.
    for (let i = 0; i < 300 && !exited; i++) {
      const c = new pg.Client({ connectionString: url });
      try {
        await c.connect();
        await c.end();
        return {
          url, port, pid: child.pid!,
          async createDatabase(name: string) {
            if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
            const admin = new pg.Client({ connectionString: url });
            await admin.connect();
            try { await admin.query(`CREATE DATABASE ${name}`); } finally { await admin.end(); }
            return url.replace(/\/postgres$/, `/${name}`);
          },
          async stop() {
            if (!exited) { process.kill(child.pid!, 'SIGINT'); await exit; } // fast shutdown
            rmSync(dir, { recursive: true, force: true });
          },
        };
      } catch {
        await c.end().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (!exited) { process.kill(child.pid!, 'SIGKILL'); await exit; }
    if (!/could not bind|already in use/i.test(stderr)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`postgres did not start: ${stderr.trim() || 'no output'}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('postgres: no free port after 5 attempts');
}
