import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImageInfo, TaskInfo, VmInfo } from '../../src-main/api/contract';
import { HangarError } from '../../src-main/api/errors';
import { Engine } from '../../src-main/engine/engine';
import { cloudGuest, sshKeyPair } from '../helpers/cloud-guest';
import { CLI, killAllAndClose, tempHome, waitFor } from '../helpers/env';

// Cloud images and cloud-init against the real thing: a Debian 12 image with Debian's cloud-init
// and cloud kernel (scripts/build-cloud-guest.sh), real QEMU (TCG), a real NoCloud seed, and the
// test logs in with OpenSSH through the forward Hangar set up. No mocks. The VM is made the way a
// user makes it: no kernel fields, it boots from the image's own disk (GRUB in its MBR).

const { home, cleanup } = tempHome('hangar-cloudinit-');
const keysDir = fs.mkdtempSync(path.join(home, 'keys-'));
const key = sshKeyPair(keysDir);
const guest = cloudGuest();
const GiB = 1024 ** 3;
let engine: Engine;
let image: ImageInfo;

const vmDirs = () => (fs.existsSync(path.join(home, 'vms')) ? fs.readdirSync(path.join(home, 'vms')).sort() : []);
const qemuInfo = (file: string) => JSON.parse(spawnSync('qemu-img', ['info', '-U', '--output=json', file], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
const hangar = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, HANGAR_HOME: home }, encoding: 'utf8', timeout: 120000 });

