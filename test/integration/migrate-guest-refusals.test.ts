import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TaskInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { probeVirtiofs } from '../../src-main/guest/virtiofs';
import { LocalHost } from '../../src-main/hosts/local-host';
import { tempHome, waitFor, killAllAndClose } from '../helpers/env';
import { GUEST_APPEND, guestFiles, genericGuestFiles } from '../helpers/guest';
import { netnsUnsupportedReason, addLanHost, startSshdNetns, type SshdNetns } from '../helpers/sshd-netns';

// Live moves QEMU cannot do because of a guest-integration device are refused with a sentence,
// before any RAM is sent, and the VM runs on where it was: the qemu-vdagent clipboard chardev
// (QEMU 7.2 cannot migrate it) and a virtiofs share (vhost-user-fs cannot migrate). The target is
// a real LAN host: sshd in a network namespace, as in hosts-migrate.test.ts.

const skipReason = netnsUnsupportedReason();
if (skipReason) console.log(`# SKIP live-move refusals: ${skipReason}`);

const { home, cleanup } = tempHome('hangar-migrate-refusals-');
let engine: Engine;
let sshd: SshdNetns;
let localId = '';

async function waitTask(id: string): Promise<TaskInfo> {
  return waitFor(`task ${id}`, async () => (await engine.call('task.list', {})).find((t) => t.id === id && t.state !== 'running'), 120000, 50);
}

describe('live moves refused for guest-integration devices', { skip: skipReason ?? false }, () => {
  before(async () => {
    sshd = await startSshdNetns();
    engine = await Engine.open({ home, watch: true });
    await addLanHost(engine, 'lan-box', sshd);
    localId = (await engine.call('host.list', {})).find((h) => h.kind === 'local')!.id;
  });

  after(async () => {
    try {
      if (engine) {
        await killAllAndClose(engine);
      }
    } finally {
      sshd?.stop();
      cleanup();
    }
  });

  test('a running VM with the clipboard on (qemu-vdagent) is refused with its sentence and runs on here', async () => {
    const g = guestFiles();
    await engine.call('vm.create', { name: 'clip-guest', hostId: localId, memoryMiB: 96, display: 'vnc', clipboard: true, nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    await engine.call('vm.start', { vm: 'clip-guest' });
    const task = await waitTask((await engine.call('host.migrateVm', { vm: 'clip-guest', toHost: 'lan-box' })).id);
    assert.equal(task.state, 'failed');
    assert.equal(task.error?.code, 'UNSUPPORTED');
    assert.match(task.error?.message ?? '', /"clip-guest" shares the clipboard \(qemu-vdagent\), which QEMU cannot save or migrate: a live move is not possible while it runs/);
    const now = await engine.call('vm.get', { vm: 'clip-guest' });
    assert.deepEqual([now.hostId, now.state], [localId, 'running']);
    await engine.call('vm.kill', { vm: 'clip-guest' });
  });

  test('a running VM with a virtiofs share is refused with its sentence (where virtiofsd can run here)', async (t) => {
    const probe = await probeVirtiofs(new LocalHost(home));
    if (!probe.usable) {
      t.skip(`virtiofs cannot run on this host: ${probe.reason}`);
      return;
    }
    const g9 = genericGuestFiles();
    const dir = fs.mkdtempSync(path.join(home, 'share-'));
    await engine.call('vm.create', { name: 'vfs-guest', hostId: localId, memoryMiB: 128, display: 'none', nics: [], kernel: { path: g9.kernel, initrd: g9.initrd, append: GUEST_APPEND } });
    const shares = await engine.call('guest.share', { vm: 'vfs-guest', path: dir, tag: 'hostdir' });
    assert.equal(shares.shares[0]?.transport, 'virtiofs');
    await engine.call('vm.start', { vm: 'vfs-guest' });
    const task = await waitTask((await engine.call('host.migrateVm', { vm: 'vfs-guest', toHost: 'lan-box' })).id);
    assert.equal(task.state, 'failed');
    assert.equal(task.error?.code, 'UNSUPPORTED');
    assert.match(task.error?.message ?? '', /"vfs-guest" shares a folder over virtiofs \(vhost-user-fs\), which QEMU cannot save or migrate: a live move is not possible/);
    const now = await engine.call('vm.get', { vm: 'vfs-guest' });
    assert.deepEqual([now.hostId, now.state], [localId, 'running']);
    await engine.call('vm.kill', { vm: 'vfs-guest' });
  });
});
