// `manyi bundle` and the bundle file a maintainer hands to `manyi rollout`: what a
// bundle packs (the board software, never the developer's node_modules or .git),
// the versions it accepts, the canonical signed bytes, and the bundle files it
// refuses to read (a bad archive name, a bad key, a missing signature).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import * as tar from 'tar';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ENTRIES, buildBundle, readBundle } from '../../firmware/update/bundle.ts';
import { MANIFEST_FORMAT, manifestBytes, verifyManifest } from '../../firmware/update/manifest.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const put = (file: string, text = 'x') => { mkdirSync(join(file, '..'), { recursive: true }); writeFileSync(file, text); };

/** The paths in a tar.gz, and the owner and access-time metadata recorded with them. */
async function listArchive(file: string): Promise<{ paths: string[]; owners: string[] }> {
  const paths: string[] = [];
  const owners: string[] = [];
  await tar.t({
    file,
    onReadEntry: (e) => {
      paths.push(e.path.replace(/\/$/, ''));
      const h = e.header;
      owners.push([h.uid, h.gid, h.uname || undefined, h.gname || undefined, h.atime, h.ctime].map((v) => (v === undefined ? '-' : String(v))).join(':'));
    },
  });
  return { paths: paths.sort(), owners };
}

async function build(src: string, over: { version?: string; entries?: string[] } = {}) {
  const out = tmp('manyi-bundle-out-');
  const r = await buildBundle({ version: over.version ?? '2.0.0', secretKey: ed.utils.randomSecretKey(), outDir: out, sourceRoot: src, entries: over.entries });
  return { ...r, out, archive: join(out, r.bundle.archive) };
}

