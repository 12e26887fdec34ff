import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { HangarError } from '../../src-main/api/errors';
import type { QmpReply } from '../helpers/fake-qemu';
import { fakeServices, type FakeServices } from '../helpers/fake-services';
import { readFakeImage } from '../helpers/fake-tools';

/**
 * Storage on a FakeHost: volumes made, grown, cloned, attached, hot-plugged and deleted through
 * scripted qemu-img and QMP — asserting the argv and QMP commands, rows, files and events.
 */
let s: FakeServices;
beforeEach(() => {
  s = fakeServices();
});
afterEach(() => s.close());

const GiB = 1024 ** 3;
const rejects = (code: string, message: RegExp) => (e: unknown) => e instanceof HangarError && e.code === code && message.test(e.message);

/** QEMU's block layer as far as hot-plug needs it: blockdev-add, device_add/del (DEVICE_DELETED), query-block, block_resize. */
function fakeBlockLayer(bootDisks: string[]) {
  const nodes = new Map<string, { driver: string; file?: string; filename?: string }>();
  const devices = new Map<string, string>(bootDisks.map((f, i) => [`vd${i}`, `disk${i}`]));
  bootDisks.forEach((f, i) => nodes.set(`disk${i}`, { driver: 'qcow2', filename: f }));
  const resized: Array<{ node: string; size: number }> = [];
  const ok: QmpReply = { return: {} };
  const replies = {
    'blockdev-add': (a: Record<string, unknown> | undefined): QmpReply => {
      nodes.set(String(a!['node-name']), { driver: String(a!.driver), ...(a!.file ? { file: String(a!.file) } : {}), ...(a!.filename ? { filename: String(a!.filename) } : {}) });
      return ok;
    },
    'blockdev-del': (a: Record<string, unknown> | undefined): QmpReply => (nodes.delete(String(a!['node-name'])), ok),
    'device_add': (a: Record<string, unknown> | undefined): QmpReply => (devices.set(String(a!.id), String(a!.drive)), ok),
    'device_del': (a: Record<string, unknown> | undefined, q: { event(n: string, d?: Record<string, unknown>): void }): QmpReply => {
      devices.delete(String(a!.id));
      setImmediate(() => q.event('DEVICE_DELETED', { device: String(a!.id), path: `/machine/peripheral/${String(a!.id)}` }));
      return ok;
    },
    'query-block': (): QmpReply => ({
      return: [...devices].map(([id, node]) => {
        const n = nodes.get(node)!;
        const file = n.filename ?? nodes.get(n.file ?? '')?.filename ?? '';
        return { device: '', qdev: `/machine/peripheral/${id}/virtio-backend`, removable: false, inserted: { 'node-name': node, drv: n.driver, ro: false, file, image: { filename: file } } };
      }),
    }),
    'block_resize': (a: Record<string, unknown> | undefined): QmpReply => (resized.push({ node: String(a!['node-name']), size: Number(a!.size) }), ok),
  };
  return { replies, nodes, devices, resized };
}

