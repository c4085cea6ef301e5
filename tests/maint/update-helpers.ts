// A tiny board "software" to update: firmware/app.mjs prints its VERSION and
// `ready`, or exits at once when built broken. Real files, real processes.
import { mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Aedes } from 'aedes';
import { createServer, type AddressInfo } from 'node:net';
import { buildBundle } from '../../firmware/update/bundle.ts';
import { initSlots } from '../../firmware/update/slots.ts';
import type { UpdateOffer } from '../../firmware/protocol/messages.ts';
import { tempDir } from './helpers.ts';

const APP = `import { readFileSync } from 'node:fs';
const here = new URL('..', import.meta.url).pathname;
const version = readFileSync(here + 'VERSION', 'utf8').trim();
process.stdout.write('version ' + version + '\\n');
if (BROKEN) { process.stderr.write('cannot start\\n'); process.exit(1); }
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`;

export function makeSource(version: string, broken = false): string {
  const dir = tempDir('manyi-src-');
  mkdirSync(join(dir, 'firmware'), { recursive: true });
  writeFileSync(join(dir, 'firmware', 'app.mjs'), APP.replace('BROKEN', String(broken)));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'manyi', version, type: 'module' }));
  return dir;
}

export async function makeBundle(version: string, secret: Uint8Array, outDir: string, broken = false) {
  return buildBundle({ version, secretKey: secret, outDir, sourceRoot: makeSource(version, broken) });
}

/** A board folder with version `v1` installed in slot a. */
export function makeBoard(): string {
  const root = tempDir('manyi-board-');
  const src = makeSource('1.0.0');
  initSlots(root, '1.0.0', (dir) => cpSync(src, dir, { recursive: true }));
  return root;
}

export function offerFor(b: Awaited<ReturnType<typeof makeBundle>>['bundle'], baseUrl: string, id = `u-${b.manifest.version}`): UpdateOffer {
  return { id, version: b.manifest.version, url: baseUrl + b.archive, sha256: b.manifest.sha256, size: b.manifest.size, signature: b.signature };
}

/** Starts `current/firmware/app.mjs`; resolves with the version it printed and whether it became ready. */
export async function startApp(root: string): Promise<{ proc: ChildProcess; version: string | null; ready: Promise<boolean> }> {
  const proc = spawn(process.execPath, [join(root, 'current', 'firmware', 'app.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let version: string | null = null;
  const ready = new Promise<boolean>((res) => {
    proc.stdout!.on('data', (d) => { out += String(d); if (out.includes('ready\n')) res(true); });
    proc.once('exit', () => res(false));
  });
  const versionSeen = new Promise<void>((res) => {
    const check = () => { const m = /version (\S+)\n/.exec(out); if (m) { version = m[1]; res(); } };
    proc.stdout!.on('data', check);
    proc.once('exit', () => res());
  });
  await versionSeen;
  return { proc, version, ready };
}

export async function stopApp(p: ChildProcess | undefined): Promise<void> {
  if (p && p.exitCode === null && p.signalCode === null) { p.kill('SIGTERM'); await once(p, 'exit'); }
}

export async function plainBroker(): Promise<{ url: string; stop(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const srv = createServer({ noDelay: true }, broker.handle);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    url: `mqtt://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    async stop() { await new Promise((r) => broker.close(() => r(null))); await new Promise((r) => srv.close(() => r(null))); },
  };
}
