// One install, step by step: check the offer's signature, download with a size cap,
// check size and SHA-256, unpack into the inactive slot (under a `.new` name, renamed
// when complete), record the trial in the journal, switch `current`. Every step
// leaves `current` on a complete slot (see slots.ts).
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream, mkdirSync, renameSync, rmSync, existsSync, symlinkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import type { UpdateOffer } from '../protocol/messages.ts';
import { verifyManifest } from './manifest.ts';
import { currentSlot, other, slotDir, switchTo, writeDurable, writeJournal, readJournal, type Slot } from './slots.ts';
import { systemClock, type Clock } from '../lib/time.ts';

export type InstallStep = 'verified-offer' | 'downloading' | 'downloaded' | 'unpacking' | 'unpacked' | 'journaled' | 'switched';

export class UpdateRefused extends Error {
  constructor(message: string) { super(message); this.name = 'UpdateRefused'; }
}

export interface InstallOptions {
  root: string;
  publicKey: string;
  offer: UpdateOffer;
  /** How long the new version has to prove healthy before a boot rolls it back. */
  deadlineMs: number;
  fetch?: typeof fetch;
  /** Called as each step completes (progress; tests kill the process here). */
  onStep?: (step: InstallStep) => void | Promise<void>;
  /** Makes a freshly unpacked slot runnable (e.g. links node_modules). */
  prepare?: (dir: string) => Promise<void>;
  /** The board's clock: when the trial version's health deadline starts. */
  clock?: Clock;
}

function drainedOrClosed(out: WriteStream): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => { out.off('drain', done); out.off('close', done); resolve(); };
    out.on('drain', done);
    out.on('close', done);
  });
}

async function download(url: string, file: string, size: number, f: typeof fetch): Promise<string> {
  const res = await f(url);
  if (!res.ok || !res.body) throw new UpdateRefused(`download failed: HTTP ${res.status}`);
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  let writeError = null as Error | null; // set by the stream's error event
  out.on('error', (e) => { writeError ??= e; });
  let got = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      got += chunk.length;
      if (got > size) throw new UpdateRefused(`download is larger than the offered ${size} bytes`);
      hash.update(chunk);
      // A failed write (a full disk) closes the stream and never drains: wait for either.
      if (!out.write(chunk) && !out.destroyed) await drainedOrClosed(out);
      if (writeError) throw writeError;
    }
  } catch (e) {
    out.destroy();
    if (e instanceof UpdateRefused) throw e;
    if (e === writeError) throw new UpdateRefused(`download could not be saved on this board: ${(e as Error).message}`);
    throw new UpdateRefused(`download interrupted after ${got} of ${size} bytes: ${(e as Error).message}`);
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ?? writeError ? rej(err ?? writeError) : res())))
    .catch((e: Error) => { throw new UpdateRefused(`download could not be saved on this board: ${e.message}`); });
  if (got !== size) throw new UpdateRefused(`download truncated: ${got} of ${size} bytes`);
  return hash.digest('hex');
}

/** Installs into the inactive slot and switches to it. Returns the slots involved. */
export async function installOffer(o: InstallOptions): Promise<{ slot: Slot; previous: Slot }> {
  const { root, offer } = o;
  const step = async (s: InstallStep) => { await o.onStep?.(s); };
  if (!(await verifyManifest(offer, offer.signature, o.publicKey))) {
    throw new UpdateRefused('bad signature: the offer is not signed with this board\'s update key');
  }
  await step('verified-offer');
  const previous = currentSlot(root);
  if (!previous) throw new UpdateRefused(`${root}: no current slot; run the boot check first`);
  const slot = other(previous);
  const dl = join(root, 'download.part');
  rmSync(dl, { force: true });
  await step('downloading');
  try {
    const sha = await download(offer.url, dl, offer.size, o.fetch ?? fetch);
    if (sha !== offer.sha256) throw new UpdateRefused(`SHA-256 mismatch: got ${sha}, offered ${offer.sha256}`);
    await step('downloaded');
    const target = slotDir(root, slot);
    const fresh = `${target}.new`;
    rmSync(fresh, { recursive: true, force: true });
    mkdirSync(fresh, { recursive: true });
    await step('unpacking');
    // tar refuses absolute paths and `..` by default; strict turns warnings into errors.
    await tar.x({ file: dl, cwd: fresh, strict: true, preservePaths: false });
    if (o.prepare) await o.prepare(fresh);
    writeDurable(join(fresh, 'VERSION'), offer.version + '\n');
    // Replace the inactive slot: move the old one aside, then rename the new one in.
    if (existsSync(target)) { rmSync(`${target}.old`, { recursive: true, force: true }); renameSync(target, `${target}.old`); }
    renameSync(fresh, target);
    rmSync(`${target}.old`, { recursive: true, force: true });
    await step('unpacked');
  } finally {
    rmSync(dl, { force: true });
  }
  writeJournal(root, { ...readJournal(root), pending: { id: offer.id, version: offer.version, slot, previous, since: (o.clock ?? systemClock).now(), deadlineMs: o.deadlineMs, boots: 0 } });
  await step('journaled');
  switchTo(root, slot);
  await step('switched');
  return { slot, previous };
}

const DEBIAN_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/**
 * Default `prepare`: a packaged tree (from `npm run package`: it has an ARCH file
 * and its own node_modules) must be built for this board's CPU; a source tree
 * without node_modules shares the board's (an older layout).
 */
export function linkSharedModules(root: string): (dir: string) => Promise<void> {
  return async (dir) => {
    const archFile = join(dir, 'ARCH');
    if (existsSync(archFile)) {
      const arch = readFileSync(archFile, 'utf8').trim();
      const mine = DEBIAN_ARCH[process.arch] ?? process.arch;
      if (arch !== mine) throw new UpdateRefused(`the bundle is built for ${arch}, this board is ${mine}`);
    }
    const shared = join(root, 'node_modules');
    if (existsSync(shared) && !existsSync(join(dir, 'node_modules'))) symlinkSync(shared, join(dir, 'node_modules'));
  };
}
