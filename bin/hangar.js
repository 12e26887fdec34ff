#!/usr/bin/env node
// The `hangar` command: runs the compiled CLI (npm run build:main compiles src-main to dist/main).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'main', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('hangar: not built yet: run "npm run build" in ' + path.join(__dirname, '..') + '\n');
  process.exit(1);
}
require(entry)
  .main(process.argv.slice(2))
  // exit once stdout is flushed: a large --json output (e.g. `os list`) into a pipe is written
  // asynchronously, and process.exit() would cut it short
  .then((code) => process.stdout.write('', () => process.exit(code)));
