import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TaskInfo, VmInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { runtimeRoot } from '../../src-main/qemu/paths';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { tempHome, waitFor, killAllAndClose } from '../helpers/env';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { netnsUnsupportedReason, addLanHost, startSshdNetns, type SshdNetns } from '../helpers/sshd-netns';

// Live migration FROM a LAN host: LAN → LAN and LAN → this computer, the engine relaying the
// stream (migrate-relay.ts: sshd listens on a socket in the source's runtime folder and hands
// each connection to the engine). Two LAN hosts = two network namespaces, each with its own
// sshd, address and remote $HOME: the two hosts cannot reach each other (separate /30 links),
// so the test also proves that everything goes through the engine. The guest's root is RAM: a
// line written before the moves and read after them proves the memory travelled.

const skipReason = netnsUnsupportedReason();
if (skipReason) console.log(`# SKIP live migration direction tests: ${skipReason}`);

const { home, cleanup } = tempHome();
let engine: Engine;
let lanA: SshdNetns;
let lanB: SshdNetns;
const ctx = { clientId: 'migrate-dir-test', origin: 'internal' as const };

async function waitTask(id: string): Promise<TaskInfo> {
  return waitFor(`task ${id}`, async () => (await engine.call('task.list', {})).find((t) => t.id === id && t.state !== 'running'), 180000, 50);
}

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