async function rejects(call: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  await assert.rejects(call, (e: unknown) => {
    assert.ok(e instanceof HangarError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
}

const baseInput = (name: string, cloudInit: Record<string, unknown> = {}) => ({
  name,
  image: image.name,
  memoryMiB: 1024,
  display: 'none' as const,
  cloudInit: { user: 'alice', hostname: 'cloud-probe', sshKeys: [fs.readFileSync(key.pub, 'utf8')], ...cloudInit },
});

before(async () => {
  engine = await Engine.open({ home, watch: true });
  const { task } = await engine.call('image.import', { path: guest.disk, name: 'debian-12-genericcloud-test' });
  const done = await waitFor<TaskInfo | null>(`import ${task.id}`, () => engine.tasks.list().find((t) => t.id === task.id && t.state !== 'running') ?? null, 120000, 50);
  assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
  image = await engine.call('image.get', { image: String(done.result?.imageId) });
});

after(async () => {
  await killAllAndClose(engine);
  cleanup();
});

describe('cloud images: the library keeps the flag and the minimum disk size', () => {
  test('a disk named like a cloud image is flagged at import; the flag can be changed', async () => {
    assert.equal(image.cloudImage, true);
    assert.equal(image.minDiskBytes, guest.minDiskBytes, 'the image minimum is its virtual size');
    const off = await engine.call('image.update', { image: image.id, cloudImage: false });
    assert.equal(off.cloudImage, false);
    image = await engine.call('image.update', { image: image.id, cloudImage: true });
    assert.equal(image.cloudImage, true);
  });
});

describe('cloud-init: bad input gives a clear error and creates nothing', () => {
  test('invalid user-data YAML, a file that is not a public key, a hostname with spaces, a disk below the minimum', async () => {
    const before = { vms: (await engine.call('vm.list', {})).length, dirs: vmDirs() };
    await rejects(engine.call('cloudinit.createVm', baseInput('bad-yaml', { userData: 'packages: [curl\nruncmd: - oops' })), 'INVALID_INPUT', /user-data is not valid YAML \(line \d+, column \d+\)/);
    await rejects(engine.call('cloudinit.createVm', baseInput('bad-list', { userData: '- just\n- a list\n' })), 'INVALID_INPUT', /user-data must be a YAML mapping/);
    await rejects(engine.call('cloudinit.createVm', baseInput('bad-key', { sshKeys: [fs.readFileSync(key.priv, 'utf8')] })), 'INVALID_INPUT', /is a private key: give the public key/);
    await rejects(engine.call('cloudinit.createVm', baseInput('bad-key2', { sshKeys: ['ssh-ed25519 bm90IGEga2V5 me@host'] })), 'INVALID_INPUT', /is not an OpenSSH public key/);
    await rejects(engine.call('cloudinit.createVm', baseInput('bad-host', { hostname: 'my host' })), 'INVALID_INPUT', /host name is letters, digits and "-".*no spaces/);
    await rejects(engine.call('cloudinit.createVm', { ...baseInput('too-small'), diskSizeBytes: guest.minDiskBytes - 1024 * 1024 }), 'INVALID_INPUT', /smaller than the minimum of the image "debian-12-genericcloud-test" \(2\.0 GiB\)/);
    await rejects(engine.call('cloudinit.createVm', baseInput('no-way-in', { sshKeys: [] })), 'INVALID_INPUT', /at least one SSH public key or a password/);
    assert.equal((await engine.call('vm.list', {})).length, before.vms, 'no VM row');
    assert.deepEqual(vmDirs(), before.dirs, 'no VM folder');
    assert.deepEqual((await engine.call('image.get', { image: image.id })).usedBy, [], 'no clone of the image');

    // the same through the CLI: one clear line, nothing created
    const r = hangar('vm', 'create', '--name', 'cli-bad', '--image', image.name, '--user', 'alice', '--ssh-key', key.priv, '--hostname', 'ok');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /private key: give the public key/);
    const r2 = hangar('vm', 'create', '--name', 'cli-bad', '--image', image.name, '--user', 'alice', '--ssh-key', key.pub, '--hostname', 'has space');
    assert.equal(r2.status, 2, r2.stderr);
    assert.match(r2.stderr, /no spaces/);
    assert.deepEqual(vmDirs(), before.dirs, 'no VM folder after the CLI either');
  });
});

describe('cloud-init: from the image to an SSH login', () => {
  let vm: VmInfo;

  test('create: a linked clone grown to the asked size, a read-only virtio seed, an SSH forward on loopback', async () => {
    vm = await engine.call('cloudinit.createVm', { ...baseInput('cloud1'), diskSizeBytes: 3 * GiB, cpus: 2, startAfterCreate: true });
    const [disk0, seed] = vm.spec.disks;
    assert.equal(qemuInfo(disk0!.path)['virtual-size'], 3 * GiB);
    assert.equal(qemuInfo(disk0!.path)['backing-filename'], image.path);
    assert.deepEqual({ id: seed!.id, bus: seed!.bus, readOnly: seed!.readOnly, format: seed!.format }, { id: 'cidata', bus: 'virtio', readOnly: true, format: 'raw' });
    const label = spawnSync('xorriso', ['-indev', seed!.path, '-pvd_info'], { encoding: 'utf8' }).stdout;
    assert.match(label, /Volume Id\s*:\s*cidata/);
    const c = vm.spec.cloudInit!;
    assert.ok(c.sshPort && c.sshPort > 1024);
    assert.deepEqual(vm.spec.nics[0]!.portForwards, [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: c.sshPort, guestPort: 22 }]);
    assert.equal(vm.state, 'running');
  });

  test('SSH ready (a banner from the forward), then ssh -i as the user reads back the host name it asked for', async () => {
    const t0 = Date.now();
    const status = await waitFor('an SSH banner on the forward', async () => {
      const s = await engine.call('cloudinit.sshStatus', { vm: vm.id });
      return s.ready ? s : null;
    }, 20 * 60000, 2000);
    assert.match(status.banner!, /^SSH-2\.0-OpenSSH/);
    const { argv } = await engine.call('cloudinit.sshCommand', { vm: vm.id, identityFile: key.priv, command: ['cat', '/etc/hostname'] });
    assert.deepEqual(argv.slice(0, 3), ['ssh', '-p', String(vm.spec.cloudInit!.sshPort)]);
    assert.ok(argv.includes('-i') && argv.includes(key.priv));
    assert.ok(argv.includes('alice@127.0.0.1'));
    // sshd may answer a moment before cloud-init has written the user's key
    const out = await waitFor('an ssh login as alice', () => {
      const r = spawnSync(argv[0]!, [...argv.slice(1, -3), '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20', ...argv.slice(-3)], { encoding: 'utf8', timeout: 60000 });
      return r.status === 0 ? r.stdout : null;
    }, 5 * 60000, 3000);
    assert.equal(out.trim(), 'cloud-probe');
    console.log(`# SSH login ${((Date.now() - t0) / 1000).toFixed(0)} s after start (TCG)`);

    // the same through `hangar vm ssh NAME -- CMD` (an ssh child with argv; exit code passed on).
    // ssh joins the command's words with spaces for the remote shell, so the script is one word.
    const r = hangar('vm', 'ssh', 'cloud1', '-i', key.priv, '--', 'id -un; hostname; exit 3');
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['alice', 'cloud-probe']);

    // "Open in terminal": channel.open { sshVm } runs the same ssh in a PTY on this computer, with
    // the user's own keys (here an ssh-agent holding the test key: no identity file is passed)
    const agentSock = path.join(home, 'agent.sock');
    const agent = spawnSync('ssh-agent', ['-a', agentSock], { encoding: 'utf8' });
    const agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]);
    const savedSock = process.env.SSH_AUTH_SOCK;
    try {
      assert.equal(spawnSync('ssh-add', ['-q', key.priv], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, encoding: 'utf8' }).status, 0);
      process.env.SSH_AUTH_SOCK = agentSock;
      const ctx = { clientId: 'ssh-terminal', origin: 'internal' as const };
      let text = '';
      let closed: string | null = null;
      const off = engine.events.subscribe((m, target) => {
        if (target !== ctx.clientId) return;
        if (m.topic === 'channel.data') text += Buffer.from(m.data.data, 'base64').toString('utf8');
        if (m.topic === 'channel.closed') closed = m.data.reason;
      });
      try {
        const ch = await engine.call('channel.open', { kind: 'shell', sshVm: 'cloud1', cols: 100, rows: 30 }, ctx);
        await engine.call('channel.write', { channelId: ch.channelId, data: Buffer.from('echo "in-$(hostname)-$((6*7))"; exit\n').toString('base64') }, ctx);
        await waitFor('the ssh terminal to log in, run and exit', () => closed !== null, 120000, 200);
        assert.match(text, /in-cloud-probe-42/);
        assert.match(closed!, /^ssh exited \(status 0\)/);
      } finally {
        off();
      }
    } finally {
      if (savedSock === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = savedSock;
      if (agentPid > 0) process.kill(agentPid);
    }
  });

  test('re-run cloud-init: a new instance-id in a new seed (the VM must be stopped)', async () => {
    await rejects(engine.call('cloudinit.rerun', { vm: vm.id }), 'INVALID_STATE', /Stop "cloud1" first/);
    await engine.call('vm.kill', { vm: vm.id });
    const old = vm.spec.cloudInit!.instanceId;
    const again = await engine.call('cloudinit.rerun', { vm: vm.id });
    assert.notEqual(again.spec.cloudInit!.instanceId, old);
    const out = path.join(home, 'meta-data');
    const x = spawnSync('xorriso', ['-osirrox', 'on', '-indev', again.spec.disks[1]!.path, '-extract', '/meta-data', out], { encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    assert.match(fs.readFileSync(out, 'utf8'), new RegExp(`instance-id: ${again.spec.cloudInit!.instanceId}`));
    assert.equal(again.spec.cloudInit!.passwordHash, null, 'no password was given, none is stored');
  });
});
