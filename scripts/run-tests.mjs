#!/usr/bin/env node
// The test command (npm test): build, then run unit, integration and e2e suites with node's
// test runner (TypeScript through tsx). Suites can be picked: `npm test -- unit integration`.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// `clock` re-runs the calendar-bound suites (metering, billing, scheduler) under a shifted clock.
const all = ['unit', 'integration', 'e2e', 'clock'];
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
if (suites.some((s) => s !== 'unit') && run('bash', ['scripts/build-cloud-guest.sh']) !== 0) process.exit(1);

const files = [];
for (const suite of suites.filter((s) => s !== 'clock')) {
  const dir = join(root, 'test', suite);
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.test.ts')) files.push(join('test', suite, f));
}
if (files.length === 0 && !suites.includes('clock')) {
  console.error('No test files found.');
  process.exit(1);
}
// One file at a time: guests under TCG share two cores, and timing-sensitive tests stay honest.
const nodeTest = (extra = {}) => (list) =>
  run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...list], extra);
let status = files.length ? nodeTest()(files) : 0;
if (status === 0 && suites.includes('clock')) status = runShiftedClock();
process.exit(status);

/**
 * The suites whose answers depend on the date, run again with the whole process tree's clock moved
 * to the edges of a month and a year: the first seconds of a year and the last seconds before one,
 * in UTC and in a zone west of UTC (where the local and the UTC month differ). libfaketime shifts
 * every process by one offset (QEMU's keeper, the CLI children), so they agree with each other;
 * monotonic clocks are left alone so timers keep their real pace.
 */
function runShiftedClock() {
  const calendarFiles = [
    'test/unit/billing.test.ts',
    'test/unit/metrics.test.ts',
    'test/unit/scheduler.test.ts',
    'test/integration/billing.test.ts',
    'test/integration/billing-cli.test.ts',
    'test/integration/scheduler.test.ts',
  ];
  const probe = spawnSync('faketime', ['-f', '+0s', 'true']);
  if (probe.error || probe.status !== 0) {
    console.error('clock: the shifted-clock runs need libfaketime: apt-get install faketime (scripts/install-system-packages.sh --test installs it).');
    return 1;
  }
  const instants = ['2027-01-01T00:00:05', '2026-12-31T23:59:30'];
  for (const tz of ['UTC', 'America/New_York']) {
    for (const wall of instants) {
      const target = wallClockIn(wall, tz);
      const offset = Math.round((target - Date.now()) / 1000);
      console.log(`\nclock: ${wall} in ${tz} (clock shifted by ${offset} s)`);
      const env = { ...process.env, TZ: tz, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
      const status = run('faketime', ['-f', `${offset >= 0 ? '+' : ''}${offset}s`, process.execPath, '--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...calendarFiles], { env });
      if (status !== 0) {
        console.error(`clock: the calendar-bound suites failed with the clock at ${wall} in ${tz}.`);
        return status;
      }
    }
  }
  return 0;
}

/** The instant (ms) at which the wall clock in `tz` reads `wall` (YYYY-MM-DDTHH:MM:SS). */
function wallClockIn(wall, tz) {
  const asUtc = Date.parse(`${wall}Z`);
  const offsetAt = (ms) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
        .formatToParts(new Date(ms))
        .filter((x) => x.type !== 'literal')
        .map((x) => [x.type, Number(x.value)]),
    );
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - ms;
  };
  return asUtc - offsetAt(asUtc - offsetAt(asUtc));
}
