// The maintainer's sub-commands: provision, devices, keys, bundle, rollout,
// flash-firmata, mosquitto-files, update-boot-check.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import mqtt, { type MqttClient } from 'mqtt';
import { MqttBus } from '../bus/mqtt-bus.ts';
import { Name } from '../protocol/messages.ts';
import { loadJsonFile } from '../config/load.ts';

/** What `manyi provision --role maintainer` writes: a maintainer's broker account. */
const MaintainerConfig = z.object({
  device: Name, hall: Name, role: z.string(),
  broker: z.object({ url: z.string(), username: z.string().optional(), password: z.string().optional(), ca: z.string().optional() }),
});

interface BrokerOpts { broker?: string; hall?: string; config?: string; username?: string; password?: string }

async function connectMaintainer(o: BrokerOpts): Promise<{ client: MqttClient; bus: MqttBus; hall: string }> {
  let url = o.broker; let username = o.username; let password = o.password ?? process.env.MANYI_PASSWORD; let hall = o.hall; let ca: string | undefined;
  if (o.config) {
    const c = loadJsonFile(o.config, MaintainerConfig);
    url ??= c.broker.url; username ??= c.broker.username; password ??= c.broker.password; hall ??= c.hall;
    if (c.broker.ca) ca = resolve(o.config, '..', c.broker.ca);
  }
  if (!url) throw new Error('--broker URL (or --config FILE) is required');
  if (!hall) throw new Error('--hall is required (or a --config naming it)');
  const client = await mqtt.connectAsync(url, {
    username, password, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000,
    // The broker admits a maintainer only under its own id (one tool at a time per account).
    clientId: username ?? `manyi-cli-${process.pid}`, ...(ca ? { ca: readFileSync(ca) } : {}),
  });
  return { client, bus: new MqttBus(client, hall), hall };
}

function fail(cmd: string, e: unknown): void {
  process.stderr.write(`manyi ${cmd}: ${(e as Error).message}\n`);
  process.exitCode = 2;
}

const brokerOptions = (c: Command) => c
  .option('--broker <url>', 'the hall broker, e.g. mqtt://controller.local:1883')
  .option('--hall <id>', 'hall id')
  .option('--config <file>', "a maintainer account file (from `manyi provision --role maintainer`)")
  .option('--username <name>', 'broker user name')
  .option('--password <password>', 'broker password (or MANYI_PASSWORD)');

