// The compiled app (`npm run build`): what a board runs, without a TypeScript loader.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, type Compiled } from '../../firmware/build/compile.ts';
import { COMMANDS, loadersFor } from '../../firmware/cli/main.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
let out: string;
let built: Compiled;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'manyi-dist-'));
  built = await compile({ outDir: join(dir, 'dist') });
  out = built.outDir;
  // The package puts the production node_modules beside app/; here, the checkout's.
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
});
afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

/** Runs the compiled `manyi` with a loader trace: which files Node loaded. */
function manyi(args: string[]) {
  return spawnSync(process.execPath, [join(out, 'firmware/bin/manyi.mjs'), ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } });
}

/** Every input file reachable from `chunk` through static imports only. */
function staticInputs(meta: Metafile, chunk: string): { inputs: Set<string>; external: Set<string> } {
  const inputs = new Set<string>(); const external = new Set<string>(); const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const o = meta.outputs[f];
    for (const i of Object.keys(o.inputs)) inputs.add(i);
    for (const imp of o.imports) {
      if (imp.kind !== 'import-statement') continue;
      if (imp.external) external.add(imp.path); else visit(imp.path);
    }
  };
  visit(chunk);
  return { inputs, external };
}
const chunkOf = (meta: Metafile, entry: string) => Object.keys(meta.outputs).find((f) => meta.outputs[f].entryPoint === entry)!;

describe('npm run build', () => {
  it('runs `manyi --version` and `--help` from dist/ without tsx', () => {
    const v = manyi(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const h = manyi(['--help']);
    expect(h.status).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(h.stdout).toContain(name);
    // The build never bundles the TypeScript loader.
    expect(Object.keys(built.metafile.inputs).some((i) => i.includes('node_modules/tsx/'))).toBe(false);
  });

  it('finds the files modules read at run time (hall, specs, pages) in dist/', () => {
    const specs = manyi(['hw', 'specs']);
    expect(specs.status, specs.stderr).toBe(0);
    expect(specs.stdout).toMatch(/counter-pi-zero\s+counter/);
    const bad = manyi(['run', '--config', join(ROOT, 'package.json')]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/manyi run: .*package\.json/);
  });

  it('gives a counter, a kiosk and a lobby board only their own code: no SQLite, broker, simulator or statistics', () => {
    const meta = built.metafile;
    const main = chunkOf(meta, 'firmware/cli/main.ts');
    const run = chunkOf(meta, 'firmware/runtime/cli.ts');
    const common = staticInputs(meta, main);
    const runInputs = staticInputs(meta, run);
    for (const role of ['firmware/counter/role.ts', 'kiosk/role.ts', 'signage/board/role.ts']) {
      const r = staticInputs(meta, chunkOf(meta, role));
      const all = [...common.inputs, ...runInputs.inputs, ...r.inputs];
      const ext = [...common.external, ...runInputs.external, ...r.external];
      expect(ext, role).not.toContain('better-sqlite3');
      for (const heavy of ['node_modules/aedes/', 'firmware/controller/', 'firmware/sim/', 'firmware/stats/', 'firmware/maint/', 'firmware/demo/']) {
        expect(all.filter((i) => i.includes(heavy)), `${role} loads ${heavy}`).toEqual([]);
      }
    }
    // …while the controller's does load SQLite.
    expect(staticInputs(meta, chunkOf(meta, 'firmware/controller/role.ts')).external).toContain('better-sqlite3');
  });

  it('loads node:repl only if johnny-five ever starts a REPL (boards run it with repl: false; loading it costs ~4 MB)', () => {
    // johnny-five's lib/repl.js gets the build's lazy `repl`…
    const imports = built.metafile.inputs['node_modules/johnny-five/lib/repl.js'].imports.map((i) => i.path);
    expect(imports).toContain('lazy-repl:repl');
    // …and no chunk requires node:repl when it loads, only from inside that start().
    const lazy = 'start:(...a)=>__require("node:repl").start(...a)';
    const js = Object.keys(built.metafile.outputs).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    expect(js).toContain(lazy);
    expect(js.split(lazy).join('')).not.toMatch(/require\("(node:)?repl"\)/);
  });
});

describe('the lazy command line', () => {
  it('lists every command each module registers, and only those', async () => {
    const byModule = new Map<() => Promise<unknown>, string[]>();
    for (const [name, load] of Object.entries(COMMANDS)) byModule.set(load, [...(byModule.get(load) ?? []), name]);
    for (const [load, names] of byModule) {
      const p = new Command();
      ((await load()) as { register: (c: Command) => void }).register(p);
      expect(p.commands.map((c) => c.name()).sort()).toEqual([...names].sort());
    }
  });

  it('loads only the asked command\'s module, and all of them for help or an unknown command', () => {
    expect(loadersFor(['node', 'manyi', 'run', '--config', 'x'])).toEqual([COMMANDS.run]);
    const all = new Set(Object.values(COMMANDS)).size;
    expect(loadersFor(['node', 'manyi', '--help'])).toHaveLength(all);
    expect(loadersFor(['node', 'manyi', 'toaster'])).toHaveLength(all);
  });
});
