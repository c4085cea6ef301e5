// The import rules (tests/setup/import-rules.ts, with dependency-cruiser): firmware/
// reaches kiosk/ and signage/ only through the role registry, and no two folders
// import each other in a loop. A known break is listed below with its owner and how
// it goes away; anything else fails here, so CI catches a new one.
import { describe, expect, it } from 'vitest';
import { checkImports, folderLoops, type ImportFindings } from '../setup/import-rules.ts';

/** Breaks that exist today, each with who removes it and how. Remove a line when it is fixed. */
const KNOWN_FORBIDDEN: Record<string, string> = {
};
/** Imports that close a loop between folders today, each with who removes it and how. */
const KNOWN_LOOP_EDGES: Array<{ from: RegExp; to: RegExp; owner: string; why: string }> = [];
const knownEdge = (from: string, to: string) => KNOWN_LOOP_EDGES.some((k) => k.from.test(from) && k.to.test(to));

let findings: ImportFindings;
const found = async () => (findings ??= await checkImports(knownEdge));

describe('import rules', () => {
  it('firmware/ imports kiosk/ and signage/ only through the role registry', async () => {
    const f = await found();
    expect(f.modules).toBeGreaterThan(150); // the graph was read
    expect(f.forbidden.filter((x) => !(x in KNOWN_FORBIDDEN))).toEqual([]);
  }, 120_000);

  it('no two folders import each other in a loop', async () => {
    const f = await found();
    expect(f.loops).toEqual([]);
  }, 120_000);

  it('finds a loop between folders, however long, and names the imports that make it', () => {
    const g = new Map([
      ['a', new Map([['b', 'a/x.ts → b/y.ts']])],
      ['b', new Map([['c', 'b/y.ts → c/z.ts']])],
      ['c', new Map([['a', 'c/z.ts → a/x.ts'], ['d', 'c/z.ts → d/w.ts']])],
    ]);
    expect(folderLoops(g)).toEqual([{ folders: ['a', 'b', 'c'], via: ['a/x.ts → b/y.ts', 'b/y.ts → c/z.ts', 'c/z.ts → a/x.ts'] }]);
    expect(folderLoops(new Map([['a', new Map([['b', 'a → b']])]]))).toEqual([]);
  });
});
