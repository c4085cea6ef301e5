// One install in process, with the download served by a fake fetch: what is
// checked before a byte is written, what is refused and what each refusal
// leaves behind (never a half slot, never a switch), and the order of the steps.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import { beforeAll, describe, expect, it } from 'vitest';
import type { UpdateOffer } from '../../firmware/protocol/messages.ts';
import { buildBundle, readBundle, sha256File } from '../../firmware/update/bundle.ts';
import { installOffer, linkSharedModules, UpdateRefused, type InstallStep } from '../../firmware/update/install.ts';
import { currentSlot, initSlots, readJournal, slotDir, slotVersion } from '../../firmware/update/slots.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
let secret: Uint8Array;
let pub: string;
let archive: Buffer;
let offer: UpdateOffer;

beforeAll(async () => {
  secret = ed.utils.randomSecretKey();
  pub = Buffer.from(await ed.getPublicKeyAsync(secret)).toString('hex');
  const src = tmp('manyi-src-');
  mkdirSync(join(src, 'firmware'), { recursive: true });
  writeFileSync(join(src, 'firmware', 'app.mjs'), '// version 2\n');
  writeFileSync(join(src, 'package.json'), '{"name":"manyi","version":"2.0.0"}');
  mkdirSync(join(src, 'firmware', 'node_modules', 'junk'), { recursive: true }); // never packed
  const out = tmp('manyi-out-');
  const { file, bundle } = await buildBundle({ version: '2.0.0', secretKey: secret, outDir: out, sourceRoot: src });
  expect(readBundle(file)).toEqual(bundle);
  archive = readFileSync(join(out, bundle.archive));
  expect(bundle.manifest).toEqual({ format: 'manyi-bundle/1', version: '2.0.0', sha256: await sha256File(join(out, bundle.archive)), size: archive.length });
  expect(bundle.publicKey).toBe(pub);
  offer = { id: 'offer-2', version: '2.0.0', url: 'http://bundles/manyi-2.0.0.tar.gz', sha256: bundle.manifest.sha256, size: bundle.manifest.size, signature: bundle.signature };
});

function board(): string {
  const root = tmp('manyi-board-');
  initSlots(root, '1.0.0', (dir) => writeFileSync(join(dir, 'app.mjs'), '// version 1\n'));
  return root;
}

/** A fetch that serves `body` (in chunks) for any URL, or fails as told. */
function fakeFetch(body: Buffer, opts: { status?: number; failAfter?: number } = {}): typeof fetch & { calls: string[] } {
  const calls: string[] = [];
  const f = (async (url: string) => {
    calls.push(String(url));
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (opts.failAfter !== undefined && i >= opts.failAfter) { c.error(new Error('connection reset')); return; }
        if (i >= body.length) { c.close(); return; }
        c.enqueue(new Uint8Array(body.subarray(i, i + 100)));
        i += 100;
      },
    });
    return new Response(opts.status && opts.status >= 400 ? null : stream, { status: opts.status ?? 200 });
  }) as unknown as typeof fetch & { calls: string[] };
  f.calls = calls;
  return f;
}

/** What a refused install must leave: the old version current, nothing half-done, no trial. */
function untouched(root: string): void {
  expect(currentSlot(root)).toBe('a');
  expect(slotVersion(root, 'a')).toBe('1.0.0');
  expect(existsSync(join(root, 'download.part'))).toBe(false);
  expect(readJournal(root).pending).toBeUndefined();
}

