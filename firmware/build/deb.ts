// `npm run package [-- --arch arm64] [--out DIR]`: the Debian packages a board
// installs, built with dpkg-deb from one staged tree:
//   manyi_{version}_{arch}.deb   the compiled app (dist/ of `npm run build`), the
//        native node_modules built for {arch}, the window board's Arduino image,
//        manyi.service and `manyi` in /usr/bin. Depends on Debian's nodejs.
//   manyi-screen_{version}_all.deb   the kiosk-mode browser session (cage +
//        Chromium) for roles with a screen; depends on cage and chromium.
// and, with an update key (~/.manyi/update.key or --key), the signed update
// bundle of the same tree (manyi-{version}.tar.gz + .json), so an update over the
// air changes exactly what a fresh install would, node_modules included.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { compile } from './compile.ts';
import { ARCHES, dependencyClosure, elfMachine, externalPackages, hostArch, installRuntimeModules, type Arch } from './runtime-modules.ts';

const HERE = dirname(new URL(import.meta.url).pathname);
const DEBIAN = join(HERE, 'debian');
/** The tree inside the package; /opt/manyi/slots/… are copies of it (install-slot). */
export const APP_PREFIX = 'usr/lib/manyi';
/** Every board runs on Node 20 or later: Debian 13 (trixie) and Raspberry Pi OS based on it ship 20.19. */
export const NODE_DEPENDS = 'nodejs (>= 20)';
/** Made by `npm run build:hw`, not checked in: the window board's Arduino image, the LED strip's Chinese font. */
export const BUILT_ASSETS = ['firmware/arduino/manyi-window.hex', 'signage/led/font/wqy16.bin'];

export interface PackageOptions {
  root?: string;
  arch?: Arch;
  outDir: string;
  /** Default: package.json's version. */
  version?: string;
  /** dpkg-deb's compression (default xz; tests use gzip for speed). */
  compress?: 'xz' | 'gzip' | 'none';
  /** Ed25519 private key file to sign an update bundle of the same tree with. */
  key?: string;
  log?: (line: string) => void;
}

export interface Packages { deb: string; screenDeb: string; stage: string; app: string; addons: Array<{ file: string; machine: string }>; bundle?: string; bytes: number }

function du(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    n += st.isDirectory() ? du(p) : st.size;
  }
  return n;
}

