// `manyi backup` and `manyi restore` (backup.ts), run on the controller.
import { join, dirname } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../lib/time.ts';

/** Where a board's controller keeps its database (manyi.service's StateDirectory, dataDir). */
export const BOARD_DB = '/var/lib/manyi/controller.db';

function fail(cmd: string, e: unknown): void {
  process.stderr.write(`manyi ${cmd}: ${(e as Error).message}\n`);
  process.exitCode = 2;
}

export function register(program: Command): void {
  program.command('backup')
    .description("copy the controller's database while it runs (SQLite's online backup API), checked before it is kept")
    .option('--db <file>', "the controller's database", BOARD_DB)
    .option('--out <file>', 'the backup (default: backups/controller-<date>T<time>.db beside the database)')
    .action(async (o: { db: string; out?: string }) => {
      try {
        const { backup } = await import('./backup.ts');
        const stamp = new Date(systemClock.now()).toISOString().replace(/[:.]/g, '-').slice(0, 19);
        const r = await backup(o.db, o.out ?? join(dirname(o.db), 'backups', `controller-${stamp}.db`));
        process.stdout.write(`${r.file}: ${r.events} events over ${r.days} days, ${(r.bytes / 1048576).toFixed(1)} MB, in ${Math.round(r.ms)} ms\n`);
      } catch (e) { fail('backup', e); }
    });

  program.command('restore')
    .description("bring a backup back as the controller's database (stop the controller first: systemctl stop manyi)")
    .requiredOption('--from <file>', 'a backup made by manyi backup')
    .option('--db <file>', "the controller's database", BOARD_DB)
    .action(async (o: { from: string; db: string }) => {
      try {
        const { restore } = await import('./backup.ts');
        const r = await restore(o.from, o.db);
        process.stdout.write(`${o.db}: restored from ${o.from} (${r.events} events over ${r.days} days); start the controller again: systemctl start manyi\n`);
      } catch (e) { fail('restore', e); }
    });
}