describe('building a bundle', () => {
  it('packs the board software of a source tree: firmware, kiosk, signage, hw-specs and the npm manifests, nothing else', async () => {
    expect(BUNDLE_ENTRIES).toEqual(['firmware', 'kiosk', 'signage', 'hw-specs', 'package.json', 'package-lock.json']);
    const src = tmp('manyi-src-');
    for (const f of ['firmware/a.ts', 'kiosk/k.ts', 'signage/s.ts', 'hw-specs/h.json', 'package.json', 'package-lock.json', 'tests/t.test.ts', 'README.md']) put(join(src, f));
    const { archive } = await build(src);
    const { paths } = await listArchive(archive);
    expect(paths).toEqual([
      'firmware', 'firmware/a.ts', 'hw-specs', 'hw-specs/h.json', 'kiosk', 'kiosk/k.ts', 'package-lock.json', 'package.json', 'signage', 'signage/s.ts',
    ]);
  });

  it('leaves a source tree\'s node_modules and .git out at every depth, even when named as entries', async () => {
    const src = tmp('manyi-src-');
    for (const f of ['firmware/a.ts', 'firmware/node_modules/x/i.js', 'firmware/.git/HEAD', 'node_modules/zod/i.js', '.git/HEAD']) put(join(src, f));
    const { archive } = await build(src, { entries: ['firmware', 'node_modules', '.git'] });
    expect((await listArchive(archive)).paths).toEqual(['firmware', 'firmware/a.ts']);
  });

  it('keeps a packaged tree\'s node_modules (built for the board) but never .git', async () => {
    const src = tmp('manyi-app-');
    for (const f of ['ARCH', 'firmware/a.ts', 'node_modules/zod/i.js', '.git/HEAD', 'firmware/.git/HEAD']) put(join(src, f));
    const { archive } = await build(src, { entries: ['ARCH', 'firmware', 'node_modules', '.git'] });
    expect((await listArchive(archive)).paths).toEqual(['ARCH', 'firmware', 'firmware/a.ts', 'node_modules', 'node_modules/zod', 'node_modules/zod/i.js']);
  });

  it('writes a gzip archive without the maintainer\'s user and group (ids or names) or access times in it', async () => {
    const src = tmp('manyi-src-');
    put(join(src, 'firmware', 'a.ts'));
    const { archive } = await build(src);
    expect([...readFileSync(archive).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const { owners } = await listArchive(archive);
    expect(owners.length).toBeGreaterThan(0);
    for (const o of owners) expect(o).toBe('-:-:-:-:-:-');
  });

  it('refuses a version that is not letters, digits, . _ + - (1–64, not starting with a sign), saying what to use', async () => {
    const src = tmp('manyi-src-');
    put(join(src, 'firmware', 'a.ts'));
    for (const v of ['2.0.0', '2.0.0-rc.1+b7', 'v'.repeat(64)]) await expect(build(src, { version: v })).resolves.toBeTruthy();
    for (const v of ['', '-2.0', '.2', '2.0/../../x', '../2.0', '2.0 ', 'v'.repeat(65), '2.0\n']) {
      await expect(build(src, { version: v }), JSON.stringify(v)).rejects.toThrow(`version ${JSON.stringify(v)}: use letters, digits, . _ + - (max 64)`);
    }
  });

  it('refuses a tree with none of the entries, naming the ones it looked for', async () => {
    const src = tmp('manyi-empty-');
    await expect(build(src)).rejects.toThrow(`${src}: none of firmware, kiosk, signage, hw-specs, package.json, package-lock.json found`);
    await expect(build(src, { entries: ['app', 'lib'] })).rejects.toThrow(`${src}: none of app, lib found`);
  });

  it('writes the bundle file as JSON ending in a newline, which readBundle gives back', async () => {
    const src = tmp('manyi-src-');
    put(join(src, 'firmware', 'a.ts'));
    const { file, bundle } = await build(src);
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(bundle);
    expect(readBundle(file)).toEqual(bundle);
    expect(await verifyManifest(bundle.manifest, bundle.signature, bundle.publicKey)).toBe(true);
  });
});

describe('reading a bundle file', () => {
  async function bundleFile() {
    const src = tmp('manyi-src-');
    put(join(src, 'firmware', 'a.ts'));
    return (await build(src)).bundle;
  }
  const write = (o: unknown) => { const f = join(tmp('manyi-bf-'), 'b.json'); writeFileSync(f, JSON.stringify(o)); return f; };

  it('refuses an archive name with a path in it, or anything but letters, digits, . _ -', async () => {
    const b = await bundleFile();
    expect(readBundle(write(b))).toEqual(b);
    for (const archive of ['../x.tar.gz', 'a/b.tar.gz', '/etc/passwd', 'x.tar.gz/..', '', 'a b.tar.gz']) {
      expect(() => readBundle(write({ ...b, archive })), archive).toThrow();
    }
  });

  it('refuses a public key that is not exactly 64 hex digits, and an empty signature', async () => {
    const b = await bundleFile();
    for (const publicKey of [`x${b.publicKey}`, `${b.publicKey}x`, b.publicKey.slice(1), b.publicKey.toUpperCase().replace(/[0-9]/g, 'G')]) {
      expect(() => readBundle(write({ ...b, publicKey })), publicKey).toThrow();
    }
    expect(() => readBundle(write({ ...b, signature: '' }))).toThrow();
    expect(() => readBundle(write({ ...b, extra: 1 }))).toThrow();
  });
});

describe('the signed manifest', () => {
  it('is the same bytes in every version of manyi: format manyi-bundle/1, version, sha256, size', () => {
    expect(MANIFEST_FORMAT).toBe('manyi-bundle/1');
    expect(new TextDecoder().decode(manifestBytes({ version: '1', sha256: 'a'.repeat(64), size: 1 })))
      .toBe(`{"format":"manyi-bundle/1","version":"1","sha256":"${'a'.repeat(64)}","size":1}`);
  });

  it('refuses a hash with anything before or after its 64 hex digits; verifying one is false, not a throw', async () => {
    for (const sha256 of [`x${'a'.repeat(64)}`, `${'a'.repeat(64)}x`]) {
      expect(() => manifestBytes({ version: '1', sha256, size: 1 }), sha256).toThrow();
      expect(await verifyManifest({ version: '1', sha256, size: 1 }, 'c2ln', 'a'.repeat(64))).toBe(false);
    }
  });
});
