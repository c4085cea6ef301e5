// `manyi …`: one command for boards and maintainers. Sub-commands live in their own
// modules and register themselves here; commander parses the arguments.
import { Command } from 'commander';
import { firmwareVersion } from '../runtime/version.ts';

export type CommandModule = (program: Command) => void;

/** Sub-command modules, loaded lazily so `manyi run` does not load the simulator. */
const modules: Array<() => Promise<{ register: CommandModule }>> = [
  () => import('../../kiosk/cli.ts'),
  () => import('../sim/cli.ts'),
  () => import('../runtime/cli.ts'),
  () => import('../demo/cli.ts'),
  () => import('../stats/cli.ts'),
  () => import('../controller/cli.ts'),
  () => import('../maint/cli.ts'),
  () => import('../hw/cli.ts'),
];

export async function main(argv: string[]): Promise<void> {
  const program = new Command('manyi')
    .description('manyi (满意): firmware and tools for the queue of a service hall')
    .version(firmwareVersion());
  for (const load of modules) (await load()).register(program);
  await program.parseAsync(argv);
}
