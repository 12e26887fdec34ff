import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EventMessage, TaskInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { tempHome, waitFor, killAllAndClose } from '../helpers/env';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { KEY_PASSPHRASE, netnsUnsupportedReason, startSshdNetns, type SshdNetns } from '../helpers/sshd-netns';

// A real OpenSSH server in a network namespace as the LAN host, real QEMU there (TCG), real
// SFTP, real link drops. See test/helpers/sshd-netns.ts for why the remote user is root with
// its own $HOME per key.

const skipReason = netnsUnsupportedReason();
if (skipReason) console.log(`# SKIP hosts integration tests: ${skipReason}`);

const { home, cleanup } = tempHome();
let engine: Engine;
let sshd: SshdNetns;
const events: EventMessage[] = [];
const ctx = { clientId: 'hosts-test', origin: 'internal' as const };

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: { code?: string; message?: string }) => {
    assert.equal(e.code, code, `code (message: ${e.message})`);
    assert.match(e.message ?? '', message);
    return true;
  });
}

const target = (extra: Record<string, unknown> = {}) => ({ name: 'lan-box', address: sshd.address, port: sshd.port, user: 'root', keyPath: sshd.keys.good, ...extra });

async function waitTask(id: string): Promise<TaskInfo> {
  return waitFor(`task ${id}`, async () => (await engine.call('task.list', {})).find((t) => t.id === id && t.state !== 'running'), 60000, 50);
}

const openEngine = async () => {
  engine = await Engine.open({ home, watch: true, ssh: { keepaliveIntervalMs: 500, keepaliveCountMax: 2, reconnectDelaysMs: [300, 600, 1000] } });
  engine.events.subscribe((m) => events.push(m));
};

async function hostState(name: string) {
  return (await engine.call('host.list', {})).find((h) => h.name === name);
}