describe('storage on a FakeHost: volumes', () => {
  test('create makes volume-<id>.qcow2 through a .part with qemu-img, renames it, marks the row ready and reports the size', async () => {
    const v = await s.storage.volumes.create({ name: 'data', size: '2G', format: 'qcow2' });
    const pool = path.join(s.host.home, 'pools', 'default');
    assert.equal(v.path, path.join(pool, `volume-${v.id}.qcow2`));
    assert.deepEqual(s.host.callsOf('qemu-img').find((c) => c.args[0] === 'create')?.args, ['create', '-q', '-f', 'qcow2', `${v.path}.part`, String(2 * GiB)]);
    assert.ok(fs.existsSync(v.path) && !fs.existsSync(`${v.path}.part`));
    assert.equal(v.virtualBytes, 2 * GiB);
    assert.equal(v.attachedTo, null);
    assert.deepEqual(s.db.prepare('SELECT name, state, file_name AS f FROM volumes').all(), [{ name: 'data', state: 'ready', f: `volume-${v.id}.qcow2` }]);
    assert.deepEqual(s.tasks.list().map((t) => [t.kind, t.state]), [['volume.create', 'succeeded']]);
    assert.deepEqual(s.eventsOf('storage.changed').at(-1), { what: 'volume', id: v.id });
  });

  test("a failing qemu-img create: IO_ERROR with qemu-img's line, no row, no partial file, the task failed", async () => {
    s.host.on(['qemu-img', 'create'], { code: 1, stderr: 'qemu-img: /p/volume.part: Could not create: Disk quota exceeded\n' });
    await assert.rejects(s.storage.volumes.create({ name: 'data', size: '1G', format: 'qcow2' }), rejects('IO_ERROR', /^qemu-img could not create the disk: \/p\/volume\.part: Could not create: Disk quota exceeded$/));
    assert.equal((s.db.prepare('SELECT COUNT(*) AS n FROM volumes').get() as { n: number }).n, 0);
    assert.deepEqual(fs.readdirSync(path.join(s.host.home, 'pools', 'default')), []);
    assert.equal(s.tasks.list()[0]?.state, 'failed');
  });

  test('a raw volume larger than the free space, a duplicate name and a size under 1 MiB are refused before qemu-img runs', async () => {
    s.host.freeBytes = GiB;
    await assert.rejects(s.storage.volumes.create({ name: 'big', size: '2G', format: 'raw' }), rejects('RESOURCE_LIMIT', /^A 2(\.0)? GiB raw volume does not fit in the 1(\.0)? GiB free in pool "default"\.$/));
    await s.storage.volumes.create({ name: 'data', size: '2G', format: 'qcow2' }); // qcow2 grows as written: allowed
    await assert.rejects(s.storage.volumes.create({ name: 'data', size: '1G', format: 'qcow2' }), rejects('CONFLICT', /^A volume named "data" already exists\. Choose another name\.$/));
    await assert.rejects(s.storage.volumes.create({ name: 'tiny', size: '100K', format: 'qcow2' }), rejects('INVALID_INPUT', /at least 1 MiB/));
    assert.equal(s.host.callsOf('qemu-img').filter((c) => c.args[0] === 'create').length, 1);
  });

  test('resize grows with qemu-img resize; shrinking is refused in words; the same size runs nothing', async () => {
    const v = await s.storage.volumes.create({ name: 'data', size: '1G', format: 'qcow2' });
    const grown = await s.storage.volumes.resize('data', '3G');
    assert.deepEqual(s.host.callsOf('qemu-img').find((c) => c.args[0] === 'resize')?.args, ['resize', '-q', '-f', 'qcow2', v.path, String(3 * GiB)]);
    assert.equal(grown.virtualBytes, 3 * GiB);
    assert.equal(readFakeImage(v.path)?.virtualSize, 3 * GiB);
    await assert.rejects(s.storage.volumes.resize('data', '2G'), rejects('INVALID_INPUT', /^Shrinking "data" from 3(\.0)? GiB to 2(\.0)? GiB is refused: .* Volumes can only grow\.$/));
    await s.storage.volumes.resize('data', '3G');
    assert.equal(s.host.calls.filter((c) => c.args[0] === 'resize').length, 1);
  });

  test('clone copies with qemu-img convert -p into a .part, reports progress, and gives a second ready volume', async () => {
    const src = await s.storage.volumes.create({ name: 'data', size: '1G', format: 'qcow2' });
    const task = await s.storage.volumes.clone({ volume: 'data', name: 'data-copy', wait: true });
    assert.equal(task.state, 'succeeded');
    const copy = await s.storage.volumes.get('data-copy');
    const convert = s.host.callsOf('qemu-img').find((c) => c.args[0] === 'convert');
    assert.deepEqual(convert?.args, ['convert', '-p', '-f', 'qcow2', '-O', 'qcow2', src.path, `${copy.path}.part`]);
    assert.equal(convert?.via, 'spawn');
    assert.equal(copy.virtualBytes, GiB);
    assert.ok(s.eventsOf('task.updated').some((t) => t.id === task.id && t.message === 'Copying 100%' && t.progress === 1), 'qemu-img progress reaches the task');
    assert.ok(fs.existsSync(copy.path) && !fs.existsSync(`${copy.path}.part`));
  });

  test('delete needs confirmation, then removes the file and the row', async () => {
    const v = await s.storage.volumes.create({ name: 'data', size: '1G', format: 'qcow2' });
    await assert.rejects(s.storage.volumes.delete('data', false), rejects('INVALID_INPUT', /^Deleting "data" erases its disk file for good\. Confirm to delete it/));
    assert.ok(fs.existsSync(v.path));
    assert.deepEqual(await s.storage.volumes.delete('data', true), { deleted: 'data', path: v.path });
    assert.equal(fs.existsSync(v.path), false);
    assert.equal((s.db.prepare('SELECT COUNT(*) AS n FROM volumes').get() as { n: number }).n, 0);
    assert.equal(s.eventsOf('storage.changed').at(-1)?.deleted, true);
  });
});

