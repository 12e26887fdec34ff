import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TaskInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { tempHome, waitFor, killAllAndClose } from '../helpers/env';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { netnsUnsupportedReason, addLanHost, startSshdNetns, type SshdNetns } from '../helpers/sshd-netns';

// What a LAN-host trial hit (issue 17, part 6), against a real sshd in a network namespace whose
// root obeys file permissions (CAP_DAC_OVERRIDE dropped), so "permission denied" is real there:
// the round trip this computer → LAN host → this computer with default options, and the
// unwritable / unreadable far paths, each answered with a sentence naming host, path and reason.

const skipReason = netnsUnsupportedReason();
if (skipReason) console.log(`# SKIP hosts-faults integration tests: ${skipReason}`);

const { home, cleanup } = tempHome();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-faults-'));
let engine: Engine;
let sshd: SshdNetns;

async function waitTask(id: string, ms = 120000): Promise<TaskInfo> {
  return waitFor(`task ${id}`, async () => (await engine.call('task.list', {})).find((t) => t.id === id && t.state !== 'running'), ms, 50);
}
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const alive = (pid: number) => fs.existsSync(`/proc/${pid}`);

describe('LAN-host faults (sshd in a network namespace, remote root without DAC override)', { skip: skipReason ?? false }, () => {
  let hostId = '';
  const remoteVms = () => path.join(sshd.homes.good, '.local/share/hangar/vms');

  before(async () => {
    sshd = await startSshdNetns({ obeyFilePermissions: true });
    engine = await Engine.open({ home, watch: true, ssh: { keepaliveIntervalMs: 5000, keepaliveCountMax: 3, reconnectDelaysMs: [300, 600, 1000] } });
    hostId = (await addLanHost(engine, 'lan-box', sshd)).host.id;
  });

  after(async () => {
    try {
      if (engine) {
        await killAllAndClose(engine);
      }
    } finally {
      sshd?.stop();
      fs.chmodSync(scratch, 0o700);
      for (const d of fs.readdirSync(scratch)) fs.chmodSync(path.join(scratch, d), 0o700);
      fs.rmSync(scratch, { recursive: true, force: true });
      cleanup();
    }
  });

  test('this computer → LAN host → this computer with default options: the kept folder is Hangar’s own and is replaced', async () => {
    const g = guestFiles();
    const vm = await engine.call('vm.create', { name: 'trip', hostId: 'local', memoryMiB: 96, display: 'none', nics: [], diskSizeBytes: 16 * 1024 * 1024, kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    const disk = vm.spec.disks[0]!.path;
    fs.writeFileSync(path.join(vm.dir, 'serial.log'), 'before the trip\n');
    const diskSha = sha(disk);

    const out = await waitTask((await engine.call('host.moveVm', { vm: 'trip', toHostId: hostId })).id);
    assert.equal(out.state, 'succeeded', JSON.stringify(out.error));
    assert.equal(out.result?.sourceKept, vm.dir, 'the default keeps the source folder');
    const kept = JSON.parse(fs.readFileSync(path.join(vm.dir, 'moved-away.json'), 'utf8')) as { vmId: string; movedToHostId: string };
    assert.equal(kept.vmId, vm.id);
    assert.equal(kept.movedToHostId, hostId);

    const back = await waitTask((await engine.call('host.moveVm', { vm: 'trip', toHostId: 'local' })).id);
    assert.equal(back.state, 'succeeded', `the way back with defaults: ${back.error?.message ?? ''}`);
    const home1 = await engine.call('vm.get', { vm: 'trip' });
    assert.equal(home1.hostId, 'local');
    assert.equal(home1.dir, vm.dir, 'back in its old folder');
    assert.equal(sha(home1.spec.disks[0]!.path), diskSha, 'the disk came back byte for byte');
    assert.equal(fs.existsSync(path.join(vm.dir, 'moved-away.json')), false, 'the kept copy was replaced by the VM itself');
    assert.equal(fs.existsSync(`${vm.dir}.moved-away`), false, 'the set-aside copy was removed after the switch');
    assert.ok(fs.existsSync(path.join(remoteVms(), vm.id, 'moved-away.json')), 'the LAN host now keeps a marked copy');

    // and out again: the LAN host's kept copy is reused the same way
    const again = await waitTask((await engine.call('host.moveVm', { vm: 'trip', toHostId: hostId })).id);
    assert.equal(again.state, 'succeeded', JSON.stringify(again.error));
    assert.equal((await engine.call('vm.get', { vm: 'trip' })).hostId, hostId);

    // A kept copy someone changed since is not Hangar's to replace: refused, nothing deleted.
    fs.appendFileSync(path.join(vm.dir, 'serial.log'), 'someone booted the kept copy by hand\n');
    const refused = await waitTask((await engine.call('host.moveVm', { vm: 'trip', toHostId: 'local' })).id);
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.code, 'CONFLICT');
    assert.match(refused.error?.message ?? '', new RegExp(`${vm.dir} on This computer is the copy Hangar kept when "trip" moved away .* serial\\.log changed since then, so Hangar will not replace it`));
    assert.match(fs.readFileSync(path.join(vm.dir, 'serial.log'), 'utf8'), /by hand/, 'the changed copy is untouched');
    assert.ok(fs.existsSync(disk), 'its disk too');
    assert.equal((await engine.call('vm.get', { vm: 'trip' })).hostId, hostId, 'the VM stays where it is');

    // A folder Hangar did not leave there is refused too.
    fs.rmSync(path.join(vm.dir, 'moved-away.json'));
    const foreign = await waitTask((await engine.call('host.moveVm', { vm: 'trip', toHostId: 'local' })).id);
    assert.equal(foreign.state, 'failed');
    assert.match(foreign.error?.message ?? '', /already exists on This computer and is not a copy Hangar kept of "trip"/);
    assert.ok(fs.existsSync(disk));
  });

  test('a call made after the link dropped, before the host is marked offline, fails fast naming the host and the reason', async () => {
    const g = guestFiles();
    await engine.call('vm.create', { name: 'drop', hostId, memoryMiB: 96, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    const started = await engine.call('vm.start', { vm: 'drop' });
    assert.equal(started.state, 'running');
    await new Promise((r) => setTimeout(r, 1500));
    // the keepalive (5 s × 3 here) would take 15-20 s to notice
    sshd.linkDown();
    try {
      const t0 = Date.now();
      await assert.rejects(engine.call('vm.pause', { vm: 'drop' }), (e: { code?: string; message?: string }) => {
        assert.equal(e.code, 'HOST_UNREACHABLE', e.message);
        assert.match(e.message ?? '', /^lan-box \(10\.213\.\d+\.2\) does not answer \(no reply to an SSH ping within 2\.5 s\): the network link seems down\./);
        return true;
      });
      const took = Date.now() - t0;
      assert.ok(took < 6000, `failed after ${took} ms`);
      const h = (await engine.call('host.list', {})).find((x) => x.id === hostId)!;
      assert.equal(h.state, 'offline', 'the host is marked offline at once');
      assert.match(h.stateReason ?? '', /does not answer/);
      // offline now: the next call fails at once with the reason
      const t1 = Date.now();
      await assert.rejects(engine.call('vm.pause', { vm: 'drop' }), /lan-box \(10\.213\.\d+\.2\) does not answer/);
      assert.ok(Date.now() - t1 < 1000);
    } finally {
      sshd.linkUp();
    }
    await waitFor('host back online', async () => (await engine.call('host.list', {})).find((x) => x.id === hostId)?.state === 'online', 30000, 100);
    const back = await waitFor('guest re-attached', async () => {
      const v = await engine.call('vm.get', { vm: 'drop' });
      // the "stop" may or may not have crossed before the link fell: paused or running, same QEMU
      return (v.state === 'running' || v.state === 'paused') && v.pid === started.pid ? v : null;
    }, 30000, 200).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(await engine.call('vm.get', { vm: 'drop' }).catch((x: Error) => x.message))} (started pid ${started.pid})`);
    });
    assert.equal(back.pid, started.pid, 'the guest ran on through the drop');
    assert.ok((await engine.call('vm.serialTail', { vm: 'drop', maxBytes: 4096 })).text.length >= 0, 'calls work again once the link is back');
    await engine.call('vm.kill', { vm: 'drop' });
  });

  test('copying to a far path the SSH user may not write names the host, the path and the reason', async () => {
    const src = path.join(home, 'small.raw');
    fs.writeFileSync(src, Buffer.alloc(64 * 1024, 7));
    const locked = path.join(scratch, 'read-only-folder');
    fs.mkdirSync(locked, { mode: 0o555 });
    fs.chmodSync(locked, 0o555);
    const t = await waitTask((await engine.call('host.copyFile', { from: { hostId: 'local', path: src }, to: { hostId, path: path.join(locked, 'small.raw') } })).id);
    assert.equal(t.state, 'failed');
    assert.equal(t.error?.code, 'IO_ERROR');
    assert.match(t.error?.message ?? '', new RegExp(`^lan-box refused to write ${locked}/small\\.raw\\.part: permission denied for the SSH user root`));
    assert.doesNotMatch(t.error?.message ?? '', /Internal error/);
  });

  test('live-migrating a VM whose disk the far host cannot read names the host, the path and the reason; the VM runs on', async () => {
    const shared = path.join(scratch, 'shared');
    await engine.call('pool.add', { name: 'shared', path: shared, hostId: 'local', create: true });
    const vol = await engine.call('volume.create', { name: 'data', pool: 'shared', size: 8 * 1024 * 1024 });
    const g = guestFiles();
    await engine.call('vm.create', { name: 'stuck', hostId: 'local', memoryMiB: 96, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    await engine.call('volume.attach', { volume: 'data', vm: 'stuck' });
    const started = await engine.call('vm.start', { vm: 'stuck' });
    await waitFor('banner', async () => (await engine.call('vm.serialTail', { vm: 'stuck', maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop()?.split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 180000, 200);
    fs.chmodSync(shared, 0o000); // this computer's root still reads it; the far host's root may not

    const t = await waitTask((await engine.call('host.migrateVm', { vm: 'stuck', toHost: 'lan-box' })).id);
    assert.equal(t.state, 'failed');
    assert.equal(t.error?.code, 'IO_ERROR', t.error?.message);
    assert.equal(
      t.error?.message,
      `lan-box cannot open for writing the disk ${vol.path} (permission denied for the SSH user root), so "stuck" could not run there: give root access to it on lan-box, or stop the VM and use the offline move. The VM keeps running on its old host.`,
    );
    const now = await engine.call('vm.get', { vm: 'stuck' });
    assert.equal(now.hostId, 'local');
    assert.equal(now.state, 'running');
    assert.ok(alive(started.pid!));

    // With the disk readable there, the same VM moves live, and its console scrollback follows it.
    fs.chmodSync(shared, 0o700);
    const ok = await waitTask((await engine.call('host.migrateVm', { vm: 'stuck', toHost: 'lan-box' })).id);
    assert.equal(ok.state, 'succeeded', ok.error?.message);
    const moved = await engine.call('vm.get', { vm: 'stuck' });
    assert.equal(moved.hostId, hostId);
    const tail = (await engine.call('vm.serialTail', { vm: 'stuck', maxBytes: 1 << 20 })).text;
    assert.ok(tail.startsWith(fs.readFileSync(path.join(now.dir, 'serial.log'), 'utf8').slice(0, 200)), 'the scrollback on the LAN host begins with what the guest printed here');
    assert.match(tail, new RegExp(`${READY_BANNER}[\\s\\S]*--- Hangar: VM moved to lan-box `), 'the boot banner from before the move is still there, then the move');
    assert.equal(tail.split(BOOT_MARKER_PREFIX).length, 2, 'one boot, not two: the move is no restart');
    const ch = await engine.call('channel.open', { kind: 'serial', vm: 'stuck' }, { clientId: 'faults', origin: 'internal' as const });
    assert.match(Buffer.from(ch.scrollback, 'base64').toString('utf8'), new RegExp(READY_BANNER), 'a console opened after the move shows the earlier output');
    await engine.call('channel.close', { channelId: ch.channelId }, { clientId: 'faults', origin: 'internal' as const });
    await engine.call('vm.kill', { vm: 'stuck' });
  });
});
