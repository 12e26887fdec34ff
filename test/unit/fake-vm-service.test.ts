import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { HangarError } from '../../src-main/api/errors';
import { processStartTime } from '../../src-main/hosts/process-identity';
import { fakeServices, type FakeServices } from '../helpers/fake-services';
import { readFakeImage } from '../helpers/fake-tools';

/**
 * VmService on a FakeHost: create, start, stop, force off, pause, reset, crash verdicts, the
 * per-VM lock, and the sentences users see — with the argv, QMP commands, rows, files and
 * events each one produced. No QEMU runs.
 */
let s: FakeServices;
beforeEach(() => {
  s = fakeServices();
});
afterEach(() => s.close());

const refusal = (code: string, pattern: RegExp, field?: string) => (e: unknown) => {
  assert.ok(e instanceof HangarError, `a HangarError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  assert.match(e.message, pattern);
  if (field) assert.equal(e.details?.field, field);
  return true;
};

describe('VmService on a FakeHost: create', () => {
  test('writes the row, vm.json and a qcow2 disk made by qemu-img with the exact argv, and says so on the bus', async () => {
    const vm = await s.createVm({ cpus: 2, memoryMiB: 256 });
    const dir = path.join(s.host.home, 'vms', vm.id);
    const diskFile = path.join(dir, 'disk0.qcow2');
    assert.deepEqual(s.host.callsOf('qemu-img').filter((c) => c.args[0] === 'create').map((c) => c.args), [['create', '-q', '-f', 'qcow2', diskFile, String(1024 ** 3)]]);
    assert.deepEqual(readFakeImage(diskFile)?.virtualSize, 1024 ** 3);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'vm.json'), 'utf8')) as { name: string; cpus: number; disks: Array<{ path: string; owned: boolean }> };
    assert.equal(json.name, 'web');
    assert.equal(json.cpus, 2);
    assert.deepEqual(json.disks.map((d) => [d.path, d.owned]), [[diskFile, true]]);
    assert.equal((fs.statSync(path.join(dir, 'vm.json')).mode & 0o777).toString(8), '600');
    const row = s.db.prepare('SELECT name, state FROM vms WHERE id = ?').get(vm.id) as { name: string; state: string };
    assert.deepEqual(row, { name: 'web', state: 'stopped' });
    assert.deepEqual(s.eventsOf('vm.changed'), [{ id: vm.id }]);
  });

  test('a second VM with the same name is refused with a sentence naming the field, and nothing is made', async () => {
    await s.createVm();
    const callsBefore = s.host.calls.length;
    await assert.rejects(s.createVm(), refusal('CONFLICT', /^A VM named "web" already exists\. Choose another name\.$/, 'name'));
    assert.equal(s.host.calls.length, callsBefore, 'no program ran for a refused name');
    assert.equal(fs.readdirSync(path.join(s.host.home, 'vms')).length, 1);
  });

  test('a failing qemu-img leaves no row and no folder behind, and its own error line reaches the user', async () => {
    s.host.on(['qemu-img', 'create'], { code: 1, stderr: "qemu-img: /x/disk0.qcow2: Could not create '/x/disk0.qcow2': No space left on device\n" });
    await assert.rejects(s.createVm(), /qemu-img failed \(exit 1\): .*No space left on device/);
    assert.equal((s.db.prepare('SELECT COUNT(*) AS n FROM vms').get() as { n: number }).n, 0);
    assert.deepEqual(fs.readdirSync(path.join(s.host.home, 'vms')), []);
    assert.deepEqual(s.eventsOf('vm.changed'), []);
  });

  test('more vCPUs or memory than the host has, UEFI without OVMF and a missing ISO are refused before any file is made', async () => {
    s.host.cpus = 2;
    await assert.rejects(s.createVm({ cpus: 4 }), refusal('RESOURCE_LIMIT', /^4 CPUs is more than this host has \(2\)\.$/));
    await assert.rejects(s.createVm({ firmware: 'uefi' }), refusal('MISSING_DEPENDENCY', /OVMF.*install the "ovmf" package or choose BIOS/, 'firmware'));
    const iso = path.join(s.host.root, 'missing.iso');
    await assert.rejects(s.createVm({ isoPath: iso }), (e: unknown) => e instanceof HangarError && e.details?.field === 'isoPath' && e.message.includes(iso));
    assert.equal(fs.existsSync(path.join(s.host.home, 'vms')) ? fs.readdirSync(path.join(s.host.home, 'vms')).length : 0, 0);
  });

  test('a host without QEMU gets the install hint instead of a create', async () => {
    s.host.programs.delete('qemu-system-x86_64');
    await assert.rejects(s.createVm(), (e: unknown) => e instanceof HangarError && /qemu-system-x86/.test(e.message) && /apt-get install qemu-system-x86 qemu-utils/.test(e.message));
  });
});

describe('VmService on a FakeHost: start and the state machine', () => {
  test('start launches QEMU through the keeper with the spec argv, records pid and accel, and emits starting → running', async () => {
    const vm = await s.createVm();
    const started = await s.vms.start(vm.id);
    const qemu = s.host.qemuOf(vm.id);
    assert.ok(qemu, 'a QEMU runs for the VM');
    assert.equal(path.basename(qemu.argv[0]!), 'qemu-system-x86_64');
    assert.equal(qemu.argv[qemu.argv.indexOf('-uuid') + 1], vm.id);
    assert.ok(qemu.argv.some((a) => a.includes(path.join(s.host.home, 'vms', vm.id, 'disk0.qcow2'))), 'the disk is in the argv');
    assert.deepEqual(qemu.commands.map((c) => c.execute), ['qmp_capabilities']);
    assert.equal(started.state, 'running');
    assert.equal(started.pid, qemu.pid);
    assert.equal(started.stateReason, 'Running under TCG emulation (no KVM).');
    assert.deepEqual(s.eventsOf('vm.state').map((e) => e.state), ['starting', 'running']);
    assert.equal(s.eventsOf('notice').filter((n) => n.key === 'tcg').length, 1, 'the TCG notice once');
    assert.match(fs.readFileSync(path.join(s.host.home, 'vms', vm.id, 'serial.log'), 'utf8'), /--- Hangar: VM started \d{4}-/);
  });

  test('a running VM cannot be started, updated or deleted; the sentences say why', async () => {
    const vm = await s.createVm();
    await s.vms.start(vm.id);
    await assert.rejects(s.vms.start('web'), refusal('INVALID_STATE', /^VM "web" is already running\.$/));
    await assert.rejects(s.vms.update({ vm: 'web', cpus: 2 } as never), refusal('INVALID_STATE', /is running: shut it down before changing its settings/));
    await assert.rejects(s.vms.delete('web', false), refusal('INVALID_STATE', /shut it down or force it off before deleting it/));
    assert.equal(s.host.qemus.length, 1, 'still one QEMU');
  });

  test('a disk file that vanished is named before QEMU runs', async () => {
    const vm = await s.createVm();
    fs.rmSync(vm.spec.disks[0]!.path);
    await assert.rejects(s.vms.start(vm.id), (e: unknown) => e instanceof HangarError && e.details?.field === 'disks' && e.message.includes(vm.spec.disks[0]!.path));
    assert.equal(s.host.qemus.length, 0);
    assert.equal(s.vms.resolve(vm.id).state, 'stopped');
  });

  test("QEMU's own error line becomes QEMU_FAILED with its log, and the VM is stopped with that reason", async () => {
    const vm = await s.createVm();
    s.host.qemu.failStart = "-drive file=/nope: Could not open '/nope': No such file or directory";
    await assert.rejects(s.vms.start(vm.id), (e: unknown) => {
      assert.ok(e instanceof HangarError);
      assert.equal(e.code, 'QEMU_FAILED');
      assert.equal(e.message, "QEMU could not start the VM: -drive file=/nope: Could not open '/nope': No such file or directory");
      assert.match(String(e.details?.log), /Could not open/);
      return true;
    });
    const after = s.vms.resolve(vm.id);
    assert.equal(after.state, 'stopped');
    assert.match(after.stateReason ?? '', /^QEMU could not start the VM/);
    assert.deepEqual(s.eventsOf('vm.state').map((e) => e.state), ['starting', 'stopped']);
  });

  test('pause and resume send stop and cont; pausing a paused VM is refused', async () => {
    const vm = await s.createVm();
    await s.vms.start(vm.id);
    assert.equal((await s.vms.pause('web')).state, 'paused');
    await assert.rejects(s.vms.pause('web'), refusal('INVALID_STATE', /can only be paused while running \(it is paused\)/));
    await assert.rejects(s.vms.stop('web', 5, true), refusal('INVALID_STATE', /is paused: resume it before asking the guest to shut down/));
    assert.equal((await s.vms.resume('web')).state, 'running');
    const sent = s.host.qemuOf(vm.id)!.commands.map((c) => c.execute).filter((c) => c !== 'qmp_capabilities' && c !== 'query-status');
    assert.deepEqual(sent, ['stop', 'cont']);
    assert.equal(s.host.qemuOf(vm.id)!.status, 'running');
  });

  test('reset sends system_reset and announces it without changing the state', async () => {
    const vm = await s.createVm();
    await s.vms.start(vm.id);
    const after = await s.vms.reset('web');
    assert.equal(after.state, 'running');
    assert.ok(s.host.qemuOf(vm.id)!.commands.some((c) => c.execute === 'system_reset'));
    assert.equal(s.eventsOf('vm.state').at(-1)?.reason, 'Reset.');
  });
});

describe('VmService on a FakeHost: stop, force off and crashes', () => {
  test('stop presses the ACPI button, records the intent, waits for the power-off and says the guest powered off', async () => {
    const vm = await s.createVm();
    await s.vms.start(vm.id);
    const qemu = s.host.qemuOf(vm.id)!;
    const stopped = await s.vms.stop('web', 10, true);
    assert.ok(qemu.commands.some((c) => c.execute === 'system_powerdown'));
    assert.equal(qemu.alive, false);
    assert.equal(stopped.state, 'stopped');
    assert.equal(stopped.stateReason, 'The guest powered off.');
    assert.equal(stopped.pid, null);
    assert.equal(fs.readFileSync(path.join(s.host.home, 'vms', vm.id, 'stop-intent'), 'utf8'), 'acpi\n');
    const states = s.eventsOf('vm.state').map((e) => e.state);
    assert.deepEqual(states.slice(0, 3), ['starting', 'running', 'stopping']);
    assert.equal(states.at(-1), 'stopped');
    assert.equal(s.eventsOf('vm.state').find((e) => e.state === 'stopping')?.reason, 'Asked the guest to shut down (ACPI power button).');
  });

  test('a guest that ignores the button: TIMEOUT with the force-off hint, and the VM is running again', async () => {
    s.host.qemu.obeysPowerdown = false;
    const vm = await s.createVm();
    await s.vms.start(vm.id);
    await assert.rejects(s.vms.stop('web', 0.3, true), (e: unknown) => {
      assert.ok(e instanceof HangarError);
      assert.equal(e.code, 'TIMEOUT');
      assert.equal(e.message, 'The guest "web" did not power off within 0.3 s. It may not react to the ACPI power button: force it off (Force off, or "hangar vm kill web").');
      assert.equal(e.details?.canForce, true);
      return true;
    });
    assert.equal(s.vms.resolve(vm.id).state, 'running');
    assert.equal(s.host.qemuOf(vm.id)?.alive, true);
  });

  test('force off sends quit, writes the kill intent, and the verdict is "Forced off." rather than a crash', async () => {
    const vm = await s.createVm();
    await s.vms.start(vm.id);
    const qemu = s.host.qemuOf(vm.id)!;
    const after = await s.vms.kill('web');
    assert.ok(qemu.commands.some((c) => c.execute === 'quit'));
    assert.equal(after.state, 'stopped');
    assert.equal(after.stateReason, 'Forced off.');
    assert.equal(fs.readFileSync(path.join(s.host.home, 'vms', vm.id, 'stop-intent'), 'utf8'), 'kill\n');
    await assert.rejects(s.vms.kill('web'), refusal('INVALID_STATE', /is not running \(it is stopped\)/));
  });

  test('a QEMU killed behind our back is judged crashed, with the signal and the last serial lines', async () => {
    const vm = await s.createVm();
    await s.vms.start(vm.id);
    fs.appendFileSync(path.join(s.host.home, 'vms', vm.id, 'serial.log'), 'Booting kernel\r\n\x1b[1mKernel panic - not syncing\x1b[0m\r\n');
    await s.host.kill(s.host.qemuOf(vm.id)!.pid, 'SIGKILL');
    await s.vms.refresh(vm.id);
    const after = s.vms.resolve(vm.id);
    assert.equal(after.state, 'crashed');
    assert.match(after.stateReason ?? '', /SIGKILL/);
    assert.equal(after.lastSerialLines.at(-1), 'Kernel panic - not syncing');
    // a crashed VM may start again
    assert.equal((await s.vms.start(vm.id)).state, 'running');
  });

  test('a guest that powered off while nobody watched is judged stopped at the time the keeper recorded', async () => {
    const vm = await s.createVm();
    await s.vms.start(vm.id);
    s.host.qemuOf(vm.id)!.exit(0);
    const recorded = Number(fs.readFileSync(path.join(s.host.home, 'vms', vm.id, 'exit-status'), 'utf8').split(' ')[1]);
    await s.vms.refresh(vm.id);
    const after = s.vms.resolve(vm.id);
    assert.equal(after.state, 'stopped');
    assert.equal(after.stateReason, 'The guest powered off.');
    const last = s.db.prepare('SELECT at, to_state FROM vm_events WHERE vm_id = ? ORDER BY id DESC LIMIT 1').get(vm.id) as { at: string; to_state: string };
    assert.equal(last.to_state, 'stopped');
    assert.equal(Math.floor(Date.parse(last.at) / 1000), recorded, "the stop time is the keeper's");
  });
});

describe('VmService on a FakeHost: the per-VM lock', () => {
  test('a second start in the same process is refused at once by the lock, and only one QEMU runs', async () => {
    const vm = await s.createVm();
    const [a, b] = await Promise.allSettled([s.vms.start(vm.id), s.vms.start(vm.id)]);
    assert.equal(a.status, 'fulfilled');
    assert.equal(b.status, 'rejected');
    assert.equal((b as PromiseRejectedResult).reason.message, 'VM "web" is already starting: this Hangar process is starting it.');
    assert.equal(s.host.qemus.length, 1);
    assert.equal((s.db.prepare('SELECT COUNT(*) AS n FROM vm_locks').get() as { n: number }).n, 0, 'the lock is released');
  });

  test('a lock held by another live process refuses changes with its pid, and refresh does not judge that VM', async () => {
    const vm = await s.createVm();
    await s.vms.start(vm.id);
    const other = process.ppid;
    s.db.prepare("INSERT INTO vm_locks (vm_id, owner_pid, owner_start, token, action, since) VALUES (?, ?, ?, 't', 'snapshot', '2000-01-01T00:00:00Z')").run(vm.id, other, processStartTime(other));
    await assert.rejects(s.vms.pause('web'), refusal('INVALID_STATE', new RegExp(`^VM "web" is busy: another Hangar process \\(pid ${other}\\) is taking or restoring a snapshot of it\\. Try again when that has finished\\.$`)));
    s.host.qemuOf(vm.id)!.alive = false;
    await s.vms.refresh(vm.id);
    assert.equal(s.vms.resolve(vm.id).state, 'running', 'not judged while another process holds the lock');
  });

  test('a lock left by a dead process is taken over', async () => {
    const vm = await s.createVm();
    s.db.prepare("INSERT INTO vm_locks (vm_id, owner_pid, owner_start, token, action, since) VALUES (?, 4999999, 1, 't', 'start', '2000-01-01T00:00:00Z')").run(vm.id);
    assert.equal((await s.vms.start(vm.id)).state, 'running');
  });
});