describe('LAN hosts over SSH (sshd in a network namespace)', { skip: skipReason ?? false }, () => {
  let hostId = '';

  before(async () => {
    sshd = await startSshdNetns();
    await openEngine();
  });

  after(async () => {
    try {
      if (engine) {
        await killAllAndClose(engine);
      }
    } finally {
      sshd?.stop(); // also kills every process left in the namespace (a QEMU a failed test left running)
      cleanup();
    }
  });

  test('a host name with shell metacharacters is refused by the schema', async () => {
    await rejects(engine.call('host.add', { ...target(), address: 'box;reboot' }), 'INVALID_INPUT', /host name .* or an IP address/);
    await rejects(engine.call('host.add', { ...target(), address: '$(id)' }), 'INVALID_INPUT', /no spaces or shell characters/);
  });

  test('first contact shows the SHA256 fingerprint; accepting it pins it in the database', async () => {
    const first = await engine.call('host.add', target());
    assert.equal(first.needsConfirmation, true);
    assert.ok(first.needsConfirmation);
    assert.equal(first.fingerprint, sshd.hostKeyFingerprint);
    assert.equal(first.keyType, 'ssh-ed25519');
    assert.equal((await engine.call('host.list', {})).length, 1, 'nothing is stored before the key is accepted');

    const added = await engine.call('host.add', { ...target(), acceptFingerprint: first.fingerprint });
    assert.ok(!added.needsConfirmation);
    hostId = added.host.id;
    assert.equal(added.host.state, 'online');
    assert.equal(added.host.fingerprint, sshd.hostKeyFingerprint);
    assert.ok(added.capabilities.qemu, 'QEMU found on the remote host');
    assert.ok(added.capabilities.diskTotalBytes > 0 && added.capabilities.diskFreeBytes > 0 && added.capabilities.diskFreeBytes <= added.capabilities.diskTotalBytes, 'disk space read over SFTP statvfs');
    assert.ok(added.capabilities.cpus >= 1 && added.capabilities.memoryBytes > 64 * 1024 * 1024);
    // The remote HANGAR_HOME is resolved over SSH from that user's $HOME, not ours.
    assert.equal(added.capabilities.hangarHome, path.join(sshd.homes.good, '.local/share/hangar'));
    const row = engine.db.prepare('SELECT host_key_fingerprint FROM hosts WHERE id = ?').get(hostId) as { host_key_fingerprint: string };
    assert.equal(row.host_key_fingerprint, sshd.hostKeyFingerprint);
    assert.ok(events.some((m) => m.topic === 'host.state' && m.data.id === hostId && m.data.state === 'online'));
  });

  test('many short remote commands in parallel all report their exit status and output', async () => {
    // Regression: sshd can deliver output, exit status and close in one packet burst; the status
    // must be caught even then (a lost one looked like a dropped connection).
    const remote = engine.hosts.get(hostId);
    const results = await Promise.all(Array.from({ length: 48 }, (_, i) => remote.exec('/bin/sh', ['-c', 'printf "%s" "$1"; exit $(($1 % 3))', 'sh', String(i)])));
    results.forEach((r, i) => {
      assert.equal(r.stdout, String(i));
      assert.equal(r.code, i % 3);
    });
    assert.equal(await remote.which('qemu-img'), '/usr/bin/qemu-img');
    assert.equal(await remote.which('no-such-program-here'), null);
    const timedOut = await remote.exec('sleep', ['30'], { timeoutMs: 300 });
    assert.equal(timedOut.signal, 'SIGKILL');
  });

  test('a wrong user or a key the host does not know gives a clear error', async () => {
    const fp = sshd.hostKeyFingerprint;
    await rejects(engine.call('host.add', target({ name: 'wrong-user', user: 'nosuchuser', acceptFingerprint: fp })), 'UNAUTHORIZED', /refused the login: check the user name "nosuchuser".*authorized_keys/);
    await rejects(engine.call('host.add', target({ name: 'wrong-key', keyPath: sshd.keys.stranger, acceptFingerprint: fp })), 'UNAUTHORIZED', /refused the login.*public half of the key file/);
    await rejects(engine.call('host.add', target({ name: 'no-key', keyPath: '/nonexistent/id_x', acceptFingerprint: fp })), 'INVALID_INPUT', /key file \/nonexistent\/id_x cannot be read/);
    assert.equal((await engine.call('host.list', {})).length, 2, 'failed adds leave nothing behind');
  });

  test('an encrypted key asks for its passphrase, which is used but never stored', async () => {
    const t = target({ name: 'locked', keyPath: sshd.keys.encrypted, acceptFingerprint: sshd.hostKeyFingerprint });
    await assert.rejects(engine.call('host.add', t), (e: { code?: string; message?: string; details?: Record<string, unknown> }) => {
      assert.equal(e.code, 'UNAUTHORIZED');
      assert.match(e.message ?? '', /is protected by a passphrase: enter its passphrase/);
      assert.equal(e.details?.needsPassphrase, true);
      return true;
    });
    await rejects(engine.call('host.add', { ...t, passphrase: 'wrong' }), 'UNAUTHORIZED', /the one given is wrong/);
    const added = await engine.call('host.add', { ...t, passphrase: KEY_PASSPHRASE });
    assert.ok(!added.needsConfirmation);
    assert.equal(added.host.state, 'online');
    const stored = JSON.stringify(engine.db.prepare('SELECT * FROM hosts').all());
    assert.ok(!stored.includes(KEY_PASSPHRASE), 'the passphrase is not in the database');
    // kept: after the engine restarts (below) it must ask for the passphrase again
  });

  test('a host without QEMU says what to install', async () => {
    const added = await engine.call('host.add', target({ name: 'bare-box', keyPath: sshd.keys.noQemu, acceptFingerprint: sshd.hostKeyFingerprint }));
    assert.ok(!added.needsConfirmation);
    assert.equal(added.capabilities.qemu, null);
    assert.match(added.capabilities.installHint ?? '', /qemu-system-x86.*apt-get install qemu-system-x86 qemu-utils/);
    const g = guestFiles();
    await rejects(
      engine.call('vm.create', { name: 'nowhere', hostId: added.host.id, memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } }),
      'MISSING_DEPENDENCY',
      /QEMU \(qemu-system-x86_64\) is not installed on .*apt-get install qemu-system-x86/,
    );
    await engine.call('host.remove', { host: 'bare-box' });
  });

  test('a guest runs detached on the remote host, survives a network drop, and is re-attached', async () => {
    const g = guestFiles();
    const vm = await engine.call('vm.create', { name: 'remote-guest', hostId, memoryMiB: 128, display: 'vnc', nics: [], diskSizeBytes: 32 * 1024 * 1024, kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    assert.ok(vm.dir.startsWith(sshd.homes.good), `VM folder ${vm.dir} is in the remote HANGAR_HOME`);
    const started = await engine.call('vm.start', { vm: 'remote-guest' });
    assert.equal(started.state, 'running');
    assert.ok(fs.readFileSync(`/proc/${started.pid}/cmdline`, 'utf8').includes(vm.id), 'QEMU runs with this VM id');

    let received = '';
    const unsubscribe = engine.events.subscribe((m, to) => {
      if (m.topic === 'channel.data' && to === ctx.clientId) received += Buffer.from(m.data.data, 'base64').toString('utf8');
    });
    try {
      // The serial console travels over an SSH stream to the remote UNIX socket.
      const serialNow = async () => (await engine.call('vm.serialTail', { vm: 'remote-guest', maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop() ?? '';
      await waitFor('ready banner through SFTP', async () => (await serialNow()).split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 120000, 200);
      const opened = await engine.call('channel.open', { kind: 'serial', vm: 'remote-guest' }, ctx);
      assert.match(Buffer.from(opened.scrollback, 'base64').toString('utf8'), new RegExp(READY_BANNER));

      // Drop the network (not a clean close): the keepalive notices, the host goes offline.
      sshd.linkDown();
      await waitFor('host offline', async () => (await hostState('lan-box'))?.state === 'offline', 20000, 100);
      assert.ok(events.some((m) => m.topic === 'host.state' && m.data.id === hostId && m.data.state === 'offline'));
      assert.equal((await engine.call('vm.list', {})).find((v) => v.name === 'remote-guest')?.state, 'running', 'an unreachable host does not make its guests look dead');

      sshd.linkUp();
      await waitFor('host back online', async () => (await hostState('lan-box'))?.state === 'online', 30000, 100);
      const back = await waitFor('guest re-attached', async () => {
        const v = await engine.call('vm.get', { vm: 'remote-guest' });
        return v.state === 'running' && v.pid === started.pid ? v : null;
      }, 20000, 200);
      assert.equal(back.pid, started.pid, 'the same QEMU kept running through the drop');

      const again = await engine.call('channel.open', { kind: 'serial', vm: 'remote-guest' }, ctx);
      received = '';
      await engine.call('channel.write', { channelId: again.channelId, data: Buffer.from('echo REMOTE-$((6*7))\n').toString('base64') }, ctx);
      await waitFor('guest answers through the new SSH stream', () => received.includes('REMOTE-42'), 30000, 50);
      await engine.call('channel.close', { channelId: again.channelId }, ctx).catch(() => undefined);
      await engine.call('channel.close', { channelId: opened.channelId }, ctx).catch(() => undefined);
    } finally {
      unsubscribe();
    }

    // The app closes and opens again: the host is loaded from the database, reconnected, and
    // the guest (which never stopped) is re-attached.
    await engine.close();
    await openEngine();
    const reopened = await engine.call('vm.get', { vm: 'remote-guest' });
    assert.equal(reopened.state, 'running');
    assert.equal(reopened.pid, started.pid);
    assert.equal((await hostState('lan-box'))?.state, 'online');

    // The encrypted key's passphrase was never stored: the new engine asks for it again.
    const locked = await waitFor('locked host needs its passphrase', async () => {
      const h = await hostState('locked');
      return h?.needsPassphrase ? h : null;
    }, 10000, 50);
    assert.equal(locked.state, 'offline');
    assert.match(locked.stateReason ?? '', /passphrase/);
    assert.equal((await engine.call('host.connect', { host: 'locked', passphrase: KEY_PASSPHRASE })).state, 'online');
    await engine.call('host.remove', { host: 'locked' });

    // Other domains reach the remote guest through the same Host: stats (QMP + /proc over SFTP),
    // the VNC display (a stream to its UNIX socket), a live snapshot (QMP, qcow2 on the host).
    const sample = await engine.call('metrics.current', { vm: 'remote-guest' });
    assert.ok((sample.memRssBytes ?? 0) > 32 * 1024 * 1024, 'QEMU RSS read from the remote /proc');
    const hostSample = await engine.call('metrics.hostCurrent', { hostId });
    assert.ok((hostSample.memTotalBytes ?? 0) > 0);
    const thumb = await engine.call('vm.thumbnail', { vm: 'remote-guest' });
    assert.match(thumb.dataUrl, /^data:image\/png;base64,/);
    const snapTask = await engine.call('snapshot.create', { vm: 'remote-guest', name: 'on-the-lan' });
    const snapDone = await waitTask(snapTask.id);
    assert.equal(snapDone.state, 'succeeded', `snapshot on the LAN host: ${JSON.stringify(snapDone.error ?? null)}`);
    assert.deepEqual((await engine.call('snapshot.list', { vm: 'remote-guest' })).snapshots.map((x) => x.name), ['on-the-lan']);

    const stopped = await engine.call('vm.stop', { vm: 'remote-guest', timeoutSec: 90, wait: true });
    assert.equal(stopped.state, 'stopped');
    // the test guest runs qemu-ga, and the agent channel is on by default: the agent shut it down
    assert.equal(stopped.stateReason, 'The guest powered off (shut down through the guest agent).');
    assert.equal(fs.existsSync(`/proc/${started.pid}`), false, 'QEMU is gone on the remote host');
  });

  test('a shell on the LAN host opens as a channel (PTY over SSH), with resize', async () => {
    let received = '';
    let closedReason = '';
    const unsubscribe = engine.events.subscribe((m, to) => {
      if (to !== ctx.clientId) return;
      if (m.topic === 'channel.data') received += Buffer.from(m.data.data, 'base64').toString('utf8');
      if (m.topic === 'channel.closed') closedReason = m.data.reason;
    });
    try {
      const shell = await engine.call('channel.open', { kind: 'shell', hostId, cols: 100, rows: 30 }, ctx);
      await engine.call('channel.resize', { channelId: shell.channelId, cols: 120, rows: 40 }, ctx);
      await engine.call('channel.write', { channelId: shell.channelId, data: Buffer.from('echo "$HOME" SIZE-$(stty size | tr " " x); exit\n').toString('base64') }, ctx);
      await waitFor('shell output', () => received.includes(`${sshd.homes.good} SIZE-40x120`), 15000, 50).catch((e: Error) => {
        throw new Error(`${e.message}; received ${JSON.stringify(received)}`);
      });
      await waitFor('shell closed', () => closedReason, 10000, 50);
      assert.match(closedReason, /exited \(status 0\)/);
    } finally {
      unsubscribe();
    }
  });

  test('a file is copied to the remote host as a task and verified with sha256sum there', async () => {
    const src = path.join(home, 'image.raw');
    const data = randomBytes(3 * 1024 * 1024 + 123);
    fs.writeFileSync(src, data);
    const dest = path.join(sshd.homes.good, '.local/share/hangar/images/image.raw');
    const task = await engine.call('host.copyFile', { from: { hostId: 'local', path: src }, to: { hostId, path: dest } });
    const done = await waitTask(task.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const sha = createHash('sha256').update(data).digest('hex');
    assert.equal(done.result?.sha256, sha);
    assert.equal(done.result?.bytes, data.length);
    assert.equal(createHash('sha256').update(fs.readFileSync(dest)).digest('hex'), sha);
    assert.equal(fs.existsSync(`${dest}.part`), false);

    const again = await waitTask((await engine.call('host.copyFile', { from: { hostId: 'local', path: src }, to: { hostId, path: dest } })).id);
    assert.equal(again.state, 'failed');
    assert.match(again.error?.message ?? '', /already exists/);

    // The pipelined SFTP streams: reading from an offset, appending.
    const remote = engine.hosts.get(hostId);
    const chunks: Buffer[] = [];
    for await (const c of await remote.fs.createReadStream(dest, { start: 1000001 })) chunks.push(c as Buffer);
    assert.ok(Buffer.concat(chunks).equals(data.subarray(1000001)));
    const appendFile = path.join(sshd.homes.good, 'append.txt');
    fs.writeFileSync(appendFile, 'one\n');
    const w = await remote.fs.createWriteStream(appendFile, { flags: 'a' });
    await new Promise<void>((resolve, reject) => w.end('two\n', () => resolve()).once('error', reject));
    assert.equal(fs.readFileSync(appendFile, 'utf8'), 'one\ntwo\n');
    assert.equal((await remote.fs.readTail(dest, 10)).toString('hex'), data.subarray(-10).toString('hex'));

    // A cancelled copy leaves nothing behind at the target.
    const big = path.join(home, 'big.raw');
    fs.writeFileSync(big, randomBytes(96 * 1024 * 1024));
    const bigDest = path.join(sshd.homes.good, 'big.raw');
    const running = await engine.call('host.copyFile', { from: { hostId: 'local', path: big }, to: { hostId, path: bigDest } });
    await waitFor('copy under way', () => (engine.tasks.get(running.id)?.progress ?? 0) > 0, 20000, 5);
    await engine.call('task.cancel', { id: running.id });
    const cancelled = await waitTask(running.id);
    assert.equal(cancelled.state, 'cancelled', JSON.stringify(cancelled));
    assert.equal(fs.existsSync(bigDest), false);
    assert.equal(fs.existsSync(`${bigDest}.part`), false, 'the partial file was removed');

    const back = path.join(home, 'back.raw');
    const pulled = await waitTask((await engine.call('host.copyFile', { from: { hostId, path: dest }, to: { hostId: 'local', path: back } })).id);
    assert.equal(pulled.state, 'succeeded', JSON.stringify(pulled.error));
    assert.ok(fs.readFileSync(back).equals(data));
  });

  test('removing a host is refused while it has VMs', async () => {
    await rejects(engine.call('host.remove', { host: 'lan-box' }), 'CONFLICT', /still has 1 VM.*move or delete it first/);
  });

  test('a stopped VM moves between hosts: files copied and verified, then switched; it boots on the new host', async () => {
    const before = await engine.call('vm.get', { vm: 'remote-guest' });
    assert.equal(before.hostId, hostId);
    const same = await waitTask((await engine.call('host.moveVm', { vm: 'remote-guest', toHostId: hostId })).id);
    assert.equal(same.state, 'failed');
    assert.match(same.error?.message ?? '', /already on that host/);

    const moved = await waitTask((await engine.call('host.moveVm', { vm: 'remote-guest', toHostId: 'local', deleteSource: true })).id);
    assert.equal(moved.state, 'succeeded', JSON.stringify(moved.error));
    const after = await engine.call('vm.get', { vm: 'remote-guest' });
    assert.equal(after.hostId, 'local');
    assert.ok(after.dir.startsWith(home), `${after.dir} is in the local HANGAR_HOME`);
    assert.equal(fs.existsSync(before.dir), false, 'the source folder was removed (deleteSource)');
    assert.ok(fs.existsSync(path.join(after.dir, 'vm.json')) && fs.existsSync(path.join(after.dir, 'serial.log')));
    assert.equal(fs.readdirSync(after.dir).some((f) => f.endsWith('.part')), false);

    const started = await engine.call('vm.start', { vm: 'remote-guest' });
    assert.equal(started.state, 'running');
    await waitFor('banner on the new host', async () => (await engine.call('vm.serialTail', { vm: 'remote-guest', maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop()?.includes(READY_BANNER), 120000, 200);
    await engine.call('vm.kill', { vm: 'remote-guest' });
  });

  test('a host whose key changed is refused, with the reason and what to do', async () => {
    const pinned = (await hostState('lan-box'))!.fingerprint!;
    await sshd.changeHostKey(); // also ends the live sessions: the engine must reconnect and meet the new key
    assert.notEqual(sshd.hostKeyFingerprint, pinned);
    const offline = await waitFor('host refused after the key change', async () => {
      const h = await hostState('lan-box');
      return h?.state === 'offline' && /changed/.test(h.stateReason ?? '') ? h : null;
    }, 20000, 100);
    assert.match(offline.stateReason ?? '', /possible man-in-the-middle/);
    await rejects(
      engine.call('host.connect', { host: 'lan-box' }),
      'UNAUTHORIZED',
      /The host key of lan-box \(10\.213\.\d+\.2\) changed: it was SHA256:.* and is now SHA256:.*man-in-the-middle.*If the host was reinstalled.*remove it from Hangar and add it again/,
    );
    await rejects(engine.call('host.add', target({ name: 'again', keyPath: sshd.keys.noQemu, acceptFingerprint: pinned })), 'UNAUTHORIZED', /changed in between \(possible man-in-the-middle\)/);
  });
});
