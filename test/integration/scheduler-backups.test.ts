import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { BackupInfo, ScheduleInfo, ScheduleRun } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { ManualClock } from '../../src-main/scheduler/clock';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { CLI, killAllAndClose, tempHome, waitFor } from '../helpers/env';

// Backup schedules (issue 17) against a real engine, real QEMU tools (qemu-storage-daemon, qcow2
// persistent dirty bitmaps) and real SQLite: a schedule added with the CLI backs up a VM's real
// qcow2 disk into its folder ("run now", then on its timer driven by a ManualClock); the second run
// is incremental and holds about what was written; retention after a full run prunes the older chain.

const { home, cleanup } = tempHome('hangar-sched-bk-');
const g = guestFiles();
const MiB = 1024 * 1024;
const pool = path.join(home, 'backup-pool');
const env = { ...process.env, HANGAR_HOME: home };
const engines: Engine[] = [];

function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 300000 });
  assert.equal(r.status, 0, `hangar ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Write `mib` MiB of a pattern at `offsetMiB` into the stopped VM's disk through QEMU's block layer (which keeps its dirty bitmaps). */
function writeDisk(disk: string, offsetMiB: number, mib: number, pattern: number): void {
  const r = spawnSync('qemu-io', ['-f', 'qcow2', '-c', `write -P ${pattern} ${offsetMiB}M ${mib}M`, disk], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
}

after(async () => {
  for (const e of engines) await killAllAndClose(e).catch(() => undefined);
  cleanup();
});

describe('backup schedules', () => {
  test('run now makes a full backup, the timer run an incremental of about what was written, a full run with retention prunes the old chain', async () => {
    assert.ok(fs.existsSync(path.join(__dirname, '../../dist/main/cli/main.js')), 'the CLI is built (npm run build)');
    const first = await Engine.open({ home, watch: false });
    engines.push(first);
    const vm = await first.call('vm.create', { name: 'bkvm', memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND }, diskSizeBytes: 64 * MiB, diskFormat: 'qcow2' });
    const disk = vm.spec.disks[0]!.path;
    writeDisk(disk, 0, 8, 0x5a);

    const added = JSON.parse(cli('schedule', 'add', 'nightly-bk', '--cron', '0 2 * * *', '--tz', 'UTC', '--action', 'backup', '--vm', 'bkvm', '--pool', pool, '--keep-daily', '7', '--keep-weekly', '4', '--json')) as ScheduleInfo;
    assert.deepEqual([added.action, added.vmName, added.backupFolder, added.backupMode, added.keepDaily, added.keepWeekly], ['backup', 'bkvm', pool, 'auto', 7, 4]);
    // the options belong to backups only
    const wrong = spawnSync(process.execPath, [CLI, 'schedule', 'add', 'x', '--cron', '0 2 * * *', '--action', 'start', '--vm', 'bkvm', '--keep-daily', '3'], { env, encoding: 'utf8' });
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr, /--keep-daily is only for --action backup/);

    // 1. run now: no chain yet, so a full backup into the pool folder
    const run1 = await first.call('schedule.runNow', { schedule: 'nightly-bk' });
    assert.equal(run1.status, 'succeeded', run1.message ?? '');
    assert.match(run1.message ?? '', /^Full backup [0-9a-f]{8} of "bkvm": [\d.]+ MiB, consistent \(the VM was stopped\)\.$/);
    let listed = JSON.parse(cli('backup', 'list', 'bkvm', '--json')) as BackupInfo[];
    assert.deepEqual(listed.map((b) => b.kind), ['full']);
    assert.ok(listed[0]!.folder.startsWith(pool + path.sep), `in the schedule's folder: ${listed[0]!.folder}`);
    assert.ok(run1.message!.includes(listed[0]!.id.slice(0, 8)));
    assert.ok(listed[0]!.bytes >= 8 * MiB, `the full backup holds the 8 MiB written (${listed[0]!.bytes})`);
    assert.ok(fs.existsSync(listed[0]!.files[0]!.file));
    await first.close();
    engines.pop();

    // 2. on its timer: a long-lived engine with a ManualClock; 1 MiB written since, so an incremental of about 1 MiB
    writeDisk(disk, 20, 1, 0xa5);
    const clock = new ManualClock(Date.now());
    const e = await Engine.open({ home, watch: true, clock });
    engines.push(e);
    const due = Date.parse((await e.call('schedule.list', {})).find((s) => s.name === 'nightly-bk')!.nextRunAt!);
    await clock.advance(due - clock.now() - 1000);
    assert.equal((await e.call('schedule.runs', { schedule: 'nightly-bk' })).length, 1, 'not a second early');
    await clock.advance(1000);
    const run2 = await waitFor('the timer run', async () => (await e.call('schedule.runs', { schedule: 'nightly-bk' })).find((r: ScheduleRun) => r.trigger === 'timer' && r.status !== 'running'), 300000, 200);
    assert.equal(run2.status, 'succeeded', run2.message ?? '');
    assert.equal(run2.dueAt, new Date(due).toISOString());
    assert.match(run2.message ?? '', /^Incremental backup [0-9a-f]{8} of "bkvm": [\d.]+ (KiB|MiB), consistent \(the VM was stopped\)\.$/);
    listed = JSON.parse(cli('backup', 'list', 'bkvm', '--json')) as BackupInfo[];
    assert.deepEqual(listed.map((b) => b.kind), ['incremental', 'full']);
    assert.equal(listed[0]!.parentId, listed[1]!.id);
    console.log(`scheduled full backup: ${(listed[1]!.bytes / MiB).toFixed(2)} MiB; scheduled incremental after 1 MiB written: ${(listed[0]!.bytes / MiB).toFixed(2)} MiB`);
    assert.ok(listed[0]!.bytes >= 1 * MiB && listed[0]!.bytes < 2 * MiB, `the incremental is about 1 MiB (${listed[0]!.bytes} bytes)`);
    assert.equal((await e.call('schedule.list', {})).find((s) => s.name === 'nightly-bk')!.lastRun?.id, run2.id, 'the schedule shows the run');

    // 3. always full, keep 1 daily and no weekly: after the full run the older chain (same day) is pruned, files and rows
    cli('schedule', 'edit', 'nightly-bk', '--full', '--keep-daily', '1', '--keep-weekly', '0');
    const old = listed;
    const run3 = await e.call('schedule.runNow', { schedule: 'nightly-bk' });
    assert.equal(run3.status, 'succeeded', run3.message ?? '');
    assert.match(run3.message ?? '', /^Full backup [0-9a-f]{8} of "bkvm": [\d.]+ MiB, consistent \(the VM was stopped\); deleted 2 older backup\(s\) \(keeping 1 daily, 0 weekly\)\.$/);
    listed = JSON.parse(cli('backup', 'list', 'bkvm', '--json')) as BackupInfo[];
    assert.deepEqual(listed.map((b) => [b.kind, b.parentId]), [['full', null]]);
    for (const b of old) assert.ok(!fs.existsSync(b.files[0]!.file), `pruned file ${b.files[0]!.file} is gone`);
    assert.ok(fs.existsSync(listed[0]!.files[0]!.file));
    const history = cli('schedule', 'runs', 'nightly-bk');
    assert.match(history, /deleted 2 older backup/);

    // a failed backup fails the run (a folder that cannot be made) and prunes nothing
    fs.writeFileSync(path.join(home, 'not-a-dir'), 'x');
    cli('schedule', 'edit', 'nightly-bk', '--pool', path.join(home, 'not-a-dir', 'sub'));
    const run4 = await e.call('schedule.runNow', { schedule: 'nightly-bk' });
    assert.equal(run4.status, 'failed');
    assert.match(run4.message ?? '', /Cannot create the backup folder/);
    assert.equal((JSON.parse(cli('backup', 'list', 'bkvm', '--json')) as BackupInfo[]).length, 1);
  });
});
