// What an install refuses, and what it leaves behind when it does: a full disk
// (refused, not hung), an HTTP error with a body, a download over its signed size,
// an archive that tries to write outside its slot, a bundle built for another CPU.
// Each refusal leaves the running slot current and untouched. And what a finished
// install leaves: the new slot whole, even over leftovers of a power cut.
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import * as tar from 'tar';
import { beforeAll, describe, expect, it } from 'vitest';
import type { UpdateOffer } from '../../firmware/protocol/messages.ts';
import { buildBundle } from '../../firmware/update/bundle.ts';
import { installOffer, linkSharedModules, UpdateRefused } from '../../firmware/update/install.ts';
import { signManifest } from '../../firmware/update/manifest.ts';
import { currentSlot, initSlots, readJournal, slotDir, slotVersion } from '../../firmware/update/slots.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
let secret: Uint8Array;
let pub: string;

/** A signed offer for an archive's bytes. */
async function offerFor(archive: Buffer, version = '2.0.0'): Promise<UpdateOffer> {
  const m = { version, sha256: createHash('sha256').update(archive).digest('hex'), size: archive.length };
  return { id: `offer-${version}`, url: 'http://bundles/x.tar.gz', ...m, signature: await signManifest(m, secret) };
}

async function bundleOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const src = tmp('manyi-src-');
  for (const [f, text] of Object.entries(files)) { mkdirSync(join(src, f, '..'), { recursive: true }); writeFileSync(join(src, f), text); }
  const out = tmp('manyi-out-');
  const { bundle } = await buildBundle({ version: '2.0.0', secretKey: secret, outDir: out, sourceRoot: src });
  return readFileSync(join(out, bundle.archive));
}

/** Serves `body` in 64 KiB chunks, one every few milliseconds (a real network's pace). */
const trickling = (body: Buffer) => (async () => {
  let i = 0;
  return new Response(new ReadableStream<Uint8Array>({
    async pull(c) {
      await new Promise((r) => setTimeout(r, 3));
      if (i >= body.length) { c.close(); return; }
      c.enqueue(new Uint8Array(body.subarray(i, i + 65_536)));
      i += 65_536;
    },
  }));
}) as unknown as typeof fetch;

const serving = (body: Buffer | null, status = 200) => (async () => new Response(body === null ? null : new Uint8Array(body), { status })) as unknown as typeof fetch;

function board(): string {
  const root = tmp('manyi-board-');
  initSlots(root, '1.0.0', (dir) => writeFileSync(join(dir, 'app.mjs'), '// version 1\n'));
  return root;
}

function untouched(root: string): void {
  expect(currentSlot(root)).toBe('a');
  expect(slotVersion(root, 'a')).toBe('1.0.0');
  expect(readFileSync(join(slotDir(root, 'a'), 'app.mjs'), 'utf8')).toBe('// version 1\n');
  expect(existsSync(join(root, 'download.part'))).toBe(false);
  expect(readJournal(root).pending).toBeUndefined();
}

beforeAll(async () => {
  secret = ed.utils.randomSecretKey();
  pub = Buffer.from(await ed.getPublicKeyAsync(secret)).toString('hex');
});

describe('an install refuses, leaving the running slot as it was', () => {
  for (const [what, bytes, fetch] of [['a large download', 400_000, trickling], ['one in one piece', 400_000, serving], ['a small one', 10, serving]] as const) {
    it(`when the disk is full (${what}): refused with the reason, not hung`, async () => {
      const archive = await bundleOf({ 'firmware/blob.bin': randomBytes(bytes) });
      const offer = await offerFor(archive);
      const root = board();
      // The download lands on /dev/full: every write fails with ENOSPC.
      const onStep = (s: string) => { if (s === 'downloading') symlinkSync('/dev/full', join(root, 'download.part')); };
      await expect(installOffer({ root, publicKey: pub, offer, deadlineMs: 1000, fetch: fetch(archive), onStep }))
        .rejects.toThrow(new UpdateRefused('download could not be saved on this board: ENOSPC: no space left on device, write'));
      untouched(root);
      expect(existsSync(slotDir(root, 'b'))).toBe(false);
    });
  }

  it('when the server answers an error page: the page is not taken for the bundle', async () => {
    const archive = await bundleOf({ 'firmware/a.mjs': 'x' });
    const root = board();
    await expect(installOffer({ root, publicKey: pub, offer: await offerFor(archive), deadlineMs: 1000, fetch: serving(Buffer.from('<h1>Not found</h1>'), 404) }))
      .rejects.toThrow(new UpdateRefused('download failed: HTTP 404'));
    untouched(root);
  });

  it('when the download is larger than signed, saying so (not as an interruption)', async () => {
    const archive = await bundleOf({ 'firmware/a.mjs': 'x' });
    const root = board();
    const offer = await offerFor(archive);
    await expect(installOffer({ root, publicKey: pub, offer, deadlineMs: 1000, fetch: serving(Buffer.concat([archive, Buffer.alloc(5)])) }))
      .rejects.toThrow(new UpdateRefused(`download is larger than the offered ${archive.length} bytes`));
    untouched(root);
  });

  it('when a signed archive tries to write outside its slot (.. or an absolute path)', async () => {
    const root = board();
    const src = tmp('manyi-evil-');
    writeFileSync(join(src, 'ok.txt'), 'fine');
    const victim = join(tmp('manyi-victim-'), 'escaped.txt');
    for (const entry of ['../../../escaped.txt', victim]) {
      const evil = join(tmp('manyi-evil-out-'), 'evil.tar.gz');
      await tar.c({ gzip: true, cwd: src, file: evil, preservePaths: true, onWriteEntry: (e) => { if (e.path === 'ok.txt') e.path = entry; } }, ['ok.txt']);
      const archive = readFileSync(evil);
      await expect(installOffer({ root, publicKey: pub, offer: await offerFor(archive), deadlineMs: 1000, fetch: serving(archive) }), entry).rejects.toThrow();
      untouched(root);
      expect(existsSync(victim)).toBe(false);
      expect(existsSync(join(root, 'escaped.txt'))).toBe(false);
      expect(existsSync(join(root, 'slots', 'escaped.txt'))).toBe(false);
    }
  });
});

