// `manyi appointments import FILE.csv` and `manyi appointments list`: the day's
// appointments in the controller's file (book.ts). The controller re-reads it.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../lib/time.ts';

function fail(cmd: string, e: unknown): void {
  process.stderr.write(`manyi ${cmd}: ${(e as Error).message}\n`);
  process.exitCode = 2;
}

export function register(program: Command): void {
  const cmd = program.command('appointments').description("the day's appointments a kiosk checks codes against");
  const fileOpt = ['--file <file>', "the controller's appointments file (<the controller's data folder>/appointments.json)", 'appointments.json'] as const;
  cmd.command('import <csv>').description('add appointments from a CSV file (header: code,day,from,to[,service][,name]); all rows or none')
    .option(...fileOpt)
    .action(async (csv: string, o: { file: string }) => {
      try {
        const { loadAppointments, mergeAppointments, parseAppointmentsCsv, saveAppointments } = await import('./book.ts');
        const rows = parseAppointmentsCsv(readFileSync(csv, 'utf8'));
        // Drop only days that are over in every time zone (the file does not name the hall's).
        const today = new Date(systemClock.now() - 12 * 3600_000).toISOString().slice(0, 10);
        saveAppointments(o.file, mergeAppointments(loadAppointments(o.file), rows, today));
        const days = [...new Set(rows.map((r) => r.day))].sort();
        process.stdout.write(`imported ${rows.length} appointment(s) for ${days.join(', ')} into ${o.file}\n`);
      } catch (e) { fail('appointments import', e); }
    });
  cmd.command('list').description("a day's appointments").option('--day <YYYY-MM-DD>').option(...fileOpt)
    .action(async (o: { day?: string; file: string }) => {
      try {
        const { loadAppointments } = await import('./book.ts');
        for (const a of loadAppointments(o.file).appointments.filter((x) => !o.day || x.day === o.day)) {
          process.stdout.write(`${a.day} ${a.from}–${a.to} ${a.code}${a.service ? ` ${a.service}` : ''}\n`);
        }
      } catch (e) { fail('appointments list', e); }
    });
}
