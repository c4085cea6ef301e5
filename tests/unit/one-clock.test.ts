// "Code reads time only from the injected clock": no product module reads the wall
// clock itself (Date.now(), new Date() with no argument) except the clock,
// firmware/lib/time.ts's systemClock. Roles take `ctx.clock` (the demo's shifted
// clock, the simulator's virtual one); command-line entry points take systemClock,
// the same clock a role gets on a real board. Elapsed time for a network or serial
// deadline is measured with performance.now(): monotonic, so an NTP step at a Pi's
// boot (no real-time clock) cannot fire or stall it. Page scripts (.js) run in the
// browser and take the hall's time from the view they are sent.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLOCK = 'firmware/lib/time.ts';

/** Source without comments (block and line), so a comment may name Date.now(). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Lines that read the wall clock: `Date.now(` or `new Date()` with no argument. */
export function wallClockReads(text: string): number[] {
  const out: number[] = [];
  code(text).split('\n').forEach((l, i) => { if (/\bDate\s*\.\s*now\s*\(|\bnew\s+Date\s*\(\s*\)/.test(l)) out.push(i + 1); });
  return out;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'node_modules') out.push(...sources(p)); }
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('one clock', () => {
  it('no product module reads the wall clock except the clock itself', () => {
    const found: string[] = [];
    for (const f of ['firmware', 'kiosk', 'signage'].flatMap(sources)) {
      const rel = relative(ROOT, join(ROOT, f));
      if (rel === CLOCK) continue;
      for (const line of wallClockReads(readFileSync(join(ROOT, f), 'utf8'))) found.push(`${rel}:${line}`);
    }
    expect(found).toEqual([]);
    // The clock is where the wall clock is read (else this check guards nothing).
    expect(wallClockReads(readFileSync(join(ROOT, CLOCK), 'utf8')).length).toBeGreaterThan(0);
  });

  it('finds Date.now() and new Date() in code, not in comments, and lets a given instant through', () => {
    const sample = [
      'const a = Date.now();',
      '// Date.now() in a comment',
      'const b = new Date();',
      'const c = new Date(ms).toISOString();',
      '/* new Date() */ const d = performance.now();',
      "const url = 'http://x'; const e = Date . now ();",
    ].join('\n');
    expect(wallClockReads(sample)).toEqual([1, 3, 6]);
  });
});
