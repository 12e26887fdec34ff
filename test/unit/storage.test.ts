import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { contract, type SnapshotInfo, type VmInfo, type VmSpec, type VolumeInfo } from '../../src-main/api/contract';
import { HangarError } from '../../src-main/api/errors';
import { snapshotTreeText } from '../../src-main/cli/commands/storage';
import { openDatabase } from '../../src-main/db/database';
import { buildQemuArgv } from '../../src-main/qemu/argv';
import { vmPaths } from '../../src-main/qemu/paths';
import { deviceIdFromQdev } from '../../src-main/storage/hotplug';
import { StorageRepository } from '../../src-main/storage/repository';
import { SnapshotService } from '../../src-main/storage/snapshots';
import { parseVolumeSize } from '../../src-main/storage/volumes';
import { filterVolumes, flattenSnapshotTree, sortVolumes, usageFraction } from '../../src-renderer/features/storage/storage-logic';
import { tempHome } from '../helpers/env';

const MiB = 1024 * 1024;

const spec = (disks: VmSpec['disks'], machine: VmSpec['machine'] = 'q35'): VmSpec => ({
  version: 1,
  id: '11111111-2222-4333-8444-555555555555',
  name: 'unit',
  description: '',
  os: { family: 'linux', variant: '' },
  cpus: 1,
  memoryMiB: 128,
  firmware: 'bios',
  secureBoot: false,
  tpm: false,
  machine,
  disks,
  cdrom: null,
  kernel: null,
  nics: [],
  display: 'none',
  bootOrder: ['disk'],
  autostart: false,
});
const disk = (format: 'qcow2' | 'raw', readOnly = false): VmSpec['disks'][number] => ({ id: 'disk0', path: `/d/x.${format}`, format, bus: 'virtio', readOnly, owned: true });
const vmOf = (s: VmSpec) => ({ name: s.name, spec: s }) as VmInfo;

const snap = (id: string, parentId: string | null, createdAt: string, current = false): SnapshotInfo => ({ id, vmId: 'v', name: id, description: '', parentId, createdAt, hasRam: false, vmStateBytes: 0, current });

describe('storage: sizes, names and schemas', () => {
  test('sizes with units, rounded up to whole sectors; too small and nonsense refused with the field', () => {
    assert.equal(parseVolumeSize('64M'), 64 * MiB);
    assert.equal(parseVolumeSize('1.5G'), 1.5 * 1024 * MiB);
    assert.equal(parseVolumeSize(MiB + 1), MiB + 512);
    for (const bad of ['12 parsecs', '512K', '-1G', '']) {
      assert.throws(() => parseVolumeSize(bad), (e: unknown) => e instanceof HangarError && e.code === 'INVALID_INPUT' && e.details?.field === 'size', bad);
    }
  });

  test('the contract refuses names with path separators and relative pool paths', () => {
    assert.equal(contract['volume.create'].input.safeParse({ name: 'a/b', size: '1G' }).success, false);
    assert.equal(contract['volume.create'].input.safeParse({ name: '..', size: '1G' }).success, false);
    assert.equal(contract['snapshot.create'].input.safeParse({ vm: 'x', name: 'x\\y' }).success, false);
    assert.equal(contract['pool.add'].input.safeParse({ name: 'p', path: 'relative/dir' }).success, false);
    const ok = contract['volume.create'].input.safeParse({ name: 'data 1', size: '1G' });
    assert.ok(ok.success);
    assert.equal(ok.data.format, 'qcow2');
    const del = contract['volume.delete'].input.parse({ volume: 'v' });
    assert.equal(del.confirm, false, 'deleting needs an explicit confirmation');
  });
});

