import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TaskInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { CLI, killAllAndClose, tempHome, waitFor } from '../helpers/env';

// Backups against real QEMU (TCG), qemu-storage-daemon, qcow2 persistent dirty bitmaps and the
// test guest: full, then incremental after the guest wrote 1 MiB (about 1 MiB, not the disk),
// then incremental of the stopped VM (the bitmap survived in the file), restore of the chain as a
// new VM whose guest reads the marker back, verification, retention.

const { home, cleanup } = tempHome('hangar-backups-');
const g = guestFiles();
let engine: Engine;
const ctx = { clientId: 'backup-test', origin: 'internal' as const };
const MiB = 1024 * 1024;
const received: Record<string, string> = {};
const channels: Record<string, string> = {};
const marker = `HANGAR-MARKER-${process.pid}-${Date.now() % 100000}`;

async function finished(start: Promise<{ task: TaskInfo }>): Promise<TaskInfo> {
  const { task } = await start;
  return waitFor(`task ${task.title}`, () => {
    const t = engine.tasks.get(task.id);
    return t && t.state !== 'running' ? t : null;
  }, 300000, 100);
}

async function bootAndAttach(vm: string): Promise<void> {
  await engine.call('vm.start', { vm });
  await waitFor(`the prompt of ${vm}`, async () => (await engine.call('vm.serialTail', { vm, maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop()!.split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 180000, 200);
  received[vm] = '';
  channels[vm] = (await engine.call('channel.open', { kind: 'serial', vm }, ctx)).channelId;
}

let seq = 0;
async function guest(vm: string, cmd: string, timeoutMs = 60000): Promise<string> {
  const tag = `T${++seq}X`;
  const start = received[vm]!.length;
  await engine.call('channel.write', { channelId: channels[vm]!, data: Buffer.from(`${cmd}; echo DONE-${tag}-$?\n`).toString('base64') }, ctx);
  const re = new RegExp(`DONE-${tag}-(\\d+)`);
  const m = await waitFor(`guest command "${cmd}"`, () => re.exec(received[vm]!.slice(start)), timeoutMs);
  assert.equal(m[1], '0', `"${cmd}" failed: ${received[vm]!.slice(start)}`);
  return received[vm]!.slice(start, start + m.index);
}

before(async () => {
  engine = await Engine.open({ home, watch: true });
  engine.events.subscribe((m, target) => {
    if (m.topic !== 'channel.data' || target !== ctx.clientId) return;
    for (const [vm, id] of Object.entries(channels)) if (id === m.data.channelId) received[vm] += Buffer.from(m.data.data, 'base64').toString('utf8');
  });
  await engine.call('vm.create', { name: 'bk', memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND }, diskSizeBytes: 48 * MiB, diskFormat: 'qcow2' });
  await bootAndAttach('bk');
});

after(async () => {
  await killAllAndClose(engine);
  cleanup();
});

describe('backups', () => {
  let regionSum = '';

  test('full backup of the running guest, then an incremental after it wrote 1 MiB: about 1 MiB', async () => {
    await guest('bk', 'dd if=/dev/urandom of=/dev/vda bs=1M count=16 conv=fsync 2>/dev/null');
    // the test guest runs qemu-ga: the backup freezes its file systems around the point in time
    await waitFor('the guest agent', async () => (await engine.call('guest.info', { vm: 'bk', refresh: true })).agent === 'connected', 120000, 1000);
    const full = await finished(engine.call('backup.create', { vm: 'bk' }));
    assert.equal(full.state, 'succeeded', JSON.stringify(full.error));
    assert.deepEqual([full.result?.consistency, full.result?.quiesced], ['consistent', true]);
    const agentLog = (await engine.call('guest.exec', { vm: 'bk', command: ['cat', '/var/log/qemu-ga.log'] })).stdout;
    assert.ok(agentLog.indexOf('guest-fsfreeze-thaw') > agentLog.indexOf('guest-fsfreeze-freeze') && agentLog.includes('guest-fsfreeze-freeze'), 'the agent log shows the freeze, then the thaw');
    assert.equal(full.result?.kind, 'full');
    assert.match(String(full.result?.fullBecause), /no earlier backup/);
    const fullBytes = Number(full.result?.bytes);
    assert.ok(fullBytes >= 16 * MiB, `the full backup holds the 16 MiB written (${fullBytes})`);

    await guest('bk', 'dd if=/dev/urandom of=/dev/vda bs=1M count=1 seek=20 conv=fsync 2>/dev/null');
    await guest('bk', `echo ${marker} | dd of=/dev/vda bs=1M seek=20 conv=notrunc,fsync 2>/dev/null`);
    regionSum = (await guest('bk', 'dd if=/dev/vda bs=1M skip=20 count=1 2>/dev/null | md5sum')).match(/[0-9a-f]{32}/)![0];
    const inc = await finished(engine.call('backup.create', { vm: 'bk' }));
    assert.equal(inc.state, 'succeeded', JSON.stringify(inc.error));
    assert.equal(inc.result?.kind, 'incremental');
    const incBytes = Number(inc.result?.bytes);
    console.log(`full backup: ${(fullBytes / MiB).toFixed(2)} MiB, incremental after 1 MiB written: ${(incBytes / MiB).toFixed(2)} MiB`);
    assert.ok(incBytes >= 1 * MiB && incBytes < 1.6 * MiB, `the incremental is about 1 MiB (${incBytes} bytes)`);
    const list = await engine.call('backup.list', { vm: 'bk' });
    assert.deepEqual(list.map((b) => b.kind), ['incremental', 'full']);
    assert.equal(list[0]!.parentId, list[1]!.id);
    assert.deepEqual(list.map((b) => b.consistency), ['consistent', 'consistent'], 'the agent froze the guest for both');
  });

  test('stopped VM: the bitmap survived in the qcow2, so the next backup is incremental (and tiny)', async () => {
    await engine.call('vm.kill', { vm: 'bk' });
    delete channels.bk;
    const t = await finished(engine.call('backup.create', { vm: 'bk', mode: 'incremental' }));
    assert.equal(t.state, 'succeeded', JSON.stringify(t.error));
    assert.equal(t.result?.kind, 'incremental');
    assert.deepEqual([t.result?.consistency, t.result?.quiesced], ['consistent', false], 'a stopped VM has no writes in flight; nothing to freeze');
    assert.ok(Number(t.result?.bytes) < 0.5 * MiB, `nothing changed: ${String(t.result?.bytes)} bytes`);
    assert.equal((await engine.call('backup.list', { vm: 'bk' }))[0]!.consistency, 'consistent', 'kept as consistent, though not quiesced');
  });

  test('restore the chain as a new VM: its guest reads the marker and the same 1 MiB', async () => {
    const newest = (await engine.call('backup.list', { vm: 'bk' }))[0]!;
    const r = await finished(engine.call('backup.restore', { backup: newest.id.slice(0, 8), name: 'bk-restored' }));
    assert.equal(r.state, 'succeeded', JSON.stringify(r.error));
    await bootAndAttach('bk-restored');
    const out = await guest('bk-restored', 'dd if=/dev/vda bs=1M skip=20 count=1 2>/dev/null | head -c 40');
    assert.ok(out.includes(marker), `marker in ${JSON.stringify(out)}`);
    assert.match(await guest('bk-restored', 'dd if=/dev/vda bs=1M skip=20 count=1 2>/dev/null | md5sum'), new RegExp(regionSum));
    await engine.call('vm.kill', { vm: 'bk-restored' });
  });

  test('verify: intact, then a damaged file marks the backup corrupt with a sentence; in place needs confirmation', async () => {
    const [newest] = await engine.call('backup.list', { vm: 'bk' });
    const ok = await finished(engine.call('backup.verify', { backup: newest!.id }));
    assert.equal(ok.state, 'succeeded', JSON.stringify(ok.error));
    await assert.rejects(engine.call('backup.restore', { backup: newest!.id, inPlace: true }), /overwrites the disks of "bk"/);
    fs.appendFileSync(newest!.files[0]!.file, Buffer.alloc(512, 1));
    const bad = await finished(engine.call('backup.verify', { backup: newest!.id }));
    assert.equal(bad.state, 'failed');
    assert.match(bad.error!.message, /is damaged: .*changed \(SHA-256/);
    assert.equal((await engine.call('backup.list', { vm: 'bk' }))[0]!.status, 'corrupt');
  });

  test('prune keeps the newest and the chain it needs', async () => {
    const plan = await engine.call('backup.prune', { vm: 'bk', keepDaily: 1, keepWeekly: 0, dryRun: true });
    assert.equal(plan.kept.length, 3, 'one day: the newest incremental and its parents');
    assert.deepEqual(plan.deleted, []);
  });

  test('CLI: backup list, create --full of the stopped VM, prune (really)', () => {
    if (!fs.existsSync(path.join(__dirname, '../../dist/main/cli/main.js'))) {
      console.log('skipped: the CLI is not built (npm run build:main)');
      return;
    }
    const env = { ...process.env, HANGAR_HOME: home, HANGAR_CLI_IN_PROCESS: '1' };
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 300000 });
    const list = run('backup', 'list', 'bk');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /KIND[\s\S]*incremental[\s\S]*incremental[\s\S]*full/);
    const full = run('backup', 'create', 'bk', '--full');
    assert.equal(full.status, 0, full.stderr);
    assert.match(full.stdout, /^Full backup [0-9a-f]{8} of "bk": /);
    const prune = run('backup', 'prune', 'bk', '--keep-daily', '1', '--keep-weekly', '0');
    assert.equal(prune.status, 0, prune.stderr);
    assert.match(prune.stdout, /^Removed 3 backups \([0-9a-f, ]+\); kept 1\./);
    assert.equal(fs.readdirSync(path.dirname(fs.readdirSync(path.join(home, 'backups')).map((d) => path.join(home, 'backups', d, 'x'))[0]!)).filter((f) => f.endsWith('.qcow2')).length, 1, 'the pruned files are gone');
  });

  test('scheduled through the existing scheduler: a command schedule runs "hangar backup create"', async () => {
    if (!fs.existsSync(path.join(__dirname, '../../dist/main/cli/main.js'))) {
      console.log('skipped: the CLI is not built (npm run build:main)');
      return;
    }
    const before = (await engine.call('backup.list', { vm: 'bk' })).length;
    await engine.call('schedule.add', { name: 'nightly-backup', cron: '0 3 * * *', timezone: 'UTC', action: 'command', argv: ['backup', 'create', 'bk'] });
    const run = await engine.call('schedule.runNow', { schedule: 'nightly-backup' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal((await engine.call('backup.list', { vm: 'bk' })).length, before + 1);
  });
});
