// StrykerJS for the runtime's core (`npm run mutate`; docs/mutation-testing.md says what and why).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  // Stryker's jest runner, loading only the test files that cover a mutant (scripts/stryker/jest-test-files.mjs).
  plugins: ['@stryker-mutator/jest-runner', '@stryker-mutator/typescript-checker', './scripts/stryker/jest-test-files.mjs'],
  testRunner: 'jest-test-files',
  // Not jest's --findRelatedTests: it follows imports only through the test roots and the mutated file's folder, so a
  // module reached through another folder (session-list.ts through lambda/query/) had no related test, and each of its
  // mutants "survived" with no test run. The covering tests' files are chosen by scripts/stryker/jest-test-files.mjs.
  jest: { projectType: 'custom', configFile: 'jest.stryker.config.js', enableFindRelatedTests: false },
  checkers: ['typescript'],
  // The checker type-checks the runtime only (tsconfig.stryker.json): the whole project, tests included, took 3 times as
  // long a check and made it the slowest part of a run; a mutant that breaks only a test's types is then run by the tests.
  tsconfigFile: 'tsconfig.stryker.json',
  coverageAnalysis: 'perTest',
  // The runtime's core, as issue 19 names it; definitions (define-*.ts), types, the command client, republishing
  // and the document client are left out: docs/mutation-testing.md says why.
  mutate: [
    // the write path
    'lambda/write/handle-command.ts', 'lambda/write/build-events.ts', 'lambda/write/decide.ts', 'lambda/write/command-envelope.ts',
    'lambda/write/validate-payload.ts', 'lambda/write/warm-cache.ts',
    'lambda/store/event-store.ts', 'lambda/store/event-items.ts', 'lambda/store/item-size.ts', 'lambda/store/keys.ts',
    'lambda/store/session-entry.ts', 'lambda/store/storable-value.ts', 'lambda/store/write-failure.ts',
    // the publisher
    'lambda/write/publish-events.ts',
    // the projectors
    'lambda/projection/project-messages.ts', 'lambda/projection/project-custom-writes.ts', 'lambda/projection/projector-batch.ts',
    'lambda/projection/queue-message.ts', 'lambda/projection/projection-code.ts', 'lambda/store/read-model-item.ts',
    // the folds
    'lambda/write/fold.ts', 'lambda/projection/projection-fold.ts',
    // read-your-writes
    'lambda/sessions/session-read.ts', 'lambda/sessions/session-list.ts',
    // rebuild
    'lambda/projection/rebuild-projection.ts', 'lambda/projection/rebuild-request.ts',
  ],
  ignorePatterns: ['.cache', 'cdk.out', 'dist', 'reports', 'coverage', 'test/package', 'test/e2e', 'lib/**/*.js', 'lib/**/*.d.ts', 'lambda/**/*.js', 'lambda/**/*.d.ts'],
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
