// `manyi bundle`: a versioned, signed bundle of the board software. The archive is a
// tar.gz of a tree: the packaged app (`npm run package` makes the bundle of the
// very tree its .deb installs, node_modules built for the board included, marked
// by its ARCH file), or else the source folders (firmware/, kiosk/, signage/,
// hw-specs/ and the npm manifests). `bundle.json` is the signed manifest with the
// signature beside it.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import * as tar from 'tar';
import { BundleManifest, signManifest } from './manifest.ts';
import { publicKeyOf } from '../security/keys.ts';
import { loadJsonFile } from '../config/load.ts';
import { systemClock } from '../lib/time.ts';

export const BUNDLE_ENTRIES = ['firmware', 'kiosk', 'signage', 'hw-specs', 'package.json', 'package-lock.json'];

/** `bundle.json`: the signed manifest, the signature, and where the archive is. */
export const BundleFile = z.object({
  manifest: BundleManifest,
  signature: z.string().min(1),
  archive: z.string().regex(/^[A-Za-z0-9._-]+$/),
  publicKey: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
}).strict();
export type BundleFile = z.infer<typeof BundleFile>;

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface BuildBundleOptions {
  version: string;
  secretKey: Uint8Array;
  outDir: string;
  /** The source tree to pack (default: the current working directory). */
  sourceRoot?: string;
  /** Entries to pack (default BUNDLE_ENTRIES; missing ones are skipped, at least one must exist). */
  entries?: string[];
}

export async function buildBundle(o: BuildBundleOptions): Promise<{ file: string; bundle: BundleFile }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(o.version)) throw new Error(`version ${JSON.stringify(o.version)}: use letters, digits, . _ + - (max 64)`);
  const root = o.sourceRoot ?? process.cwd();
  const entries = (o.entries ?? BUNDLE_ENTRIES).filter((e) => existsSync(join(root, e)));
  if (entries.length === 0) throw new Error(`${root}: none of ${(o.entries ?? BUNDLE_ENTRIES).join(', ')} found`);
  mkdirSync(o.outDir, { recursive: true });
  const archive = `manyi-${o.version}.tar.gz`;
  const archivePath = join(o.outDir, archive);
  // A packaged tree carries its node_modules (an update may change them); a source
  // tree's are the developer's, for this machine: left out, as is .git.
  const skip = existsSync(join(root, 'ARCH')) ? /(^|\/)\.git(\/|$)/ : /(^|\/)(node_modules|\.git)(\/|$)/;
  await tar.c({ gzip: true, cwd: root, file: archivePath, portable: true, filter: (p) => !skip.test(p) }, entries);
  const manifest = { format: 'manyi-bundle/1' as const, version: o.version, sha256: await sha256File(archivePath), size: statSync(archivePath).size };
  const bundle: BundleFile = {
    manifest,
    signature: await signManifest(manifest, o.secretKey),
    archive,
    publicKey: await publicKeyOf(o.secretKey),
    createdAt: new Date(systemClock.now()).toISOString(),
  };
  const file = join(o.outDir, `manyi-${o.version}.json`);
  writeFileSync(file, JSON.stringify(bundle, null, 2) + '\n');
  return { file, bundle };
}

export function readBundle(file: string): BundleFile {
  return loadJsonFile(file, BundleFile);
}
