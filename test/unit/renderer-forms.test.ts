import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VmCreateInput, VmUpdateInput, type VmInfo } from '../../src-main/api/contract';
import { syntheticVms } from '../../src-renderer/app/bench-data';
import {
  allIssues, diskBytes, hardwareIssues, mediaIssues, nameIssue, newPortForwardRow, normalizeField, portForwardIssues, stepOfField, toCreateInput, type VmDraft,
} from '../../src-renderer/features/wizard/form-logic';
import { OS_PRESETS, defaultPresetFor, osVariantLabel, presetById, presetDefaults } from '../../src-renderer/features/wizard/presets';
import { draftFromVm, hasChanges, sectionOfField, toUpdateInput } from '../../src-renderer/features/settings/settings-logic';

const GiB = 1024 ** 3;
const host = { cpus: 4, memoryBytes: 8 * GiB, diskFreeBytes: 50 * GiB, ovmf: { code: '/ovmf/code.fd', vars: '/ovmf/vars.fd' } };
const hostNoOvmf = { ...host, ovmf: null };

function draft(patch: Partial<VmDraft> = {}): VmDraft {
  return {
    name: 'web', description: '', family: 'linux', variant: 'debian', media: 'iso', isoPath: '/isos/debian.iso',
    kernelEnabled: false, kernelPath: '', initrdPath: '', append: '', cpus: 2, memoryMiB: 1024, firmware: 'bios', machine: 'q35', display: 'vnc',
    diskEnabled: true, diskSize: '20G', diskFormat: 'qcow2', diskBus: 'virtio', network: 'nat', nicModel: 'virtio-net-pci', portForwards: [],
    autostart: false, startAfterCreate: false, ...patch,
  };
}

describe('OS presets', () => {
  test('every family has presets, and the list has the distributions the wizard promises', () => {
    for (const f of ['linux', 'windows', 'bsd', 'other'] as const) assert.equal(defaultPresetFor(f).family, f);
    for (const id of ['debian', 'ubuntu', 'fedora', 'arch', 'alpine', 'linux-other', 'win11', 'win10', 'winserver', 'freebsd', 'openbsd', 'other']) assert.ok(presetById(id), id);
    assert.equal(new Set(OS_PRESETS.map((p) => p.id)).size, OS_PRESETS.length);
  });

  test('Windows gets SATA and e1000e, Linux and BSD get virtio; Windows 11 gets UEFI on q35', () => {
    for (const p of OS_PRESETS) {
      if (p.family === 'windows') assert.deepEqual([p.diskBus, p.nicModel], ['sata', 'e1000e'], p.id);
      if (p.family === 'linux' || p.family === 'bsd') assert.deepEqual([p.diskBus, p.nicModel], ['virtio', 'virtio-net-pci'], p.id);
      assert.equal(p.machine, 'q35');
    }
    assert.equal(presetById('win11')!.firmware, 'uefi');
    assert.equal(presetDefaults(presetById('win11')!, host).firmware, 'uefi');
  });

  test('defaults never exceed the host, and UEFI falls back to BIOS without OVMF', () => {
    const small = { cpus: 1, memoryBytes: 2 * GiB, ovmf: null };
    const d = presetDefaults(presetById('win11')!, small);
    assert.equal(d.cpus, 1);
    assert.ok(d.memoryMiB <= 1024, `memory ${d.memoryMiB} leaves the host half its memory`);
    assert.equal(d.firmware, 'bios');
    assert.equal(d.firmwareDowngraded, true);
    assert.equal(presetDefaults(presetById('alpine')!, host).memoryMiB, 256);
    assert.equal(presetDefaults(presetById('debian')!, null).memoryMiB, 1024);
  });

  test('variant labels: product names as is, generic ones translated, unknown ids shown raw', () => {
    const t = (k: string) => `<${k}>`;
    assert.equal(osVariantLabel('debian', t), 'Debian');
    assert.equal(osVariantLabel('linux-other', t), '<os.variant.linux-other>');
    assert.equal(osVariantLabel('plan9', t), 'plan9');
  });
});

