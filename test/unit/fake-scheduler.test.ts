import assert from 'node:assert/strict';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { EventMessage, ScheduleRun, VmInfo } from '../../src-main/api/contract';
import type { Engine } from '../../src-main/engine/engine';
import { ManualClock } from '../../src-main/scheduler/clock';
import { hangarBin } from '../../src-main/scheduler/actions';
import { engineOnFakeHost } from '../helpers/fake-engine';
import type { FakeHost } from '../helpers/fake-host';
import { readFakeImage } from '../helpers/fake-tools';

/**
 * Schedule actions and autostart through the real Engine (contract, handlers, services) whose
 * local host is a FakeHost: what each action did to the VM, the QMP commands and programs it
 * caused, and the run recorded with its sentence. Time is a ManualClock.
 */
let engine: Engine;
let host: FakeHost;
let clock: ManualClock;
let close: () => Promise<void>;
const events: EventMessage[] = [];

beforeEach(async () => {
  clock = new ManualClock(Date.now());
  ({ engine, host, close } = await engineOnFakeHost({ clock }));
  events.length = 0;
  engine.events.subscribe((m) => events.push(m));
});
afterEach(() => close());

const newVm = (extra: Record<string, unknown> = {}): Promise<VmInfo> => engine.call('vm.create', { name: 'web', hostId: host.id, diskSizeBytes: 1024 ** 3, display: 'none', ...extra });

async function schedule(action: string, extra: Record<string, unknown> = {}): Promise<string> {
  const s = await engine.call('schedule.add', { name: `nightly-${action}`, cron: '0 3 * * *', timezone: 'UTC', action, ...(action === 'command' ? {} : { vm: 'web' }), ...extra });
  return s.id;
}

const runNow = (id: string): Promise<ScheduleRun> => engine.call('schedule.runNow', { schedule: id });
const qmpSent = (vmId: string) => host.qemus.filter((q) => q.uuid === vmId).flatMap((q) => q.commands.map((c) => c.execute)).filter((c) => c !== 'qmp_capabilities' && c !== 'query-status');

