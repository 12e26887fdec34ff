import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VmSpecSchema, type VmSpec } from '../../src-main/api/contract';
import { hasVdagent } from '../../src-main/guest/guest-argv';
import { usefulIps } from '../../src-main/guest/guest-service';
import { agentInstallHint } from '../../src-main/guest/install-hints';
import { mountCommand } from '../../src-main/guest/shares';
import { shareTransport } from '../../src-main/guest/virtiofs';
import { buildQemuArgv } from '../../src-main/qemu/argv';
import { vmPaths } from '../../src-main/qemu/paths';

import { assertGolden } from '../helpers/golden';
const paths = vmPaths('/home/u/.local/share/hangar', '/home/u/.local/share/hangar/run', '11111111-2222-4333-8444-555555555555');
const spec: VmSpec = VmSpecSchema.parse({
  version: 1,
  id: '11111111-2222-4333-8444-555555555555',
  name: 'shares',
  os: { family: 'linux', variant: 'debian' },
  cpus: 1,
  memoryMiB: 512,
  firmware: 'bios',
  machine: 'q35',
  disks: [],
  cdrom: null,
  kernel: null,
  nics: [],
  display: 'vnc',
  sharedFolders: [
    { tag: 'src', path: '/home/u/src, "code"', readOnly: false },
    { tag: 'docs', path: '/srv/docs', readOnly: true },
  ],
  bootOrder: ['disk'],
});

test('argv: guest agent port, vdagent clipboard and two 9p shares match golden', () => {
  const argv = buildQemuArgv({ ...spec, clipboard: true }, paths, { accel: 'tcg', ovmf: null, qemuVersion: '7.2.22' });
  assertGolden('guest-agent-shares', argv);
  // off by default: a vdagent chardev cannot migrate, so it would block RAM snapshots and live moves
  assert.ok(!buildQemuArgv(spec, paths, { accel: 'tcg', ovmf: null, qemuVersion: '7.2.22' }).some((a) => a.includes('vdagent')));
  assert.ok(argv.includes('local,id=fs0,path=/home/u/src,, "code",security_model=mapped-xattr'), 'commas in the path are doubled');
  assert.ok(argv.includes('local,id=fs1,path=/srv/docs,security_model=mapped-xattr,readonly=on'));
});

test('argv: where virtiofsd can run, the read-write share uses virtiofs over shared memfd RAM; read-only and "9p" shares stay on 9p; golden', () => {
  const argv = buildQemuArgv(spec, paths, { accel: 'tcg', ovmf: null, qemuVersion: '7.2.22', virtiofs: true });
  assertGolden('virtiofs-shares', argv);
  assert.ok(argv.includes('vhost-user-fs-pci,id=share0,chardev=vfs0,tag=src'));
  assert.ok(argv.includes(`socket,id=vfs0,path=${paths.runDir}/vfs0.sock`));
  assert.ok(argv.includes('memory-backend-memfd,id=mem,size=512M,share=on') && argv.includes('memory-backend=mem'));
  assert.ok(argv.includes('local,id=fs1,path=/srv/docs,security_model=mapped-xattr,readonly=on'), 'read-only: 9p (the C virtiofsd has no read-only option)');
  // without virtiofsd (or not root), or a share that asks for 9p: the 9p argv, no shared memory
  const ninep = buildQemuArgv(spec, paths, { accel: 'tcg', ovmf: null, qemuVersion: '7.2.22' });
  assert.deepEqual(ninep, buildQemuArgv(spec, paths, { accel: 'tcg', ovmf: null, qemuVersion: '7.2.22', virtiofs: false }));
  assert.ok(!ninep.some((a) => a.includes('memory-backend') || a.includes('vhost-user')));
  const forced = { ...spec, sharedFolders: spec.sharedFolders.map((s) => ({ ...s, transport: '9p' as const })) };
  assert.deepEqual(buildQemuArgv(forced, paths, { accel: 'tcg', ovmf: null, qemuVersion: '7.2.22', virtiofs: true }), ninep);
  assert.equal(shareTransport({ tag: 'a', path: '/a', readOnly: false }, true), 'virtiofs');
  assert.equal(shareTransport({ tag: 'a', path: '/a', readOnly: true }, true), '9p');
  assert.equal(shareTransport({ tag: 'a', path: '/a', readOnly: false }, false), '9p');
  assert.equal(mountCommand({ tag: 'src', path: '/x', readOnly: false }, 'virtiofs'), 'mkdir -p /mnt/src && mount -t virtiofs src /mnt/src');
});

