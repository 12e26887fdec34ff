#!/usr/bin/env node
// The test command (npm test): build, then run unit, integration and e2e suites with node's
// test runner (TypeScript through tsx). Suites can be picked: `npm test -- unit integration`, or files.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync, readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflight } from './preflight.mjs';
import { runPool } from './test-pool.mjs';

const root = new URL('..', import.meta.url).pathname;
// `clock` re-runs the calendar-bound suites (metering, billing, scheduler) under a shifted clock.
// `lint` checks the whole tree against the walls between the layers (test/lint/): CI runs `npm test`,
// not `npm run lint`, and linting every file is too slow for the unit suite.
const all = ['unit', 'lint', 'integration', 'e2e', 'clock'];
const picked = process.argv.slice(2).filter((a) => all.includes(a));
// Single files may be named too (`npm test -- test/unit/argv.test.ts`); their suites come from their folders.
const namedFiles = process.argv.slice(2).filter((a) => a.endsWith('.test.ts'));
const suites = picked.length ? picked : namedFiles.length ? [...new Set(namedFiles.map((f) => f.split('/').at(-2)))] : all;

const JOBS = Math.max(1, Number(process.env.HANGAR_TEST_JOBS ?? 2) || 1);
// Rough seconds each long file took on 2 cores under TCG (from a CI run; only used to start the
// heaviest first, so the two lanes end together). Files not listed count as 10 s.
const LONG_FILES = {
  'test/integration/cloudinit-lan.test.ts': 170, 'test/integration/cloudinit.test.ts': 170, 'test/e2e/cloudinit.test.ts': 140,
  'test/integration/guest.test.ts': 82, 'test/integration/cli.test.ts': 75, 'test/integration/hosts.test.ts': 61,
  'test/integration/network-cli.test.ts': 42, 'test/integration/lifecycle.test.ts': 40, 'test/integration/secureboot.test.ts': 38,
  'test/e2e/consoles.test.ts': 37, 'test/integration/faults-data.test.ts': 35, 'test/integration/faults-procs.test.ts': 35,
  'test/e2e/metrics-billing.test.ts': 34, 'test/integration/appliances.test.ts': 27, 'test/integration/hosts-cli.test.ts': 26,
  'test/e2e/ui.test.ts': 25, 'test/integration/backups.test.ts': 25, 'test/lint/walls.test.ts': 25,
  'test/integration/virtiofs.test.ts': 60, 'test/integration/display-resize.test.ts': 45, 'test/integration/migrate-guest-refusals.test.ts': 30,
};
const UNIT_WEIGHTS = {
  'test/unit/lint-walls.test.ts': 4, 'test/unit/fake-vm-service.test.ts': 3, 'test/unit/appliances.test.ts': 2.5,
  'test/unit/hosts-quote.test.ts': 2.3, 'test/unit/os-disk-images.test.ts': 2, 'test/unit/fake-images.test.ts': 2,
  'test/unit/ws-client.test.ts': 2, 'test/unit/fake-storage.test.ts': 1.7, 'test/unit/fake-scheduler.test.ts': 1.7,
  'test/unit/scheduler.test.ts': 1.6, 'test/unit/cloudinit.test.ts': 1.3, 'test/unit/electron-policy.test.ts': 0.5,
};
const UNIT_TOGETHER = [['test/unit/lint-walls.test.ts', 'test/unit/electron-policy.test.ts']];

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  return r.status ?? 1;
};

if (!preflight(suites)) process.exit(1);

// Every skipped test must give a reason on this short list; anything else (or a todo) fails the run,
// so a skip can never hide a missing tool or a broken setup on CI.
const ALLOWED_SKIPS = [
  [/^Electron binary not installed/, 'the Electron binary cannot be downloaded on this machine (offline npm install)'],
  [/^no display \(DISPLAY\/WAYLAND_DISPLAY unset\)/, 'Electron needs a display: run under xvfb-run'],
];
const skipDir = mkdtempSync(join(tmpdir(), 'hangar-skips-'));
let skipLogs = 0;

if (!process.env.HANGAR_SKIP_BUILD) {
  if (run('npm', ['run', '--silent', 'build']) !== 0) process.exit(1);
}
const needsGuests = suites.some((s) => s !== 'unit' && s !== 'lint');
if (needsGuests && run('bash', ['scripts/build-test-guest.sh']) !== 0) process.exit(1);
if (needsGuests && run('bash', ['scripts/build-cloud-guest.sh']) !== 0) process.exit(1);

