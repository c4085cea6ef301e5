// The README's pictures are committed files, small enough for a clone: a picture in an
// ignored folder (tests/artifacts/) shows nothing on a fresh clone. The city page's
// picture is made by tests/city/city.test.ts (`npm run screenshot:city`), not by hand.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Exit 0: ignored; 1: not ignored; anything else (no git, no repository) throws. */
function ignoredByGit(path: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: root, stdio: 'ignore' });
    return true;
  } catch (e) {
    if ((e as { status?: number }).status === 1) return false;
    throw e;
  }
}

describe("the README's pictures", () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((p) => !/^[a-z]+:/.test(p));

  it('include the city page with its halls', () => {
    expect(images).toContain('tests/city/img/city-page-en.png');
  });

  it.each(images)('%s is a committed PNG under 200 KB', (path) => {
    expect(ignoredByGit(path), `${path} is in a gitignored folder`).toBe(false);
    const bytes = readFileSync(`${root}${path}`);
    expect(bytes.subarray(0, 8).equals(PNG), `${path} is not a PNG`).toBe(true);
    expect(statSync(`${root}${path}`).size).toBeLessThan(200 * 1024);
  });
});
