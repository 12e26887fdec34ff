import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HangarError } from '../../src-main/api/errors';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { tempHome, waitFor, killAllAndClose } from '../helpers/env';

// Storage against real QEMU (TCG), the real test guest, real qcow2 files and SQLite. One guest
// ("stor", q35, with a small qcow2 disk to hold internal snapshots) serves the whole file.

const { home, cleanup } = tempHome('hangar-storage-');
const g = guestFiles();
let engine: Engine;
const ctx = { clientId: 'storage-test', origin: 'internal' as const };
let channelId = '';
let received = '';
let roMount: string | null = null;

const guestVm = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  memoryMiB: 128,
  display: 'none' as const,
  nics: [],
  kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND },
  ...extra,
});

const qemuImgInfo = (file: string) => JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', file], { encoding: 'utf8' })) as { 'virtual-size': number; format: string };

async function serial(vm: string): Promise<string> {
  return (await engine.call('vm.serialTail', { vm, maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop()!;
}

/** Run a command in the guest's shell; resolves with its output and exit status. */
let seq = 0;
async function guest(cmd: string, timeoutMs = 30000): Promise<{ out: string; code: number }> {
  const tag = `T${++seq}X`;
  const start = received.length;
  await engine.call('channel.write', { channelId, data: Buffer.from(`${cmd}; echo DONE-${tag}-$?\n`).toString('base64') }, ctx);
  const re = new RegExp(`DONE-${tag}-(\\d+)`);
  const m = await waitFor(`guest command "${cmd}"`, () => re.exec(received.slice(start)), timeoutMs).catch((e: Error) => {
    throw new Error(`${e.message}; console: ${JSON.stringify(received.slice(start))}`);
  });
  return { out: received.slice(start, start + m.index), code: Number(m[1]) };
}

async function expectError(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof HangarError, `a HangarError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

before(async () => {
  engine = await Engine.open({ home, watch: true });
  engine.events.subscribe((m, target) => {
    if (m.topic === 'channel.data' && target === ctx.clientId) received += Buffer.from(m.data.data, 'base64').toString('utf8');
  });
  await engine.call('vm.create', guestVm('stor', { diskSizeBytes: 32 * 1024 * 1024, diskFormat: 'qcow2' }));
  await engine.call('vm.start', { vm: 'stor' });
  await waitFor('the guest prompt', async () => (await serial('stor')).split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 120000, 200);
  channelId = (await engine.call('channel.open', { kind: 'serial', vm: 'stor' }, ctx)).channelId;
});

after(async () => {
  await killAllAndClose(engine);
  if (roMount) spawnSync('umount', [roMount]);
  cleanup();
});

describe('storage against real QEMU', () => {
  test('a volume being made when the engine died is removed (row and partial file) at the next start', async () => {
    const crashHome = tempHome('hangar-storage-crash-');
    try {
      const first = await Engine.open({ home: crashHome.home });
      const pool = (await first.call('pool.list', {}))[0]!;
      // what a SIGKILL in the middle of a clone leaves: a running task, a pending row, a .part file
      first.db.prepare("INSERT INTO volumes (id, name, pool_id, file_name, format, state, created_at, updated_at) VALUES ('v1', 'half', ?, 'volume-v1.qcow2', 'qcow2', 'pending', 'x', 'x')").run(pool.id);
      first.db.prepare("INSERT INTO tasks (id, kind, title, state, result_json, cancellable, created_at) VALUES ('t1', 'volume.clone', 'Clone', 'running', '{\"volumeId\":\"v1\"}', 1, 'x')").run();
      const part = path.join(pool.path, 'volume-v1.qcow2.part');
      fs.writeFileSync(part, 'partial');
      first.db.close();
      const second = await Engine.open({ home: crashHome.home });
      assert.ok(!fs.existsSync(part), 'the partial file is gone');
      assert.equal((second.db.prepare("SELECT COUNT(*) AS n FROM volumes WHERE id = 'v1'").get() as { n: number }).n, 0);
      assert.equal((await second.call('volume.create', { name: 'half', size: '1M' })).name, 'half', 'the name is free again');
      await second.close();
    } finally {
      crashHome.cleanup();
    }
  });


  test('the default pool is made on first use, with filesystem capacity and free space', async () => {
    const pools = await engine.call('pool.list', {});
    const def = pools.find((p) => p.isDefault);
    assert.ok(def, 'a default pool');
    assert.equal(def.path, path.join(home, 'pools', 'default'));
    assert.ok(fs.statSync(def.path).isDirectory());
    assert.ok(def.capacityBytes > 0 && def.freeBytes > 0 && def.freeBytes <= def.capacityBytes);
  });

  test('create a volume, grow it (qemu-img info shows the new size), shrinking is refused and changes nothing', async () => {
    const vol = await engine.call('volume.create', { name: 'data1', size: '64M' });
    assert.equal(vol.format, 'qcow2');
    assert.equal(qemuImgInfo(vol.path)['virtual-size'], 64 * 1024 * 1024);
    const grown = await engine.call('volume.resize', { volume: 'data1', size: '96M' });
    assert.equal(grown.virtualBytes, 96 * 1024 * 1024);
    assert.equal(qemuImgInfo(vol.path)['virtual-size'], 96 * 1024 * 1024);
    await expectError(engine.call('volume.resize', { volume: 'data1', size: '32M' }), 'INVALID_INPUT', /only grow/);
    assert.equal(qemuImgInfo(vol.path)['virtual-size'], 96 * 1024 * 1024, 'unchanged after the refused shrink');
    // the pool counts it: allocated (on disk) vs virtual (promised to guests)
    const pool = (await engine.call('pool.list', {})).find((p) => p.isDefault)!;
    assert.equal(pool.volumeCount, 1);
    assert.equal(pool.virtualBytes, 96 * 1024 * 1024);
    assert.ok(pool.allocatedBytes > 0 && pool.allocatedBytes < pool.virtualBytes);
  });

  test('hot-plug a 64 MiB volume into the running guest: the guest sees a new virtio disk; unplug: it is gone', async () => {
    const vol = await engine.call('volume.create', { name: 'hot', size: '64M' });
    const before = await guest('cat /proc/partitions');
    assert.doesNotMatch(before.out, /\bvdb\b/);
    const attached = await engine.call('volume.attach', { volume: 'hot', vm: 'stor' });
    assert.equal(attached.attachedTo?.vmName, 'stor');
    const spec = (await engine.call('vm.get', { vm: 'stor' })).spec;
    assert.ok(spec.disks.some((d) => d.path === vol.path && d.owned === false), 'recorded in the spec (not owned), so it is there at the next boot');

    const seen = await waitFor('the new disk in /proc/partitions', async () => {
      const r = await guest("cat /proc/partitions; grep -o '^virtio_blk ' /proc/modules");
      return /\bvdb\b/.test(r.out) ? r : null;
    }, 30000, 500);
    assert.match(seen.out, /\s65536 vdb\b/, '64 MiB = 65536 KiB blocks');
    assert.match(seen.out, /^virtio_blk\s*$/m, 'virtio_blk is loaded');

    const detached = await engine.call('volume.detach', { volume: 'hot' });
    assert.equal(detached.attachedTo, null);
    await waitFor('vdb to disappear', async () => !/\bvdb\b/.test((await guest('cat /proc/partitions')).out), 30000, 500);
    assert.ok(!(await engine.call('vm.get', { vm: 'stor' })).spec.disks.some((d) => d.path === vol.path));
    // QEMU let go of the file: a writer can lock it again
    execFileSync('qemu-img', ['resize', vol.path, '80M']);
  });

  test('snapshot a running guest, write a marker, revert: the marker is gone (RAM and disk restored)', async () => {
    const task = await engine.call('snapshot.create', { vm: 'stor', name: 'clean', description: 'before the marker', wait: true });
    assert.equal(task.state, 'succeeded');
    assert.equal((await guest('echo hi > /root/marker && cat /root/marker')).code, 0);
    assert.equal((await guest('ls /root/marker')).code, 0);

    await expectError(engine.call('snapshot.revert', { vm: 'stor', snapshot: 'clean' }), 'INVALID_INPUT', /Confirm/);
    assert.equal((await guest('ls /root/marker')).code, 0, 'nothing changed without confirmation');

    const reverted = await engine.call('snapshot.revert', { vm: 'stor', snapshot: 'clean', confirm: true, wait: true });
    assert.equal(reverted.state, 'succeeded');
    await waitFor('the VM running again', async () => (await engine.call('vm.get', { vm: 'stor' })).state === 'running', 10000);
    const after = await guest('ls /root/marker');
    assert.notEqual(after.code, 0, `the marker is gone after the revert: ${after.out}`);

    const tree = await engine.call('snapshot.list', { vm: 'stor' });
    const clean = tree.snapshots.find((s) => s.name === 'clean')!;
    assert.ok(clean.hasRam && clean.vmStateBytes > 0, 'a RAM snapshot');
    assert.equal(clean.description, 'before the marker');
    assert.equal(tree.currentId, clean.id);

    // a child: its parent is the snapshot that was current when it was taken
    await engine.call('snapshot.create', { vm: 'stor', name: 'second', wait: true });
    const tree2 = await engine.call('snapshot.list', { vm: 'stor' });
    const second = tree2.snapshots.find((s) => s.name === 'second')!;
    assert.equal(second.parentId, clean.id);
    assert.equal(tree2.currentId, second.id);
    await engine.call('snapshot.delete', { vm: 'stor', snapshot: 'second', wait: true });
    const tree3 = await engine.call('snapshot.list', { vm: 'stor' });
    assert.deepEqual(tree3.snapshots.map((s) => s.name), ['clean']);
    assert.equal(tree3.currentId, clean.id, 'the parent of a deleted current snapshot becomes current');
  });

  test('an attached volume grows live but cannot be deleted, nor attached to a second running VM (no shared writable disks); live CD-ROM eject/insert', async () => {
    const vol = await engine.call('volume.create', { name: 'shared', size: '16M' });
    await engine.call('volume.attach', { volume: 'shared', vm: 'stor' });
    await expectError(engine.call('volume.delete', { volume: 'shared', confirm: true }), 'CONFLICT', /attached to the VM "stor"/);
    assert.ok(fs.existsSync(vol.path));

    // growing a disk the running guest uses: QEMU resizes it (block_resize) and the guest sees it
    assert.equal((await engine.call('volume.resize', { volume: 'shared', size: '24M' })).virtualBytes, 24 * 1024 * 1024);
    assert.equal(qemuImgInfo(vol.path)['virtual-size'], 24 * 1024 * 1024);
    await waitFor('the guest to see the grown disk', async () => /\s24576 vd[b-z]\b/.test((await guest('cat /proc/partitions')).out), 20000, 500);

    await engine.call('vm.create', guestVm('other', { isoPath: g.iso }));
    await engine.call('volume.create', { name: 'coldvol', size: '8M' });
    await engine.call('volume.attach', { volume: 'coldvol', vm: 'other' });
    await engine.call('vm.start', { vm: 'other' });
    // a disk present at boot sits on q35's root bus, which cannot hot-unplug: a clear refusal, nothing changed
    await expectError(engine.call('volume.detach', { volume: 'coldvol' }), 'UNSUPPORTED', /stop the VM, then detach/);
    assert.equal((await engine.call('vm.get', { vm: 'other' })).spec.disks.length, 1);
    await expectError(engine.call('volume.attach', { volume: 'shared', vm: 'other' }), 'CONFLICT', /cannot be shared/);
    assert.equal((await engine.call('vm.get', { vm: 'other' })).spec.disks.length, 1, 'nothing added to the second VM');

    // the CD-ROM of a running VM: eject and insert live (QMP tray + medium), and in the spec
    const medium = () => engine.vms.withQmp('other', async (qmp) => (await qmp.command<Array<{ qdev?: string; inserted?: { file: string } }>>('query-block')).find((b) => b.qdev === 'cd0')?.inserted?.file ?? null);
    assert.equal(await medium(), g.iso);
    await engine.call('vm.cdrom.eject', { vm: 'other' });
    assert.equal(await medium(), null);
    assert.equal((await engine.call('vm.get', { vm: 'other' })).spec.cdrom, null);
    await engine.call('vm.cdrom.insert', { vm: 'other', path: g.iso });
    assert.equal(await medium(), g.iso);
    assert.equal((await engine.call('vm.get', { vm: 'other' })).spec.cdrom, g.iso);
    await expectError(engine.call('vm.cdrom.insert', { vm: 'stor', path: g.iso }), 'UNSUPPORTED', /started without a CD-ROM drive/);
    assert.equal((await engine.call('vm.get', { vm: 'stor' })).spec.cdrom, null, 'nothing changed');
    await engine.call('vm.kill', { vm: 'other' });

    await engine.call('volume.detach', { volume: 'shared', vm: 'stor' });
    await expectError(engine.call('volume.delete', { volume: 'shared' }), 'INVALID_INPUT', /Confirm/);
    assert.ok(fs.existsSync(vol.path), 'not deleted without confirmation');
    await engine.call('volume.delete', { volume: 'shared', confirm: true });
    assert.ok(!fs.existsSync(vol.path));
  });

  test('cold attach to a stopped VM, clone (a Task), rename; a raw disk refuses snapshots', async () => {
    await engine.call('vm.create', guestVm('cold'));
    const raw = await engine.call('volume.create', { name: 'rawdisk', size: '8M', format: 'raw' });
    await engine.call('volume.attach', { volume: 'rawdisk', vm: 'cold', bus: 'sata' });
    assert.deepEqual((await engine.call('vm.get', { vm: 'cold' })).spec.disks.map((d) => [d.path, d.format, d.bus, d.owned]), [[raw.path, 'raw', 'sata', false]]);
    await expectError(engine.call('snapshot.create', { vm: 'cold', name: 'nope' }), 'UNSUPPORTED', /raw, which cannot hold snapshots/);
    assert.equal((await engine.call('snapshot.list', { vm: 'cold' })).snapshots.length, 0);

    const task = await engine.call('volume.clone', { volume: 'data1', name: 'data1-copy', wait: true });
    assert.equal(task.state, 'succeeded');
    const copy = await engine.call('volume.get', { volume: 'data1-copy' });
    assert.equal(qemuImgInfo(copy.path)['virtual-size'], 96 * 1024 * 1024);
    const renamed = await engine.call('volume.rename', { volume: 'data1-copy', name: 'archive' });
    assert.equal(renamed.path, copy.path, 'a rename keeps the file');
    await expectError(engine.call('volume.rename', { volume: 'archive', name: 'data1' }), 'CONFLICT', /already exists/);

    // deleting the VM keeps the (not owned) volume
    await engine.call('vm.delete', { vm: 'cold', deleteDisks: true });
    assert.ok(fs.existsSync(raw.path));
    assert.equal((await engine.call('volume.get', { volume: 'rawdisk' })).attachedTo, null);
  });

  test('stopped VM: disk-only snapshots with qemu-img, revert and delete', async () => {
    await engine.call('vm.create', guestVm('offline', { diskSizeBytes: 8 * 1024 * 1024 }));
    const disk = (await engine.call('vm.get', { vm: 'offline' })).spec.disks[0]!.path;
    await engine.call('snapshot.create', { vm: 'offline', name: 'base', wait: true });
    const listed = execFileSync('qemu-img', ['snapshot', '-l', disk], { encoding: 'utf8' });
    assert.match(listed, /\bbase\b/);
    const tree = await engine.call('snapshot.list', { vm: 'offline' });
    assert.equal(tree.snapshots[0]?.hasRam, false);
    assert.equal((await engine.call('snapshot.revert', { vm: 'offline', snapshot: 'base', confirm: true, wait: true })).state, 'succeeded');
    await engine.call('snapshot.delete', { vm: 'offline', snapshot: 'base', wait: true });
    assert.doesNotMatch(execFileSync('qemu-img', ['snapshot', '-l', disk], { encoding: 'utf8' }), /\bbase\b/);
  });

  test('orphan files in a pool are listed; bad names and bad pool folders are refused with nothing changed', async () => {
    const def = (await engine.call('pool.list', {})).find((p) => p.isDefault)!;
    const stray = path.join(def.path, 'forgotten.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', stray, '1M']);
    const details = await engine.call('pool.get', { pool: def.name });
    assert.deepEqual(details.orphans.map((o) => o.path), [stray]);

    const volumesBefore = (await engine.call('volume.list', {})).length;
    await expectError(engine.call('volume.create', { name: '../evil', size: '1M' }), 'INVALID_INPUT', /may not contain "\/"/);
    await expectError(engine.call('volume.create', { name: 'a/b', size: '1M' }), 'INVALID_INPUT', /may not contain "\/"/);
    await expectError(engine.call('snapshot.create', { vm: 'stor', name: 'x/y' }), 'INVALID_INPUT', /may not contain "\/"/);
    await expectError(engine.call('volume.create', { name: 'tiny', size: '12 parsecs' }), 'INVALID_INPUT', /not a size/);
    assert.equal((await engine.call('volume.list', {})).length, volumesBefore);
    assert.deepEqual(fs.readdirSync(def.path).filter((f) => f.includes('evil') || f.includes('tiny')), []);

    const file = path.join(home, 'a-file');
    fs.writeFileSync(file, 'x');
    await expectError(engine.call('pool.add', { name: 'filepool', path: file }), 'INVALID_INPUT', /is a file, not a folder/);
    await expectError(engine.call('pool.add', { name: 'nopool', path: path.join(home, 'missing') }), 'INVALID_INPUT', /does not exist/);
    const ro = path.join(home, 'ro');
    fs.mkdirSync(ro);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]).status === 0) {
      roMount = ro;
      await expectError(engine.call('pool.add', { name: 'ropool', path: ro }), 'INVALID_INPUT', /not writable/);
    } else {
      console.log('# not-writable pool check skipped: cannot mount a read-only tmpfs here (needs root)');
    }
    assert.deepEqual((await engine.call('pool.list', {})).map((p) => p.name), ['default']);

    const extra = path.join(home, 'extra-pool');
    const added = await engine.call('pool.add', { name: 'extra', path: extra, create: true });
    assert.equal(added.path, extra);
    await engine.call('volume.create', { name: 'inextra', size: '1M', pool: 'extra' });
    await expectError(engine.call('pool.remove', { pool: 'extra' }), 'CONFLICT', /still holds 1 volume/);
    await engine.call('volume.delete', { volume: 'inextra', confirm: true });
    await engine.call('pool.remove', { pool: 'extra' });
    assert.ok(fs.existsSync(extra), 'removing a pool leaves its folder');
  });
});
