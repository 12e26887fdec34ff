#!/usr/bin/env node
// npm run bench: run every test/bench/*.bench.ts in turn; each prints its numbers.
// Benchmarks measure and print; they never fail on a target (targets are printed beside the numbers).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
spawnSync('bash', ['scripts/build-test-guest.sh'], { stdio: 'inherit', cwd: root });
let failed = 0;
for (const f of readdirSync(join(root, 'test', 'bench')).sort()) {
  if (!f.endsWith('.bench.ts') || (only.length && !only.some((o) => f.includes(o)))) continue;
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('test', 'bench', f)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
