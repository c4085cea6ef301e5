// `manyi hw …`: a maintainer's checks of a board's hardware: the specs, the GPIO
// chip the kernel exposes (and its base), a pin-by-pin keypad/pad test, the voice.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { findHeaderChip, listSysfsChips, SYSFS_GPIO } from './gpio-onoff.ts';
import { HwSpec, listBoardSpecs, loadBoardSpec } from '../../hw-specs/schema.ts';
import { loadJsonFile } from '../config/load.ts';

export function register(program: Command): void {
  const hw = program.command('hw').description('check a board: hardware specs, GPIO chip and base, voice');

  hw.command('specs').description('list the board specs in hw-specs/').action(() => {
    for (const name of listBoardSpecs()) {
      const s = loadBoardSpec(name);
      console.log(`${name.padEnd(20)} ${s.type.padEnd(10)} ${s.computer} — ${s.description}`);
    }
  });

  hw.command('check <spec>').description('validate a spec (a name in hw-specs/ or a JSON file)').action((spec: string) => {
    try {
      const s = spec.endsWith('.json') ? loadJsonFile(resolve(spec), HwSpec) : loadBoardSpec(spec);
      console.log(`${spec}: ok (${s.type}, ${s.bom.length} BOM lines, wiring ${s.wiring})`);
    } catch (e) {
      console.error((e as Error).message);
      process.exitCode = 1;
    }
  });

  hw.command('gpio').description('show the sysfs GPIO chips and the base BCM pins are offset by')
    .option('--sysfs <dir>', 'sysfs GPIO root', SYSFS_GPIO)
    .action((o: { sysfs: string }) => {
      try {
        for (const c of listSysfsChips(o.sysfs)) console.log(`${c.name.padEnd(12)} base ${String(c.base).padEnd(5)} ngpio ${String(c.ngpio).padEnd(4)} ${c.label}`);
        const h = findHeaderChip(o.sysfs);
        console.log(`header chip: ${h.name} (${h.label}), base ${h.base}: BCM 17 is sysfs ${h.base + 17}`);
      } catch (e) {
        console.error((e as Error).message);
        process.exitCode = 1;
      }
    });

  hw.command('say <text...>').description('speak through espeak-ng (checks the board\'s voice)')
    .option('--lang <zh|en>', 'language', 'zh')
    .option('--device <alsa>', 'ALSA device for aplay', 'default')
    .action(async (words: string[], o: { lang: string; device: string }) => {
      const { DRIVERS } = await import('../runtime/roles.ts');
      const { createSpeaker } = await DRIVERS.voice();
      try {
        const sp = createSpeaker({ simulated: false, alsaDevice: o.device });
        await sp.speak({ lang: o.lang === 'en' ? 'en' : 'zh', text: words.join(' ') });
      } catch (e) {
        console.error((e as Error).message);
        process.exitCode = 1;
      }
    });
}