export function register(program: Command): void {
  // `bundle --version V` and `rollout --version V` (the issue's spelling) collide with the
  // root's `--version` unless root options must come before the sub-command.
  program.enablePositionalOptions();
  program.command('provision')
    .description("write a board's configuration to its SD card's boot folder and register it with the controller")
    .requiredOption('--hall <id>').requiredOption('--role <role>', 'controller, kiosk, counter, board or maintainer')
    .requiredOption('--device <id>').option('--window <id>', 'counter: its window').option('--kiosk <id>', 'kiosk: its kiosk id')
    .option('--floor <floor>', 'board: its floor').requiredOption('--broker <url>').requiredOption('--out <dir>', 'the boot folder')
    .option('--registry <file>', "the controller's device registry", 'registry.json')
    .option('--update-key <hexOrFile>', 'Ed25519 public key for updates (default ~/.manyi/update.pub if present)')
    .option('--spec <name>', 'board type in hw-specs/').option('--ca <file>', 'CA certificate for a TLS broker')
    .option('--replace', 'issue new credentials for a registered device')
    .option('--deb <file>', 'the package (manyi_{version}_{arch}.deb from `npm run package`): put it on the card with cloud-init user-data that installs it at first boot')
    .option('--hall-file <file>', 'controller: the hall configuration, copied to the card as hall.json')
    .action(async (o) => {
      try {
        const { provision } = await import('./provision.ts');
        const { readPublicKey } = await import('../security/keys.ts');
        const { existsSync } = await import('node:fs');
        const defPub = join(homedir(), '.manyi', 'update.pub');
        const keySrc = o.updateKey ?? (existsSync(defPub) ? defPub : undefined);
        const r = await provision({ ...o, updateKey: keySrc ? readPublicKey(keySrc) : undefined });
        process.stdout.write(`wrote ${r.configFile} and ${r.readme}\nregistered ${o.device} in ${o.registry}\n`);
      } catch (e) { fail('provision', e); }
    });

  brokerOptions(program.command('devices').description('list every device: role, version, state, last seen, role health, last update'))
    .option('--wait <seconds>', 'how long to listen for health reports', '3').option('--json', 'print JSON')
    .action(async (o) => {
      try {
        const { collectDevices, formatDevices } = await import('./devices.ts');
        const { client, bus } = await connectMaintainer(o);
        const rows = await collectDevices(bus, Number(o.wait) * 1000);
        client.end();
        process.stdout.write((o.json ? JSON.stringify(rows, null, 2) : formatDevices(rows)) + '\n');
      } catch (e) { fail('devices', e); }
    });

  const keys = program.command('keys').description('the update signing key, and the hall\'s TLS certificates');
  keys.command('init')
    .description('make an Ed25519 key pair (private key mode 0600; it never leaves this machine)')
    .option('--dir <dir>', 'where to keep it', join(homedir(), '.manyi'))
    .action(async (o) => {
      try {
        const { initKeys } = await import('../security/keys.ts');
        const k = await initKeys(o.dir);
        process.stdout.write(`private key: ${k.privateKey} (keep it here, back it up offline)\npublic key:  ${k.publicKey}\n${k.publicHex}\n`);
      } catch (e) { fail('keys init', e); }
    });
  keys.command('tls')
    .description("make a hall CA and the controller's server certificate (MQTT over TLS, WSS, HTTPS)")
    .requiredOption('--hall <id>', "the hall's id")
    .requiredOption('--name <names...>', 'host names and addresses boards use for the controller (e.g. controller.local 192.168.1.10)')
    .option('--dir <dir>', 'where to write ca.crt, ca.key, server.crt, server.key', join(homedir(), '.manyi', 'tls'))
    .option('--years <n>', 'years the server certificate is valid', '2')
    .option('--reuse-ca', 'issue a new server certificate with the CA already in --dir (renewal, new names)')
    .action(async (o: { hall: string; name: string[]; dir: string; years: string; reuseCa?: boolean }) => {
      try {
        const { makeTls } = await import('../security/tls.ts');
        const f = makeTls({ dir: o.dir, hall: o.hall, names: o.name, years: Number(o.years), reuseCa: o.reuseCa });
        process.stdout.write([
          `hall CA:     ${f.caCert} (give to every board: manyi provision --ca ${f.caCert})`,
          `CA key:      ${f.caKey} (keep it here, back it up offline; never on the controller)`,
          `server cert: ${f.cert}`,
          `server key:  ${f.key} (copy both to the controller: manyi run --tls-cert … --tls-key …)`,
        ].join('\n') + '\n');
      } catch (e) { fail('keys tls', e); }
    });

  program.command('bundle').description('build a signed firmware bundle of this source tree')
    .requiredOption('--version <v>').option('--key <file>', 'private key', join(homedir(), '.manyi', 'update.key'))
    .requiredOption('--out <dir>').option('--source <dir>', 'the source tree', '.')
    .action(async (o) => {
      try {
        const { buildBundle } = await import('../update/bundle.ts');
        const { readPrivateKey } = await import('../security/keys.ts');
        const r = await buildBundle({ version: o.version, secretKey: readPrivateKey(o.key), outDir: o.out, sourceRoot: resolve(o.source) });
        process.stdout.write(`${r.file}\n${r.bundle.archive}: ${r.bundle.manifest.size} bytes, sha256 ${r.bundle.manifest.sha256}\n`);
      } catch (e) { fail('bundle', e); }
    });

  brokerOptions(program.command('rollout').description('offer a bundle in waves; stop at the first failure'))
    .requiredOption('--version <v>').requiredOption('--to <who>', 'all, a role, or device ids separated by commas')
    .option('--bundles <dir>', 'where `manyi bundle` wrote it', 'bundles')
    .option('--serve-host <host>', 'this machine’s address as the boards reach it').option('--port <n>', 'HTTP port to serve on', '8090')
    .option('--base-url <url>', 'boards download from here instead (e.g. the controller: http://controller.local:8080/bundles/)')
    .option('--force', 'install on kiosks and counters inside opening hours too')
    .option('--wave-timeout <seconds>', 'how long each wave has to report healthy', '600')
    .action(async (o) => {
      try {
        const { readBundle } = await import('../update/bundle.ts');
        const { serveBundles } = await import('../update/serve.ts');
        const { rollout, resolveTargets } = await import('./rollout.ts');
        const bundle = readBundle(join(o.bundles, `manyi-${o.version}.json`));
        const { client, bus } = await connectMaintainer(o);
        const server = o.baseUrl
          ? { url: String(o.baseUrl).replace(/\/?$/, '/'), close: async () => {} }
          : await serveBundles(o.bundles, { port: Number(o.port), publicHost: o.serveHost });
        try {
          const devices = await resolveTargets(bus, o.to);
          if (!devices.length) throw new Error(`no device matches --to ${o.to}`);
          const r = await rollout({ bus, bundle, baseUrl: server.url, devices, force: !!o.force, waveTimeoutMs: Number(o.waveTimeout) * 1000, onProgress: (l) => process.stdout.write(l + '\n') });
          if (r.ok) process.stdout.write(`updated ${r.updated.length} device(s) to ${o.version}\n`);
          else {
            process.stdout.write(`STOPPED at ${r.failed.device}: ${r.failed.state}: ${r.failed.reason}\nupdated: ${r.updated.join(', ') || 'none'}\nnot offered: ${r.notOffered.join(', ') || 'none'}\n`);
            process.exitCode = 1;
          }
        } finally { await server.close(); client.end(); }
      } catch (e) { fail('rollout', e); }
    });

  program.command('flash-firmata').description("flash the window-board firmware onto a window board's Arduino and check it answers")
    .requiredOption('--port <path>', 'e.g. /dev/ttyACM0 or /dev/ttyUSB0').option('--board <type>', 'uno, nano or nano-old', 'uno')
    .option('--hex <file>', 'another Firmata image (default: the shipped firmware/arduino/manyi-window.hex)')
    .action(async (o) => {
      try {
        const { flashFirmata } = await import('./flash-firmata.ts');
        const { realSerial } = await import('./serial-link.ts');
        const r = await flashFirmata({ port: o.port, board: o.board, hex: o.hex, open: await realSerial(), progress: (s, d) => process.stdout.write(`${s}${d ? ` ${d}` : ''}\n`) });
        process.stdout.write(`flashed ${r.bytes} bytes; Firmata ${r.firmata.major}.${r.firmata.minor} answers at 57600\n`);
      } catch (e) { fail('flash-firmata', e); }
    });

  program.command('mosquitto-files').description("write Mosquitto's password_file, acl_file and manyi.conf from the registry")
    .option('--registry <file>', 'the device registry', 'registry.json').requiredOption('--out <dir>')
    .action(async (o) => {
      try {
        const { loadRegistry } = await import('../security/registry.ts');
        const { writeMosquittoFiles } = await import('../broker/mosquitto-files.ts');
        const f = writeMosquittoFiles(loadRegistry(o.registry), o.out);
        process.stdout.write(`${f.passwordFile}\n${f.aclFile}\n${f.conf}  (include it from mosquitto.conf; chgrp mosquitto the files; then reload)\n`);
      } catch (e) { fail('mosquitto-files', e); }
    });

  program.command('update-boot-check').description('before each start (systemd ExecStartPre): make `current` bootable, roll back a failing trial')
    .requiredOption('--root <dir>', 'the folder with slots/ and current').option('--max-boots <n>', 'unconfirmed starts before rolling back', '3')
    .action(async (o) => {
      try {
        const { bootCheck } = await import('../update/slots.ts');
        const d = bootCheck(o.root, { maxBoots: Number(o.maxBoots) });
        // systemd reads this (EnvironmentFile=) so the runtime reports the slot's version.
        writeFileSync(join(o.root, 'boot.env'), `MANYI_VERSION=${d.version}\nMANYI_SLOT=${d.slot}\n`);
        process.stdout.write(`slot ${d.slot}: ${d.version}${d.rolledBack ? ` (rolled back: ${d.rolledBack})` : ''}\n`);
      } catch (e) { fail('update-boot-check', e); }
    });
}