describe('installOffer', () => {
  it('checks, downloads, unpacks into the other slot, journals the trial, then switches, in that order', async () => {
    const root = board();
    const steps: InstallStep[] = [];
    const prepared: string[] = [];
    const fetch = fakeFetch(archive);
    const before = Date.now();
    const r = await installOffer({
      root, publicKey: pub, offer, deadlineMs: 90_000, fetch,
      onStep: (s) => { steps.push(s); if (s !== 'switched') expect(currentSlot(root)).toBe('a'); },
      prepare: async (dir) => { prepared.push(dir); },
    });
    expect(r).toEqual({ slot: 'b', previous: 'a' });
    expect(steps).toEqual(['verified-offer', 'downloading', 'downloaded', 'unpacking', 'unpacked', 'journaled', 'switched']);
    expect(fetch.calls).toEqual([offer.url]);
    expect(prepared).toEqual([`${slotDir(root, 'b')}.new`]);
    expect(currentSlot(root)).toBe('b');
    expect(slotVersion(root, 'b')).toBe('2.0.0');
    expect(readFileSync(join(slotDir(root, 'b'), 'firmware', 'app.mjs'), 'utf8')).toBe('// version 2\n');
    expect(existsSync(join(slotDir(root, 'b'), 'firmware', 'node_modules'))).toBe(false);
    expect(readdirSync(join(root, 'slots')).sort()).toEqual(['a', 'b']);
    expect(existsSync(join(root, 'download.part'))).toBe(false);
    const p = readJournal(root).pending!;
    expect(p).toMatchObject({ id: 'offer-2', version: '2.0.0', slot: 'b', previous: 'a', deadlineMs: 90_000, boots: 0 });
    expect(p.since).toBeGreaterThanOrEqual(before);
    expect(p.since).toBeLessThanOrEqual(Date.now());
  });

  it('replaces an old version in the inactive slot whole', async () => {
    const root = board();
    mkdirSync(slotDir(root, 'b'), { recursive: true });
    writeFileSync(join(slotDir(root, 'b'), 'VERSION'), '0.9.0\n');
    writeFileSync(join(slotDir(root, 'b'), 'stale.txt'), 'old');
    await installOffer({ root, publicKey: pub, offer, deadlineMs: 1000, fetch: fakeFetch(archive) });
    expect(slotVersion(root, 'b')).toBe('2.0.0');
    expect(existsSync(join(slotDir(root, 'b'), 'stale.txt'))).toBe(false);
    expect(readdirSync(join(root, 'slots')).sort()).toEqual(['a', 'b']);
  });

  it('refuses an offer not signed with the board\'s key before downloading anything', async () => {
    const root = board();
    const fetch = fakeFetch(archive);
    const steps: InstallStep[] = [];
    const otherKey = Buffer.from(await ed.getPublicKeyAsync(ed.utils.randomSecretKey())).toString('hex');
    await expect(installOffer({ root, publicKey: otherKey, offer, deadlineMs: 1000, fetch, onStep: (s) => { steps.push(s); } }))
      .rejects.toThrow(new UpdateRefused('bad signature: the offer is not signed with this board\'s update key'));
    await expect(installOffer({ root, publicKey: pub, offer: { ...offer, version: '2.0.1' }, deadlineMs: 1000, fetch }))
      .rejects.toBeInstanceOf(UpdateRefused);
    expect(fetch.calls).toEqual([]);
    expect(steps).toEqual([]);
    untouched(root);
  });

  it('refuses when the board has no current slot', async () => {
    const root = tmp('manyi-board-');
    await expect(installOffer({ root, publicKey: pub, offer, deadlineMs: 1000, fetch: fakeFetch(archive) }))
      .rejects.toThrow(/no current slot; run the boot check first/);
  });

  const refusals: Array<[string, () => typeof fetch, Partial<UpdateOffer>, RegExp]> = [
    ['an HTTP error', () => fakeFetch(archive, { status: 404 }), {}, /^download failed: HTTP 404$/],
    ['a download larger than offered', () => fakeFetch(Buffer.concat([archive, Buffer.alloc(10)])), {}, /download is larger than the offered \d+ bytes/],
    ['a connection that breaks mid-download', () => fakeFetch(archive, { failAfter: 200 }), {}, /^download interrupted after 200 of \d+ bytes: connection reset$/],
  ];
  for (const [what, f, change, err] of refusals) {
    it(`refuses ${what}, leaving the board as it was`, async () => {
      const root = board();
      await expect(installOffer({ root, publicKey: pub, offer: { ...offer, ...change }, deadlineMs: 1000, fetch: f() })).rejects.toThrow(err);
      untouched(root);
      expect(existsSync(slotDir(root, 'b'))).toBe(false);
    });
  }

  it('refuses a truncated download and one whose hash is not the signed one', async () => {
    const root = board();
    const short = archive.subarray(0, archive.length - 1);
    await expect(installOffer({ root, publicKey: pub, offer, deadlineMs: 1000, fetch: fakeFetch(short) }))
      .rejects.toThrow(`download truncated: ${short.length} of ${archive.length} bytes`);
    untouched(root);
    const tampered = Buffer.from(archive);
    tampered[tampered.length - 1] ^= 0xff;
    await expect(installOffer({ root, publicKey: pub, offer, deadlineMs: 1000, fetch: fakeFetch(tampered) }))
      .rejects.toThrow(new RegExp(`^SHA-256 mismatch: got [0-9a-f]{64}, offered ${offer.sha256}$`));
    untouched(root);
    expect(existsSync(slotDir(root, 'b'))).toBe(false);
  });
});

describe('linkSharedModules', () => {
  it('links the board\'s node_modules into a new slot, once, and only when the board has one', async () => {
    const root = tmp('manyi-board-');
    const dir = join(root, 'slots', 'b.new');
    mkdirSync(dir, { recursive: true });
    await linkSharedModules(root)(dir);
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    mkdirSync(join(root, 'node_modules', 'zod'), { recursive: true });
    await linkSharedModules(root)(dir);
    expect(readdirSync(join(dir, 'node_modules'))).toEqual(['zod']);
    await linkSharedModules(root)(dir); // again: already there, no error
  });
});
