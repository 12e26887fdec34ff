import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import type { EventMessage, MethodInput, ScheduleInfo, ScheduleRun, VmInfo } from '../../src-main/api/contract';
import { HangarError } from '../../src-main/api/errors';
import { Engine } from '../../src-main/engine/engine';
import { ManualClock } from '../../src-main/scheduler/clock';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { GUEST_APPEND, READY_BANNER, guestFiles } from '../helpers/guest';
import { CLI, tempHome, waitFor } from '../helpers/env';

// Schedules and autostart against a real engine, real SQLite and real QEMU, with time driven by a
// ManualClock: hours pass in milliseconds, nothing sleeps for minutes.

const { home, cleanup } = tempHome('hangar-sched-');
const g = guestFiles();
const engines: Engine[] = [];
let srv: ServeHandle | null = null;

const guestVm = (name: string): MethodInput<'vm.create'> => ({ name, memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });

async function open(watch: boolean, clock?: ManualClock): Promise<Engine> {
  const e = await Engine.open({ home, watch, ...(clock ? { clock } : {}) });
  engines.push(e);
  return e;
}

async function killAll(e: Engine): Promise<void> {
  for (const vm of await e.call('vm.list', {})) if (vm.state !== 'stopped' && vm.state !== 'crashed') await e.call('vm.kill', { vm: vm.id });
}

const schedule = async (e: Engine, name: string): Promise<ScheduleInfo> => (await e.call('schedule.list', {})).find((s) => s.name === name)!;
const runsOf = (e: Engine, name: string): Promise<ScheduleRun[]> => e.call('schedule.runs', { schedule: name, limit: 100 });
const state = async (e: Engine, vm: string): Promise<VmInfo['state']> => (await e.call('vm.get', { vm })).state;