describe('storage on a FakeHost: attach and detach', () => {
  test('attach to a stopped VM puts the volume in its spec (not owned); it cannot be shared or deleted until detached', async () => {
    const vm = await s.createVm();
    const other = await s.createVm({ name: 'db' });
    const v = await s.storage.volumes.create({ name: 'data', size: '1G', format: 'qcow2' });
    const attached = await s.storage.attach.attach({ volume: 'data', vm: 'web', bus: 'virtio', readOnly: false });
    assert.deepEqual(attached.attachedTo, { vmId: vm.id, vmName: 'web', vmState: 'stopped', readOnly: false });
    const disk = s.vms.resolve('web').spec.disks.find((d) => d.path === v.path);
    assert.deepEqual(disk && { id: disk.id, owned: disk.owned, bus: disk.bus, format: disk.format }, { id: 'disk1', owned: false, bus: 'virtio', format: 'qcow2' });
    assert.ok(JSON.parse(fs.readFileSync(path.join(s.host.home, 'vms', vm.id, 'vm.json'), 'utf8')).disks.some((d: { path: string }) => d.path === v.path), 'vm.json follows');
    await assert.rejects(s.storage.attach.attach({ volume: 'data', vm: other.id, bus: 'virtio', readOnly: false }), rejects('CONFLICT', /A writable disk cannot be shared by two VMs/));
    await assert.rejects(s.storage.volumes.delete('data', true), rejects('CONFLICT', /^"data" is attached to the VM "web": detach it first, then delete it\.$/));
    await assert.rejects(s.storage.attach.detach({ volume: 'data', vm: 'db' }), rejects('INVALID_INPUT', /^"data" is attached to "web", not to "db"\.$/));
    const detached = await s.storage.attach.detach({ volume: 'data' });
    assert.equal(detached.attachedTo, null);
    assert.equal(s.vms.resolve('web').spec.disks.length, 1);
    assert.ok(fs.existsSync(v.path), 'detaching never deletes the file');
  });

  test('attach to a running VM hot-plugs over QMP on a spare PCIe port; detach unplugs and waits for DEVICE_DELETED', async () => {
    const vm = await s.createVm();
    const block = fakeBlockLayer([vm.spec.disks[0]!.path]);
    Object.assign(s.host.qemu.replies, block.replies);
    await s.vms.start(vm.id);
    const v = await s.storage.volumes.create({ name: 'data', size: '1G', format: 'qcow2' });
    await s.storage.attach.attach({ volume: 'data', vm: 'web', bus: 'virtio', readOnly: false });
    const qmp = () => s.host.qemuOf(vm.id)!.commands.filter((c) => !['qmp_capabilities', 'query-status', 'query-block'].includes(c.execute));
    assert.deepEqual(qmp(), [
      { execute: 'blockdev-add', arguments: { driver: 'file', 'node-name': 'hpdisk0-file', filename: v.path, 'read-only': false, 'auto-read-only': false, discard: 'unmap' } },
      { execute: 'blockdev-add', arguments: { driver: 'qcow2', 'node-name': 'hpdisk0', file: 'hpdisk0-file', 'read-only': false } },
      { execute: 'device_add', arguments: { driver: 'virtio-blk-pci', id: 'vdhp0', drive: 'hpdisk0', bus: 'hp0' } },
    ]);
    assert.ok(s.vms.resolve('web').spec.disks.some((d) => d.path === v.path));
    await s.storage.attach.detach({ volume: 'data' });
    assert.deepEqual(qmp().slice(3).map((c) => [c.execute, c.arguments?.id ?? c.arguments?.['node-name']]), [
      ['device_del', 'vdhp0'],
      ['blockdev-del', 'hpdisk0'],
      ['blockdev-del', 'hpdisk0-file'],
    ]);
    assert.equal(block.devices.has('vdhp0'), false);
    assert.equal(s.vms.resolve('web').spec.disks.length, 1);
  });

  test('a running VM: only virtio hot-plugs, a live resize goes through QMP block_resize, and a clone is refused', async () => {
    const vm = await s.createVm();
    const block = fakeBlockLayer([vm.spec.disks[0]!.path]);
    Object.assign(s.host.qemu.replies, block.replies);
    await s.vms.start(vm.id);
    await s.storage.volumes.create({ name: 'data', size: '1G', format: 'qcow2' });
    await assert.rejects(s.storage.attach.attach({ volume: 'data', vm: 'web', bus: 'sata', readOnly: false }), rejects('UNSUPPORTED', /^Only virtio disks can be hot-plugged into a running VM\./));
    await s.storage.attach.attach({ volume: 'data', vm: 'web', bus: 'virtio', readOnly: false });
    await s.storage.volumes.resize('data', '2G');
    assert.deepEqual(block.resized, [{ node: 'hpdisk0', size: 2 * GiB }]);
    assert.equal(s.host.callsOf('qemu-img').filter((c) => c.args[0] === 'resize').length, 0, 'qemu-img never writes a file QEMU holds');
    await assert.rejects(s.storage.volumes.clone({ volume: 'data', name: 'copy', wait: true }), rejects('INVALID_STATE', /in use by the running VM "web": a copy would not be consistent/));
  });
});

