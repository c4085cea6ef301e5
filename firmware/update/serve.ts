// Serves bundle archives over HTTP for boards to download (the controller, or the
// maintainer's laptop during `manyi rollout`). Only `*.tar.gz` names in one folder.
import { createServer, type Server } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface BundleServer { url: string; close(): Promise<void>; downloads: Map<string, number> }

export async function serveBundles(dir: string, opts: { port?: number; host?: string; publicHost?: string } = {}): Promise<BundleServer> {
  const downloads = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0].replace(/^\/bundles\//, ''));
    if (req.method !== 'GET' || !/^[A-Za-z0-9._+-]+\.tar\.gz$/.test(name)) { res.writeHead(404).end('not found'); return; }
    const file = join(dir, name);
    let size: number;
    try { size = statSync(file).size; } catch { res.writeHead(404).end('not found'); return; }
    downloads.set(name, (downloads.get(name) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': size });
    createReadStream(file).pipe(res);
  });
  server.listen(opts.port ?? 0, opts.host ?? '0.0.0.0');
  await new Promise<void>((r, j) => { server.once('listening', () => r()); server.once('error', j); });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.publicHost ?? (opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1')}:${port}/bundles/`,
    downloads,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
