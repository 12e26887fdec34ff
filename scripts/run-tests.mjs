#!/usr/bin/env node
// The test command (npm test): build, then run unit, integration and e2e suites with node's
// test runner (TypeScript through tsx). Suites can be picked: `npm test -- unit integration`.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const all = ['unit', 'integration', 'e2e'];
const picked = process.argv.slice(2).filter((a) => all.includes(a));
const suites = picked.length ? picked : all;

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  return r.status ?? 1;
};

if (!process.env.HANGAR_SKIP_BUILD) {
  if (run('npm', ['run', '--silent', 'build']) !== 0) process.exit(1);
}
if (suites.some((s) => s !== 'unit') && run('bash', ['scripts/build-test-guest.sh']) !== 0) process.exit(1);

const files = [];
for (const suite of suites) {
  const dir = join(root, 'test', suite);
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.test.ts')) files.push(join('test', suite, f));
}
if (files.length === 0) {
  console.error('No test files found.');
  process.exit(1);
}
// One file at a time: guests under TCG share two cores, and timing-sensitive tests stay honest.
process.exit(run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files]));
