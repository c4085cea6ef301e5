// The node_modules a board needs beside the bundle: only the packages the build
// left external (native addons and what loads them, see compile.ts), with their
// dependencies as package-lock.json resolves them, built for the board's CPU.
//
// Native addons for another architecture are cross-compiled with Debian's
// cross compilers (g++-aarch64-linux-gnu) through node-gyp against this
// machine's Node headers; packages that ship a prebuilt binary for the target
// (@serialport/bindings-cpp) use it. Build leftovers, sources and other
// platforms' binaries are removed: they are most of these packages' size.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix } from 'node:path';
import type { Metafile } from 'esbuild';

export type Arch = 'amd64' | 'arm64';
/** Debian architecture → Node's `process.arch` and the GNU triplet of its cross compiler. */
export const ARCHES: Record<Arch, { node: string; triplet: string; elfMachine: string }> = {
  amd64: { node: 'x64', triplet: 'x86_64-linux-gnu', elfMachine: 'Advanced Micro Devices X86-64' },
  arm64: { node: 'arm64', triplet: 'aarch64-linux-gnu', elfMachine: 'AArch64' },
};
export const hostArch = (): Arch => (process.arch === 'arm64' ? 'arm64' : 'amd64');

interface LockEntry { version?: string; dev?: boolean; optional?: boolean; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
type Lock = { packages: Record<string, LockEntry> };

/** Package folders (`node_modules/a/node_modules/b`) the bundle requires at run time. */
export function externalPackages(meta: Metafile, devOnly: string[]): string[] {
  const out = new Set<string>();
  for (const o of Object.values(meta.outputs)) {
    for (const imp of o.imports) {
      if (!imp.external || imp.path.startsWith('node:') || builtinModules.includes(imp.path.split('/')[0])) continue;
      const parts = imp.path.split('/');
      // `a`, `@s/a`, `a/node_modules/b`, `a/node_modules/@s/b` (a subpath after it is dropped)
      const pkg: string[] = [];
      for (let i = 0; i < parts.length;) {
        const n = parts[i].startsWith('@') ? 2 : 1;
        pkg.push(...parts.slice(i, i + n));
        i += n;
        if (parts[i] !== 'node_modules') break;
        pkg.push('node_modules');
        i++;
      }
      const name = pkg.join('/');
      if (!devOnly.some((d) => name === d || name.startsWith(`${d}/`))) out.add(`node_modules/${name}`);
    }
  }
  return [...out].sort();
}

/** Where `name` resolves from the package at `from` (Node's upward node_modules search). */
function resolveIn(lock: Lock, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir}/node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    const up = dir.lastIndexOf('/node_modules/');
    if (up < 0) break;
    dir = dir.slice(0, up);
  }
  return lock.packages[`node_modules/${name}`] ? `node_modules/${name}` : undefined;
}

/**
 * The packages and all their production dependencies, as lock paths. A root the
 * lock does not hold is an optional require the bundle tries and survives
 * without (ws's bufferutil): skipped.
 */
export function dependencyClosure(lockFile: string, roots: string[]): string[] {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as Lock;
  roots = roots.filter((r) => lock.packages[r]);
  const seen = new Set<string>();
  const visit = (p: string) => {
    if (seen.has(p)) return;
    const e = lock.packages[p];
    if (!e) throw new Error(`${p} is not in ${lockFile}: run npm install`);
    seen.add(p);
    const base = p.slice('node_modules/'.length);
    for (const [name, optional] of [...Object.keys(e.dependencies ?? {}).map((n) => [n, false] as const), ...Object.keys(e.optionalDependencies ?? {}).map((n) => [n, true] as const)]) {
      const r = resolveIn(lock, `node_modules/${base}`, name);
      if (r) visit(r);
      else if (!optional) throw new Error(`${p} needs ${name}, which package-lock.json does not resolve`);
    }
  };
  for (const r of roots) visit(r);
  return [...seen].sort();
}

const JUNK_DIRS = new Set(['test', 'tests', '__tests__', 'docs', 'doc', 'example', 'examples', 'benchmark', '.github', 'coverage']);
const JUNK_FILE = /(\.(md|markdown|ts|map|gyp|gypi|cc|cpp|c|h|hpp|mk|o|a|tlog|lib|pdb|exp)|^(Makefile|\.npmignore|\.eslintrc.*|tsconfig.*\.json|CHANGELOG.*|binding\.Makefile))$/i;

