import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TaskInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { cloudGuest, sshKeyPair } from '../helpers/cloud-guest';
import { killAllAndClose, tempHome, waitFor } from '../helpers/env';
import { netnsUnsupportedReason, addLanHost, startSshdNetns, type SshdNetns } from '../helpers/sshd-netns';

// Cloud-init on a LAN host: the seed is made on this computer (xorriso runs here only) and copied
// through the Host seam (SFTP) into the VM's folder on the far host; QEMU runs there, its SSH forward
// listens on the far host's loopback. A real sshd in a network namespace plays the LAN host; the
// test logs in through that forward from inside the namespace (where that loopback is) with ssh -i.

// One TCG boot of the Debian cloud guest on the far host (about 160 s to the SSH login on 2 idle cores).
const skipReason = netnsUnsupportedReason();
if (skipReason) console.log(`# SKIP cloud-init on LAN hosts: ${skipReason}`);

const { home, cleanup } = tempHome('hangar-cloudinit-lan-');
let engine: Engine;
let sshd: SshdNetns;

describe('cloud-init on a LAN host (sshd in a network namespace)', { skip: skipReason ?? false }, () => {
  before(async () => {
    sshd = await startSshdNetns();
    engine = await Engine.open({ home, watch: true });
  });

  after(async () => {
    try {
      if (engine) await killAllAndClose(engine);
    } finally {
      sshd?.stop();
      cleanup();
    }
  });

  test('the seed is copied to the far host; the VM boots there and its forward gives an SSH login with the asked host name', { timeout: 25 * 60000 }, async () => {
    const guest = cloudGuest();
    const key = sshKeyPair(fs.mkdtempSync(path.join(home, 'keys-')));
    const { host } = await addLanHost(engine, 'lan-cloud', sshd);

    // the library image on the far host (the namespace shares our filesystem, so this path is there too)
    const { task } = await engine.call('image.import', { hostId: host.id, path: guest.disk, name: 'debian-12-genericcloud-lan' });
    const done = await waitFor<TaskInfo | null>('the import on the LAN host', () => engine.tasks.list().find((t) => t.id === task.id && t.state !== 'running') ?? null, 180000, 100);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const image = await engine.call('image.get', { image: String(done.result?.imageId) });
    assert.equal(image.hostId, host.id);
    assert.ok(image.path.startsWith(sshd.homes.good), `the image ${image.path} is in the far Hangar home`);

    const vm = await engine.call('cloudinit.createVm', {
      name: 'lan-cloud1',
      hostId: host.id,
      image: image.id,
      memoryMiB: 1024,
      cpus: 2,
      display: 'none',
      startAfterCreate: true,
      cloudInit: { user: 'bob', hostname: 'lan-cloud-probe', sshKeys: [fs.readFileSync(key.pub, 'utf8')] },
    });
    assert.equal(vm.hostId, host.id);
    assert.ok(vm.dir.startsWith(sshd.homes.good), `VM folder ${vm.dir} is in the far Hangar home`);
    const seed = vm.spec.disks.find((d) => d.id === 'cidata')!;
    assert.ok(seed.path.startsWith(vm.dir), 'the seed is in the VM folder on the far host');
    const x = spawnSync('xorriso', ['-osirrox', 'on', '-indev', seed.path, '-extract', '/meta-data', path.join(home, 'meta-data')], { encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    assert.match(fs.readFileSync(path.join(home, 'meta-data'), 'utf8'), /local-hostname: lan-cloud-probe/);
    // QEMU runs inside the namespace (the far host), and its forward is on that host's loopback
    const pid = Number(fs.readFileSync(path.join(vm.dir, 'qemu.pid'), 'utf8').trim());
    const netnsPids = spawnSync('ip', ['netns', 'pids', sshd.ns], { encoding: 'utf8' }).stdout.split(/\s+/);
    assert.ok(netnsPids.includes(String(pid)), 'QEMU runs on the LAN host');
    const port = vm.spec.cloudInit!.sshPort!;
    assert.deepEqual(vm.spec.nics[0]!.portForwards, [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: port, guestPort: 22 }]);

    // "SSH ready": the engine probes the far loopback through the Host (bash /dev/tcp over SSH)
    const t0 = Date.now();
    const status = await waitFor('an SSH banner on the far forward', async () => {
      const s = await engine.call('cloudinit.sshStatus', { vm: vm.id });
      return s.ready ? s : null;
    }, 20 * 60000, 3000);
    assert.match(status.banner!, /^SSH-2\.0-OpenSSH/);
    // the command Hangar gives jumps through the LAN host to its loopback
    const { argv } = await engine.call('cloudinit.sshCommand', { vm: vm.id, identityFile: key.priv, command: ['cat', '/etc/hostname'] });
    assert.ok(argv.includes(`root@${sshd.address}:${sshd.port}`) && argv[argv.indexOf(`root@${sshd.address}:${sshd.port}`) - 1] === '-J', argv.join(' '));
    // log in through the forward from the far host's side (its loopback is only there)
    const out = await waitFor('an ssh login as bob on the LAN host\u2019s forward', () => {
      const r = spawnSync('ip', ['netns', 'exec', sshd.ns, 'ssh', '-p', String(port), '-i', key.priv, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=20', 'bob@127.0.0.1', 'cat', '/etc/hostname'], { encoding: 'utf8', timeout: 60000 });
      return r.status === 0 ? r.stdout : null;
    }, 5 * 60000, 3000);
    assert.equal(out.trim(), 'lan-cloud-probe');
    console.log(`# LAN host: SSH login ${((Date.now() - t0) / 1000).toFixed(0)} s after start (TCG)`);
    await engine.call('vm.kill', { vm: vm.id });
  });
});
