/**
 * Jest under StrykerJS (`npm run mutate`): the test folders that exercise the runtime's core, against the DynamoDB
 * Local of the Stryker test runner that runs them (scripts/stryker/worker-dynamodb-local.mjs): a mutant run is a jest
 * run, so starting one per jest run would cost 2-3 s a mutant.
 */
const path = require('node:path');
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/dynamodb', '<rootDir>/test/runtime'],
  // Two files that test neither the core nor run under Stryker's sandbox: the spec matchers' test runs the built
  // lambda/ (which the sandbox does not build), and DynamoDB Local's start-up test fetches the jar with npm on an emptied PATH.
  testPathIgnorePatterns: ['/test/runtime/spec-matchers\\.test\\.ts$', '/test/runtime/start-dynamodb-local\\.test\\.ts$'],
  globalSetup: '<rootDir>/test/helpers/stryker-global-setup.ts',
  globalTeardown: undefined,
  // A mutant's run loads only the test files of the tests that cover it: see scripts/stryker/jest-test-files.mjs.
  filter: path.join(__dirname, 'scripts', 'stryker', 'jest-filter.js'),
  // Credits what a test file runs outside its tests (imports, beforeAll) to its tests: see that file.
  // (Stryker's jest runner reads these two paths as they are: no <rootDir>.)
  testEnvironment: path.join(__dirname, 'scripts', 'stryker', 'jest-environment.js'),
  // Smallest test file first, so that a mutant's first failure comes early: see that file.
  testSequencer: path.join(__dirname, 'scripts', 'stryker', 'jest-sequencer.js'),
};
