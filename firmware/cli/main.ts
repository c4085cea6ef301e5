// `manyi …`: one command for boards and maintainers. Sub-commands live in their own
// modules; commander parses the arguments. A board runs `manyi run` at every boot
// on a slow core, so only the module of the command asked for is loaded (`run` does
// not load the simulator, the statistics or the maintainer's tools), and
// `--version` loads none. `--help` and an unknown command load them all.
import type { Command } from 'commander';
import { KIOSK_COMMANDS } from '../runtime/roles.ts';
import { firmwareVersion } from '../runtime/version.ts';

export type CommandModule = (program: Command) => void;
type Loader = () => Promise<{ register: CommandModule }>;

const kiosk: Loader = KIOSK_COMMANDS;
const sim: Loader = () => import('../sim/cli.ts');
const runtime: Loader = () => import('../runtime/cli.ts');
const demo: Loader = () => import('../demo/cli.ts');
const stats: Loader = () => import('../stats/cli.ts');
const controller: Loader = () => import('../controller/cli.ts');
const maint: Loader = () => import('../maint/cli.ts');
const hw: Loader = () => import('../hw/cli.ts');
const city: Loader = () => import('../city/cli.ts');
const boot: Loader = () => import('../maint/boot-cli.ts');
const keep: Loader = () => import('../safekeeping/cli.ts');
const people: Loader = () => import('../security/cli.ts');
const appointments: Loader = () => import('../appointments/cli.ts');

/**
 * Each top-level command and the module that registers it. A module that adds a
 * command must be listed here (tests/build/cli.test.ts checks the table against
 * what every module registers).
 */
export const COMMANDS: Record<string, Loader> = {
  ticket: kiosk,
  simulate: sim, staffing: sim,
  run: runtime,
  demo,
  stats, 'stats-seed': stats,
  controller,
  provision: maint, devices: maint, keys: maint, bundle: maint, rollout: maint,
  'flash-firmata': maint, 'mosquitto-files': maint, 'update-boot-check': maint,
  'install-slot': boot, 'first-boot': boot,
  backup: keep, restore: keep,
  hw,
  city, 'city-account': city,
  staff: people, managers: people, appointments,
};

/** The modules to load for these arguments: the command's own, or all of them. */
export function loadersFor(argv: string[]): Loader[] {
  const name = argv[2];
  const own = name !== undefined ? COMMANDS[name] : undefined;
  return own ? [own] : [...new Set(Object.values(COMMANDS))];
}

export async function main(argv: string[]): Promise<void> {
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(`${firmwareVersion()}\n`);
    return;
  }
  const { Command } = await import('commander');
  const program = new Command('manyi')
    .description('manyi (满意): firmware and tools for the queue of a service hall')
    .version(firmwareVersion());
  for (const load of loadersFor(argv)) (await load()).register(program);
  await program.parseAsync(argv);
}
