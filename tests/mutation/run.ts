// `npm run mutate [-- MODULE… ] [--full] [--ci] [--concurrency N] [--budget-min M]`
//
// Runs StrykerJS (vitest runner, TypeScript checker) over each module of
// tests/mutation/modules.ts, one module at a time, and prints its mutation score
// against its target. Scores leave out the mutants listed as equivalent in
// tests/mutation/equivalent.json (each with a one-line reason).
//
// Incremental by default: tests/mutation/incremental/MODULE.json (committed) holds
// the last results; Stryker reruns only mutants whose code or covering tests
// changed since. `--full` ignores it (and rewrites it). Reports (HTML, JSON, a
// summary) go to tests/artifacts/mutation/, which CI keeps.
//
// Stryker runs in a copy of the project taken at the start, so the working tree
// can be edited meanwhile. Exit code 1 when a module is under its target or the
// time budget ran out (`--budget-min`, the whole run; the module running then is
// stopped and counts as failed).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { MODULES } from './modules.ts';
import { loadEquivalents, scoreReport, type ModuleScore } from './score.ts';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const HERE = join(ROOT, 'tests/mutation');
const ARTIFACTS = join(ROOT, 'tests/artifacts/mutation');

interface Args { modules: string[]; full: boolean; ci: boolean; concurrency: number; budgetMin: number | null; logLevel: string; report: string | null; typecheck: boolean }

function parseArgs(argv: string[]): Args {
  const a: Args = { modules: [], full: false, ci: false, concurrency: process.env.CI ? 2 : 1, budgetMin: null, logLevel: 'info', report: null, typecheck: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i]!;
    if (v === '--full') a.full = true;
    else if (v === '--ci') { a.ci = true; a.logLevel = 'warn'; }
    else if (v === '--concurrency') a.concurrency = Number(argv[++i]);
    else if (v === '--budget-min') a.budgetMin = Number(argv[++i]);
    else if (v === '--quiet') a.logLevel = 'warn';
    else if (v === '--report') a.report = argv[++i] ?? null;
    else if (v === '--typecheck') a.typecheck = true;
    else if (v.startsWith('-')) throw new Error(`unknown option ${v}`);
    else a.modules.push(v);
  }
  for (const m of a.modules) if (!MODULES[m]) throw new Error(`no module ${m}: one of ${Object.keys(MODULES).join(', ')}`);
  if (!a.modules.length) a.modules = Object.keys(MODULES);
  if (!(a.concurrency >= 1)) throw new Error('--concurrency needs a number ≥ 1');
  return a;
}

function strykerConfig(name: string, args: Args): Record<string, unknown> {
  const m = MODULES[name]!;
  return {
    testRunner: 'vitest',
    vitest: { configFile: 'tests/mutation/vitest.config.ts', related: false },
    // The TypeScript checker (`--typecheck`) drops mutants that do not compile
    // before any test runs. It is off by default: on the shared 2-core machine it
    // was the bottleneck (controller: 13 mutants a minute with it, checker-bound;
    // see tests/mutation/README.md), and a mutant that does not compile cannot
    // ship anyway (`npm run typecheck` fails on it), so a surviving one is listed
    // as such in equivalent.json. With it, the checker compiles the module's own
    // files and what they import, not the whole tree.
    ...(args.typecheck ? {
      checkers: ['typescript'],
      tsconfigFile: `tsconfig.mutate-${name}.json`,
      typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    } : {}),
    mutate: m.mutate,
    // The module's test files are chosen by tests/mutation/vitest.config.ts (not
    // Stryker's `testFiles`: see there why).
    coverageAnalysis: 'perTest',
    concurrency: args.concurrency,
    reporters: ['json', 'html', 'progress-append-only'],
    jsonReporter: { fileName: join(ARTIFACTS, `${name}.json`) },
    htmlReporter: { fileName: join(ARTIFACTS, `${name}.html`) },
    incremental: true,
    force: args.full,
    incrementalFile: join(HERE, 'incremental', `${name}.json`),
    // Inside the copy: packages resolve through the copy's node_modules link
    // (Stryker does not follow a linked node_modules to link it into its sandbox).
    tempDirName: '.stryker-tmp',
    symlinkNodeModules: false,
    cleanTempDir: 'always',
    // Busy shared machines: a mutant that only ran slow must not count as an endless loop.
    timeoutMS: 10_000,
    timeoutFactor: 2,
    dryRunTimeoutMinutes: 10,
    logLevel: args.logLevel,
    fileLogLevel: 'off',
    allowConsoleColors: false,
    warnings: { slow: false },
  };
}