describe('wizard validation', () => {
  const existing = [{ id: '1', name: 'Web' }];

  test('names: the contract schema decides, duplicates are caught without case', () => {
    assert.equal(nameIssue('db', existing), null);
    assert.equal(nameIssue('', existing)?.key, 'validation.nameRequired');
    assert.equal(nameIssue('x'.repeat(65), existing)?.key, 'validation.nameTooLong');
    assert.equal(nameIssue('a/b', existing)?.key, 'validation.nameChars');
    assert.equal(nameIssue('$(id)', existing)?.key, 'validation.nameChars');
    assert.deepEqual(nameIssue('WEB', existing), { key: 'validation.nameTaken', params: { name: 'WEB' } });
    assert.equal(nameIssue('web', existing, '1'), null, 'renaming a VM to its own name is fine');
    assert.equal(nameIssue('测试机', existing), null);
  });

  test('CPUs and memory are bounded by the host', () => {
    assert.deepEqual(hardwareIssues({ cpus: 2, memoryMiB: 1024, firmware: 'bios' }, host), {});
    assert.deepEqual(hardwareIssues({ cpus: 5, memoryMiB: 1024, firmware: 'bios' }, host).cpus, { key: 'validation.cpusAboveHost', params: { max: 4 } });
    assert.deepEqual(hardwareIssues({ cpus: 1, memoryMiB: 8193, firmware: 'bios' }, host).memoryMiB, { key: 'validation.memoryAboveHost', params: { max: 8192 } });
    assert.equal(hardwareIssues({ cpus: 0, memoryMiB: 8, firmware: 'bios' }, host).memoryMiB?.key, 'validation.memoryMin');
    assert.equal(hardwareIssues({ cpus: Number.NaN, memoryMiB: 64, firmware: 'bios' }, host).cpus?.key, 'validation.cpusMin');
    assert.equal(hardwareIssues({ cpus: 1, memoryMiB: 64, firmware: 'uefi' }, hostNoOvmf).firmware?.key, 'validation.noOvmf');
  });

  test('disk sizes take units and stay within 1 MiB .. 64 TiB', () => {
    assert.equal(diskBytes({ diskEnabled: true, diskSize: '20G' }), 20 * GiB);
    assert.equal(diskBytes({ diskEnabled: true, diskSize: '512 MiB' }), 512 * 1024 * 1024);
    assert.equal(diskBytes({ diskEnabled: false, diskSize: 'nonsense' }), 0);
    assert.deepEqual(diskBytes({ diskEnabled: true, diskSize: 'big' }), { key: 'validation.diskSize' });
    assert.deepEqual(diskBytes({ diskEnabled: true, diskSize: '10K' }), { key: 'validation.diskMin' });
    assert.deepEqual(diskBytes({ diskEnabled: true, diskSize: '65T' }), { key: 'validation.diskMax' });
    assert.equal(allIssues(draft({ diskFormat: 'raw', diskSize: '60G' }), { existing: [], caps: host }).diskSizeBytes?.key, 'validation.diskNoSpace');
    assert.equal(allIssues(draft({ diskFormat: 'qcow2', diskSize: '60G' }), { existing: [], caps: host }).diskSizeBytes, undefined, 'qcow2 grows lazily');
  });

  test('install media: an absolute ISO path unless "no media"; kernel boot needs a kernel', () => {
    assert.deepEqual(mediaIssues(draft()), {});
    assert.equal(mediaIssues(draft({ isoPath: '' })).isoPath?.key, 'validation.isoRequired');
    assert.equal(mediaIssues(draft({ isoPath: 'debian.iso' })).isoPath?.key, 'validation.absolutePath');
    assert.deepEqual(mediaIssues(draft({ media: 'none', isoPath: '' })), {});
    assert.equal(mediaIssues(draft({ kernelEnabled: true }))['kernel.path']?.key, 'validation.kernelRequired');
    assert.deepEqual(mediaIssues(draft({ kernelEnabled: true, kernelPath: '/k', isoPath: '' })), {}, 'kernel boot needs no ISO');
    assert.equal(mediaIssues(draft({ kernelEnabled: true, kernelPath: '/k', initrdPath: 'rel' }))['kernel.initrd']?.key, 'validation.absolutePath');
  });

  test('port-forward rows: ports 1-65535, IPv4 host address, no host port twice per protocol', () => {
    const row = (p: Partial<ReturnType<typeof newPortForwardRow>>) => ({ ...newPortForwardRow(), ...p });
    assert.deepEqual(portForwardIssues([row({ hostPort: '2222', guestPort: '22' })]), {});
    const bad = portForwardIssues([row({ hostPort: '0', guestPort: '70000', hostAddress: 'localhost' })]);
    assert.deepEqual(Object.keys(bad).sort(), ['nics.0.portForwards.0.guestPort', 'nics.0.portForwards.0.hostAddress', 'nics.0.portForwards.0.hostPort']);
    assert.equal(portForwardIssues([row({ hostPort: '', guestPort: '22' })])['nics.0.portForwards.0.hostPort']?.key, 'validation.port');
    assert.equal(portForwardIssues([row({ hostPort: '22x', guestPort: '22' })])['nics.0.portForwards.0.hostPort']?.key, 'validation.port');
    const twice = portForwardIssues([row({ hostPort: '8080', guestPort: '80' }), row({ hostPort: '8080', guestPort: '81' }), row({ protocol: 'udp', hostPort: '8080', guestPort: '80' })]);
    assert.deepEqual(twice, { 'nics.0.portForwards.1.hostPort': { key: 'validation.portTwice', params: { port: 8080, row: 1 } } });
  });

  test('engine fields map onto the wizard step that shows them', () => {
    assert.equal(stepOfField('name'), 'name');
    assert.equal(stepOfField('isoPath'), 'media');
    assert.equal(stepOfField('kernel'), 'media');
    assert.equal(normalizeField('kernel'), 'kernel.path');
    assert.equal(stepOfField('memoryMiB'), 'hardware');
    assert.equal(stepOfField('firmware'), 'hardware');
    assert.equal(stepOfField('diskSizeBytes'), 'disk');
    assert.equal(stepOfField('portForwards'), 'network');
    assert.equal(normalizeField('portForwards'), 'nics.0.portForwards');
    assert.equal(stepOfField('nics.0.portForwards.2.hostPort'), 'network');
    assert.equal(stepOfField('somethingElse'), 'summary');
  });

  test('a valid draft becomes a vm.create input the contract accepts', () => {
    const pf = { ...newPortForwardRow(), hostPort: '2222', guestPort: '22' };
    const d = draft({ portForwards: [pf], kernelEnabled: true, kernelPath: '/boot/vmlinuz', append: 'console=ttyS0', startAfterCreate: true });
    assert.deepEqual(allIssues(d, { existing: [], caps: host }), {});
    const input = toCreateInput(d);
    const parsed = VmCreateInput.safeParse(input);
    assert.equal(parsed.success, true, JSON.stringify(parsed.error?.issues));
    assert.equal(input.diskSizeBytes, 20 * GiB);
    assert.deepEqual(input.nics, [{ model: 'virtio-net-pci', portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }] }]);
    assert.deepEqual(input.kernel, { path: '/boot/vmlinuz', append: 'console=ttyS0' });
    assert.equal(input.startAfterCreate, true);
    const bare = toCreateInput(draft({ media: 'none', diskEnabled: false, network: 'none' }));
    assert.equal(bare.isoPath, undefined);
    assert.equal(bare.diskSizeBytes, 0);
    assert.deepEqual(bare.nics, []);
  });
});

