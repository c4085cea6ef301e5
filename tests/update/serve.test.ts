// The bundle server boards download updates from (the controller's web host, or
// the maintainer's laptop during `manyi rollout`): it serves the *.tar.gz files of
// its one folder and nothing else — no path traversal, no other names — counts
// downloads, survives a file that cannot be read, and listens where it is told.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveBundles, type BundleServer } from '../../firmware/update/serve.ts';
import { freePort } from '../setup/free-port.ts';

const servers: BundleServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

/** A folder of bundles, with a secret archive beside it (outside what is served). */
function folder(): string {
  const parent = mkdtempSync(join(tmpdir(), 'manyi-serve-'));
  const dir = join(parent, 'bundles');
  mkdirSync(dir);
  writeFileSync(join(dir, 'manyi-2.0.0.tar.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  writeFileSync(join(dir, 'notes.txt'), 'not a bundle');
  writeFileSync(join(parent, 'secret.tar.gz'), 'outside the folder');
  return dir;
}

async function serve(dir: string, opts: Parameters<typeof serveBundles>[1] = { host: '127.0.0.1' }) {
  const s = await serveBundles(dir, opts);
  servers.push(s);
  return s;
}

/** GET a raw path (not normalised by a URL parser), with a deadline. */
function get(url: string, path: string): Promise<{ status: number; type?: string; length?: string; body: Buffer }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', timeout: 10_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], length: res.headers['content-length'], body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

describe('bundle server', () => {
  it('serves a bundle as gzip with its length, and counts each download', async () => {
    const s = await serve(folder());
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bundles\/$/);
    const r = await get(s.url, '/bundles/manyi-2.0.0.tar.gz');
    expect(r).toEqual({ status: 200, type: 'application/gzip', length: '5', body: Buffer.from([0x1f, 0x8b, 1, 2, 3]) });
    expect(s.downloads.get('manyi-2.0.0.tar.gz')).toBe(1);
    await get(s.url, '/bundles/manyi-2.0.0.tar.gz');
    expect([...s.downloads]).toEqual([['manyi-2.0.0.tar.gz', 2]]);
  });

  it('refuses path traversal and any name but *.tar.gz in its folder, counting nothing', async () => {
    const s = await serve(folder());
    for (const path of [
      '/bundles/..%2Fsecret.tar.gz', '/bundles/%2E%2E%2Fsecret.tar.gz', '/bundles/manyi-2.0.0.tar.gz%2F..%2F..%2Fsecret.tar.gz',
      '/bundles/notes.txt', '/bundles/manyi-2.0.0.tar.gz.txt', '/bundles/missing.tar.gz', '/bundles/%2Fetc%2Fpasswd',
    ]) {
      const r = await get(s.url, path);
      expect(r.status, path).toBe(404);
      expect(r.body.toString(), path).not.toContain('outside the folder');
    }
    const r = await get(s.url, '/bundles/notes.txt');
    expect(r.body.toString()).toBe('not found');
    expect((await get(s.url, '/bundles/missing.tar.gz')).body.toString()).toBe('not found');
    expect(s.downloads.size).toBe(0);
  });

  it('ends a download it cannot read, and goes on serving the others', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'broken.tar.gz')); // stat works, reading fails
    const s = await serve(dir);
    await expect(get(s.url, '/bundles/broken.tar.gz')).rejects.toThrow();
    expect((await get(s.url, '/bundles/manyi-2.0.0.tar.gz')).status).toBe(200);
  });

  it('listens on the port and address it is told, and names them in its URL', async () => {
    const port = await freePort();
    const s = await serve(folder(), { host: '127.0.0.1', port });
    expect(s.url).toBe(`http://127.0.0.1:${port}/bundles/`);
    // Bound to 127.0.0.1 only: another loopback address gets no answer.
    await expect(get(`http://127.0.0.2:${port}/`, '/bundles/manyi-2.0.0.tar.gz')).rejects.toThrow();
    const other = await serve(folder(), { host: '127.0.0.2' });
    expect(other.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/bundles\/$/);
    expect((await get(other.url, '/bundles/manyi-2.0.0.tar.gz')).status).toBe(200);
  });

  it('names 127.0.0.1 in its URL when listening on every address, or the public host when given one', async () => {
    expect((await serve(folder(), {})).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bundles\/$/);
    expect((await serve(folder(), { host: '0.0.0.0' })).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bundles\/$/);
    expect((await serve(folder(), { host: '127.0.0.1', publicHost: 'laptop.hall.lan' })).url).toMatch(/^http:\/\/laptop\.hall\.lan:\d+\/bundles\/$/);
  });

  it('stops answering once closed', async () => {
    const s = await serveBundles(folder(), { host: '127.0.0.1' });
    expect((await get(s.url, '/bundles/manyi-2.0.0.tar.gz')).status).toBe(200);
    await s.close();
    await expect(get(s.url, '/bundles/manyi-2.0.0.tar.gz')).rejects.toThrow(/ECONNREFUSED/);
  });
});