describe('storage on a FakeHost: snapshots of a stopped VM', () => {
  test('qemu-img snapshot -c on every qcow2 disk, a row with the tree, and revert applies it with -a', async () => {
    const vm = await s.createVm();
    const task = await s.storage.snapshots.create({ vm: 'web', name: 'before-upgrade', description: 'safe point', wait: true });
    assert.equal(task.state, 'succeeded');
    const file = vm.spec.disks[0]!.path;
    assert.deepEqual(s.host.callsOf('qemu-img').find((c) => c.args[0] === 'snapshot')?.args, ['snapshot', '-c', 'before-upgrade', file]);
    assert.deepEqual(readFakeImage(file)?.snapshots.map((x) => x.name), ['before-upgrade']);
    const tree = await s.storage.snapshots.list('web');
    assert.deepEqual(tree.snapshots.map((x) => [x.name, x.description, x.hasRam, x.current]), [['before-upgrade', 'safe point', false, true]]);
    await assert.rejects(s.storage.snapshots.revert({ vm: 'web', snapshot: 'before-upgrade', confirm: false, wait: true }), (e: unknown) => e instanceof HangarError && /confirm/i.test(e.message));
    await s.storage.snapshots.revert({ vm: 'web', snapshot: 'before-upgrade', confirm: true, wait: true });
    assert.deepEqual(s.host.callsOf('qemu-img').filter((c) => c.args[0] === 'snapshot').map((c) => c.args[1]), ['-c', '-a']);
  });
});