async function expectInvalid(p: Promise<unknown>, field: string, message: RegExp): Promise<void> {
  const e = await p.then(
    () => assert.fail('expected an error'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof HangarError, String(e));
  assert.equal(e.code, 'INVALID_INPUT');
  assert.equal(e.details?.field, field);
  assert.match(e.message, message);
}

after(async () => {
  await srv?.close();
  const last = await Engine.open({ home, watch: false });
  await killAll(last).catch(() => undefined);
  await last.close();
  for (const e of engines) await e.close();
  cleanup();
});

describe('schedules and autostart', () => {
  test('bad input is refused with a clear error and nothing is saved', async () => {
    const e = await open(false);
    await e.call('vm.create', guestVm('sched-vm'));
    await expectInvalid(e.call('schedule.add', { name: 'bad', vm: 'sched-vm', cron: '61 8 * * *', action: 'start' }), 'cron', /not a valid cron expression.*minute: 61/);
    await expectInvalid(e.call('schedule.add', { name: 'bad', vm: 'sched-vm', cron: '0 8 * * *', timezone: 'Mars/Olympus_Mons', action: 'start' }), 'timezone', /Unknown time zone "Mars\/Olympus_Mons"/);
    await expectInvalid(e.call('schedule.add', { name: 'bad', cron: '0 8 * * *', action: 'start' }), 'vm', /needs a VM/);
    await expectInvalid(e.call('schedule.add', { name: 'bad', cron: '0 8 * * *', action: 'command', argv: [] }), 'argv', /needs the hangar arguments/);
    await expectInvalid(e.call('schedule.add', { name: 'bad', cron: '0 0 31 2 *', action: 'command', argv: ['vm', 'list'] }), 'cron', /never fires/);
    assert.deepEqual(await e.call('schedule.list', {}), []);
    await e.close();
  });

  test('a schedule can be changed; a bad change is refused and leaves it as it was', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
    const e = await open(false, clock);
    await e.call('schedule.add', { name: 'edit-me', vm: 'sched-vm', cron: '0 8 * * *', timezone: 'UTC', action: 'start' });
    await e.call('schedule.add', { name: 'other', cron: '0 8 * * *', timezone: 'UTC', action: 'command', argv: ['vm', 'list'] });
    const changed = await e.call('schedule.update', { schedule: 'edit-me', cron: '15 9 * * *', timezone: 'Asia/Tokyo', action: 'shutdown', shutdownTimeoutSec: 30, forceAfterTimeout: false });
    assert.deepEqual([changed.cron, changed.timezone, changed.action, changed.vmName, changed.shutdownTimeoutSec, changed.forceAfterTimeout], ['15 9 * * *', 'Asia/Tokyo', 'shutdown', 'sched-vm', 30, false]);
    assert.equal(changed.nextRunAt, '2026-06-02T00:15:00.000Z', '09:15 in Tokyo');
    await expectInvalid(e.call('schedule.update', { schedule: 'edit-me', cron: '0 8 * *' }), 'cron', /not a valid cron expression/);
    await expectInvalid(e.call('schedule.update', { schedule: 'edit-me', action: 'command' }), 'argv', /needs the hangar arguments/);
    await assert.rejects(e.call('schedule.update', { schedule: 'edit-me', name: 'Other' }), /A schedule named "Other" already exists/);
    const after = (await e.call('schedule.list', {})).find((x) => x.name === 'edit-me')!;
    assert.deepEqual([after.cron, after.timezone, after.action], ['15 9 * * *', 'Asia/Tokyo', 'shutdown'], 'unchanged by the refused edits');
    await e.call('schedule.remove', { schedule: 'edit-me' });
    await e.call('schedule.remove', { schedule: 'other' });
    await e.close();
  });

  test('a schedule in another time zone fires at the right instant (across a DST change) and starts a guest', async () => {
    // 07:30 in New York on 8 March 2026, the day daylight saving starts there: 11:30 UTC (not 12:30)
    const clock = new ManualClock(Date.parse('2026-03-08T11:29:00Z'));
    const e = await open(true, clock);
    const added = await e.call('schedule.add', { name: 'ny-morning', vm: 'sched-vm', cron: '30 7 * * *', timezone: 'America/New_York', action: 'start' });
    assert.equal(added.nextRunAt, '2026-03-08T11:30:00.000Z');
    assert.equal(added.timezone, 'America/New_York');

    await clock.advance(59_000);
    assert.equal(await state(e, 'sched-vm'), 'stopped', 'not a second early');
    assert.deepEqual(await runsOf(e, 'ny-morning'), []);

    await clock.advance(1_000);
    const run = await waitFor('the run to finish', async () => (await runsOf(e, 'ny-morning')).find((r) => r.status !== 'running'), 60000);
    assert.equal(run.status, 'succeeded', run.message ?? '');
    assert.equal(run.trigger, 'timer');
    assert.equal(run.dueAt, '2026-03-08T11:30:00.000Z');
    assert.equal(await state(e, 'sched-vm'), 'running');
    assert.equal((await schedule(e, 'ny-morning')).nextRunAt, '2026-03-09T11:30:00.000Z');

    // shutdown: ACPI first; the guest powers off on the button once booted
    await waitFor('guest banner', async () => (await e.call('vm.serialTail', { vm: 'sched-vm', maxBytes: 65536 })).text.includes(READY_BANNER), 90000, 200);
    await e.call('schedule.add', { name: 'berlin-evening', vm: 'sched-vm', cron: '0 20 * * *', timezone: 'Europe/Berlin', action: 'shutdown', shutdownTimeoutSec: 60 });
    assert.equal((await schedule(e, 'berlin-evening')).nextRunAt, '2026-03-08T19:00:00.000Z');
    await clock.advance(Date.parse('2026-03-08T19:00:00Z') - clock.now());
    const down = await waitFor('the shutdown run', async () => (await runsOf(e, 'berlin-evening')).find((r) => r.status !== 'running'), 90000);
    assert.equal(down.status, 'succeeded', down.message ?? '');
    // the test guest runs qemu-ga: the run says which way the engine asked (agent first, ACPI fallback)
    const reason = (await e.call('vm.get', { vm: 'sched-vm' })).stateReason ?? '';
    assert.match(down.message ?? '', /guest agent/.test(reason) ? /shut down \(guest agent\)/ : /shut down \(ACPI\)/, `${down.message} / ${reason}`);
    assert.equal(await state(e, 'sched-vm'), 'stopped');
    await e.call('schedule.remove', { schedule: 'berlin-evening' });
    await e.call('schedule.remove', { schedule: 'ny-morning' });
    await e.close();
  });

  test('missed runs after engine downtime: run once within the grace window, otherwise recorded as missed; a CLI engine never catches up', async () => {
    const t1 = Date.parse('2026-03-09T23:50:00Z');
    const e1 = await open(true, new ManualClock(t1));
    // 06:00 in Kolkata (UTC+5:30) = 00:30 UTC; grace 15 min (the default)
    await e1.call('schedule.add', { name: 'kolkata', vm: 'sched-vm', cron: '0 6 * * *', timezone: 'Asia/Kolkata', action: 'start' });
    // hourly, grace 1 min
    await e1.call('schedule.add', { name: 'hourly', cron: '0 * * * *', timezone: 'UTC', action: 'command', argv: ['vm', 'list'], graceSec: 60 });
    await e1.close();

    // the engine was down from 23:50 to 00:35 UTC
    const t2 = Date.parse('2026-03-10T00:35:00Z');
    const cli = await open(false, new ManualClock(t2));
    assert.deepEqual(await cli.call('schedule.runs', { limit: 10 }), [], 'an in-process (CLI) engine runs no schedules');
    await cli.close();

    const e2 = await open(true, new ManualClock(t2));
    const caught = await waitFor('the catch-up run', async () => (await runsOf(e2, 'kolkata')).find((r) => r.status !== 'running'), 60000);
    assert.equal(caught.trigger, 'catch-up');
    assert.equal(caught.status, 'succeeded', caught.message ?? '');
    assert.equal(caught.dueAt, '2026-03-10T00:30:00.000Z');
    assert.equal(await state(e2, 'sched-vm'), 'running');

    const hourly = await runsOf(e2, 'hourly');
    assert.equal(hourly.length, 1);
    assert.equal(hourly[0]!.status, 'missed');
    assert.equal(hourly[0]!.dueAt, '2026-03-10T00:00:00.000Z');
    assert.match(hourly[0]!.message ?? '', /Missed 1 run\(s\) while no Hangar engine was running/);
    assert.equal((await schedule(e2, 'hourly')).nextRunAt, '2026-03-10T01:00:00.000Z');
    await killAll(e2);
    await e2.close();

    // a second start-up at the same time finds nothing new to catch up
    const e3 = await open(true, new ManualClock(t2 + 60_000));
    assert.equal((await runsOf(e3, 'kolkata')).length, 1);
    assert.equal(await state(e3, 'sched-vm'), 'stopped');
    await e3.call('schedule.remove', { schedule: 'kolkata' });
    await e3.call('schedule.remove', { schedule: 'hourly' });
    await e3.close();
  });

  test('a computer that slept through due runs: recorded as missed (outside the grace window), not run late', async () => {
    const clock = new ManualClock(Date.parse('2026-05-01T00:59:30Z'));
    const e = await open(true, clock);
    await e.call('schedule.add', { name: 'sleepy', cron: '0 * * * *', timezone: 'UTC', action: 'command', argv: ['vm', 'list'], graceSec: 60 });
    await clock.sleepThrough(3 * 3600_000);
    const runs = await runsOf(e, 'sleepy');
    assert.equal(runs.length, 1, JSON.stringify(runs));
    assert.equal(runs[0]!.status, 'missed');
    assert.match(runs[0]!.message ?? '', /Missed 3 run\(s\)/);
    assert.equal((await schedule(e, 'sleepy')).nextRunAt, '2026-05-01T04:00:00.000Z');
    // and the next one runs on time again
    await clock.advance(Date.parse('2026-05-01T04:00:00Z') - clock.now());
    const onTime = await waitFor('the on-time run', async () => (await runsOf(e, 'sleepy')).find((r) => r.trigger === 'timer' && r.status !== 'running'), 60000);
    assert.equal(onTime.status, 'succeeded', onTime.message ?? '');
    assert.equal(onTime.dueAt, '2026-05-01T04:00:00.000Z');
    await e.call('schedule.remove', { schedule: 'sleepy' });
    // a minutely schedule missed for a day: one record, counted up to a cap (start-up does not walk 1,440 instants)
    await e.call('schedule.add', { name: 'minutely', cron: '* * * * *', timezone: 'Asia/Tokyo', action: 'command', argv: ['vm', 'list'], graceSec: 0 });
    await clock.sleepThrough(86400_000 + 30_000);
    const minutely = await runsOf(e, 'minutely');
    assert.equal(minutely.length, 1);
    assert.match(minutely[0]!.message ?? '', /Missed at least 100 run\(s\)/);
    assert.equal(minutely[0]!.dueAt, new Date(Math.floor(clock.now() / 60000) * 60000).toISOString(), 'the latest missed instant');
    await e.call('schedule.remove', { schedule: 'minutely' });
    await e.close();
  });

  test('snapshot schedules keep the newest N of their own snapshots; a VM without a qcow2 disk gets a clear error', async () => {
    const clock = new ManualClock(Date.parse('2026-04-01T00:00:00Z'));
    const e = await open(false, clock);
    await e.call('vm.create', { name: 'snap-vm', memoryMiB: 128, display: 'none', nics: [], diskSizeBytes: 64 * 1024 * 1024 });
    await e.call('schedule.add', { name: 'nightly', vm: 'snap-vm', cron: '0 3 * * *', timezone: 'UTC', action: 'snapshot', keepSnapshots: 2 });
    for (let i = 0; i < 3; i++) {
      const run = await e.call('schedule.runNow', { schedule: 'nightly' });
      assert.equal(run.status, 'succeeded', run.message ?? '');
      await clock.advance(86400_000);
    }
    const names = (await e.call('snapshot.list', { vm: 'snap-vm' })).snapshots.map((x) => x.name).sort();
    assert.deepEqual(names, ['nightly-20260402-000000', 'nightly-20260403-000000']);
    const failed = await e.call('schedule.runNow', { schedule: 'nightly' }).then(() => e.call('schedule.runNow', { schedule: 'nightly' }));
    assert.equal(failed.status, 'failed', 'the same name twice in one instant is refused, and recorded as failed');
    await e.call('schedule.add', { name: 'no-disk', vm: 'sched-vm', cron: '0 3 * * *', timezone: 'UTC', action: 'snapshot' });
    const noDisk = await e.call('schedule.runNow', { schedule: 'no-disk' });
    assert.equal(noDisk.status, 'failed');
    assert.match(noDisk.message ?? '', /Snapshots are not available for "sched-vm"/);
    await e.call('schedule.remove', { schedule: 'no-disk' });
    await e.call('schedule.remove', { schedule: 'nightly' });
    await e.close();
  });

  test('autostart: in order with delays when a long-lived engine opens, never in a CLI engine', async () => {
    const e = await open(false);
    await e.call('vm.create', guestVm('auto-b'));
    await e.call('autostart.set', { vm: 'auto-b', enabled: true, order: 2, delaySec: 30 });
    await e.call('autostart.set', { vm: 'sched-vm', enabled: true, order: 1 });
    assert.deepEqual((await e.call('autostart.list', {})).map((a) => `${a.order}:${a.vmName}:${a.delaySec}`), ['1:sched-vm:0', '2:auto-b:30']);
    assert.equal((await e.call('vm.get', { vm: 'auto-b' })).spec.autostart, true);
    await e.close();

    const cli = await open(false);
    assert.equal(await state(cli, 'sched-vm'), 'stopped', 'a CLI engine does not autostart');
    await cli.close();

    const clock = new ManualClock(Date.now());
    const watch = await open(true, clock);
    await waitFor('sched-vm autostarted', async () => (await state(watch, 'sched-vm')) === 'running', 60000);
    await waitFor('the delay timer of auto-b', () => clock.pending().length > 0, 10000);
    assert.equal(await state(watch, 'auto-b'), 'stopped', 'auto-b waits for its 30 s delay');
    await clock.advance(30_000);
    await waitFor('auto-b autostarted after its delay', async () => (await state(watch, 'auto-b')) === 'running', 60000);
    await killAll(watch);
    await watch.call('autostart.set', { vm: 'auto-b', enabled: false });
    await watch.call('autostart.set', { vm: 'sched-vm', enabled: false });
    await watch.close();
  });

  test('the CLI goes through a running serve() engine: its change is an event on that engine', async () => {
    srv = await serve({ home, port: 0, quiet: true });
    const seen: EventMessage[] = [];
    srv.engine.events.subscribe((m) => seen.push(m));
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'schedule', 'add', 'via-cli', '--cron', '0 8 * * 1-5', '--tz', 'Europe/Paris', '--action', 'command', '--json', '--', 'vm', 'list'], {
        env: { ...process.env, HANGAR_HOME: home },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(out.code, 0, out.stderr);
    const added = JSON.parse(out.stdout) as ScheduleInfo;
    assert.ok(
      seen.some((m) => m.topic === 'schedule.changed' && m.data.id === added.id),
      'the served engine emitted schedule.changed for the schedule the CLI added',
    );
    const served = await srv.engine.call('schedule.list', {});
    assert.equal(served.find((s) => s.id === added.id)?.timezone, 'Europe/Paris');
    const run = await srv.engine.call('schedule.runNow', { schedule: 'via-cli' });
    assert.equal(run.status, 'succeeded', run.message ?? '');

    // a second long-lived engine on the same home (e.g. a `hangar serve` about to fail) leaves schedules to the owner
    const secondClock = new ManualClock(Date.now());
    const second = await open(true, secondClock);
    assert.deepEqual(secondClock.pending(), [], 'no timers armed by the second engine');
    await second.close();
  });
});