describe('storage: snapshots support and tree', () => {
  test('raw writable disks and VMs without qcow2 cannot hold snapshots; read-only raw (a CD-like disk) does not block', () => {
    assert.equal(SnapshotService.unsupportedReason(vmOf(spec([disk('qcow2')]))), null);
    assert.match(SnapshotService.unsupportedReason(vmOf(spec([disk('qcow2'), { ...disk('raw'), id: 'disk1' }]))) ?? '', /raw, which cannot hold snapshots/);
    assert.match(SnapshotService.unsupportedReason(vmOf(spec([]))) ?? '', /no writable qcow2 disk/);
    assert.equal(SnapshotService.unsupportedReason(vmOf(spec([disk('qcow2'), { ...disk('raw', true), id: 'disk1' }]))), null);
  });

  test('the tree flattens depth-first, orphans become roots, the current path is marked', () => {
    const nodes = flattenSnapshotTree([snap('c', 'a', '3'), snap('a', null, '1'), snap('b', 'a', '2', true), snap('lost', 'gone', '4')]);
    assert.deepEqual(nodes.map((n) => [n.snapshot.id, n.depth, n.onCurrentPath]), [
      ['a', 0, true],
      ['b', 1, true],
      ['c', 1, false],
      ['lost', 0, false],
    ]);
    assert.match(snapshotTreeText([snap('a', null, '2026-01-01T00:00:00Z'), snap('b', 'a', '2026-01-02T00:00:00Z', true)]), /^- a .*\n {2}\* b /);
  });

  test('deleting a snapshot re-parents its children; a deleted current snapshot hands "current" to its parent', () => {
    const home = tempHome('hangar-storage-unit-');
    const db = openDatabase(path.join(home.home, 'hangar.db'));
    try {
      const repo = new StorageRepository(db);
      const base = { vmId: 'vm1', description: '', hasRam: false, vmStateBytes: 0 };
      const a = repo.insertSnapshot({ ...base, id: 'a', name: 'a', parentId: null });
      const b = repo.insertSnapshot({ ...base, id: 'b', name: 'b', parentId: 'a' });
      repo.insertSnapshot({ ...base, id: 'c', name: 'c', parentId: 'b' });
      repo.setCurrentSnapshot('vm1', 'b');
      repo.deleteSnapshot(b);
      assert.equal(repo.findSnapshot('vm1', 'c')?.parentId, 'a');
      assert.equal(repo.currentSnapshot('vm1'), 'a');
      repo.deleteSnapshot(a);
      assert.equal(repo.findSnapshot('vm1', 'c')?.parentId, null);
      assert.equal(repo.currentSnapshot('vm1'), null);
      repo.forgetVm('vm1');
      assert.deepEqual(repo.snapshots('vm1'), []);
    } finally {
      db.close();
      home.cleanup();
    }
  });
});

describe('storage: hot-plug plumbing', () => {
  test('q35 guests get spare PCIe root ports for hot-plug; pc guests do not need them', () => {
    const paths = vmPaths('/h', '/h/run', spec([]).id);
    const q35 = buildQemuArgv(spec([disk('qcow2')]), paths, { accel: 'tcg', ovmf: null }).join(' ');
    assert.match(q35, /pcie-root-port,id=hp0,bus=pcie\.0,chassis=1,addr=0x1c\.0,multifunction=on/);
    assert.match(q35, /pcie-root-port,id=hp3,bus=pcie\.0,chassis=4,addr=0x1c\.3/);
    assert.ok(q35.indexOf('pcie-root-port') < q35.indexOf('virtio-blk-pci'), 'the ports claim their slot before auto-placed devices');
    assert.doesNotMatch(buildQemuArgv(spec([], 'pc'), paths, { accel: 'tcg', ovmf: null }).join(' '), /pcie-root-port/);
  });

  test('device ids come from QOM paths', () => {
    assert.equal(deviceIdFromQdev('/machine/peripheral/vd1/virtio-backend'), 'vd1');
    assert.equal(deviceIdFromQdev('/machine/peripheral/cd0'), 'cd0');
    assert.equal(deviceIdFromQdev('cd0'), 'cd0');
    assert.equal(deviceIdFromQdev('/machine/unattached/device[3]'), null);
    assert.equal(deviceIdFromQdev(undefined), null);
  });
});

describe('storage: renderer logic', () => {
  const vol = (name: string, virtualBytes: number, vmName: string | null): VolumeInfo => ({
    id: name,
    name,
    poolId: 'p',
    poolName: 'default',
    hostId: 'local',
    path: `/p/${name}`,
    format: 'qcow2',
    virtualBytes,
    actualBytes: virtualBytes / 10,
    backingChain: [],
    attachedTo: vmName ? { vmId: vmName, vmName, vmState: 'running', readOnly: false } : null,
    createdAt: '',
    updatedAt: '',
  });
  const list = [vol('beta', 2, null), vol('alpha', 3, 'web'), vol('gamma', 1, 'db')];

  test('sort by any column both ways, ties by name; filter by name, pool or VM', () => {
    assert.deepEqual(sortVolumes(list, 'name', false).map((v) => v.name), ['alpha', 'beta', 'gamma']);
    assert.deepEqual(sortVolumes(list, 'size', true).map((v) => v.name), ['alpha', 'beta', 'gamma']);
    assert.deepEqual(sortVolumes(list, 'attached', false).map((v) => v.name), ['beta', 'gamma', 'alpha']);
    assert.deepEqual(filterVolumes(list, 'WEB').map((v) => v.name), ['alpha']);
    assert.equal(filterVolumes(list, '  ').length, 3);
  });

  test('usage fractions are clamped and safe with an unknown total', () => {
    assert.equal(usageFraction(5, 10), 0.5);
    assert.equal(usageFraction(20, 10), 1);
    assert.equal(usageFraction(5, 0), 0);
  });
});
