// jest's test order under StrykerJS (jest.stryker.config.js): smallest test file first. A mutant's run ends at its
// first failed test (scripts/stryker/jest-environment.js), so files that fail fast should come first; jest's own order
// runs the slowest first (to balance parallel workers, which a Stryker run in band has no use for), and a sandbox has
// no timings yet, so it falls back to the largest file first: a mutant whose first failure came late then "timed out".
// Size stands for duration (no timings needed); the order changes no test's outcome.
'use strict';
const fs = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

module.exports = class SmallestFirst extends Sequencer {
  sort(tests) {
    const size = (test) => fs.statSync(test.path).size;
    return [...tests].sort((a, b) => size(a) - size(b) || a.path.localeCompare(b.path));
  }
};
