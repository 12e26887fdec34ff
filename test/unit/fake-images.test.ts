import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { contract, type TaskInfo } from '../../src-main/api/contract';
import { HangarError } from '../../src-main/api/errors';
import { fakeServices, type FakeServices } from '../helpers/fake-services';
import { readFakeImage, writeFakeImage } from '../helpers/fake-tools';

/**
 * The image library on a FakeHost: import (detect, check, copy + hash, convert, read-only,
 * rename into place), refusals in words, linked clones and full copies for new VMs, the minimum
 * disk size — asserting qemu-img argv, rows, files and events.
 */
let s: FakeServices;
beforeEach(() => {
  s = fakeServices();
});
afterEach(() => s.close());

const GiB = 1024 ** 3;

async function finished(id: string): Promise<TaskInfo> {
  for (let i = 0; i < 3000; i++) {
    const t = s.tasks.get(id);
    if (t && t.state !== 'running') return t;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`task ${id} did not finish`);
}

async function importFile(file: string, extra: Record<string, unknown> = {}): Promise<TaskInfo> {
  const { task } = await s.images.startImport(contract['image.import'].input.parse({ hostId: s.host.id, path: file, ...extra }) as never);
  return finished(task.id);
}

function sourceImage(name: string, format: string, virtualSize: number, extra: Parameters<typeof writeFakeImage>[1] extends infer T ? Partial<T> : never = {}): string {
  const file = path.join(s.host.root, name);
  writeFakeImage(file, { format, virtualSize, ...extra });
  return file;
}

const refusal = (code: string, message: RegExp) => (e: unknown) => e instanceof HangarError && e.code === code && message.test(e.message);

describe('images on a FakeHost: import', () => {
  test('a qcow2 is detected, checked, copied with its SHA-256, made read-only, renamed into place and recorded ready', async () => {
    const src = sourceImage('debian-12-genericcloud-amd64.qcow2', 'qcow2', 2 * GiB);
    const task = await importFile(src);
    assert.equal(task.state, 'succeeded', task.error?.message);
    const [image] = s.images.list();
    assert.ok(image);
    assert.equal(image.format, 'qcow2');
    assert.equal(image.status, 'ready');
    assert.equal(image.path, path.join(s.host.home, 'images', `${image.id}.qcow2`));
    assert.equal(image.sha256, createHash('sha256').update(fs.readFileSync(src)).digest('hex'));
    assert.equal(image.virtualSize, 2 * GiB);
    assert.equal(image.minDiskBytes, 2 * GiB, 'a disk image needs at least its virtual size');
    assert.equal((fs.statSync(image.path).mode & 0o777).toString(8), '444');
    assert.deepEqual(fs.readdirSync(path.join(s.host.home, 'images')), [`${image.id}.qcow2`], 'no .part left');
    const img = s.host.callsOf('qemu-img').map((c) => c.args.slice(0, 2).join(' '));
    assert.deepEqual(img.filter((a) => !a.startsWith('--version')), ['info --output=json', 'check -f']);
    assert.deepEqual(s.host.callsOf('chmod').map((c) => c.args[0]), ['0444']);
    assert.ok(s.eventsOf('image.changed').some((e) => e.id === image.id));
    assert.ok(fs.existsSync(src), 'the source file is left alone');
  });

  test('the same content twice is stored once, and the second task says where it already is', async () => {
    const src = sourceImage('a.qcow2', 'qcow2', GiB);
    await importFile(src);
    const again = path.join(s.host.root, 'copy-of-a.qcow2');
    fs.copyFileSync(src, again);
    const second = await importFile(again);
    assert.equal(second.state, 'succeeded');
    assert.equal(s.images.list().length, 1);
    assert.match(String(second.result?.message), /^This file is already in the library as "a": nothing was stored twice\.$/);
    assert.equal(fs.readdirSync(path.join(s.host.home, 'images')).length, 1);
  });

  test('a vmdk is converted to qcow2 with qemu-img convert -p; the record keeps both formats and both checksums', async () => {
    const src = sourceImage('appliance-disk1.vmdk', 'vmdk', 3 * GiB);
    const task = await importFile(src);
    assert.equal(task.state, 'succeeded', task.error?.message);
    const [image] = s.images.list();
    assert.ok(image);
    const convert = s.host.callsOf('qemu-img').find((c) => c.args[0] === 'convert');
    const part = path.join(s.host.home, 'images', `.${image.id}.part`);
    assert.deepEqual(convert?.args, ['convert', '-p', '-f', 'vmdk', '-O', 'qcow2', part, `${part}.qcow2`]);
    assert.equal(image.format, 'qcow2');
    assert.equal(image.sourceFormat, 'vmdk');
    assert.equal(readFakeImage(image.path)?.format, 'qcow2');
    assert.equal(image.virtualSize, 3 * GiB);
    assert.notEqual(image.storedSha256, image.sha256);
    assert.equal(image.storedSha256, createHash('sha256').update(fs.readFileSync(image.path)).digest('hex'));
  });

  test('a damaged qcow2 is refused with the count qemu-img check found, and nothing is stored', async () => {
    const src = sourceImage('broken.qcow2', 'qcow2', GiB, { corruptions: 3 });
    await assert.rejects(
      importFile(src),
      refusal('INVALID_INPUT', /^".*broken\.qcow2" is a damaged qcow2 image: qemu-img check found 3 damaged clusters \(the file is probably truncated or corrupted\)\.$/),
    );
    assert.deepEqual(s.images.list(), []);
    assert.deepEqual(s.tasks.list(), [], 'refused before any task started');
  });

  test('missing, empty, folder, backing-file and not-a-disk files are refused in words, naming the path', async () => {
    const missing = path.join(s.host.root, 'nope.qcow2');
    await assert.rejects(importFile(missing), refusal('NOT_FOUND', /does not exist\. Check the path\.$/));
    const empty = path.join(s.host.root, 'empty.img');
    fs.writeFileSync(empty, '');
    await assert.rejects(importFile(empty), refusal('INVALID_INPUT', /is empty \(0 bytes\): it is not an image\.$/));
    await assert.rejects(importFile(s.host.root), refusal('INVALID_INPUT', /is a folder: choose an image file inside it\.$/));
    const overlay = sourceImage('overlay.qcow2', 'qcow2', GiB, { backing: { file: '/etc/shadow', format: 'raw' } });
    await assert.rejects(importFile(overlay), refusal('UNSUPPORTED', /depends on another file \(backing or data file\); flatten it first/));
    const notes = path.join(s.host.root, 'notes.txt');
    fs.writeFileSync(notes, 'hello world\n');
    await assert.rejects(importFile(notes), refusal('INVALID_INPUT', /not a whole number of 512-byte sectors/));
    assert.deepEqual(s.images.list(), []);
  });

  test('an import that fails in the middle leaves no .part and no pending row', async () => {
    const src = sourceImage('appliance.vdi', 'vdi', GiB);
    s.host.on(['qemu-img', 'convert'], { code: 1, stderr: 'qemu-img: error while writing at byte 0: No space left on device\n' });
    const task = await importFile(src);
    assert.equal(task.state, 'failed');
    assert.equal(task.error?.message, 'Converting the vdi image to qcow2 failed: error while writing at byte 0: No space left on device.');
    assert.deepEqual(fs.readdirSync(path.join(s.host.home, 'images')), []);
    assert.equal((s.db.prepare('SELECT COUNT(*) AS n FROM images').get() as { n: number }).n, 0);
  });
});

