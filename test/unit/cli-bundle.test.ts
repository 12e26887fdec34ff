// The `hangar` CLI's startup bundle (scripts/bundle-cli.mjs) must stay small: a call through a
// running engine should cost about what starting Node costs (test/bench/engine.bench.ts). One
// value import of the contract pulls zod and every schema into it (it did: +170 ms of CPU per call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

test('the CLI bundle holds neither zod (the contract schemas), the engine, its database nor the server session code', async () => {
  const { bundleOptions } = (await import(pathToFileURL(path.join(__dirname, '..', '..', 'scripts', 'bundle-cli.mjs')).href)) as { bundleOptions: () => esbuild.BuildOptions };
  const r = await esbuild.build({ ...bundleOptions(), write: false, metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(r.metafile.inputs);
  assert.ok(inputs.includes('src-main/cli/main.ts') && inputs.includes('src-main/server/local-socket-client.ts'), inputs.join('\n'));
  // pure helpers without schemas are fine (contract/events.ts, engine/client-events.ts, contract/billing-rule.ts, ...)
  const unwanted = inputs.filter((f) => /node_modules\/zod\/|^src-main\/(db|qemu|compute)\/|^src-main\/engine\/(?!client-events\.ts$)|^src-main\/server\/(?!local-socket-client\.ts$)/.test(f));
  assert.deepEqual(unwanted, [], `modules on the CLI's startup path that a call through a running engine does not need:\n${unwanted.join('\n')}`);
});
