// `npm run build`: the JavaScript a board runs, in dist/ (git-ignored).
//
// esbuild, not tsc: it compiles and bundles the whole app in about a second (tsc
// takes ~20 s here just to emit, and type checking is `npm run typecheck`'s job),
// so `npm start` and the package build always compile first.
//
// Bundled, because a Pi Zero 2 W has 512 MB: Node pays for every module file it
// loads (a counter loads ~400 of them from node_modules), and the same code in a
// few bundled chunks takes a fraction of the memory (zod alone: 14 MB as its own
// 95 files, 6 MB bundled). The CLI's lazy imports and the role registry's become
// separate chunks, so `manyi run` on a counter loads the counter's code and its
// libraries, never SQLite, aedes, the simulator or the statistics.
//
// Layout of dist/ (the tree the Debian package and update bundles carry):
//   app/main.js, app/*-HASH.js   the code (with .map files for debugging)
//   firmware/bin/manyi.mjs       the `manyi` command
//   firmware/…, kiosk/…, signage/…, hw-specs/…   the files modules read at run time
//   package.json, package-lock.json   name, version, the native modules to install
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';

/** The folders a board runs code from. Not tests/, nor the build tooling itself. */
export const APP_DIRS = ['firmware', 'kiosk', 'signage', 'hw-specs'];
const NOT_ON_A_BOARD = new Set(['firmware/build']);
/** Non-code files a module reads at run time (pages and their browser scripts, hall files, specs, the Firmata image, fonts, the city store's SQL migrations). */
const ASSET = /\.(html|js|css|json|hex|bin|svg|png|txt|sql)$/;

/**
 * Packages that stay in node_modules: native addons (found next to their own files,
 * built for the board's architecture) and what loads them.
 */
export const EXTERNAL = ['better-sqlite3', 'onoff', 'epoll', 'serialport', '@serialport/*', 'usb',
  // Only the simulated printer's preview images use it (the demo, from a checkout
  // that has the development dependencies); elsewhere the preview is skipped.
  'playwright-core'];

export interface CompileOptions {
  /** The source checkout (default: this file's). */
  root?: string;
  /** Where to write (default: ROOT/dist). Emptied first. */
  outDir?: string;
}

export interface Compiled { outDir: string; modules: number; assets: number; bytes: number; ms: number; metafile: Metafile }

function walk(root: string, dir: string, out: string[]): void {
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (NOT_ON_A_BOARD.has(rel) || name === 'node_modules') continue;
    if (statSync(join(root, rel)).isDirectory()) walk(root, rel, out);
    else out.push(rel);
  }
}

