// `manyi install-slot` (the package's postinst) and `manyi first-boot` (cloud-init
// on the board's first boot): see boot.ts.
import type { Command } from 'commander';

function fail(cmd: string, e: unknown): void {
  process.stderr.write(`manyi ${cmd}: ${(e as Error).message}\n`);
  process.exitCode = 2;
}

export function register(program: Command): void {
  program.command('install-slot')
    .description('put a packaged tree into an update slot and switch `current` to it (the package does this on install)')
    .requiredOption('--from <dir>', 'the packaged tree', '/usr/lib/manyi')
    .requiredOption('--root <dir>', 'the folder with slots/ and current', '/opt/manyi')
    .action(async (o: { from: string; root: string }) => {
      try {
        const { installSlot } = await import('./boot.ts');
        const r = installSlot(o.from, o.root);
        process.stdout.write(r.changed ? `manyi ${r.version} installed in slot ${r.slot}; current -> slots/${r.slot}\n` : `manyi ${r.version} already current (slot ${r.slot})\n`);
      } catch (e) { fail('install-slot', e); }
    });

  program.command('first-boot')
    .description("on the board's first boot: move manyi.json from the boot partition to /etc/manyi (mode 0600) and delete it there; write the role's unit settings")
    .option('--bootfs <dir>', 'the boot partition', '/boot/firmware')
    .option('--etc <dir>', 'where the configuration goes', '/etc/manyi')
    .option('--data <dir>', "the service's data folder (a controller's device registry goes there)", '/var/lib/manyi')
    .option('--systemd <dir>', "where manyi.service's drop-in goes", '/etc/systemd/system')
    .action(async (o: { bootfs: string; etc: string; data: string; systemd: string }) => {
      try {
        const { firstBoot } = await import('./boot.ts');
        const r = firstBoot({ bootfs: o.bootfs, etc: o.etc, dataDir: o.data, systemdDir: o.systemd });
        process.stdout.write(`${r.alreadyDone ? 'already moved' : 'moved'}: ${r.config} (${r.device}, ${r.role}); ${r.dropIn}${r.screen ? `; screen shows ${r.screen}` : ''}\n`);
      } catch (e) { fail('first-boot', e); }
    });
}