describe('a finished install', () => {
  it('replaces leftovers of a power cut (a half-unpacked .new, a stale .old) and leaves the new slot whole', async () => {
    const archive = await bundleOf({ 'firmware/app.mjs': '// version 2\n' });
    const root = board();
    for (const d of ['b', 'b.new/firmware', 'b.old/firmware']) mkdirSync(join(root, 'slots', d), { recursive: true });
    writeFileSync(join(root, 'slots', 'b', 'VERSION'), '0.9.0\n');
    writeFileSync(join(root, 'slots', 'b.new', 'firmware', 'half.mjs'), 'half');
    writeFileSync(join(root, 'slots', 'b.old', 'firmware', 'stale.mjs'), 'stale');
    await installOffer({ root, publicKey: pub, offer: await offerFor(archive), deadlineMs: 1000, fetch: serving(archive) });
    expect(currentSlot(root)).toBe('b');
    expect(readdirSync(join(root, 'slots')).sort()).toEqual(['a', 'b']);
    expect(readdirSync(join(slotDir(root, 'b'), 'firmware'))).toEqual(['app.mjs']);
    expect(readFileSync(join(slotDir(root, 'b'), 'VERSION'), 'utf8')).toBe('2.0.0\n');
  });
});

describe('a large download', () => {
  it('waits for the disk chunk by chunk without piling up listeners, and lands whole', async () => {
    const blob = randomBytes(2_000_000);
    const archive = await bundleOf({ 'firmware/blob.bin': blob });
    const root = board();
    // Served in 64 KiB chunks: each is more than the file stream buffers, so each write waits for it to drain.
    const chunked = (async () => new Response(new ReadableStream<Uint8Array>({
      start(c) { for (let i = 0; i < archive.length; i += 65_536) c.enqueue(new Uint8Array(archive.subarray(i, i + 65_536))); c.close(); },
    }))) as unknown as typeof fetch;
    const warnings: string[] = [];
    const onWarning = (w: Error) => { warnings.push(w.name); };
    process.on('warning', onWarning);
    try {
      await installOffer({ root, publicKey: pub, offer: await offerFor(archive), deadlineMs: 1000, fetch: chunked });
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next turn
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
    expect(readFileSync(join(slotDir(root, 'b'), 'firmware', 'blob.bin')).equals(blob)).toBe(true);
  });
});

describe('a packaged bundle (with an ARCH file)', () => {
  const debianArch: string = process.arch === 'x64' ? 'amd64' : process.arch;
  const slotWith = (arch: string) => {
    const dir = join(tmp('manyi-board-'), 'slots', 'b.new');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ARCH'), `${arch}\n`);
    return dir;
  };

  it('installs on a board of its CPU, named as Debian names it', async () => {
    await expect(linkSharedModules(tmp('manyi-board-'))(slotWith(debianArch))).resolves.toBeUndefined();
  });

  it('is refused on a board of another CPU, naming both', async () => {
    const other = debianArch === 'armhf' ? 'amd64' : 'armhf';
    await expect(linkSharedModules(tmp('manyi-board-'))(slotWith(other)))
      .rejects.toThrow(new UpdateRefused(`the bundle is built for ${other}, this board is ${debianArch}`));
  });

  it('for arm64 (a Pi 4 or 5 on a 64-bit system) installs there and nowhere else', async () => {
    const real = Object.getOwnPropertyDescriptor(process, 'arch')!;
    try {
      Object.defineProperty(process, 'arch', { ...real, value: 'arm64' });
      await expect(linkSharedModules(tmp('manyi-board-'))(slotWith('arm64'))).resolves.toBeUndefined();
      await expect(linkSharedModules(tmp('manyi-board-'))(slotWith('amd64'))).rejects.toThrow('the bundle is built for amd64, this board is arm64');
      Object.defineProperty(process, 'arch', { ...real, value: 'x64' });
      await expect(linkSharedModules(tmp('manyi-board-'))(slotWith('amd64'))).resolves.toBeUndefined();
    } finally {
      Object.defineProperty(process, 'arch', real);
    }
  });
});
