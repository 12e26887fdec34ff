#!/usr/bin/env node
// The `hangar` command: runs the compiled CLI (npm run build:main compiles src-main to dist/main).
//
// Fast path: dist/main/cli/bundle.js (scripts/bundle-cli.mjs: the CLI's startup path in one file)
// run with V8's code cache beside it, so a call skips resolving and compiling ~125 modules.
// Node 20 has no module.enableCompileCache (Node 22), hence vm.Script's cachedData by hand.
// The bundle is used only when it is at least as new as the tsc output (a bare `tsc` rebuild
// leaves it stale: then dist/main/cli/main.js runs, as before).
// HANGAR_TIMING=1: where a call's time goes, on stderr at exit (test/bench/engine.bench.ts prints it)
const timing = process.env.HANGAR_TIMING ? { nodeStart: performance.now() } : null;
const path = require('node:path');
const fs = require('node:fs');
const dir = path.join(__dirname, '..', 'dist', 'main', 'cli');
const entry = path.join(dir, 'main.js');
const bundle = path.join(dir, 'bundle.js');

function loadBundle() {
  let bundleStat;
  try {
    bundleStat = fs.statSync(bundle);
    if (bundleStat.mtimeMs < fs.statSync(entry).mtimeMs) return null;
  } catch {
    return null;
  }
  const vm = require('node:vm');
  const Module = require('node:module');
  const cacheFile = `${bundle}.cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  if (timing) Object.assign(timing, { compiled: performance.now(), codeCache: !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used' });
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(dir);
  script.runInThisContext()(mod.exports, Module.createRequire(bundle), mod, bundle, dir);
  if (timing) timing.evaluated = performance.now();
  // After the command ran, so the cache also holds the functions it compiled. Written atomically
  // (temp + rename) by whoever finds it missing or rejected (another Node version); a read-only
  // installation simply runs without it.
  const saveCache = () => {
    if (cachedData && !script.cachedDataRejected) return;
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o644 });
      fs.renameSync(tmp, cacheFile);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  };
  return { main: mod.exports.main, saveCache };
}

const fast = loadBundle();
if (!fast && !fs.existsSync(entry)) {
  process.stderr.write('hangar: not built yet: run "npm run build" in ' + path.join(__dirname, '..') + '\n');
  process.exit(1);
}
(fast ? fast.main : require(entry).main)(process.argv.slice(2))
  // exit once stdout is flushed: a large --json output (e.g. `os list`) into a pipe is written
  // asynchronously, and process.exit() would cut it short
  .then((code) => {
    if (timing) {
      const t = timing;
      const at = (v) => (v === undefined ? '?' : v.toFixed(1));
      process.stderr.write(
        `hangar timing (ms since the process started): node ready ${at(t.nodeStart)}, bundle read + compiled ${at(t.compiled)} (code cache ${t.codeCache ?? 'not used: unbundled'}), ` +
          `modules evaluated ${at(t.evaluated)}, command done ${at(performance.now())}\n`,
      );
    }
    if (fast) fast.saveCache();
    process.stdout.write('', () => process.exit(code));
  });