describe('schedule actions on a FakeHost', () => {
  test('start: a stopped VM is started (QEMU launched), a running one is skipped, a paused one resumed', async () => {
    const vm = await newVm();
    const id = await schedule('start');
    const first = await runNow(id);
    assert.deepEqual([first.status, first.message, first.trigger], ['succeeded', 'Started "web".', 'manual']);
    assert.equal((await engine.call('vm.get', { vm: 'web' })).state, 'running');
    assert.equal(host.qemus.length, 1);
    const second = await runNow(id);
    assert.deepEqual([second.status, second.message], ['skipped', '"web" was already running.']);
    await engine.call('vm.pause', { vm: 'web' });
    const third = await runNow(id);
    assert.deepEqual([third.status, third.message], ['succeeded', 'Resumed "web" (it was paused).']);
    assert.deepEqual(qmpSent(vm.id), ['stop', 'cont']);
    assert.equal(host.qemus.length, 1, 'never a second QEMU');
    assert.deepEqual((await engine.call('schedule.runs', { schedule: id })).map((r) => r.status), ['succeeded', 'skipped', 'succeeded']);
  });

  test('shutdown: ACPI first; a guest that ignores it is forced off when allowed, else the run fails with a notice', async () => {
    const vm = await newVm();
    await engine.call('vm.start', { vm: 'web' });
    const polite = await runNow(await schedule('shutdown', { shutdownTimeoutSec: 5 }));
    assert.deepEqual([polite.status, polite.message], ['succeeded', '"web" shut down (ACPI).']);
    assert.equal((await engine.call('vm.get', { vm: 'web' })).stateReason, 'The guest powered off.');

    host.qemu.obeysPowerdown = false;
    await engine.call('vm.start', { vm: 'web' });
    const stubborn = await engine.call('schedule.add', { name: 'no-force', cron: '0 3 * * *', timezone: 'UTC', action: 'shutdown', vm: 'web', shutdownTimeoutSec: 0, forceAfterTimeout: false });
    const failed = await runNow(stubborn.id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.message ?? '', /did not power off within 0 s/);
    assert.ok(events.some((m) => m.topic === 'notice' && m.data.level === 'error' && m.data.message.startsWith('Schedule "no-force" failed: The guest "web" did not power off')));
    assert.equal((await engine.call('vm.get', { vm: 'web' })).state, 'running');

    const forced = await engine.call('schedule.add', { name: 'force', cron: '0 3 * * *', timezone: 'UTC', action: 'shutdown', vm: 'web', shutdownTimeoutSec: 0, forceAfterTimeout: true });
    const done = await runNow(forced.id);
    assert.deepEqual([done.status, done.message], ['succeeded', '"web" ignored the ACPI shutdown for 0 s and was forced off.']);
    const after = await engine.call('vm.get', { vm: 'web' });
    assert.deepEqual([after.state, after.stateReason], ['stopped', 'Forced off.']);
    assert.deepEqual(qmpSent(vm.id).filter((c) => c === 'system_powerdown' || c === 'quit'), ['system_powerdown', 'system_powerdown', 'system_powerdown', 'quit']);
  });

  test('snapshot: named after the schedule and the due time, the oldest pruned beyond keepSnapshots', async () => {
    const vm = await newVm();
    const id = await schedule('snapshot', { keepSnapshots: 2 });
    const messages: string[] = [];
    for (let i = 0; i < 3; i++) {
      messages.push((await runNow(id)).message ?? '');
      await clock.advance(60_000);
    }
    const stamp = (at: number) => new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const names = (await engine.call('snapshot.list', { vm: 'web' })).snapshots.map((x) => x.name).sort();
    const start = clock.now() - 3 * 60_000;
    assert.deepEqual(names, [`nightly-snapshot-${stamp(start + 60_000)}`, `nightly-snapshot-${stamp(start + 120_000)}`]);
    assert.match(messages[2]!, /^Took snapshot "nightly-snapshot-\d{8}-\d{6}" of "web", deleted 1 older one\(s\) \(keeping 2\)\.$/);
    assert.deepEqual(readFakeImage(vm.spec.disks[0]!.path)?.snapshots.map((x) => x.name).sort(), names, 'the qcow2 file holds exactly the kept ones');
    assert.deepEqual(host.callsOf('qemu-img').filter((c) => c.args[0] === 'snapshot').map((c) => c.args[1]), ['-c', '-c', '-c', '-d']);
  });

  test('snapshot of a VM whose disk is raw fails with the reason, and no qemu-img snapshot runs', async () => {
    await newVm({ diskFormat: 'raw' });
    const run = await runNow(await schedule('snapshot'));
    assert.equal(run.status, 'failed');
    assert.match(run.message ?? '', /^Snapshots are not available for "web": .*raw/);
    assert.equal(host.callsOf('qemu-img').filter((c) => c.args[0] === 'snapshot').length, 0);
  });

  test('command: hangar ARGV as node + bin/hangar.js with this home, never a shell; a failure keeps the tail of its output', async () => {
    const id = await schedule('command', { argv: ['vm', 'list', '--json'] });
    host.on(process.execPath, { stdout: '[]\n' });
    const ok = await runNow(id);
    assert.deepEqual([ok.status, ok.message], ['succeeded', '"hangar vm list --json" succeeded (exit 0).']);
    const call = host.calls.at(-1)!;
    assert.equal(call.cmd, process.execPath);
    assert.deepEqual(call.args, [hangarBin(), 'vm', 'list', '--json']);
    assert.equal(path.basename(hangarBin()), 'hangar.js');
    assert.deepEqual(call.env, { HANGAR_HOME: engine.home, ELECTRON_RUN_AS_NODE: '1' });
    host.on(process.execPath, { code: 2, stderr: 'line 1\nline 2\nError: VM "nope" was not found.\n' });
    const bad = await runNow(id);
    assert.equal(bad.status, 'failed');
    assert.equal(bad.message, '"hangar vm list --json" failed (exit 2): line 1\nline 2\nError: VM "nope" was not found.');
  });

  test("deleting a VM removes its schedules and their runs (the schedule's VM row cascades)", async () => {
    await newVm();
    const id = await schedule('start');
    await runNow(id);
    await engine.call('vm.kill', { vm: 'web' });
    await engine.call('vm.delete', { vm: 'web', deleteDisks: true });
    assert.deepEqual(await engine.call('schedule.list', {}), []);
    assert.equal((engine.db.prepare('SELECT COUNT(*) AS n FROM schedule_runs').get() as { n: number }).n, 0);
    await assert.rejects(runNow(id), /^HangarError: No schedule named or with id/);
  });
});

