import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { tempHome, waitFor, killAllAndClose } from '../helpers/env';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { netnsUnsupportedReason, addLanHost, startSshdNetns, type SshdNetns } from '../helpers/sshd-netns';

// Live migration of a running guest from this computer to a real LAN host (sshd in a network
// namespace, real QEMU on both ends under TCG). The guest's root is RAM, so a file written
// before the move and read after it proves the memory travelled.

const skipReason = netnsUnsupportedReason();
if (skipReason) console.log(`# SKIP live migration tests: ${skipReason}`);

const { home, cleanup } = tempHome();
let engine: Engine;
let sshd: SshdNetns;
const ctx = { clientId: 'migrate-test', origin: 'internal' as const };

async function waitTask(id: string): Promise<TaskInfo> {
  return waitFor(`task ${id}`, async () => (await engine.call('task.list', {})).find((t) => t.id === id && t.state !== 'running'), 120000, 50);
}

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

describe('live migration to a LAN host (sshd in a network namespace)', { skip: skipReason ?? false }, () => {
  let hostId = '';
  let localId = '';
  let received = '';
  let unsubscribe = () => undefined as void;

  before(async () => {
    sshd = await startSshdNetns();
    engine = await Engine.open({ home, watch: true });
    unsubscribe = engine.events.subscribe((m, to) => {
      if (m.topic === 'channel.data' && to === ctx.clientId) received += Buffer.from(m.data.data, 'base64').toString('utf8');
    });
    hostId = (await addLanHost(engine, 'lan-box', sshd)).host.id;
    localId = (await engine.call('host.list', {})).find((h) => h.kind === 'local')!.id;
  });

  after(async () => {
    unsubscribe();
    try {
      if (engine) {
        await killAllAndClose(engine);
      }
    } finally {
      sshd?.stop();
      cleanup();
    }
  });

  const serialNow = async (vm: string) => (await engine.call('vm.serialTail', { vm, maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop() ?? '';
  const g = () => guestFiles();

  test('a VM with a writable disk only this computer has is refused, pointing to the offline move', async () => {
    const vm = await engine.call('vm.create', { name: 'disk-guest', hostId: localId, memoryMiB: 96, display: 'none', nics: [], diskSizeBytes: 16 * 1024 * 1024, kernel: { path: g().kernel, initrd: g().initrd, append: GUEST_APPEND } });
    const started = await engine.call('vm.start', { vm: 'disk-guest' });
    const task = await waitTask((await engine.call('host.migrateVm', { vm: 'disk-guest', toHost: 'lan-box' })).id);
    assert.equal(task.state, 'failed');
    assert.equal(task.error?.code, 'UNSUPPORTED');
    assert.match(task.error?.message ?? '', /writable disk .* offline move/);
    const now = await engine.call('vm.get', { vm: 'disk-guest' });
    assert.equal(now.hostId, localId, 'still on this computer');
    assert.equal(now.state, 'running');
    assert.equal(now.pid, started.pid);
    assert.equal(now.dir, vm.dir);
    assert.ok(alive(started.pid!), 'the source QEMU keeps running');
    assert.ok(!fs.existsSync(path.join(sshd.homes.good, '.local/share/hangar/vms', vm.id)), 'nothing made on the LAN host');
    await engine.call('vm.kill', { vm: 'disk-guest' });
  });

  test('a running guest moves to the LAN host with its RAM: a file written before is read after', async () => {
    await engine.call('vm.create', { name: 'live-guest', hostId: localId, memoryMiB: 96, display: 'none', nics: [], kernel: { path: g().kernel, initrd: g().initrd, append: GUEST_APPEND } });
    const started = await engine.call('vm.start', { vm: 'live-guest' });
    await waitFor('banner and prompt', async () => (await serialNow('live-guest')).split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 120000, 200);
    const before = await engine.call('channel.open', { kind: 'serial', vm: 'live-guest' }, ctx);
    received = '';
    await engine.call('channel.write', { channelId: before.channelId, data: Buffer.from('echo before-$((1+1)) > /root/mark; echo WROTE-$((2+3))\n').toString('base64') }, ctx);
    await waitFor('the guest wrote the file', () => received.includes('WROTE-5'), 30000, 50);
    await engine.call('channel.close', { channelId: before.channelId }, ctx);

    const task = await waitTask((await engine.call('host.migrateVm', { vm: 'live-guest', toHost: 'lan-box' })).id);
    assert.equal(task.state, 'succeeded', `migration: ${task.error?.message ?? ''}`);
    assert.ok(Number(task.result?.bytes) > 0, 'RAM was sent');

    const moved = await engine.call('vm.get', { vm: 'live-guest' });
    assert.equal(moved.hostId, hostId);
    assert.equal(moved.state, 'running');
    assert.ok(moved.dir.startsWith(sshd.homes.good), `VM folder ${moved.dir} is in the remote HANGAR_HOME`);
    assert.ok(moved.pid && moved.pid !== started.pid);
    assert.ok(fs.readFileSync(`/proc/${moved.pid}/cmdline`, 'utf8').includes('-incoming'), 'the QEMU on the LAN host received the VM');
    await waitFor('the source QEMU is gone', () => !alive(started.pid!), 20000, 100);

    const afterCh = await engine.call('channel.open', { kind: 'serial', vm: 'live-guest' }, ctx);
    received = '';
    await engine.call('channel.write', { channelId: afterCh.channelId, data: Buffer.from('cat /root/mark\n').toString('base64') }, ctx);
    await waitFor('the file written before the move', () => received.includes('before-2'), 30000, 50);
    await engine.call('channel.close', { channelId: afterCh.channelId }, ctx);
    assert.equal((await engine.call('vm.get', { vm: 'live-guest' })).state, 'running', 'the move was no crash');

    await engine.call('vm.kill', { vm: 'live-guest' });
    assert.ok(!alive(moved.pid), 'killed on the LAN host');
  });

  test('a UEFI VM moves live too: its firmware variable store is carried to the LAN host first', async () => {
    // no need to wait for the guest: the running state of the firmware moves like any other
    await engine.call('vm.create', { name: 'uefi-guest', hostId: localId, memoryMiB: 128, firmware: 'uefi', display: 'none', nics: [], kernel: { path: g().kernel, initrd: g().initrd, append: GUEST_APPEND } });
    const started = await engine.call('vm.start', { vm: 'uefi-guest' });
    const vars = fs.readFileSync(path.join(started.dir, 'OVMF_VARS.fd'));
    const task = await waitTask((await engine.call('host.migrateVm', { vm: 'uefi-guest', toHost: 'lan-box' })).id);
    assert.equal(task.state, 'succeeded', `migration: ${task.error?.message ?? ''}`);
    const moved = await engine.call('vm.get', { vm: 'uefi-guest' });
    assert.equal(moved.hostId, hostId);
    assert.equal(moved.state, 'running');
    const there = path.join(moved.dir, 'OVMF_VARS.fd');
    assert.ok(moved.dir.startsWith(sshd.homes.good) && fs.existsSync(there), `the variable store is in the VM folder on the LAN host (${there})`);
    assert.equal(fs.statSync(there).size, vars.length, 'same size as the source flash');
    await waitFor('the source QEMU is gone', () => !alive(started.pid!), 20000, 100);
    await sleep(1500);
    assert.ok(alive(moved.pid!), 'the QEMU on the LAN host runs on with the firmware');
    await engine.call('vm.kill', { vm: 'uefi-guest' });
  });
});
