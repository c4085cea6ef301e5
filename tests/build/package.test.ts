// The Debian packages (`npm run package`): built with dpkg-deb for this machine's
// architecture, their units checked by systemd-analyze, installed with dpkg into
// a scratch root (dependencies checked against this machine's packages, maintainer
// scripts run), and the installed program started as a simulated board that
// reaches a controller's broker.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, BUILT_ASSETS, NODE_DEPENDS, type Packages } from '../../firmware/build/deb.ts';
import { ARCHES, hostArch } from '../../firmware/build/runtime-modules.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { ROLE_NODE_FLAGS } from '../../firmware/maint/boot.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'manyi-deb-'));
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
let built: Packages;

beforeAll(async () => {
  built = await buildPackages({ outDir: join(dir, 'out'), compress: 'gzip', key: join(dir, 'no-key') });
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sh = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(cmd, args, { encoding: 'utf8', env });

describe('manyi_{version}_{arch}.deb', () => {
  it('is named for its version and architecture, depends on Debian\'s nodejs and carries the compiled app, its native modules and the window board\'s firmware', () => {
    expect(built.deb).toMatch(new RegExp(`/manyi_${version.replace(/\./g, '\\.')}_${hostArch()}\\.deb$`));
    const field = (f: string, deb = built.deb) => sh('dpkg-deb', ['--field', deb, f]).stdout.trim();
    expect(field('Architecture')).toBe(hostArch());
    expect(field('Depends')).toContain(NODE_DEPENDS);
    expect(field('Depends')).toContain('tzdata'); // lib/tzif.ts reads the hall's zone from it
    expect(field('Depends', built.screenDeb)).toMatch(/cage.*chromium/);
    const files = sh('dpkg-deb', ['--contents', built.deb]).stdout;
    for (const f of ['./usr/lib/manyi/app/main.js', './usr/lib/manyi/firmware/bin/manyi.mjs', ...BUILT_ASSETS.map((a) => `./usr/lib/manyi/${a}`),
      './usr/lib/manyi/node_modules/better-sqlite3/build/Release/better_sqlite3.node', './usr/lib/systemd/system/manyi.service', './usr/bin/manyi']) {
      expect(files).toContain(f);
    }
    // Only what a board runs: no TypeScript, no tests, no loader, no development packages.
    expect(files).not.toMatch(/\.ts\n|\/tests\/|node_modules\/(tsx|vitest|typescript|playwright-core|esbuild)\//);
    for (const a of built.addons) expect(a.machine, a.file).toBe(ARCHES[hostArch()].elfMachine);
    expect(statSync(built.deb).size).toBeLessThan(15 * 1048576);
  });

  it('has unit files that pass systemd-analyze verify, with the boot check before start and a hardened service', () => {
    const units = [join(built.stage, 'usr/lib/systemd/system/manyi.service'), join(dir, 'out/stage-manyi-screen/usr/lib/systemd/system/manyi-screen.service')];
    for (const u of units) {
      const r = sh('systemd-analyze', ['verify', u]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr.trim(), u).toBe('');
    }
    const unit = readFileSync(units[0], 'utf8');
    expect(unit).toMatch(/^ExecStartPre=.*update-boot-check --root \/opt\/manyi$/m);
    expect(unit).toMatch(/^User=manyi$/m);
    // The unit's default Node flags are the controller's; the role's drop-in (first-boot) sets the others'.
    expect(unit).toContain(`Environment="MANYI_NODE_FLAGS=${ROLE_NODE_FLAGS.controller.join(' ')}"`);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \$MANYI_NODE_FLAGS \/opt\/manyi\/current\/firmware\/bin\/manyi\.mjs run /m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(readFileSync(units[1], 'utf8')).toMatch(/^ExecStart=\/usr\/bin\/cage .*\/usr\/bin\/chromium --kiosk .*\$\{MANYI_SCREEN_URL\}$/m);
  });

  it('installs with dpkg into a scratch root and its program runs a simulated board that reaches the controller', async () => {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'var/lib/dpkg/updates'), { recursive: true });
    mkdirSync(join(root, 'var/lib/dpkg/info'), { recursive: true });
    mkdirSync(join(root, 'etc'));
    // This machine's package database: Depends are checked for real (nodejs, systemd, cage, chromium).
    copyFileSync('/var/lib/dpkg/status', join(root, 'var/lib/dpkg/status'));
    const r = sh('dpkg', ['--root', root, '--force-script-chrootless', '--log=/dev/null', '-i', built.deb, built.screenDeb]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const st = sh('dpkg', ['--root', root, '-s', 'manyi']).stdout;
    expect(st).toMatch(/Status: install ok installed/);
    // postinst: the service user, and the packaged tree in update slot a.
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toMatch(/^manyi:/m);
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toMatch(/^manyi-screen:/m);
    expect(readlinkSync(join(root, 'opt/manyi/current'))).toBe('slots/a');
    expect(readFileSync(join(root, 'opt/manyi/slots/a/VERSION'), 'utf8').trim()).toBe(version);

    const broker: EmbeddedBroker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const online = new Promise<Record<string, unknown>>((resolve) => {
      watcher.on('message', (_t, p) => { const m = JSON.parse(p.toString()); if (m.state === 'online') resolve(m); });
    });
    await watcher.subscribeAsync('manyi/v1/demo-hospital/device/counter-deb/status', { qos: 1 });
    const cfg = join(dir, 'counter.json');
    writeFileSync(cfg, JSON.stringify({ device: 'counter-deb', role: 'counter', hall: 'demo-hospital', window: '3', broker: { url: broker.url }, simulated: true, dataDir: join(dir, 'data') }));
    // The unit's command, from the installed slot, with no development packages in reach.
    const child = spawn(process.execPath, [...ROLE_NODE_FLAGS.counter, join(root, 'opt/manyi/current/firmware/bin/manyi.mjs'), 'run', '--config', cfg, '--no-updates', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    try {
      const status = await Promise.race([online, exited.then((c) => { throw new Error(`the installed manyi exited ${c}: ${stderr}`); })]);
      expect(status).toMatchObject({ state: 'online', role: 'counter', version });
    } finally {
      child.kill('SIGTERM');
      await exited;
      await watcher.endAsync();
      await broker.close();
    }
    expect(existsSync(join(root, 'opt/manyi/current/node_modules/tsx'))).toBe(false);
  }, 60_000);
});
