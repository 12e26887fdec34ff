import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VmSpecSchema, type VmSpec } from '../../src-main/api/contract';
import { buildQemuArgv, qemuOptValue } from '../../src-main/qemu/argv';
import { vmPaths, runtimeRoot } from '../../src-main/qemu/paths';
import { assertGolden } from '../helpers/golden';

// Golden tests: the argv for a spec is pinned in test/unit/golden/*.json.
// After an intended change, regenerate with UPDATE_GOLDEN=1 and review the diff.
const paths = vmPaths('/home/u/.local/share/hangar', '/home/u/.local/share/hangar/run', '11111111-2222-4333-8444-555555555555');

const base: VmSpec = VmSpecSchema.parse({
  version: 1,
  id: '11111111-2222-4333-8444-555555555555',
  name: 'web server',
  description: '',
  os: { family: 'linux', variant: 'debian' },
  cpus: 2,
  memoryMiB: 1024,
  firmware: 'bios',
  machine: 'q35',
  disks: [{ id: 'disk0', path: '/data/vms/web, "main".qcow2', format: 'qcow2', bus: 'virtio', readOnly: false, owned: true }],
  cdrom: '/isos/debian 12.iso',
  kernel: null,
  nics: [{ id: 'nic0', mode: 'user', model: 'virtio-net-pci', mac: '52:54:00:12:34:56', portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }] }],
  display: 'vnc',
  bootOrder: ['cdrom', 'disk'],
  autostart: false,
});

const golden = (name: string, argv: string[]) => assertGolden(name, argv);

test('argv: BIOS q35 VM with ISO, virtio disk and NAT forward matches golden', () => {
  golden('bios-q35-iso', buildQemuArgv(base, paths, { accel: 'tcg', ovmf: null }));
});

test('argv: UEFI, KVM, headless, direct kernel boot, sata disk on pc matches golden', () => {
  const spec: VmSpec = {
    ...base,
    firmware: 'uefi',
    machine: 'pc',
    display: 'none',
    cdrom: null,
    kernel: { path: '/k/vmlinuz', initrd: '/k/initrd.img', append: 'console=ttyS0 root=/dev/vda, quiet' },
    disks: [{ ...base.disks[0]!, bus: 'sata' }],
    bootOrder: ['disk'],
  };
  golden('uefi-pc-kernel', buildQemuArgv(spec, paths, { accel: 'kvm', ovmf: { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' } }));
});

test('argv: user text stays data — paths go through JSON, names and paths with commas are escaped', () => {
  const argv = buildQemuArgv({ ...base, name: 'a b' }, paths, { accel: 'tcg', ovmf: null });
  const blockdev = argv[argv.indexOf('-blockdev') + 1]!;
  assert.equal(JSON.parse(blockdev).filename, '/data/vms/web, "main".qcow2');
  assert.equal(qemuOptValue('a,b'), 'a,,b');
  assert.ok(argv.includes('/isos/debian 12.iso') === false, 'ISO path is inside JSON, not a bare argument');
  assert.ok(argv.some((a) => a.includes('"filename":"/isos/debian 12.iso"')));
});

test('argv: UEFI without OVMF is refused', () => {
  assert.throws(() => buildQemuArgv({ ...base, firmware: 'uefi' }, paths, { accel: 'tcg', ovmf: null }), /OVMF/);
});

test('argv: TCG uses -cpu max and KVM uses -cpu host', () => {
  const tcg = buildQemuArgv(base, paths, { accel: 'tcg', ovmf: null });
  const kvm = buildQemuArgv(base, paths, { accel: 'kvm', ovmf: null });
  assert.equal(tcg[tcg.indexOf('-cpu') + 1], 'max');
  assert.equal(kvm[kvm.indexOf('-cpu') + 1], 'host');
  assert.equal(tcg[tcg.indexOf('-accel') + 1], 'tcg');
});

test('argv: a Windows guest (osinfo defaults) keeps its RTC in local time and gets Hyper-V enlightenments; golden', () => {
  const win = VmSpecSchema.parse({ ...base, os: { family: 'windows', id: 'win11', name: 'Microsoft Windows 11' }, rtc: 'localtime', hyperv: true, disks: [{ ...base.disks[0], bus: 'sata' }], nics: [{ ...base.nics[0], model: 'e1000e', portForwards: [] }] });
  const argv = buildQemuArgv(win, paths, { accel: 'tcg', ovmf: null });
  assert.equal(argv[argv.indexOf('-rtc') + 1], 'base=localtime');
  const cpu = argv[argv.indexOf('-cpu') + 1] ?? '';
  assert.match(cpu, /^max,hv_relaxed,hv_vapic,hv_spinlocks=0x1fff,/);
  for (const flag of ['hv_vpindex', 'hv_synic', 'hv_stimer', 'hv_time']) assert.ok(cpu.split(',').includes(flag), flag);
  // a Linux guest keeps UTC and no hv_ flags
  const linux = buildQemuArgv(base, paths, { accel: 'tcg', ovmf: null });
  assert.equal(linux[linux.indexOf('-rtc') + 1], 'base=utc');
  assert.equal(linux[linux.indexOf('-cpu') + 1], 'max');
  golden('windows-hyperv-localtime', argv);
});

test('paths: socket folder falls back to /tmp when $HANGAR_HOME is too long for UNIX sockets', () => {
  assert.equal(runtimeRoot('/home/u/.local/share/hangar', 1000), '/home/u/.local/share/hangar/run');
  const long = '/very/' + 'x'.repeat(100) + '/hangar';
  const root = runtimeRoot(long, 1000);
  assert.match(root, /^\/tmp\/hangar-1000-[0-9a-f]{12}$/);
  assert.ok(vmPaths(long, root, '11111111-2222-4333-8444-555555555555').serialSocket.length < 108);
});

test('argv: NICs carry no option ROM (romfile=) unless the VM boots from the network, whose first NIC keeps its iPXE ROM', () => {
  const nicArgs = (spec: VmSpec) => buildQemuArgv(spec, paths, { accel: 'tcg', ovmf: null }).filter((a) => a.includes(',netdev=net'));
  assert.deepEqual(nicArgs(base), ['virtio-net-pci,id=nic0,netdev=net0,mac=52:54:00:12:34:56,romfile=']);
  const second = { ...base.nics[0]!, id: 'nic1', mac: '52:54:00:12:34:57' };
  assert.deepEqual(nicArgs({ ...base, nics: [base.nics[0]!, second], bootOrder: ['network', 'disk'] }), [
    'virtio-net-pci,id=nic0,netdev=net0,mac=52:54:00:12:34:56,bootindex=1',
    'virtio-net-pci,id=nic1,netdev=net1,mac=52:54:00:12:34:57,romfile=',
  ]);
});