/**
 * A copy of the project's files (tracked and new, not ignored) to run Stryker in.
 * Its TypeScript checker reads the files of the folder it runs in, for the whole
 * run: editing, rebasing or switching branches there mid-run would make it judge
 * mutants against other code (seen: mutants marked as type errors in files that
 * had moved).
 */
function projectFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0').filter((f) => f && !f.startsWith('node_modules') && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
}

function snapshot(files: string[]): string {
  const dir = join(tmpdir(), `manyi-mutate-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(dir, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/**
 * Stryker reuses a static mutant's result (one that runs while a module loads,
 * e.g. a zod schema's regex) as long as its code is unchanged, even when tests
 * were added since: no test is recorded as covering it. When a listed test file
 * changed, surviving static mutants are therefore dropped from the stored results
 * so that the run tries them again (killed ones are rerun by Stryker itself when
 * their killing test changes). Each costs a run of every listed test: not done
 * when only the module's code changed.
 */
function forgetStaticSurvivors(file: string): number {
  if (!existsSync(file)) return 0;
  const r = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, { mutants: Array<{ static?: boolean; status: string }> }> };
  let n = 0;
  for (const f of Object.values(r.files)) {
    const keep = f.mutants.filter((m) => !(m.static && (m.status === 'Survived' || m.status === 'NoCoverage')));
    n += f.mutants.length - keep.length;
    f.mutants = keep;
  }
  if (n) writeFileSync(file, JSON.stringify(r));
  return n;
}

/** The globs of modules.ts (`*`, `**` and a leading `!` only) as a matcher over project paths. */
function matcher(globs: string[]): (file: string) => boolean {
  const re = (g: string) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '(?:.*/)?')}$`);
  const yes = globs.filter((g) => !g.startsWith('!')).map(re);
  const no = globs.filter((g) => g.startsWith('!')).map((g) => re(g.slice(1)));
  return (f) => yes.some((r) => r.test(f)) && !no.some((r) => r.test(f));
}

interface Stored { files: Record<string, { source: string }>; testFiles?: Record<string, { source: string }> }

/**
 * Whether Stryker would rerun nothing: every mutated file and every listed test
 * file is the same, byte for byte, as in the stored results (the same diff
 * Stryker's incremental mode makes, without its sandbox copy and dry run — about
 * half a minute a module). Returns why not, or null when nothing changed.
 */
function changedSince(name: string, stored: Stored | null, files: string[]): string | null {
  if (!stored) return 'no stored results';
  const m = MODULES[name]!;
  const same = (kind: string, now: string[], then: Record<string, { source: string }>): string | null => {
    for (const f of now) {
      if (!then[f]) return `${kind} ${f} is new`;
      if (readFileSync(join(ROOT, f), 'utf8') !== then[f].source) return `${kind} ${f} changed`;
    }
    const gone = Object.keys(then).find((f) => !now.includes(f));
    return gone ? `${kind} ${gone} is gone` : null;
  };
  const mutated = files.filter(matcher(m.mutate));
  const tests = files.filter(matcher(m.tests));
  return same('file', mutated, stored.files) ?? same('test file', tests, stored.testFiles ?? {});
}

/** Whether a listed test file of the module is new, gone or changed since the stored results. */
function testsChangedSince(name: string, stored: Stored | null, files: string[]): boolean {
  if (!stored?.testFiles) return true;
  const then = stored.testFiles;
  const now = files.filter(matcher(MODULES[name]!.tests));
  return now.length !== Object.keys(then).length || now.some((f) => !then[f] || readFileSync(join(ROOT, f), 'utf8') !== then[f].source);
}

/**
 * Stryker leaves files without mutants (types, re-exports) out of its results;
 * they are added with no mutants, so that the next run can tell they did not
 * change (else every run of the module would start Stryker for nothing).
 */