test('argv: agent and clipboard off, headless, or an old QEMU: no virtio-serial devices', () => {
  const off = buildQemuArgv({ ...spec, guestAgent: false, clipboard: false, sharedFolders: [] }, paths, { accel: 'tcg', ovmf: null });
  assert.ok(!off.some((a) => a.includes('virtio-serial') || a.includes('qga') || a.includes('vdagent')));
  const headless = buildQemuArgv({ ...spec, display: 'none' }, paths, { accel: 'tcg', ovmf: null });
  assert.ok(headless.some((a) => a.includes('org.qemu.guest_agent.0')) && !headless.some((a) => a.includes('vdagent')));
  const old = buildQemuArgv({ ...spec, clipboard: true }, paths, { accel: 'tcg', ovmf: null, qemuVersion: '6.0.0' });
  assert.ok(!old.some((a) => a.includes('vdagent')));
  assert.equal(hasVdagent('6.1.0'), true);
  assert.equal(hasVdagent('5.2.0'), false);
});

test('a spec stored before the guest fields existed parses with the agent on and no shares', () => {
  const { guestAgent: _a, sharedFolders: _s, clipboard: _c, ...old } = spec;
  const parsed = VmSpecSchema.parse(old);
  assert.equal(parsed.guestAgent, true);
  assert.equal(parsed.clipboard, false);
  assert.deepEqual(parsed.sharedFolders, []);
  assert.throws(() => VmSpecSchema.parse({ ...spec, sharedFolders: [{ tag: 'a b', path: '/x' }] }), /mount tag/);
});

test('guest IPs leave out loopback and link-local, IPv4 first; hints and mount commands', () => {
  const ips = usefulIps([
    { name: 'lo', mac: null, addresses: [{ ip: '127.0.0.1', prefix: 8, family: 'ipv4' }] },
    { name: 'eth0', mac: '52:54:00:00:00:01', addresses: [{ ip: 'fe80::1', prefix: 64, family: 'ipv6' }, { ip: 'fec0::5', prefix: 64, family: 'ipv6' }, { ip: '10.0.2.15', prefix: 24, family: 'ipv4' }] },
  ]);
  assert.deepEqual(ips, ['10.0.2.15', 'fec0::5']);
  // without osinfo-db (test/unit/guest-osinfo.test.ts has the real one): the family's sentence
  assert.match(agentInstallHint({ family: 'linux', variant: 'ubuntu24.04' }), /"qemu-guest-agent" package with the guest's package manager/);
  assert.match(agentInstallHint({ family: 'windows', variant: 'win11' }), /virtio-win/);
  assert.equal(mountCommand({ tag: 'docs', path: '/srv/docs', readOnly: true }), 'mkdir -p /mnt/docs && mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro docs /mnt/docs');
});

test('argv: video "virtio" gives virtio-vga (the display follows the console size); absent or "std" keeps VGA; golden', () => {
  const virtio = buildQemuArgv({ ...spec, sharedFolders: [], video: 'virtio' }, paths, { accel: 'tcg', ovmf: null, qemuVersion: '7.2.22' });
  assertGolden('virtio-vga', virtio);
  assert.ok(virtio.includes('virtio-vga,id=video0') && !virtio.includes('VGA,id=video0'));
  const std = buildQemuArgv({ ...spec, sharedFolders: [] }, paths, { accel: 'tcg', ovmf: null, qemuVersion: '7.2.22' });
  assert.deepEqual(buildQemuArgv({ ...spec, sharedFolders: [], video: 'std' }, paths, { accel: 'tcg', ovmf: null, qemuVersion: '7.2.22' }), std);
  assert.ok(std.includes('VGA,id=video0'));
  assert.ok(!buildQemuArgv({ ...spec, display: 'none', video: 'virtio' }, paths, { accel: 'tcg', ovmf: null }).some((a) => a.includes('vga') || a.includes('VGA')), 'headless: no adapter');
});
