// The test configuration Stryker runs with: the suite's own, with the test files
// in the order the module lists them (fast, rule-by-rule files first). Stryker
// stops a mutant's run at the first failing test, so a mutant the fast tests kill
// never waits for the slower files. `npm run mutate` passes the order in
// MANYI_MUTATE_TESTS (comma-separated globs from tests/mutation/modules.ts).
import { defineConfig, mergeConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from '../vitest.config.ts';

const order = (process.env.MANYI_MUTATE_TESTS ?? '').split(',').filter(Boolean)
  .map((g) => new RegExp(`${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`));

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
export default mergeConfig(base, defineConfig({ test: { sequence: { sequencer: ListedOrder }, testTimeout: 8_000 } }));
