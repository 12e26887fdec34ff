import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImageInfo, TaskInfo } from '../../src-main/api/contract';
import { HangarError } from '../../src-main/api/errors';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { READY_BANNER, guestFiles } from '../helpers/guest';
import { ROOT, tempHome, waitFor, killAllAndClose } from '../helpers/env';
import { bigFile, rangeServer, type RangeServer } from '../helpers/images';

// The image library against real files, real qemu-img, real QEMU (TCG) and a real HTTP server
// on 127.0.0.1. No mocks.

const { home, cleanup } = tempHome('hangar-images-');
const work = fs.mkdtempSync(path.join(home, 'src-'));
const g = guestFiles();
let engine: Engine;
let server: RangeServer;

const sha256sum = (file: string) => spawnSync('sha256sum', [file], { encoding: 'utf8' }).stdout.split(' ')[0]!;
const qemuInfo = (file: string) => JSON.parse(spawnSync('qemu-img', ['info', '-U', '--output=json', file], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
const libraryDir = () => path.join(home, 'images');
/** Files in the library folder (subfolders for downloads/uploads included), hidden .part files too. */
const libraryFiles = () =>
  fs.existsSync(libraryDir()) ? (fs.readdirSync(libraryDir(), { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(libraryDir(), f)).isFile()).sort() : [];
const pendingRows = (e: Engine) => (e.db.prepare("SELECT count(*) AS n FROM images WHERE status = 'pending'").get() as { n: number }).n;

/** SIGKILL the engine process as soon as its output matches `re` (mid-task); fail after 60 s. */
async function killWhen(child: ChildProcess, re: RegExp): Promise<void> {
  let out = '';
  const exited = new Promise((r) => child.once('exit', r));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress seen within 60 s: ${out}`)), 60000);
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (re.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`engine exited early: ${out}`)));
    });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

async function finished(e: Engine, id: string): Promise<TaskInfo> {
  return waitFor(`task ${id}`, () => e.tasks.list().find((t) => t.id === id && t.state !== 'running') ?? null, 120000, 20);
}

async function importOk(path_: string, extra: Record<string, unknown> = {}): Promise<{ image: ImageInfo; task: TaskInfo }> {
  const { task } = await engine.call('image.import', { path: path_, ...extra });
  const done = await finished(engine, task.id);
  assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
  return { image: await engine.call('image.get', { image: String(done.result?.imageId) }), task: done };
}

async function rejects(call: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  await assert.rejects(call, (e: unknown) => {
    assert.ok(e instanceof HangarError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
}

/** Nothing half-made: no pending row, no stray file, the catalogue as it was. */
function assertNothingLeft(e: Engine, before: { files: string[]; count: number }): void {
  assert.equal(pendingRows(e), 0, 'no pending row');
  assert.deepEqual(libraryFiles(), before.files, 'no file left in the library');
  assert.equal((e.db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n, before.count);
}
const snapshot = () => ({ files: libraryFiles(), count: (engine.db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n });

before(async () => {
  engine = await Engine.open({ home, watch: true });
  server = await rangeServer();
});

after(async () => {
  await killAllAndClose(engine);
  await server.close();
  cleanup();
});

describe('image library: import', () => {
  test('the guest ISO: detected by signature, labelled, checksum = sha256sum, stored read-only', async () => {
    const { image } = await importOk(g.iso);
    assert.equal(image.format, 'iso');
    assert.equal(image.status, 'ready');
    assert.equal(image.volumeLabel, 'HANGAR_GUEST');
    assert.equal(image.os.family, 'linux');
    assert.equal(image.sha256, sha256sum(g.iso));
    assert.equal(image.virtualSize, fs.statSync(g.iso).size);
    assert.equal(path.dirname(image.path), libraryDir());
    assert.equal(fs.statSync(image.path).mode & 0o777, 0o444);
    assert.equal(sha256sum(image.path), image.sha256);
  });

  test('the same content again is recognised and not stored twice', async () => {
    const before_ = snapshot();
    const copy = path.join(work, 'renamed copy.iso');
    fs.copyFileSync(g.iso, copy);
    const { task } = await importOk(copy);
    assert.equal(task.result?.duplicate, true);
    assert.match(String(task.result?.message), /already in the library as "guest"/);
    assertNothingLeft(engine, before_);
  });

  test('the guest qcow2, and a vmdk and a vdi made with qemu-img convert (converted to qcow2)', async () => {
    const { image: q } = await importOk(g.disk, { name: 'guest-disk', tags: ['test'], minMemoryMiB: 128 });
    assert.equal(q.format, 'qcow2');
    assert.equal(q.sha256, sha256sum(g.disk));
    assert.equal(q.virtualSize, 64 * 1024 * 1024);
    assert.deepEqual(q.tags, ['test']);

    for (const fmt of ['vmdk', 'vdi'] as const) {
      const file = path.join(work, `guest.${fmt}`);
      assert.equal(spawnSync('qemu-img', ['convert', '-O', fmt, g.disk, file]).status, 0);
      const { image } = await importOk(file);
      assert.equal(image.sourceFormat, fmt);
      assert.equal(image.format, 'qcow2');
      assert.equal(qemuInfo(image.path).format, 'qcow2');
      assert.equal(image.sha256, sha256sum(file), 'checksum of the file as given');
      assert.equal(image.storedSha256, sha256sum(image.path), 'checksum of the stored, converted file');
      assert.equal(image.virtualSize, 64 * 1024 * 1024);
    }
  });

  test('a path with spaces and Chinese characters works', async () => {
    const dir = path.join(work, '我的 镜像');
    fs.mkdirSync(dir);
    const file = path.join(dir, '测试 磁盘 image.img');
    fs.writeFileSync(file, Buffer.alloc(1024 * 1024, 7));
    const { image } = await importOk(file, { name: '测试 磁盘' });
    assert.equal(image.name, '测试 磁盘');
    assert.equal(image.format, 'raw');
    assert.equal(image.source, file);
    assert.equal(image.sha256, sha256sum(file));
  });

  test('bad input: clear errors, nothing left in the library or on disk', async () => {
    const before_ = snapshot();
    const text = path.join(work, 'notes.iso');
    fs.writeFileSync(text, 'This is a text file, not an ISO.\n'.repeat(100));
    await rejects(engine.call('image.import', { path: text }), 'INVALID_INPUT', /not one: it has no ISO 9660 signature/);

    const truncated = path.join(work, 'truncated.qcow2');
    fs.writeFileSync(truncated, fs.readFileSync(g.disk).subarray(0, 300_000));
    await rejects(engine.call('image.import', { path: truncated }), 'INVALID_INPUT', /damaged qcow2 image: qemu-img check found \d+ damaged clusters/);

    const headerOnly = path.join(work, 'header.qcow2');
    fs.writeFileSync(headerOnly, fs.readFileSync(g.disk).subarray(0, 64));
    await rejects(engine.call('image.import', { path: headerOnly }), 'INVALID_INPUT', /not a disk image or ISO that QEMU can read/);

    const empty = path.join(work, 'empty.qcow2');
    fs.writeFileSync(empty, '');
    await rejects(engine.call('image.import', { path: empty }), 'INVALID_INPUT', /is empty \(0 bytes\)/);
    await rejects(engine.call('image.import', { path: path.join(work, 'nope.iso') }), 'NOT_FOUND', /does not exist/);
    await rejects(engine.call('image.import', { path: work }), 'INVALID_INPUT', /is a folder/);
    await rejects(engine.call('image.import', { path: 'relative.iso' }), 'INVALID_INPUT', /absolute path/);
    assertNothingLeft(engine, before_);
  });

  test('an import cancelled half-way leaves nothing', async () => {
    const big = bigFile(work, 512);
    const before_ = snapshot();
    const { task } = await engine.call('image.import', { path: big });
    await waitFor('some progress', () => (engine.tasks.get(task.id)?.progress ?? 0) > 0, 30000, 5);
    await engine.call('task.cancel', { id: task.id });
    const done = await finished(engine, task.id);
    assert.equal(done.state, 'cancelled');
    await waitFor('cleanup', () => pendingRows(engine) === 0 && libraryFiles().length === before_.files.length, 10000);
    assertNothingLeft(engine, before_);
  });

  test('the engine killed with SIGKILL half-way through an import: after restart, no half image and no pending row', async () => {
    const big = bigFile(work, 512);
    const childHome = tempHome('hangar-images-kill-');
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'image-engine-process.ts'), childHome.home, 'import', big], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      await killWhen(child, /PROGRESS 0\.\d*[1-9]/);
      const imagesDir = path.join(childHome.home, 'images');
      assert.ok(fs.readdirSync(imagesDir).some((f) => f.endsWith('.part')), 'killed mid-copy: a .part file was left by the dead engine');

      const e2 = await Engine.open({ home: childHome.home });
      try {
        assert.equal(pendingRows(e2), 0);
        assert.deepEqual(fs.readdirSync(imagesDir).filter((f) => f !== 'uploads' && f !== 'downloads'), []);
        assert.deepEqual(await e2.call('image.list', {}), []);
        const t = e2.tasks.list()[0]!;
        assert.equal(t.state, 'failed');
        assert.match(t.error?.message ?? '', /Interrupted/);
      } finally {
        await e2.close();
      }
    } finally {
      childHome.cleanup();
    }
  });
});

describe('image library: download', () => {
  test('by URL with the right checksum; a wrong checksum keeps nothing; a SHA256SUMS URL works', async () => {
    const file = path.join(work, 'served.img');
    fs.writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 3));
    const sum = sha256sum(file);
    server.serve('/images/served.img', file);
    server.text('/images/SHA256SUMS', `${'0'.repeat(64)}  other.iso\n${sum}  served.img\n`);

    const before_ = snapshot();
    const { task: bad } = await engine.call('image.download', { url: `${server.url}/images/served.img`, sha256: 'f'.repeat(64) });
    const badDone = await finished(engine, bad.id);
    assert.equal(badDone.state, 'failed');
    assert.match(badDone.error?.message ?? '', /SHA-256 is [0-9a-f]{64}, not the expected f{64}.*Nothing was kept/);
    assertNothingLeft(engine, before_);

    const { task } = await engine.call('image.download', { url: `${server.url}/images/served.img`, sha256SumsUrl: `${server.url}/images/SHA256SUMS` });
    const done = await finished(engine, task.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const image = await engine.call('image.get', { image: String(done.result?.imageId) });
    assert.equal(image.sha256, sum);
    assert.equal(image.source, `${server.url}/images/served.img`);
    assert.equal(image.name, 'served');
  });

  test('a dropped connection resumes with a Range request; after SIGKILL the next engine resumes by itself', async () => {
    const file = path.join(work, 'flaky.img');
    fs.writeFileSync(file, Buffer.concat([Buffer.alloc(2 * 1024 * 1024, 1), Buffer.alloc(2 * 1024 * 1024, 2)]));
    server.serve('/flaky.img', file, { dropAfterBytes: 1024 * 1024 });
    const { task } = await engine.call('image.download', { url: `${server.url}/flaky.img`, sha256: sha256sum(file) });
    const done = await finished(engine, task.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.ok(server.ranges('/flaky.img').some((r) => r.startsWith('bytes=') && r !== 'bytes=0-'), `resumed with Range: ${server.ranges('/flaky.img').join(', ')}`);

    // a slow server, and the engine killed mid-download
    const slow = path.join(work, 'slow.img');
    fs.writeFileSync(slow, Buffer.alloc(4 * 1024 * 1024, 9));
    server.serve('/slow.img', slow, { bytesPerSecond: 2 * 1024 * 1024 });
    const childHome = tempHome('hangar-images-dl-');
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'image-engine-process.ts'), childHome.home, 'download', `${server.url}/slow.img`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      await killWhen(child, /PROGRESS 0\.[1-9]/);
      const downloads = path.join(childHome.home, 'images', 'downloads');
      const part = fs.readdirSync(downloads).find((f) => f.endsWith('.part'));
      assert.ok(part, 'the .part is kept to resume');
      assert.ok(fs.existsSync(path.join(downloads, `${part}.json`)), 'and the request beside it');
      const have = fs.statSync(path.join(downloads, part)).size;
      assert.ok(have > 0 && have < 4 * 1024 * 1024, `partial: ${have}`);

      // the next long-lived engine resumes it by itself, asking only for the rest
      const e2 = await Engine.open({ home: childHome.home, watch: true });
      try {
        const resumed = await waitFor('the resumed download', () => e2.tasks.list().find((t) => t.kind === 'image.download' && t.state === 'running') ?? null, 10000);
        const fin = await finished(e2, resumed.id);
        assert.equal(fin.state, 'succeeded', JSON.stringify(fin.error));
        assert.ok(server.ranges('/slow.img').includes(`bytes=${have}-`), `asked for the rest: ${server.ranges('/slow.img').join(', ')}`);
        const image = await e2.call('image.get', { image: String(fin.result?.imageId) });
        assert.equal(image.sha256, sha256sum(slow));
        assert.equal(pendingRows(e2), 0);
        assert.deepEqual(fs.readdirSync(downloads), []);
      } finally {
        await e2.close();
      }
    } finally {
      childHome.cleanup();
    }
  });
});

describe('image library: VMs from images, verify, delete', () => {
  test('a VM from the qcow2 image is a linked clone, boots to the banner, and its image cannot be deleted', async () => {
    const base = await engine.call('image.get', { image: 'guest-disk' });
    const t0 = performance.now();
    const vm = await engine.call('vm.create', { name: 'from-image', image: 'guest-disk', memoryMiB: 128, display: 'none', nics: [] });
    const createMs = performance.now() - t0;
    const disk = vm.spec.disks[0]!;
    const info = qemuInfo(disk.path);
    assert.equal(info.format, 'qcow2');
    assert.equal(info['backing-filename'], base.path);
    assert.equal(info['backing-filename-format'], 'qcow2');
    assert.ok(createMs < 5000, `linked clone took ${createMs} ms`);

    await engine.call('vm.start', { vm: 'from-image' });
    await waitFor('ready banner', async () => (await engine.call('vm.serialTail', { vm: 'from-image', maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop()!.includes(READY_BANNER), 120000, 200);

    const used = await engine.call('image.get', { image: 'guest-disk' });
    assert.deepEqual(used.usedBy.map((u) => [u.name, u.how]), [['from-image', 'backing']]);
    await rejects(engine.call('image.delete', { image: 'guest-disk', confirm: true }), 'CONFLICT', /used by the VM "from-image"/);
    await engine.call('vm.kill', { vm: 'from-image' });
    assert.equal(sha256sum(base.path), base.storedSha256, 'the guest never wrote to the base image');

    const full = await engine.call('vm.create', { name: 'full-copy', image: 'guest-disk', fullCopy: true, memoryMiB: 128, display: 'none', nics: [] });
    assert.equal(qemuInfo(full.spec.disks[0]!.path)['backing-filename'], undefined);
    await rejects(engine.call('vm.create', { name: 'from-iso', image: 'guest', memoryMiB: 128, display: 'none', nics: [] }), 'INVALID_INPUT', /is an ISO: use it as install media/);
    assert.equal((await engine.call('vm.list', {})).some((v) => v.name === 'from-iso'), false);
  });

  test('verify flags a corrupted image; delete needs confirmation, then removes the file', async () => {
    const other = path.join(work, 'other.img');
    fs.writeFileSync(other, Buffer.alloc(2 * 1024 * 1024, 5));
    const { image } = await importOk(other, { name: 'to-corrupt' });
    const { task } = await engine.call('image.verify', { image: 'to-corrupt' });
    assert.equal((await finished(engine, task.id)).result?.ok, true);

    fs.chmodSync(image.path, 0o644);
    const fd = fs.openSync(image.path, 'r+');
    fs.writeSync(fd, Buffer.from('garbage'), 0, 7, 600_000);
    fs.closeSync(fd);
    const { task: t2 } = await engine.call('image.verify', { image: 'to-corrupt' });
    const v2 = await finished(engine, t2.id);
    assert.equal(v2.result?.ok, false);
    const corrupt = await engine.call('image.get', { image: 'to-corrupt' });
    assert.equal(corrupt.status, 'corrupt');
    assert.match(corrupt.statusReason ?? '', /SHA-256 is now/);
    await rejects(engine.call('vm.create', { name: 'from-corrupt', image: 'to-corrupt', memoryMiB: 128, display: 'none', nics: [] }), 'INVALID_STATE', /marked corrupt/);

    await rejects(engine.call('image.delete', { image: 'to-corrupt' }), 'INVALID_INPUT', /confirm/);
    assert.ok(fs.existsSync(image.path));
    await engine.call('image.delete', { image: 'to-corrupt', confirm: true });
    assert.equal(fs.existsSync(image.path), false);
    await rejects(engine.call('image.get', { image: 'to-corrupt' }), 'NOT_FOUND', /No image/);
  });
});
