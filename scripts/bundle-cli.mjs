#!/usr/bin/env node
// Part of `npm run build:main`: bundles the `hangar` CLI's startup path into one file,
// dist/main/cli/bundle.js, which bin/hangar.js runs with a V8 code cache (why: a `hangar vm list`
// through a running engine spent most of its time resolving, reading and compiling ~125 small
// modules; one file plus cached bytecode makes a call about as cheap as starting Node).
//
// What is bundled: src-main/cli/main.ts and everything it imports statically (commander, the
// command modules, the engine socket client). What is not: every lazy `require('...')` in that
// code (the in-process Engine, `hangar serve`, package.json). Those stay plain requires of the
// tsc output in dist/main, so a call through a running engine never loads them, as before.
//
// esbuild comes with tsx/vite (dev dependencies). Without it the bundle is skipped and
// bin/hangar.js runs dist/main/cli/main.js as before, only slower.
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(new URL('..', import.meta.url).pathname);
const srcMain = path.join(root, 'src-main');
const distMain = path.join(root, 'dist', 'main');
const outfile = path.join(distMain, 'cli', 'bundle.js');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('bundle-cli: esbuild is not installed; the hangar CLI runs unbundled (slower start).');
  fs.rmSync(outfile, { force: true });
  process.exit(0);
}

/** Lazy requires that ARE bundled: the engine socket client is what every call through a running engine uses. */
const BUNDLE_LAZY = new Set([path.join(srcMain, 'server', 'local-socket-client')]);

/**
 * A lazy require() in Hangar's code stays a require of the same module in dist/main, written
 * relative to the bundle. The path is resolved from the importer's place in dist/main, as the
 * compiled code would (`require('../../../package.json')` counts from dist/main/cli).
 */
const keepLazyRequires = {
  name: 'keep-lazy-requires',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind !== 'require-call' || !args.importer.startsWith(srcMain + path.sep)) return undefined;
      if (BUNDLE_LAZY.has(path.resolve(args.resolveDir, args.path))) return undefined;
      const importerInDist = path.join(distMain, path.relative(srcMain, args.resolveDir));
      let rel = path.relative(path.dirname(outfile), path.resolve(importerInDist, args.path));
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return { path: rel, external: true };
    });
  },
};

/** esbuild's options for the bundle (test/unit/cli-bundle.test.ts builds with them in memory). */
export const bundleOptions = () => ({
  entryPoints: [path.join(srcMain, 'cli', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  tsconfig: path.join(root, 'tsconfig.main.json'),
  plugins: [keepLazyRequires],
  // native or heavy packages are never bundled (none is on the CLI's static path today)
  external: ['better-sqlite3', 'node-pty', 'ssh2', 'electron'],
  logLevel: 'warning',
  legalComments: 'none',
});

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  fs.rmSync(`${outfile}.cache`, { force: true }); // bytecode of the previous bundle
  await esbuild.build(bundleOptions());
}
