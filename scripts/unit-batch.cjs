// Runs several unit test files in one node:test process (scripts/run-tests.mjs writes a tiny entry
// per process that calls this with its share of the files). Why: a process per file cost about a
// second of CPU each (Node, tsx and the contract loaded 34 times over), more than the tests
// themselves. Each file's tests live in a suite named after the file, so the file's top-level hooks
// (beforeEach, after) stay its own and the report says where each test comes from. A file that
// throws while loading becomes a failing test of that name; the others still run.
const { describe, test } = require('node:test');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

module.exports = function runBatch(files) {
  for (const file of files) {
    describe(file, () => {
      try {
        require(path.resolve(root, file));
      } catch (err) {
        test(`${file} loads`, () => {
          throw err;
        });
      }
    });
  }
};
