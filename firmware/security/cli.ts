// `manyi staff add|reset|remove|list` and `manyi managers add|reset|remove|token|list`:
// the people who sign in, kept in the controller's people file (people.ts). A new
// PIN, password or API token is printed once and stored only as a hash. The
// controller re-reads the file: no restart; a reset or removal ends that person's
// next sign-in at once.
import type { Command } from 'commander';
import { systemClock } from '../lib/time.ts';

const DEFAULT_FILE = 'people.json';

function fail(cmd: string, e: unknown): void {
  process.stderr.write(`manyi ${cmd}: ${(e as Error).message}\n`);
  process.exitCode = 2;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export function register(program: Command): void {
  const fileOpt = ['--people <file>', "the controller's people file (<the controller's data folder>/people.json)", DEFAULT_FILE] as const;

  const staff = program.command('staff').description('staff who sign in at their window with their id and a PIN');
  staff.command('add <id>').description('add a staff member; prints their new PIN (give it to them, it is not kept)')
    .option('--name <name>', 'their name as the staff page shows it').option('--pin <digits>', 'choose the PIN (4–8 digits) instead of a random one')
    .option(...fileOpt)
    .action((id: string, o: { name?: string; pin?: string; people: string }) => change('staff add', o.people, (p, m) => {
      const pin = o.pin ?? m.newSecret('staff');
      return { people: m.setPerson(p, { id, name: o.name, role: 'staff' }, pin, new Date(systemClock.now())), say: `${id}: PIN ${pin}` };
    }));
  staff.command('reset <id>').description('give a staff member a new PIN (the old one stops working at once)')
    .option('--pin <digits>', 'choose the PIN instead of a random one').option(...fileOpt)
    .action((id: string, o: { pin?: string; people: string }) => change('staff reset', o.people, (p, m) => {
      const pin = o.pin ?? m.newSecret('staff');
      return { people: m.setPerson(p, { id, role: 'staff' }, pin, new Date(systemClock.now()), true), say: `${id}: new PIN ${pin}` };
    }));
  staff.command('remove <id>').description('remove a staff member').option(...fileOpt)
    .action((id: string, o: { people: string }) => change('staff remove', o.people, (p, m) => ({ people: m.removePerson(p, id), say: `removed ${id}` })));
  staff.command('list').description('staff and managers in the file (no secrets)').option(...fileOpt)
    .action((o: { people: string }) => list(o.people));

  const managers = program.command('managers').description('managers who sign in for /manager and /api/stats');
  managers.command('add <id>').description('add a manager; prints a new password (or reads one from stdin with --password-stdin)')
    .option('--name <name>').option('--password-stdin', 'read the password (12+ characters) from standard input').option(...fileOpt)
    .action(async (id: string, o: { name?: string; passwordStdin?: boolean; people: string }) => {
      const given = o.passwordStdin ? await readStdin() : undefined;
      await change('managers add', o.people, (p, m) => {
        const pw = given ?? m.newSecret('manager');
        return { people: m.setPerson(p, { id, name: o.name, role: 'manager' }, pw, new Date(systemClock.now())), say: given ? `added ${id}` : `${id}: password ${pw}` };
      });
    });
  managers.command('reset <id>').description('give a manager a new password').option('--password-stdin').option(...fileOpt)
    .action(async (id: string, o: { passwordStdin?: boolean; people: string }) => {
      const given = o.passwordStdin ? await readStdin() : undefined;
      await change('managers reset', o.people, (p, m) => {
        const pw = given ?? m.newSecret('manager');
        return { people: m.setPerson(p, { id, role: 'manager' }, pw, new Date(systemClock.now()), true), say: given ? `reset ${id}` : `${id}: new password ${pw}` };
      });
    });
  managers.command('token <id>').description('a new API token for scripts (Authorization: Bearer …); printed once').option(...fileOpt)
    .action((id: string, o: { people: string }) => change('managers token', o.people, (p, m) => {
      const r = m.addToken(p, id, new Date(systemClock.now()));
      return { people: r.people, say: r.token };
    }));
  managers.command('remove <id>').description('remove a manager and their API tokens').option(...fileOpt)
    .action((id: string, o: { people: string }) => change('managers remove', o.people, (p, m) => ({ people: m.removePerson(p, id), say: `removed ${id}` })));
  managers.command('list').description('staff and managers in the file (no secrets)').option(...fileOpt)
    .action((o: { people: string }) => list(o.people));
}

type PeopleModule = typeof import('./people.ts');

async function change(cmd: string, file: string, f: (p: import('./people.ts').People, m: PeopleModule) => { people: import('./people.ts').People; say: string }): Promise<void> {
  try {
    const m = await import('./people.ts');
    const r = f(m.loadPeople(file), m);
    m.savePeople(file, r.people);
    process.stdout.write(`${r.say}\n`);
  } catch (e) { fail(cmd, e); }
}

async function list(file: string): Promise<void> {
  try {
    const { loadPeople } = await import('./people.ts');
    for (const p of loadPeople(file).people) {
      process.stdout.write(`${p.role.padEnd(8)} ${p.id}${p.name ? `  ${p.name}` : ''}${p.tokens.length ? `  (${p.tokens.length} API token${p.tokens.length > 1 ? 's' : ''})` : ''}\n`);
    }
  } catch (e) { fail('list', e); }
}