function dpkgDeb(stage: string, out: string, compress: string): void {
  const r = spawnSync('dpkg-deb', ['--root-owner-group', `-Z${compress}`, '--build', stage, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dpkg-deb failed: ${r.stderr || r.error}`);
}

function control(fields: Record<string, string | undefined>): string {
  return Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`).join('\n') + '\n';
}

function put(stage: string, rel: string, from: string, mode = 0o644): void {
  mkdirSync(dirname(join(stage, rel)), { recursive: true });
  copyFileSync(from, join(stage, rel));
  chmodSync(join(stage, rel), mode);
}

export async function buildPackages(o: PackageOptions): Promise<Packages> {
  const root = o.root ?? resolve(HERE, '..', '..');
  const arch = o.arch ?? hostArch();
  const log = o.log ?? (() => {});
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; description: string };
  const version = o.version ?? pkg.version;
  const compress = o.compress ?? 'xz';
  mkdirSync(o.outDir, { recursive: true });

  // manyi: the app tree with its node_modules, units, launcher.
  const stage = join(o.outDir, `stage-manyi-${arch}`);
  rmSync(stage, { recursive: true, force: true });
  const app = join(stage, APP_PREFIX);
  log(`compiling into ${app}`);
  const compiled = await compile({ root, outDir: app });
  for (const built of BUILT_ASSETS) {
    if (!existsSync(join(app, built))) throw new Error(`${built} is not built: run \`npm run build:hw\` first (boards take it from the package)`);
  }
  const packages = dependencyClosure(join(root, 'package-lock.json'), externalPackages(compiled.metafile, ['playwright-core']));
  log(`node_modules for ${arch}: ${packages.length} packages`);
  const { addons } = installRuntimeModules({ root, stage: app, packages, arch, log });
  const machines = addons.map((file) => ({ file: file.slice(app.length + 1), machine: elfMachine(file) }));
  const wrong = machines.filter((a) => a.machine !== ARCHES[arch].elfMachine);
  if (wrong.length) throw new Error(`native modules not built for ${arch}: ${wrong.map((w) => `${w.file} (${w.machine})`).join(', ')}`);
  writeFileSync(join(app, 'ARCH'), `${arch}\n`);
  writeFileSync(join(app, 'VERSION'), `${version}\n`);

  put(stage, 'usr/lib/systemd/system/manyi.service', join(DEBIAN, 'manyi.service'));
  put(stage, 'usr/lib/sysusers.d/manyi.conf', join(DEBIAN, 'manyi.sysusers'));
  put(stage, 'usr/bin/manyi', join(DEBIAN, 'manyi.sh'), 0o755);
  put(stage, 'usr/share/doc/manyi/MAINTAINER.md', join(root, 'firmware/maint/MAINTAINER.md'));
  put(stage, 'usr/share/doc/manyi/README.md', join(root, 'README.md'));
  const bytes = du(stage);
  mkdirSync(join(stage, 'DEBIAN'));
  writeFileSync(join(stage, 'DEBIAN/control'), control({
    Package: 'manyi', Version: version, Architecture: arch, Section: 'misc', Priority: 'optional',
    Maintainer: 'manyi maintainers <manyi@localhost>',
    'Installed-Size': String(Math.ceil(bytes / 1024)),
    Depends: `${NODE_DEPENDS}, systemd, tzdata`, // tzdata: the hall clock reads its zone from /usr/share/zoneinfo (lib/tzif.ts)
    Suggests: 'manyi-screen, mosquitto, espeak-ng, alsa-utils',
    Description: `${pkg.description}\n The board's role comes from /etc/manyi/manyi.json, which \`manyi first-boot\`\n moves there from the SD card's boot partition (see manyi provision).`,
  }));
  for (const s of ['postinst', 'prerm', 'postrm']) put(stage, `DEBIAN/${s}`, join(DEBIAN, `manyi.${s}`), 0o755);
  const deb = join(o.outDir, `manyi_${version}_${arch}.deb`);
  log(`dpkg-deb → ${deb}`);
  dpkgDeb(stage, deb, compress);

  // manyi-screen: the browser session for a kiosk's touch page or a lobby board's page.
  const sstage = join(o.outDir, 'stage-manyi-screen');
  rmSync(sstage, { recursive: true, force: true });
  put(sstage, 'usr/lib/systemd/system/manyi-screen.service', join(DEBIAN, 'manyi-screen.service'));
  put(sstage, 'usr/lib/sysusers.d/manyi-screen.conf', join(DEBIAN, 'manyi-screen.sysusers'));
  mkdirSync(join(sstage, 'DEBIAN'));
  writeFileSync(join(sstage, 'DEBIAN/control'), control({
    Package: 'manyi-screen', Version: version, Architecture: 'all', Section: 'misc', Priority: 'optional',
    Maintainer: 'manyi maintainers <manyi@localhost>',
    Depends: `manyi (= ${version}), cage, chromium, fonts-wqy-zenhei`,
    Description: 'full-screen browser for manyi boards with a display\n A kiosk shows its touch page, a lobby board the lobby page, in Chromium\n kiosk mode inside cage, as an unprivileged user.',
  }));
  put(sstage, 'DEBIAN/postinst', join(DEBIAN, 'manyi-screen.postinst'), 0o755);
  const screenDeb = join(o.outDir, `manyi-screen_${version}_all.deb`);
  dpkgDeb(sstage, screenDeb, compress);

  // The update bundle: the very tree the package installs.
  let bundle: string | undefined;
  const key = o.key ?? join(homedir(), '.manyi', 'update.key');
  if (existsSync(key)) {
    const { buildBundle } = await import('../update/bundle.ts');
    const { readPrivateKey } = await import('../security/keys.ts');
    const entries = readdirSync(app);
    const b = await buildBundle({ version, secretKey: readPrivateKey(key), outDir: join(o.outDir, `bundles-${arch}`), sourceRoot: app, entries });
    bundle = b.file;
  }
  return { deb, screenDeb, stage, app, addons: machines, bundle, bytes };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const arch = (arg('--arch') ?? hostArch()) as Arch;
  if (!(arch in ARCHES)) throw new Error(`--arch: one of ${Object.keys(ARCHES).join(', ')}`);
  const started = performance.now();
  const r = await buildPackages({ arch, outDir: resolve(arg('--out') ?? 'dist/packages'), version: arg('--version'), key: arg('--key'), log: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${r.deb}\n${r.screenDeb}\n${r.bundle ? `${r.bundle}\n` : '(no update key: no bundle; `manyi keys init` makes one)\n'}installed size ${(r.bytes / 1048576).toFixed(1)} MB; native modules: ${r.addons.map((a) => `${a.file} (${a.machine})`).join(', ')}\nin ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
