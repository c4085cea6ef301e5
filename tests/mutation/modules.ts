// The modules under mutation testing (issue #16): what Stryker mutates in each,
// which test files may kill its mutants (fast ones: no browser, few processes),
// and the mutation score it must keep. `npm run mutate -- MODULE` runs one.
//
// A module's `tests` are the files whose tests cover its rules, fastest and most
// rule-specific first (they run in that order and a mutant's run stops at its
// first failing test); Stryker runs, for each mutant, only the tests that executed
// the mutated code (perTest coverage). Left out on purpose, though they run in
// `npm test`: browser tests, tests through a real broker (service.test.ts,
// fuzz.test.ts, auth.test.ts…) and tests of child processes (update.test.ts),
// which take seconds per mutant, or cannot see the mutant at all (a child process
// runs the code unmutated). A mutant only those would catch is a rule without a
// fast test, and shows up as a survivor to fix.

export interface MutationModule {
  /** Globs of the files to mutate (Stryker `mutate`; `!` excludes). */
  mutate: string[];
  /** Test files Stryker runs (Stryker `testFiles`). */
  tests: string[];
  /** Lowest acceptable mutation score, percent (equivalent mutants excluded). */
  target: number;
  /**
   * The ratchet: the score CI holds the module at, its last committed score cut to
   * one decimal (never below `target`). A weakened test or a new rule without a test
   * that lets even a mutant or two survive drops the module under it and fails CI,
   * however far above its target the module is. Set it again with each refreshed
   * result (`npm run mutate` prints the value); lower it only with a reason in the
   * commit (e.g. code removed whose mutants were all killed).
   */
  floor?: number;
  /** Why some files of the folder are not mutated. */
  excluded?: string;
}

export const MODULES: Record<string, MutationModule> = {
  controller: {
    mutate: ['firmware/controller/**/*.ts', '!firmware/controller/cli.ts', '!firmware/controller/role.ts'],
    tests: [
      'tests/controller/rules.test.ts', 'tests/controller/window-actions.test.ts', 'tests/controller/requests.test.ts', 'tests/controller/engine.test.ts',
      'tests/controller/views.test.ts', 'tests/controller/state.test.ts', 'tests/controller/service-unit.test.ts', 'tests/controller/handlers.test.ts',
      'tests/controller/ticket-page.test.ts', 'tests/controller/hall-model.test.ts', 'tests/controller/restart.test.ts',
    ],
    target: 85,
    floor: 99.7,
    excluded: 'cli.ts: argument parsing, run by tests/runtime/run-cli.test.ts in a child process; role.ts: the assembly of parts (event log, people, pages), run by the runtime tests through a broker',
  },
  // The controller's store (moved out of firmware/controller by #12): persist before acknowledging.
  eventlog: {
    mutate: ['firmware/eventlog/**/*.ts'],
    tests: [
      'tests/eventlog/store.test.ts', 'tests/eventlog/migrate.test.ts', 'tests/controller/restart.test.ts',
      'tests/controller/rules.test.ts', 'tests/controller/engine.test.ts', 'tests/stats/store.test.ts',
    ],
    target: 85,
    floor: 88.4,
  },
  routing: {
    mutate: ['firmware/routing/**/*.ts'],
    tests: [
      'tests/routing/*.test.ts', 'tests/sim/tail-index.test.ts', 'tests/sim/service-times.test.ts', 'tests/sim/estimate.test.ts',
      'tests/sim/advice.test.ts', 'tests/sim/policies.test.ts',
    ],
    target: 70,
    floor: 79.3,
  },
  security: {
    mutate: ['firmware/security/**/*.ts', '!firmware/security/cli.ts'],
    tests: [
      'tests/security/*.test.ts', 'tests/maint/acl.test.ts', 'tests/broker/guard.test.ts', 'tests/unit/contract.test.ts',
      'tests/web/manager-login.test.ts',
    ],
    target: 85,
    floor: 100,
    excluded: 'cli.ts: argument parsing of manyi people/keys commands, run in child processes',
  },
  protocol: {
    mutate: ['firmware/protocol/**/*.ts'],
    tests: ['tests/protocol/*.test.ts', 'tests/unit/protocol.test.ts', 'tests/unit/contract.test.ts', 'tests/maint/acl.test.ts'],
    target: 85,
    floor: 100,
  },
  update: {
    mutate: ['firmware/update/**/*.ts'],
    tests: ['tests/update/*.test.ts', 'tests/maint/rollout.test.ts'],
    target: 85,
    floor: 99.8,
  },
  'kiosk-offline': {
    mutate: ['kiosk/offline/**/*.ts'],
    tests: ['tests/kiosk/offline-store.test.ts', 'tests/kiosk/offline.test.ts'],
    target: 85,
    floor: 100,
  },
  'kiosk-ticket': {
    mutate: ['kiosk/ticket/**/*.ts'],
    tests: ['tests/kiosk/ticket-layout.test.ts', 'tests/kiosk/ticket.test.ts'],
    target: 70,
    floor: 87.8,
  },
  stats: {
    mutate: ['firmware/stats/**/*.ts', '!firmware/stats/cli.ts'],
    // Not listed, though they run in `npm test`: tests/stats/week.test.ts and api.test.ts build
    // their week or days in beforeAll, which Stryker counts as static coverage: every mutant of
    // the fold (day, figures, range, store, demo-week) then ran every listed file with a reload
    // of the test environment (~13 s a mutant on the shared machine; a full run took over 2 h).
    // The unit tests check the same rules inside each test.
    tests: ['tests/stats/unit/*.test.ts', 'tests/stats/store.test.ts'],
    target: 70,
    floor: 90.4,
    excluded: 'cli.ts: argument parsing, run by tests/stats/cli.test.ts in child processes',
  },
};