const files = [...namedFiles];
for (const suite of namedFiles.length ? [] : suites.filter((s) => s !== 'clock')) {
  const dir = join(root, 'test', suite);
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.test.ts')) files.push(join('test', suite, f));
}
if (files.length === 0 && !suites.includes('clock')) {
  console.error('No test files found.');
  process.exit(1);
}
// Unit files start no QEMU (services run on test/helpers/fake-host.ts): they run in one process per
// core, each process a share of the files (scripts/unit-batch.cjs: a process per file cost a second
// of start-up each, more than the tests), and the time is printed. A single named file runs alone, as
// any file did before. Integration and e2e files two at a time (HANGAR_TEST_JOBS): most of a guest test
// is waiting for a TCG guest on one core, so two files keep both cores busy; every test has its own
// home, temp folders, free ports and network namespace, so files do not see each other.
const unitFiles = files.filter((f) => f.split('/').at(-2) === 'unit');
const otherFiles = files.filter((f) => !unitFiles.includes(f));
let status = 0;
if (unitFiles.length) {
  const started = Date.now();
  const batches = unitBatches(unitFiles, availableParallelism());
  status = run(process.execPath, nodeTestArgs(batches, batches.length));
  console.log(`\nUnit suite: ${unitFiles.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s (${batches.length} process${batches.length === 1 ? '' : 'es'}).`);
}
// Integration, e2e and the shifted-clock runs go through one pool (scripts/test-pool.mjs): each
// file is a job, JOBS at a time, heaviest first, with its rules: a browser file never beside a file
// that makes a network namespace (Chromium aborts requests when a veth appears:
// net::ERR_NETWORK_CHANGED); a browser file that makes namespaces itself, and the file that times
// live migrations between two far hosts through one engine, run alone; a file that mostly waits on
// purpose (a throttled upload outliving the 60 s request limit) takes no slot.
const ALONE = ['test/integration/hosts-migrate-directions.test.ts'];
const LIGHT = ['test/integration/upload.test.ts'];
const usesNetns = (f) => readFileSync(join(root, f), 'utf8').includes('sshd-netns');
const isE2e = (f) => f.split('/').at(-2) === 'e2e';
const jobs = otherFiles.map((f) => ({
  name: f,
  cmd: process.execPath,
  args: nodeTestArgs([f], 1),
  weight: LONG_FILES[f] ?? 10,
  kind: isE2e(f) ? 'browser' : usesNetns(f) ? 'netns' : 'plain',
  alone: ALONE.includes(f) || (isE2e(f) && usesNetns(f)),
  light: LIGHT.includes(f),
}));
if (suites.includes('clock') && namedFiles.length === 0) jobs.push(...shiftedClockJobs());
if (jobs.length) {
  const started = Date.now();
  const results = await runPool(jobs, { slots: JOBS, cwd: root, logDir: skipDir });
  const failed = results.filter((r) => r.code !== 0);
  console.log(`\nPooled suites (integration, e2e, lint, clock): ${results.length} jobs in ${((Date.now() - started) / 1000).toFixed(1)} s (${JOBS} at a time).`);
  for (const r of failed) console.error(`  FAILED  ${r.job.header ?? r.job.name} (${r.seconds.toFixed(1)} s)`);
  if (failed.length) status = 1;
}
if (!checkSkips()) status = status || 1;
rmSync(skipDir, { recursive: true, force: true });
process.exit(status);

/**
 * The unit files in `n` shares of about equal work (the heaviest first, each to the lightest share),
 * each share an entry file in the temp folder that runs its files in one process. One file: itself.
 */
