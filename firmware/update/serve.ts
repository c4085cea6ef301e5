// Serves bundle archives over HTTP for boards to download: on the controller's web
// host (`mountBundles`, at /bundles/NAME), or from the maintainer's laptop during
// `manyi rollout` (`serveBundles`). Only `*.tar.gz` names in one folder.
import type { ServerResponse } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { WebApp } from '../web/app.ts';

export interface BundleServer { url: string; close(): Promise<void>; downloads: Map<string, number> }

const ARCHIVE = /^[A-Za-z0-9._+-]+\.tar\.gz$/;

function handler(dir: string, downloads: Map<string, number>) {
  return (name: string, res: ServerResponse) => {
    if (!ARCHIVE.test(name)) { res.writeHead(404).end('not found'); return; }
    const file = join(dir, name);
    let size: number;
    try { size = statSync(file).size; } catch { res.writeHead(404).end('not found'); return; }
    downloads.set(name, (downloads.get(name) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': size });
    // A file removed between stat and read ends this download, not the process.
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };
}

/** Mounts `GET /bundles/:name` on a web host (the controller's). */
export function mountBundles(web: WebApp, dir: string): Map<string, number> {
  const downloads = new Map<string, number>();
  const serve = handler(dir, downloads);
  web.get('/bundles/:name', (_req, res, params) => serve(params.name, res));
  return downloads;
}

export async function serveBundles(dir: string, opts: { port?: number; host?: string; publicHost?: string } = {}): Promise<BundleServer> {
  // The same hardened host as every page (firmware/web): the laptop is on the hall's LAN too.
  const web = new WebApp();
  const downloads = mountBundles(web, dir);
  const port = await web.listen(opts.port ?? 0, opts.host ?? '0.0.0.0');
  return {
    url: `http://${opts.publicHost ?? (opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1')}:${port}/bundles/`,
    downloads,
    close: () => web.close(),
  };
}