/** Removes what no board needs: build products but the addon, sources, tests, docs, types. */
function prune(dir: string, arch: Arch, native: boolean): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) {
      if (name === 'node_modules') continue; // nested packages are copied (and pruned) on their own
      const buildLeftover = native && (name === 'deps' || name === 'src' || name === 'obj.target' || name === '.deps' || name === 'obj');
      if (JUNK_DIRS.has(name) || buildLeftover) { rmSync(p, { recursive: true, force: true }); continue; }
      if (name === 'prebuilds') {
        for (const plat of readdirSync(p)) if (plat !== `linux-${ARCHES[arch].node}`) rmSync(join(p, plat), { recursive: true, force: true });
        for (const f of readdirSync(join(p))) for (const b of readdirSync(join(p, f))) if (b.includes('musl')) rmSync(join(p, f, b), { force: true });
        continue;
      }
      prune(p, arch, native);
    } else if (JUNK_FILE.test(name)) {
      rmSync(p, { force: true });
    }
  }
}

export interface RuntimeModulesOptions {
  root: string;
  /** The folder to fill: STAGE/node_modules/… is written. */
  stage: string;
  packages: string[];
  arch: Arch;
  /** Progress lines. */
  log?: (line: string) => void;
}

const NODE_GYP = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');

/** Copies the packages from the checkout's node_modules and makes their addons fit `arch`. */
export function installRuntimeModules(o: RuntimeModulesOptions): { addons: string[] } {
  const log = o.log ?? (() => {});
  const cross = o.arch !== hostArch();
  for (const p of o.packages) {
    const from = join(o.root, p);
    if (!existsSync(from)) throw new Error(`${from} is missing: run npm ci`);
    cpSync(from, join(o.stage, p), { recursive: true, filter: (src) => !posix.normalize(src.slice(from.length)).startsWith('/node_modules') });
  }
  const addons: string[] = [];
  for (const p of o.packages) {
    const dir = join(o.stage, p);
    if (!existsSync(join(dir, 'binding.gyp'))) continue;
    const prebuilt = join(dir, 'prebuilds', `linux-${ARCHES[o.arch].node}`);
    if (cross && existsSync(prebuilt)) {
      // node-gyp-build prefers build/ (the host's); the package's own prebuilt binary fits the board.
      rmSync(join(dir, 'build'), { recursive: true, force: true });
    } else if (cross) {
      log(`cross-compiling ${p} for ${o.arch}`);
      const t = ARCHES[o.arch].triplet;
      const r = spawnSync(process.execPath, [NODE_GYP, 'rebuild', '--release', `--arch=${ARCHES[o.arch].node}`, '--nodedir=/usr', '-j', '2'], {
        cwd: dir, encoding: 'utf8',
        env: { ...process.env, CC: `${t}-gcc`, CXX: `${t}-g++`, LINK: `${t}-g++`, AR: `${t}-ar`, STRIP: `${t}-strip` },
      });
      if (r.status !== 0) throw new Error(`cross-compiling ${p} for ${o.arch} failed (is g++-${t} installed?):\n${(r.stderr || r.stdout || String(r.error)).slice(-2000)}`);
    }
    prune(dir, o.arch, true);
    rmSync(join(dir, 'build', 'Release', 'test_extension.node'), { force: true }); // better-sqlite3's, for its own tests
    for (const f of findAddons(dir)) addons.push(f);
  }
  for (const p of o.packages) if (!existsSync(join(o.stage, p, 'binding.gyp'))) prune(join(o.stage, p), o.arch, false);
  return { addons };
}

export function findAddons(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) { if (name !== 'node_modules') walk(p); } else if (name.endsWith('.node')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The CPU an ELF file (an addon) is built for, as `readelf -h` names it. */
export function elfMachine(file: string): string {
  const r = spawnSync('readelf', ['-h', file], { encoding: 'utf8' });
  const m = /Machine:\s+(.+)/.exec(r.stdout ?? '');
  return m ? m[1].trim() : 'unknown';
}