describe('live migration from a LAN host (two sshd network namespaces)', { skip: skipReason ?? false }, () => {
  const ids = { a: '', b: '', local: '' };
  let received = '';
  let unsubscribe = () => undefined as void;

  before(async () => {
    lanA = await startSshdNetns();
    lanB = await startSshdNetns();
    engine = await Engine.open({ home, watch: true });
    unsubscribe = engine.events.subscribe((m, to) => {
      if (m.topic === 'channel.data' && to === ctx.clientId) received += Buffer.from(m.data.data, 'base64').toString('utf8');
    });
    ids.a = (await addLanHost(engine, 'lan-a', lanA)).host.id;
    ids.b = (await addLanHost(engine, 'lan-b', lanB)).host.id;
    ids.local = (await engine.call('host.list', {})).find((h) => h.kind === 'local')!.id;
  });

  after(async () => {
    unsubscribe();
    try {
      if (engine) {
        await killAllAndClose(engine);
      }
    } finally {
      lanA?.stop();
      lanB?.stop();
      cleanup();
    }
  });

  const serialNow = async (vm: string) => (await engine.call('vm.serialTail', { vm, maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop() ?? '';

  async function typeAndWait(vm: string, line: string, expect: string): Promise<void> {
    const ch = await engine.call('channel.open', { kind: 'serial', vm }, ctx);
    received = '';
    try {
      await engine.call('channel.write', { channelId: ch.channelId, data: Buffer.from(`${line}\n`).toString('base64') }, ctx);
      await waitFor(`"${expect}" on the console of ${vm}`, () => received.includes(expect), 60000, 50);
    } finally {
      await engine.call('channel.close', { channelId: ch.channelId }, ctx);
    }
  }

  async function migrate(vm: string, toHost: string): Promise<{ before: VmInfo; after: VmInfo; task: TaskInfo }> {
    const before = await engine.call('vm.get', { vm });
    const t0 = Date.now();
    const task = await waitTask((await engine.call('host.migrateVm', { vm, toHost })).id);
    assert.equal(task.state, 'succeeded', `migration to ${toHost}: ${task.error?.message ?? ''}`);
    console.log(`# ${vm}: ${before.hostId === ids.local ? 'local' : before.hostId === ids.a ? 'lan-a' : 'lan-b'} → ${toHost} in ${Date.now() - t0} ms, ${task.result?.bytes} bytes of RAM`);
    const after = await engine.call('vm.get', { vm });
    assert.equal(after.state, 'running');
    assert.ok(after.pid && after.pid !== before.pid, 'a new QEMU runs the VM');
    assert.ok(fs.readFileSync(`/proc/${after.pid}/cmdline`, 'utf8').includes('-incoming'), 'the new QEMU received the VM');
    await waitFor('the source QEMU is gone', () => !alive(before.pid!), 20000, 100);
    return { before, after, task };
  }

  test('LAN → LAN, then LAN → this computer: a line written in guest RAM on lan-a is read back on lan-b and here', async () => {
    const g = guestFiles();
    await engine.call('vm.create', { name: 'roamer', hostId: ids.a, memoryMiB: 96, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    const started = await engine.call('vm.start', { vm: 'roamer' });
    assert.ok(started.dir.startsWith(lanA.homes.good), `the VM runs on lan-a (${started.dir})`);
    await waitFor('banner and prompt', async () => (await serialNow('roamer')).split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 180000, 200);
    await typeAndWait('roamer', 'echo ram-$((20+22)) > /root/mark; echo WROTE-$((2+3))', 'WROTE-5');

    const toB = await migrate('roamer', 'lan-b');
    assert.equal(toB.after.hostId, ids.b);
    assert.ok(toB.after.dir.startsWith(lanB.homes.good), `VM folder ${toB.after.dir} is in lan-b's HANGAR_HOME`);
    assert.ok(!fs.existsSync(`${toB.before.dir}/qemu.pid`) || !alive(toB.before.pid!), 'nothing runs on lan-a any more');
    await typeAndWait('roamer', 'cat /root/mark', 'ram-42');

    const toLocal = await migrate('roamer', ids.local);
    assert.equal(toLocal.after.hostId, ids.local);
    assert.ok(toLocal.after.dir.startsWith(home), `VM folder ${toLocal.after.dir} is in this computer's HANGAR_HOME`);
    await typeAndWait('roamer', 'cat /root/mark; echo still-$((3*3))', 'still-9');
    assert.ok(received.includes('ram-42'), 'the line written on lan-a survived both moves');
    assert.equal((await engine.call('vm.get', { vm: 'roamer' })).state, 'running', 'the moves were no crash');

    // no relay socket is left behind in the LAN sources' runtime folders
    for (const sshd of [lanA, lanB]) {
      const remoteHome = path.join(sshd.homes.good, '.local/share/hangar');
      const sock = path.join(runtimeRoot(remoteHome, 0), toB.after.id, 'migrate-out.sock');
      assert.ok(!fs.existsSync(sock), `the relay socket ${sock} was removed`);
    }
    await engine.call('vm.kill', { vm: 'roamer' });
  });

  test('a VM whose disk is in its own folder here moves live to lan-a WITH its storage (blockdev-mirror over NBD); the source disk stays intact', async () => {
    const g = guestFiles();
    await engine.call('vm.create', { name: 'disky', hostId: ids.local, memoryMiB: 96, display: 'none', nics: [], diskSizeBytes: 32 * 1024 * 1024, kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    const started = await engine.call('vm.start', { vm: 'disky' });
    const srcDisk = started.spec.disks[0]!.path;
    assert.ok(srcDisk.startsWith(started.dir), 'the disk lives in the VM folder on this computer');
    await waitFor('banner and prompt', async () => (await serialNow('disky')).split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 180000, 200);
    await typeAndWait('disky', 'echo disk-mark-$((6*7)) | dd of=/dev/vda bs=1M seek=4 conv=notrunc,fsync 2>/dev/null; echo ram-$((7*7)) > /root/mark; echo DW-$((1+1))', 'DW-2');

    const refused = await waitTask((await engine.call('host.migrateVm', { vm: 'disky', toHost: 'lan-a' })).id);
    assert.equal(refused.state, 'failed', 'without copyStorage a local disk is refused');
    assert.match(refused.error?.message ?? '', /writable disk .*copyStorage/);

    const before = await engine.call('vm.get', { vm: 'disky' });
    const t0 = Date.now();
    const task = await waitTask((await engine.call('host.migrateVm', { vm: 'disky', toHost: 'lan-a', copyStorage: true })).id);
    assert.equal(task.state, 'succeeded', `storage migration: ${task.error?.message ?? ''}`);
    console.log(`# disky: local → lan-a with storage in ${Date.now() - t0} ms, ${task.result?.bytes} bytes of RAM, source disk file ${task.result?.diskBytes} bytes`);
    const moved = await engine.call('vm.get', { vm: 'disky' });
    assert.equal(moved.hostId, ids.a);
    assert.equal(moved.state, 'running');
    const dstDisk = moved.spec.disks[0]!.path;
    assert.ok(dstDisk.startsWith(lanA.homes.good) && dstDisk.startsWith(moved.dir), `the disk now lives in the VM folder on lan-a (${dstDisk})`);
    await waitFor('the source QEMU is gone', () => !alive(before.pid!), 20000, 100);
    assert.ok(fs.existsSync(srcDisk), 'the source disk is kept (deleteSource was not asked)');

    // the guest reads the disk again past its page cache, writes after the move, and its RAM came along
    await typeAndWait('disky', 'echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=1M skip=4 count=1 2>/dev/null | head -c 16; echo; cat /root/mark; echo after-move-$((5*5)) | dd of=/dev/vda bs=1M seek=6 conv=notrunc,fsync 2>/dev/null; echo AW-$((2+2))', 'AW-4');
    assert.ok(received.includes('disk-mark-42'), 'the disk marker is read back in the guest');
    assert.ok(received.includes('ram-49'), 'the RAM marker is read back in the guest');
    await engine.call('vm.kill', { vm: 'disky' });

    const raw = (file: string) => {
      const out = path.join(home, `check-${path.basename(path.dirname(file))}-${Date.now()}.raw`);
      execFileSync('qemu-img', ['convert', '-U', '-O', 'raw', file, out]);
      const data = fs.readFileSync(out);
      fs.rmSync(out);
      return data;
    };
    const dst = raw(dstDisk);
    assert.ok(dst.includes('disk-mark-42'), 'the destination disk holds what was written before the move');
    assert.ok(dst.includes('after-move-25'), 'the destination disk holds what was written after the move');
    const src = raw(srcDisk);
    assert.ok(src.includes('disk-mark-42') && !src.includes('after-move-25'), 'the source disk is intact and no longer written');
  });
});