const ASSET_URL = /new URL\((['"])(\.\.?\/[^'"]*)\1, import\.meta\.url\)/g;

/**
 * A module that reads a file next to it (`new URL('./page/index.html',
 * import.meta.url)`) ends up in a chunk in app/; point the URL at the copy of the
 * file in dist/ instead, relative to the app's root (`__manyiRoot`, see the banner).
 */
function assetUrls(root: string): Plugin {
  return {
    name: 'asset-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (a) => {
        const rel = relative(root, a.path);
        if (rel.startsWith('..') || rel.split(sep).includes('node_modules')) return undefined;
        const src = readFileSync(a.path, 'utf8');
        if (!src.includes('import.meta.url')) return undefined;
        const contents = src.replace(ASSET_URL, (_m, _q, p: string) => {
          const target = relative(root, resolve(dirname(a.path), p)).split(sep).join(posix.sep) + (p.endsWith('/') ? '/' : '');
          return `new URL(${JSON.stringify(target)}, __manyiRoot)`;
        });
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * johnny-five requires Node's `repl` when it loads, for a REPL every board turns off
 * (`repl: false`, firmware/hw/johnny-five-board.ts). Loading node:repl costs a counter
 * and a lobby board ~4 MB of RSS; here johnny-five gets a `repl` that loads it only if
 * a REPL is ever started (johnny-five's only use is `repl.start`).
 */
function lazyRepl(): Plugin {
  return {
    name: 'lazy-repl',
    setup(b) {
      b.onResolve({ filter: /^(node:)?repl$/ }, (a) => (a.importer.split(sep).includes('johnny-five') ? { path: 'repl', namespace: 'lazy-repl' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'lazy-repl' }, () => ({
        contents: "module.exports = { start: (...a) => require('node:repl').start(...a) };",
        loader: 'js',
      }));
    },
  };
}

/**
 * Leaves the EXTERNAL packages to node_modules, each as the copy its importer
 * resolves: johnny-five's own serialport 8 (`johnny-five/node_modules/serialport`)
 * is not the hall's serialport 10.
 */
function externals(root: string): Plugin {
  const match = (p: string) => EXTERNAL.some((e) => (e.endsWith('/*') ? p.startsWith(e.slice(0, -1)) : p === e || p.startsWith(`${e}/`)));
  return {
    name: 'externals',
    setup(b) {
      b.onResolve({ filter: /^[@a-z]/ }, async (a) => {
        if (!match(a.path) || a.pluginData === 'externals') return undefined;
        const r = await b.resolve(a.path, { resolveDir: a.resolveDir, kind: a.kind, importer: a.importer, pluginData: 'externals' });
        const rel = relative(join(root, 'node_modules'), r.path).split(sep).join(posix.sep);
        if (r.errors.length || rel.startsWith('..')) return { path: a.path, external: true };
        // Cut the resolved file down to its package folder, then add back the asked subpath.
        const m = /^((?:(?:@[^/]+\/)?[^/]+\/node_modules\/)*(?:@[^/]+\/)?[^/]+)/.exec(rel)!;
        const name = a.path.startsWith('@') ? a.path.split('/').slice(0, 2).join('/') : a.path.split('/')[0];
        return { path: m[1] + a.path.slice(name.length), external: true };
      });
    },
  };
}

// Every chunk can `require` (for the CommonJS libraries bundled into ES modules) and
// knows the app's root (dist/, one level above app/).
const BANNER = [
  "import { createRequire as __manyiCreateRequire } from 'node:module';",
  'const require = __manyiCreateRequire(import.meta.url);',
  "const __manyiRoot = new URL('../', import.meta.url);",
].join(' ');

export async function compile(o: CompileOptions = {}): Promise<Compiled> {
  const started = performance.now();
  const root = o.root ?? resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
  const outDir = o.outDir ?? join(root, 'dist');
  const files: string[] = [];
  for (const d of APP_DIRS) walk(root, d, files);
  const assets = files.filter((f) => ASSET.test(f) || f.endsWith('.mjs'));
  rmSync(outDir, { recursive: true, force: true });
  const r = await build({
    absWorkingDir: root,
    entryPoints: { main: 'firmware/cli/main.ts' },
    outdir: join(outDir, 'app'),
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: { js: BANNER },
    plugins: [externals(root), assetUrls(root), lazyRepl()],
    // Whitespace and syntax only: names stay, so a stack trace in the journal still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: 'error',
  });
  for (const f of assets) {
    mkdirSync(dirname(join(outDir, f)), { recursive: true });
    cpSync(join(root, f), join(outDir, f));
  }
  // The version a board reports, `"type": "module"`, and the native modules to install.
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const { name, version, description, license, type, engines, dependencies, overrides } = pkg;
  writeFileSync(join(outDir, 'package.json'), JSON.stringify({ name, version, description, license, type, engines, private: true, dependencies, overrides }, null, 2) + '\n');
  cpSync(join(root, 'package-lock.json'), join(outDir, 'package-lock.json'));
  const outputs = Object.entries(r.metafile.outputs).filter(([f]) => f.endsWith('.js'));
  return {
    outDir,
    modules: Object.keys(r.metafile.inputs).length,
    assets: assets.length,
    bytes: outputs.reduce((s, [, v]) => s + v.bytes, 0),
    ms: performance.now() - started,
    metafile: r.metafile,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const r = await compile();
  process.stdout.write(`compiled ${r.modules} modules into ${relative(process.cwd(), r.outDir) || '.'}/app (${(r.bytes / 1048576).toFixed(1)} MB of JavaScript) and copied ${r.assets} files, in ${Math.round(r.ms)} ms\n`);
}
