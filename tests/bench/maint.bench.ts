// Costs of security and updates: checking a password (once per connection), an
// access decision (every publish), signing and checking a bundle, and a whole
// install (download, SHA-256, signature, unpack, switch) of this repository's bundle.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import { hashPassword, verifyPassword } from '../../firmware/security/passwords.ts';
import { canPublish, canSubscribe } from '../../firmware/security/acl.ts';
import { buildBundle } from '../../firmware/update/bundle.ts';
import { verifyManifest } from '../../firmware/update/manifest.ts';
import { installOffer } from '../../firmware/update/install.ts';
import { initSlots } from '../../firmware/update/slots.ts';
import { serveBundles } from '../../firmware/update/serve.ts';
import { publicKeyOf } from '../../firmware/security/keys.ts';

async function time(n: number, f: () => unknown): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await f();
  return (performance.now() - t) / n;
}

export default async function bench(): Promise<void> {
  const rows: Array<[string, string]> = [];
  const hash = await hashPassword('board-password');
  rows.push(['scrypt password check (N=2^14), per connection', `${(await time(10, () => verifyPassword('board-password', hash))).toFixed(1)} ms`]);
  const who = { device: 'counter-w05', role: 'counter' as const, hall: 'demo-hospital', window: 'w05' };
  const n = 200_000;
  const ms = await time(1, () => { for (let i = 0; i < n; i++) canPublish(who, i & 1 ? 'manyi/v1/demo-hospital/window/w05/command' : 'manyi/v1/demo-hospital/window/w06/command'); });
  rows.push(['access decision (publish)', `${((ms / n) * 1e6).toFixed(0)} ns (${Math.round(n / (ms / 1000)).toLocaleString('en')} /s)`]);
  const ms2 = await time(1, () => { for (let i = 0; i < n; i++) canSubscribe(who, 'manyi/v1/demo-hospital/window/+/state'); });
  rows.push(['access decision (subscribe)', `${((ms2 / n) * 1e6).toFixed(0)} ns`]);

  const secret = ed.utils.randomSecretKey();
  const pub = await publicKeyOf(secret);
  const out = mkdtempSync(join(tmpdir(), 'manyi-bench-'));
  let t = performance.now();
  const { bundle } = await buildBundle({ version: '9.9.9', secretKey: secret, outDir: out, sourceRoot: process.cwd() });
  rows.push(['manyi bundle of this repository', `${(performance.now() - t).toFixed(0)} ms, ${(bundle.manifest.size / 1024).toFixed(0)} KiB`]);
  rows.push(['signature check of a manifest', `${(await time(50, () => verifyManifest(bundle.manifest, bundle.signature, pub))).toFixed(2)} ms`]);

  const server = await serveBundles(out, { host: '127.0.0.1' });
  const root = mkdtempSync(join(tmpdir(), 'manyi-bench-board-'));
  initSlots(root, '1.0.0', (d) => writeFileSync(join(d, 'x'), 'old'));
  t = performance.now();
  await installOffer({ root, publicKey: pub, deadlineMs: 60_000, offer: { id: 'b', version: '9.9.9', url: server.url + bundle.archive, sha256: bundle.manifest.sha256, size: bundle.manifest.size, signature: bundle.signature } });
  rows.push(['install: verify, download, hash, unpack, switch', `${(performance.now() - t).toFixed(0)} ms`]);
  await server.close();

  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
}