describe('settings dialog logic', () => {
  const vm: VmInfo = syntheticVms(1)[0]!;

  test('an untouched draft changes nothing', () => {
    const input = toUpdateInput(draftFromVm(vm), vm);
    assert.deepEqual(input, { vm: vm.id });
    assert.equal(hasChanges(input), false);
  });

  test('only changed fields are sent, NICs keep their MAC, and the input fits the contract', () => {
    const d = { ...draftFromVm(vm), cpus: 3, description: 'new', media: 'iso' as const, isoPath: '/isos/x.iso' };
    d.portForwards = [{ ...newPortForwardRow(), hostPort: '8080', guestPort: '80' }];
    const input = toUpdateInput(d, vm);
    assert.equal(input.cpus, 3);
    assert.equal(input.description, 'new');
    assert.equal(input.isoPath, '/isos/x.iso');
    assert.equal(input.memoryMiB, undefined);
    assert.equal(input.nics?.[0]?.mac, vm.spec.nics[0]!.mac);
    assert.equal(VmUpdateInput.safeParse(input).success, true);
  });

  test('removing the ISO sends null; detaching the network sends no NICs', () => {
    const withIso: VmInfo = { ...vm, spec: { ...vm.spec, cdrom: '/isos/a.iso' } };
    assert.equal(toUpdateInput({ ...draftFromVm(withIso), media: 'none' }, withIso).isoPath, null);
    assert.deepEqual(toUpdateInput({ ...draftFromVm(vm), network: 'none' }, vm).nics, []);
  });

  test('guest integration: the agent and clipboard switches are sent only when changed', () => {
    assert.equal(draftFromVm(vm).guestAgent, vm.spec.guestAgent !== false);
    const off = toUpdateInput({ ...draftFromVm(vm), guestAgent: !(vm.spec.guestAgent !== false), clipboard: !(vm.spec.clipboard === true) }, vm);
    assert.equal(off.guestAgent, !(vm.spec.guestAgent !== false));
    assert.equal(off.clipboard, !(vm.spec.clipboard === true));
    assert.ok(VmUpdateInput.safeParse(off).success);
    const same = toUpdateInput(draftFromVm(vm), vm);
    assert.ok(!('guestAgent' in same) && !('clipboard' in same));
  });

  test('engine fields map onto settings sections', () => {
    assert.equal(sectionOfField('name'), 'general');
    assert.equal(sectionOfField('memoryMiB'), 'system');
    assert.equal(sectionOfField('isoPath'), 'media');
    assert.equal(sectionOfField('portForwards'), 'network');
  });
});
