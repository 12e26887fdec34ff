#!/usr/bin/env node
// The test command (npm test): build, then run unit, integration and e2e suites with node's
// test runner (TypeScript through tsx). Suites can be picked: `npm test -- unit integration`, or files.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, existsSync, readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflight } from './preflight.mjs';

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
// Rough seconds each long file took on 2 cores under TCG (only used to start the long ones first).
const LONG_FILES = {
  'test/integration/cloudinit-lan.test.ts': 170, 'test/e2e/cloudinit.test.ts': 135, 'test/integration/cloudinit.test.ts': 105, 'test/integration/cli.test.ts': 66,
  'test/integration/hosts.test.ts': 60, 'test/integration/guest.test.ts': 66, 'test/integration/lifecycle.test.ts': 46,
  'test/integration/network-cli.test.ts': 45, 'test/integration/secureboot.test.ts': 43, 'test/integration/faults-data.test.ts': 41,
  'test/integration/hosts-cli.test.ts': 40, 'test/e2e/consoles.test.ts': 34, 'test/e2e/metrics-billing.test.ts': 31,
};
const UNIT_WEIGHTS = {
  'test/unit/lint-walls.test.ts': 4, 'test/unit/fake-vm-service.test.ts': 3, 'test/unit/appliances.test.ts': 2.5,
  'test/unit/hosts-quote.test.ts': 2.3, 'test/unit/os-disk-images.test.ts': 2, 'test/unit/fake-images.test.ts': 2,
  'test/unit/ws-client.test.ts': 2, 'test/unit/fake-storage.test.ts': 1.7, 'test/unit/fake-scheduler.test.ts': 1.7,
  'test/unit/scheduler.test.ts': 1.6, 'test/unit/cloudinit.test.ts': 1.3, 'test/unit/electron-policy.test.ts': 0.5,
};
const UNIT_TOGETHER = [['test/unit/lint-walls.test.ts', 'test/unit/electron-policy.test.ts']];
const longestFirst = (list) => [...list].sort((a, b) => (LONG_FILES[b] ?? 10) - (LONG_FILES[a] ?? 10));

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
// home, temp folders, free ports and network namespace, so files do not see each other. The longest
// files start first so the two lanes end together.
const unitFiles = files.filter((f) => f.split('/').at(-2) === 'unit');
const otherFiles = files.filter((f) => !unitFiles.includes(f));
let status = 0;
if (unitFiles.length) {
  const started = Date.now();
  const batches = unitBatches(unitFiles, availableParallelism());
  status = run(process.execPath, nodeTestArgs(batches, batches.length));
  console.log(`\nUnit suite: ${unitFiles.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s (${batches.length} process${batches.length === 1 ? '' : 'es'}).`);
}
// A test that makes a network namespace adds a veth to this host's network, and Chromium aborts its
// in-flight requests on such a change (net::ERR_NETWORK_CHANGED): so browser files never run beside
// a namespace file. Integration files first (namespaces welcome), then the browser files two at a
// time, then the browser files that make namespaces themselves, alone.
// Live migrations between two far hosts time their RAM and block streams through one engine:
// that file runs alone too, with both cores for itself.
const ALONE = ['test/integration/hosts-migrate-directions.test.ts'];
const usesNetns = (f) => readFileSync(join(root, f), 'utf8').includes('sshd-netns');
const isE2e = (f) => f.split('/').at(-2) === 'e2e';
const alone = (f) => ALONE.includes(f) || (isE2e(f) && usesNetns(f));
const phases = [
  [otherFiles.filter((f) => !isE2e(f) && !alone(f)), JOBS],
  [otherFiles.filter((f) => isE2e(f) && !alone(f)), JOBS],
  [otherFiles.filter((f) => alone(f)), 1],
];
for (const [list, jobs] of phases) if (list.length) status = run(process.execPath, nodeTestArgs(longestFirst(list), jobs)) || status;
if (status === 0 && suites.includes('clock')) status = await runShiftedClock();
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
 * monotonic clocks are left alone so timers keep their real pace.
 */
async function runShiftedClock() {
  const calendarFiles = [
    'test/unit/billing.test.ts',
    'test/unit/metrics.test.ts',
    'test/unit/scheduler.test.ts',
    'test/integration/billing.test.ts',
    'test/integration/billing-cli.test.ts',
    'test/integration/scheduler.test.ts',
  ];
  const instants = ['2027-01-01T00:00:05', '2026-12-31T23:59:30'];
  const runs = ['UTC', 'America/New_York'].flatMap((tz) => instants.map((wall) => ({ tz, wall })));
  // The shifted runs are independent processes: JOBS of them at once, each one's output printed
  // whole when it ends so the reports do not interleave.
  const one = ({ tz, wall }) => new Promise((resolve) => {
    const target = wallClockIn(wall, tz);
    const offset = Math.round((target - Date.now()) / 1000);
    const env = { ...process.env, TZ: tz, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    const child = spawn('faketime', ['-f', `${offset >= 0 ? '+' : ''}${offset}s`, process.execPath, ...nodeTestArgs(calendarFiles)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('close', (code) => {
      process.stdout.write(`\nclock: ${wall} in ${tz} (clock shifted by ${offset} s)\n`);
      process.stdout.write(Buffer.concat(out));
      if (code !== 0) console.error(`clock: the calendar-bound suites failed with the clock at ${wall} in ${tz}.`);
      resolve(code ?? 1);
    });
  });
  const queue = [...runs];
  const lanes = Array.from({ length: Math.min(JOBS, queue.length) }, async () => {
    let worst = 0;
    for (let next = queue.shift(); next; next = queue.shift()) worst = worst || (await one(next));
    return worst;
  });
  return (await Promise.all(lanes)).find((code) => code !== 0) ?? 0;
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