function recordMutantFreeFiles(file: string, base: string, mutated: string[]): void {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, { language: string; mutants: unknown[]; source: string }> };
  let added = 0;
  for (const f of mutated) {
    if (r.files[f]) continue;
    r.files[f] = { language: 'typescript', mutants: [], source: readFileSync(join(base, f), 'utf8') };
    added++;
  }
  if (added) writeFileSync(file, JSON.stringify(r));
}

function runStryker(cwd: string, configFile: string, tests: string[], deadline: number | null): Promise<{ code: number | null; timedOut: boolean }> {
  return new Promise((done) => {
    const bin = join(ROOT, 'node_modules/.bin/stryker');
    const env = { ...process.env, MANYI_MUTATE_TESTS: tests.join(',') };
    const child = spawn('nice', ['-n', '10', bin, 'run', configFile], { cwd, env, stdio: 'inherit', detached: true });
    let timedOut = false;
    const timer = deadline === null ? null : setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
    }, Math.max(0, deadline - Date.now()));
    child.on('exit', (code) => { if (timer) clearTimeout(timer); done({ code, timedOut }); });
  });
}

/** A module passes at its target, or at its floor while it has one (modules.ts). */
function passes(s: ModuleScore): boolean { return s.score === null || s.score >= (s.floor ?? s.target); }

