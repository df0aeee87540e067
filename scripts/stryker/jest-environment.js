// jest's test environment under StrykerJS (jest.stryker.config.js), for speed; it changes no test's outcome.
// - In the dry run, Stryker credits the code a test runs to that test, and code run outside any test (a file's
//   imports, beforeAll, afterAll) to no test: such a "static" mutant is then tested with every test, most of a run
//   here, where a test file's beforeAll often writes through the code under test. This credits code run outside the
//   tests of a file to a stand-in test for the file; scripts/stryker/jest-test-files.mjs credits it to its tests.
//   The test files of a run share one process and one `__stryker__` (Stryker runs jest in band): the stand-in id must
//   be this file's from its first event, not one a file before it left behind, or this file's imports and beforeAll
//   are credited to the tests of the file before (a mutant killed only by this file's tests then survives unseen).
//   Between files (teardown until the next file's first event) no id is set: code run there is static.
// - In a mutant's run, the first failed test kills the mutant: the tests after it are skipped (jest's own `bail`
//   Stryker turns off, and it would only stop between files).
'use strict';
const { TestEnvironment } = require('jest-environment-node');

/** The id of the stand-in test of a test file. */
const OUTSIDE_TESTS_OF = 'stryker: outside the tests of ';
/** Set once a test of a mutant's run failed; scripts/stryker/jest-test-files.mjs clears it before each run. */
const FAILED = 'STRYKER_JEST_RUN_FAILED';

const skipAll = (block) => {
  for (const child of block.children) {
    if (child.type === 'describeBlock') skipAll(child);
    else child.mode = 'skip';
  }
};

class StrykerEnvironment extends TestEnvironment {
  #testPath;

  constructor(config, context) {
    super(config, context);
    this.#testPath = context.testPath;
  }

  /** Whether the current id is no test's: none, or a stand-in (this file's or, left behind, another file's). */
  #outsideTests(stryker) {
    return stryker.currentTestId === undefined || stryker.currentTestId.startsWith(OUTSIDE_TESTS_OF);
  }

  async handleTestEvent(event, state) {
    if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) {
      // Stryker's own handler runs after this one: it names the test at test_start and clears the name at test_done.
      // The first event of a file ('setup') comes before jest loads the test file, so its imports are this file's.
      const stryker = this.global.__stryker__;
      if (stryker && event.name !== 'test_done' && this.#outsideTests(stryker)) stryker.currentTestId = OUTSIDE_TESTS_OF + this.#testPath;
      return;
    }
    if ((event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure') process.env[FAILED] = 'true';
    if (process.env[FAILED] && event.name === 'run_start') skipAll(state.rootDescribeBlock);
    if (process.env[FAILED] && event.name === 'test_start') event.test.mode = 'skip';
  }

  async teardown() {
    const stryker = this.global.__stryker__;
    if (stryker && stryker.currentTestId === OUTSIDE_TESTS_OF + this.#testPath) stryker.currentTestId = undefined;
    await super.teardown();
  }
}

module.exports = StrykerEnvironment;
module.exports.OUTSIDE_TESTS_OF = OUTSIDE_TESTS_OF;
module.exports.FAILED = FAILED;