function unitBatches(list, n) {
  if (list.length === 1) return list;
  // rough CPU seconds of the heavier unit files on this 2-core machine; the others about 0.2 s
  const weight = (f) => UNIT_WEIGHTS[f] ?? 0.2;
  // files that load the same heavy module (TypeScript's compiler: ~2 s) go to the same process
  const groups = [];
  for (const f of list) {
    const together = UNIT_TOGETHER.find((g) => g.includes(f));
    const group = together && groups.find((g) => together.includes(g[0]));
    if (group) group.push(f);
    else groups.push([f]);
  }
  const work = (g) => g.reduce((sum, f) => sum + weight(f), 0);
  const shares = Array.from({ length: Math.max(1, Math.min(n, groups.length)) }, () => ({ files: [], work: 0 }));
  for (const g of groups.sort((a, b) => work(b) - work(a))) {
    const lightest = shares.reduce((a, b) => (b.work < a.work ? b : a));
    lightest.files.push(...g);
    lightest.work += work(g);
  }
  return shares.map((share, i) => {
    const entry = join(skipDir, `unit-batch-${i}.test.cjs`);
    const files = [...share.files].sort();
    writeFileSync(entry, `require(${JSON.stringify(join(root, 'scripts', 'unit-batch.cjs'))})(${JSON.stringify(files)});\n`);
    return entry;
  });
}

/** node --test over `list`: spec on stdout, and the skip log beside it. */
function nodeTestArgs(list, jobs = 1) {
  const log = join(skipDir, `skips-${skipLogs++}.jsonl`);
  return [
    '--import', 'tsx', '--test', `--test-concurrency=${jobs}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'skip-reporter.mjs')}`, `--test-reporter-destination=${log}`,
    ...list,
  ];
}

/** Print the skips grouped by reason, and the allowlist; false when one reason is not allowed. */
function checkSkips() {
  const skips = readdirSync(skipDir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(skipDir, f), 'utf8').split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  if (skips.length === 0) return true;
  const byReason = new Map();
  for (const s of skips) {
    const reason = typeof s.skip === 'string' ? s.skip : s.todo !== null ? `todo${typeof s.todo === 'string' ? `: ${s.todo}` : ''}` : '(no reason given)';
    const files = byReason.get(reason) ?? new Map();
    const file = (s.file ?? '?').replace(root, '');
    files.set(file, (files.get(file) ?? 0) + 1);
    byReason.set(reason, files);
  }
  let ok = true;
  console.log(`\nSkipped tests: ${skips.length}. Allowed reasons: ${ALLOWED_SKIPS.map(([, why]) => why).join('; ')}.`);
  for (const [reason, files] of byReason) {
    const allowed = ALLOWED_SKIPS.some(([re]) => re.test(reason));
    if (!allowed) ok = false;
    const where = [...files].map(([f, n]) => `${f} ×${n}`).join(', ');
    console.log(`  ${allowed ? 'allowed    ' : 'NOT ALLOWED'}  ${reason}  [${where}]`);
  }
  if (!ok) console.error('A skip without an allowed reason fails the run: make the test run here, or fix the setup it needs.');
  return ok;
}

/**
 * The suites whose answers depend on the date, run again with the whole process tree's clock moved
 * to the edges of a month and a year: the first seconds of a year and the last seconds before one,
 * in UTC and in a zone west of UTC (where the local and the UTC month differ). libfaketime shifts
 * every process by one offset (QEMU's keeper, the CLI children), so they agree with each other;
 * monotonic clocks are left alone so timers keep their real pace. Each shifted run is a pool job;
 * its offset is taken when it starts (faketime's "+N s" is relative to the real clock then).
 */
function shiftedClockJobs() {
  const calendarFiles = [
    'test/unit/billing.test.ts',
    'test/unit/metrics.test.ts',
    'test/unit/scheduler.test.ts',
    'test/integration/billing.test.ts',
    'test/integration/billing-cli.test.ts',
    'test/integration/scheduler.test.ts',
  ];
  const instants = ['2027-01-01T00:00:05', '2026-12-31T23:59:30'];
  return ['UTC', 'America/New_York'].flatMap((tz) =>
    instants.map((wall) => ({
      name: `clock ${wall} ${tz}`,
      header: `clock: ${wall} in ${tz}`,
      cmd: 'faketime',
      weight: 60,
      kind: 'plain',
      env: { TZ: tz, FAKETIME_DONT_FAKE_MONOTONIC: '1' },
      // faketime's "+N s" is relative to the real clock when the job starts, not when queued
      args: () => {
        const offset = Math.round((wallClockIn(wall, tz) - Date.now()) / 1000);
        return ['-f', `${offset >= 0 ? '+' : ''}${offset}s`, process.execPath, ...nodeTestArgs(calendarFiles)];
      },
    })),
  );
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