function pct(n: number | null): string { return n === null ? '   —  ' : `${n.toFixed(1).padStart(5)}%`; }

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(join(HERE, 'incremental'), { recursive: true });
  const equivalents = loadEquivalents(join(HERE, 'equivalent.json'));
  const started = Date.now();
  const deadline = args.budgetMin === null ? null : started + args.budgetMin * 60_000;
  const scores: ModuleScore[] = [];
  const unchecked: string[] = [];
  let failed = false;
  const files = projectFiles();
  let copy: string | null = null;
  process.on('exit', () => { if (copy) rmSync(copy, { recursive: true, force: true }); });

  const report = (name: string, json: unknown, minutes: number): void => {
    const m = MODULES[name]!;
    const s = scoreReport(name, json as Parameters<typeof scoreReport>[1], m.target, equivalents, minutes, m.floor);
    scores.push(s);
    writeFileSync(join(ARTIFACTS, `${name}-survivors.txt`), s.survivors.map((x) => x.text).join('\n') + (s.survivors.length ? '\n' : ''));
    const held = s.floor !== undefined ? `, held at ≥ ${s.floor}%, its last committed score` : '';
    console.log(`mutate: ${name}: ${pct(s.score)} (target ${s.target}%${held}) — ${s.killed} killed, ${s.timeout} timed out, ${s.loadFailures} stop the module loading, ${s.survived} survived, ${s.noCoverage} not covered, ${s.equivalent} equivalent, ${s.unmeasured} not measured, ${s.compileErrors} type errors; ${minutes.toFixed(1)} min`);
    for (const x of s.survivors.slice(0, args.ci ? 10 : 40)) console.log(`  survived: ${x.text}`);
    if (s.survivors.length > (args.ci ? 10 : 40)) console.log(`  … ${s.survivors.length - (args.ci ? 10 : 40)} more in tests/artifacts/mutation/${name}-survivors.txt`);
    for (const e of s.staleEquivalents) console.log(`  equivalent.json entry matches no mutant now (remove it): ${e}`);
    if (!passes(s)) {
      console.log(`mutate: ${name}: BELOW ${s.floor !== undefined ? 'ITS FLOOR' : 'TARGET'}: ${pct(s.score).trim()} < ${s.floor ?? s.target}%`);
      failed = true;
    }
  };

  for (const name of args.modules) {
    const t0 = Date.now();
    if (deadline !== null && t0 >= deadline) {
      console.log(`mutate: ${name}: not run, the ${args.budgetMin}-minute budget is spent`);
      failed = true;
      continue;
    }
    const storedFile = join(HERE, 'incremental', `${name}.json`);
    const stored = existsSync(storedFile) ? JSON.parse(readFileSync(storedFile, 'utf8')) as Stored : null;
    if (args.ci && !stored) {
      // A whole module takes 5-40 minutes here: CI checks only modules with results to start from.
      console.log(`\nmutate: ${name}: NOT CHECKED: no stored results yet (run \`npm run mutate -- ${name}\` and commit tests/mutation/incremental/${name}.json)`);
      unchecked.push(name);
      continue;
    }
    const change = args.full ? 'full run asked' : changedSince(name, stored, files);
    if (change === null) {
      // Nothing to rerun: score the stored results (with today's equivalents list).
      console.log(`\n== mutate ${name}: unchanged since the stored results (tests/mutation/incremental/${name}.json)`);
      report(name, stored, (Date.now() - t0) / 60_000);
      continue;
    }
    console.log(`\n== mutate ${name}: ${MODULES[name]!.mutate.join(' ')} (concurrency ${args.concurrency}${args.full ? ', full' : `, incremental: ${change}`})`);
    copy ??= snapshot(files);
    const conf = join(copy, `stryker-${name}.json`);
    writeFileSync(conf, JSON.stringify(strykerConfig(name, args), null, 2));
    writeFileSync(join(copy, `tsconfig.mutate-${name}.json`), JSON.stringify({
      extends: './tsconfig.json', include: MODULES[name]!.mutate.filter((g) => !g.startsWith('!')),
    }));
    const reportFile = join(ARTIFACTS, `${name}.json`);
    rmSync(reportFile, { force: true });
    // Not in CI: keeping a static survivor's old result can only leave the score lower
    // than it is (a new test that kills it goes uncounted), never hide a weakened test.
    if (!args.full && !args.ci && testsChangedSince(name, stored, files)) {
      const n = forgetStaticSurvivors(join(HERE, 'incremental', `${name}.json`));
      if (n) console.log(`mutate: ${name}: trying ${n} surviving static mutant(s) again`);
    }
    const r = await runStryker(copy, conf, MODULES[name]!.tests, deadline);
    rmSync(conf, { force: true });
    rmSync(join(copy, '.stryker-tmp'), { recursive: true, force: true });
    const minutes = (Date.now() - t0) / 60_000;
    if (r.timedOut || r.code !== 0 || !existsSync(reportFile)) {
      console.log(`mutate: ${name}: Stryker ${r.timedOut ? `stopped: the ${args.budgetMin}-minute budget ran out` : `failed (exit ${r.code})`}`);
      failed = true;
      continue;
    }
    // The source Stryker ran on is the snapshot's, taken at the start.
    recordMutantFreeFiles(storedFile, copy!, files.filter(matcher(MODULES[name]!.mutate)).filter((f) => existsSync(join(copy!, f))));
    report(name, JSON.parse(readFileSync(reportFile, 'utf8')), minutes);
  }

  // The table, for people and for the CI log.
  const lines = ['', 'module          score   target  killed  survived  no-cov  equiv  unmeasured  minutes', '-'.repeat(86)];
  for (const s of scores) {
    lines.push(`${s.module.padEnd(14)} ${pct(s.score)}  ${String(s.target).padStart(4)}%  ${String(s.killed + s.timeout + s.loadFailures).padStart(6)}  ${String(s.survived).padStart(8)}  ${String(s.noCoverage).padStart(6)}  ${String(s.equivalent).padStart(5)}  ${String(s.unmeasured).padStart(10)}  ${s.minutes.toFixed(1).padStart(7)}  ${!passes(s) ? 'BELOW ' + (s.floor !== undefined ? 'FLOOR' : 'TARGET') : s.score !== null && s.score < s.target ? `under target, floor ${s.floor}%` : ''}`);
  }
  for (const name of unchecked) lines.push(`${name.padEnd(14)}    —     ${String(MODULES[name]!.target).padStart(4)}%  not checked: no stored results yet`);
  lines.push(`total ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  console.log(lines.join('\n'));
  writeFileSync(join(ARTIFACTS, 'summary.json'), JSON.stringify(scores.map(({ survivors, ...s }) => ({ ...s, survivors: survivors.map((x) => x.text) })), null, 2));
  writeFileSync(join(ARTIFACTS, 'summary.txt'), `${lines.join('\n')}\n`);
  // For .ci/run's `N passed, N failed` line: each module is one check.
  if (args.report) {
    const ok = scores.filter(passes).length;
    const checked = args.modules.length - unchecked.length;
    writeFileSync(args.report, JSON.stringify({ numPassedTests: ok, numFailedTests: checked - ok, numTotalTests: checked }));
  }
  if (failed) {
    console.log('mutate: FAILED (a module is below its target, or did not finish)');
    process.exitCode = 1;
  }
}

main().catch((e) => { console.error(`mutate: ${(e as Error).message}`); process.exitCode = 2; });