describe('images on a FakeHost: VMs from images', () => {
  async function library(): Promise<string> {
    await importFile(sourceImage('base.qcow2', 'qcow2', 4 * GiB));
    return s.images.list()[0]!.path;
  }

  test('a VM from an image gets a qcow2 overlay backed by it (linked clone); the image cannot be deleted meanwhile', async () => {
    const base = await library();
    const vm = await s.createVm({ image: 'base', diskSizeBytes: 0 });
    const disk = path.join(s.host.home, 'vms', vm.id, 'disk0.qcow2');
    assert.deepEqual(s.host.callsOf('qemu-img').find((c) => c.args[0] === 'create')?.args, ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, disk]);
    assert.deepEqual(vm.spec.disks.map((d) => [d.path, d.format, d.owned]), [[disk, 'qcow2', true]]);
    assert.deepEqual(readFakeImage(disk)?.backing, { file: base, format: 'qcow2' });
    assert.equal(readFakeImage(disk)?.virtualSize, 4 * GiB, 'the overlay is as large as the image');
    assert.deepEqual(s.db.prepare('SELECT vm_id AS vm, disk_path AS d, linked FROM image_disks').all(), [{ vm: vm.id, d: disk, linked: 1 }]);
    await assert.rejects(s.images.delete('base', true), refusal('CONFLICT', /^"base" is used by the VM "web": delete that VM \(or detach the image\) first\.$/));
    await s.vms.delete('web', true);
    await s.images.delete('base', true);
    assert.equal(fs.existsSync(base), false);
  });

  test('fullCopy converts the image into a standalone qcow2 (no backing file, no link that blocks deletion)', async () => {
    const base = await library();
    const vm = await s.createVm({ image: 'base', fullCopy: true, diskSizeBytes: 0 });
    const disk = path.join(s.host.home, 'vms', vm.id, 'disk0.qcow2');
    assert.deepEqual(s.host.callsOf('qemu-img').find((c) => c.args[0] === 'convert')?.args, ['convert', '-f', 'qcow2', '-O', 'qcow2', base, disk]);
    assert.equal(readFakeImage(disk)?.backing, null);
    await s.images.delete('base', true);
    assert.equal(s.vms.resolve('web').spec.disks[0]?.path, disk);
  });

  test('an ISO is refused as a disk, and deleting an image needs confirmation', async () => {
    const iso = path.join(s.host.root, 'install.iso');
    const pvd = Buffer.alloc(32768 + 2048);
    pvd[32768] = 1;
    pvd.write('CD001', 32769, 'latin1');
    pvd[32774] = 1;
    pvd.write('DEBIAN 12 AMD64', 32768 + 40, 'latin1');
    fs.writeFileSync(iso, pvd);
    const task = await importFile(iso);
    assert.equal(task.state, 'succeeded', task.error?.message);
    const image = s.images.list()[0]!;
    assert.equal(image.format, 'iso');
    assert.equal(image.minDiskBytes, 0, 'an ISO sets no minimum disk size');
    assert.equal(image.volumeLabel, 'DEBIAN 12 AMD64');
    assert.equal(image.os.family, 'linux');
    await assert.rejects(s.createVm({ image: image.name, diskSizeBytes: 0 }), refusal('INVALID_INPUT', /is an ISO: use it as install media \(isoPath\) rather than as a disk\.$/));
    await assert.rejects(s.images.delete(image.name, false), refusal('INVALID_INPUT', /removes its file for good: confirm it/));
    assert.ok(fs.existsSync(image.path));
  });
});
