// A StrykerJS test runner, `jest-test-files`: Stryker's jest runner, except that a mutant's jest run loads only the
// test files holding the tests that cover the mutant. Stryker's jest runner selects those tests by name
// (--testNamePattern) among every test file related to the mutated file (--findRelatedTests), and jest still loads
// each of those files (the SDK clients and their imports, 0.2 s a file) to skip its tests: most of a mutant's time.
// Here the dry run records which file holds each test, and a mutant run passes the files of its tests to
// scripts/stryker/jest-filter.js (jest's `filter` option, set in jest.stryker.config.js) in STRYKER_JEST_TEST_FILES.
// And the code a test file runs outside its tests (scripts/stryker/jest-environment.js) is credited to each test of
// that file, so that a mutant there is tested with those tests, not with every test as a static mutant.
// Each runner process has its own DynamoDB Local, started afresh every few mutant runs (worker-dynamodb-local.mjs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { strykerPlugins as jestRunnerPlugins } from '@stryker-mutator/jest-runner';
import jestEnvironment from './jest-environment.js';
import { workerDynamoDbLocal } from './worker-dynamodb-local.mjs';

/** Where the dry run leaves the test-to-file map: in the sandbox, which every test runner process of a run shares. */
const testFilesMap = () => path.resolve('.stryker-test-files.json');

/** Credits what each test file ran outside its tests to each of its tests (the file's tests all run its hooks). */
function creditOutsideTests(coverage, tests) {
  for (const [id, hits] of Object.entries(coverage.perTest)) {
    if (!id.startsWith(jestEnvironment.OUTSIDE_TESTS_OF)) continue;
    delete coverage.perTest[id];
    const file = id.slice(jestEnvironment.OUTSIDE_TESTS_OF.length);
    for (const test of tests.filter((t) => t.fileName === file)) {
      const credited = (coverage.perTest[test.id] ??= {});
      for (const [mutant, count] of Object.entries(hits)) credited[mutant] = (credited[mutant] ?? 0) + count;
    }
  }
}

function jestTestFilesRunnerFactory(injector) {
  const jest = injector.injectFunction(jestRunnerPlugins[0].factory);
  let filesByTest;
  const dynamoDb = workerDynamoDbLocal();
  return {
    async init() {
      await dynamoDb.start();
      await jest.init?.();
    },
    async dispose() {
      try {
        await jest.dispose?.();
      } finally {
        await dynamoDb.stop();
      }
    },
    capabilities: () => jest.capabilities(),
    async dryRun(options) {
      const result = await jest.dryRun(options);
      dynamoDb.afterDryRun();
      if (result.status === 'complete') {
        if (result.mutantCoverage) creditOutsideTests(result.mutantCoverage, result.tests);
        const map = {};
        for (const test of result.tests) (map[test.id] ??= []).push(test.fileName);
        fs.writeFileSync(testFilesMap(), JSON.stringify(map));
      }
      return result;
    },
    async mutantRun(options) {
      dynamoDb.beforeRun();
      if (options.testFilter) {
        filesByTest ??= JSON.parse(fs.readFileSync(testFilesMap(), 'utf8'));
        const files = new Set(options.testFilter.flatMap((id) => filesByTest[id] ?? []));
        // A test the map does not know (it should not happen): leave the selection to jest, as Stryker does.
        if (options.testFilter.every((id) => id in filesByTest)) process.env.STRYKER_JEST_TEST_FILES = JSON.stringify([...files]);
      }
      delete process.env[jestEnvironment.FAILED];
      let result;
      try {
        result = await jest.mutantRun(options);
      } finally {
        delete process.env.STRYKER_JEST_TEST_FILES;
      }
      // A mutant that tests cover, yet whose run ran none, did not survive: the selection failed. Stryker would count
      // it as Survived; stop the run instead, so that no score rests on tests that never ran.
      if (result.status === 'survived' && result.nrOfTests === 0 && options.testFilter?.length) {
        throw new Error(`Mutant ${options.activeMutant.id} (${options.activeMutant.fileName}) ran no test, though ${options.testFilter.length} cover it: the test selection is broken.`);
      }
      return result;
    },
  };
}
jestTestFilesRunnerFactory.inject = tokens(commonTokens.injector);

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'jest-test-files', jestTestFilesRunnerFactory)];