describe('backup schedules on a FakeHost (options at the boundary; the real backup runs in test/integration/scheduler-backups.test.ts)', () => {
  test('a backup schedule keeps its folder, mode and retention; bad options are refused on their field and nothing is saved', async () => {
    await newVm();
    const s = await engine.call('schedule.add', { name: 'nightly-backup', cron: '0 2 * * *', timezone: 'UTC', action: 'backup', vm: 'web', backupFolder: '/srv/backups', backupMode: 'full', keepDaily: 3, keepWeekly: 2 });
    assert.deepEqual([s.action, s.vmName, s.backupFolder, s.backupMode, s.keepDaily, s.keepWeekly], ['backup', 'web', '/srv/backups', 'full', 3, 2]);
    const defaults = await engine.call('schedule.add', { name: 'plain-backup', cron: '0 2 * * *', timezone: 'UTC', action: 'backup', vm: 'web' });
    assert.deepEqual([defaults.backupFolder, defaults.backupMode, defaults.keepDaily, defaults.keepWeekly], [null, 'auto', 7, 4]);
    // a snapshot schedule carries no folder
    assert.equal((await engine.call('schedule.add', { name: 'snap', cron: '0 2 * * *', timezone: 'UTC', action: 'snapshot', vm: 'web', backupFolder: '/srv/x' })).backupFolder, null);

    const refused = async (input: Record<string, unknown>, field: string, re: RegExp) => {
      const err = await engine.call('schedule.add', { name: 'bad', cron: '0 2 * * *', timezone: 'UTC', action: 'backup', vm: 'web', ...input }).then(
        () => assert.fail(`accepted ${JSON.stringify(input)}`),
        (e: unknown) => e as { code: string; message: string; details?: { field?: string } },
      );
      assert.equal(err.code, 'INVALID_INPUT', err.message);
      assert.equal(err.details?.field, field, err.message);
      assert.match(err.message, re);
    };
    await refused({ backupFolder: 'relative/dir' }, 'backupFolder', /absolute/i);
    await refused({ keepDaily: -1 }, 'keepDaily', /./);
    await refused({ keepWeekly: 521 }, 'keepWeekly', /520/);
    await refused({ backupMode: 'incremental' }, 'backupMode', /auto or full/);
    await refused({ vm: undefined }, 'vm', /A backup schedule needs a VM/);
    assert.equal((await engine.call('schedule.list', {})).filter((x) => x.name === 'bad').length, 0);

    // edit: a change of one option leaves the others; null folder = back to the default one
    const edited = await engine.call('schedule.update', { schedule: 'nightly-backup', keepDaily: 1, backupMode: 'auto' });
    assert.deepEqual([edited.backupFolder, edited.backupMode, edited.keepDaily, edited.keepWeekly], ['/srv/backups', 'auto', 1, 2]);
    assert.equal((await engine.call('schedule.update', { schedule: 'nightly-backup', backupFolder: null })).backupFolder, null);
  });
});

describe('autostart on a FakeHost', () => {
  test('autostart VMs start in order, each after its delay on the clock; a failure becomes a notice and the next still starts', async () => {
    const a = await newVm({ name: 'db', autostart: true });
    const b = await newVm({ name: 'web', autostart: true });
    const c = await newVm({ name: 'cache', autostart: true });
    await engine.call('autostart.set', { vm: 'db', enabled: true, order: 1, delaySec: 0 });
    await engine.call('autostart.set', { vm: 'cache', enabled: true, order: 2, delaySec: 30 });
    await engine.call('autostart.set', { vm: 'web', enabled: true, order: 3, delaySec: 10 });
    host.on(['qemu-img', 'info'], (call) => (call.args.at(-1) === c.spec.disks[0]!.path ? { code: 1, stderr: "qemu-img: Could not open 'x': Permission denied\n" } : { stdout: JSON.stringify({ format: 'qcow2', 'virtual-size': 1024 ** 3 }) }));
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 3000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(ok(), `waited 30 s for ${what}`);
    };
    const t0 = clock.now();
    const run = engine.autostart.runAtStartup();
    await until('"db" to start and the 30 s wait to be armed', () => clock.pending().length === 1);
    assert.deepEqual(host.qemus.map((q) => q.uuid), [a.id], 'the first at once');
    assert.deepEqual(clock.pending(), [t0 + 30_000]);
    await clock.advance(29_000);
    assert.equal(host.qemus.length, 1, 'the second waits its 30 s');
    await clock.advance(1_000);
    await until('"cache" to fail and the 10 s wait to be armed', () => clock.pending().length === 1);
    assert.equal(host.qemus.length, 1, '"cache" did not start');
    await clock.advance(10_000);
    await run;
    assert.deepEqual(host.qemus.map((q) => q.uuid), [a.id, b.id]);
    const notice = events.find((m) => m.topic === 'notice' && m.data.level === 'error');
    assert.match(notice?.topic === 'notice' ? notice.data.message : '', /^Autostart of "cache" failed: /);
    assert.deepEqual((await engine.call('autostart.list', {})).map((e) => [e.vmName, e.order, e.delaySec]), [['db', 1, 0], ['cache', 2, 30], ['web', 3, 10]]);
  });
});
