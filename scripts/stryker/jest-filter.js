// jest's `filter` under StrykerJS (jest.stryker.config.js): a mutant's run keeps only the test files that
// scripts/stryker/jest-test-files.mjs names in STRYKER_JEST_TEST_FILES; the dry run (no such variable) keeps all.
'use strict';

module.exports = async function strykerTestFiles(testPaths) {
  const only = process.env.STRYKER_JEST_TEST_FILES;
  if (!only) return { filtered: testPaths };
  const wanted = new Set(JSON.parse(only));
  return { filtered: testPaths.filter((testPath) => wanted.has(testPath)) };
};
