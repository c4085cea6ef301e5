// The test configuration Stryker runs with: the suite's own, limited to the test
// files the module lists (tests/mutation/modules.ts, passed by `npm run mutate` in
// MANYI_MUTATE_TESTS as comma-separated globs), run in that order (fast,
// rule-by-rule files first): Stryker stops a mutant's run at the first failing
// test, so a mutant the fast tests kill never waits for the slower files.
//
// The files are chosen here and not with Stryker's own `testFiles` option: with
// that option Stryker 9.6 activates a static mutant (one that runs while a module
// loads, e.g. a zod schema) only after the module has loaded, and reports it as
// surviving whatever the tests say (stryker-js issue #6144, seen here: every
// static mutant of kiosk/offline survived, though the tests kill them by hand).
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from '../vitest.config.ts';

const listed = (process.env.MANYI_MUTATE_TESTS ?? '').split(',').filter(Boolean);
const order = listed.map((g) => new RegExp(`${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`));

function rank(file: string): number {
  const i = order.findIndex((re) => re.test(file));
  return i < 0 ? order.length : i;
}

class ListedOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId));
  }
}

// A mutant that makes a test wait forever (a timer removed, a loop that never ends)
// fails that test after 8 s instead of running into Stryker's own timeout, which
// restarts the test runner (tens of seconds on a busy machine). The slowest test a
// module lists takes about 3 s on that machine.
// (Not mergeConfig: it would append `include` to the suite's own instead of replacing it.)
export default defineConfig({
  ...base,
  test: { ...base.test, ...(listed.length ? { include: listed } : {}), sequence: { sequencer: ListedOrder }, testTimeout: 8_000 },
});
