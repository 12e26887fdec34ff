import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { VmCreateInput, VmSpecSchema, type VmSpec } from '../../src-main/api/contract';
import { buildQemuArgv } from '../../src-main/qemu/argv';
import { secureBootFiles } from '../../src-main/qemu/firmware';
import { vmPaths } from '../../src-main/qemu/paths';
import { LocalHost } from '../../src-main/hosts/local-host';
import { findSecureBootFirmware } from '../../src-main/qemu/firmware';

// TPM 2.0 (swtpm) and Secure Boot: the argv they add (golden), and the firmware found from
// QEMU's firmware descriptors.
import { assertGolden } from '../helpers/golden';
const paths = vmPaths('/home/u/.local/share/hangar', '/home/u/.local/share/hangar/run', '11111111-2222-4333-8444-555555555555');
const SB = { code: '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd' };
const OVMF = { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' };

const win11: VmSpec = VmSpecSchema.parse({
  version: 1,
  id: '11111111-2222-4333-8444-555555555555',
  name: 'win11',
  os: { family: 'windows', variant: 'win11' },
  cpus: 2,
  memoryMiB: 4096,
  firmware: 'uefi',
  secureBoot: true,
  tpm: true,
  machine: 'q35',
  disks: [{ id: 'disk0', path: '/data/win11.qcow2', format: 'qcow2', bus: 'sata' }],
  cdrom: null,
  kernel: null,
  nics: [{ id: 'nic0', model: 'e1000e', mac: '52:54:00:12:34:56' }],
  display: 'vnc',
  bootOrder: ['disk'],
});

const golden = (name: string, argv: string[]) => assertGolden(name, argv);

const after = (argv: string[], flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]!] : []));

test('argv: TPM 2.0 + Secure Boot (q35, UEFI) matches golden and carries swtpm, the TPM device and the Secure Boot firmware', () => {
  const argv = buildQemuArgv(win11, paths, { accel: 'tcg', ovmf: OVMF, secureBootFirmware: SB });
  golden('tpm-secureboot-q35', argv);
  assert.equal(after(argv, '-machine')[0], 'q35,smm=on');
  assert.ok(after(argv, '-global').includes('driver=cfi.pflash01,property=secure,value=on'));
  const drives = after(argv, '-drive');
  assert.deepEqual(drives, [`if=pflash,format=raw,unit=0,readonly=on,file=${SB.code}`, `if=pflash,format=raw,unit=1,file=${paths.secureBootVars}`]);
  assert.ok(after(argv, '-chardev').includes(`socket,id=chrtpm,path=${paths.tpmSocket}`));
  assert.deepEqual(after(argv, '-tpmdev'), ['emulator,id=tpm0,chardev=chrtpm']);
  assert.ok(after(argv, '-device').includes('tpm-crb,tpmdev=tpm0'));
});

test('argv: TPM on the pc machine uses tpm-tis; without tpm/secureBoot nothing of either appears', () => {
  const pc = buildQemuArgv({ ...win11, machine: 'pc', secureBoot: false, firmware: 'bios' }, paths, { accel: 'tcg', ovmf: null });
  assert.ok(after(pc, '-device').includes('tpm-tis,tpmdev=tpm0'));
  assert.equal(after(pc, '-machine')[0], 'pc');
  const plain = buildQemuArgv({ ...win11, secureBoot: false, tpm: false }, paths, { accel: 'tcg', ovmf: OVMF, secureBootFirmware: SB });
  assert.ok(!plain.some((a) => /tpm|smm=on|cfi\.pflash01|\.ms\.fd/.test(a)), plain.join(' '));
  assert.ok(after(plain, '-drive').includes(`if=pflash,format=raw,unit=0,readonly=on,file=${OVMF.code}`));
});

test('argv: Secure Boot without UEFI, without q35 or without the firmware is refused', () => {
  assert.throws(() => buildQemuArgv({ ...win11, firmware: 'bios' }, paths, { accel: 'tcg', ovmf: OVMF, secureBootFirmware: SB }), /UEFI firmware and the q35/);
  assert.throws(() => buildQemuArgv({ ...win11, machine: 'pc' }, paths, { accel: 'tcg', ovmf: OVMF, secureBootFirmware: SB }), /q35/);
  assert.throws(() => buildQemuArgv(win11, paths, { accel: 'tcg', ovmf: OVMF, secureBootFirmware: null }), /Microsoft keys/);
});

test('spec: older specs without the fields read as TPM and Secure Boot off; create defaults them off', () => {
  const { secureBoot, tpm, ...old } = win11;
  void secureBoot;
  void tpm;
  const parsed = VmSpecSchema.parse(old);
  assert.equal(parsed.secureBoot, false);
  assert.equal(parsed.tpm, false);
  const input = VmCreateInput.parse({ name: 'x', hostId: 'local' });
  assert.equal(input.secureBoot, false);
  assert.equal(input.tpm, false);
});

test('firmware descriptors: only secure-boot + enrolled-keys + requires-smm for q35 in flash mode qualify', () => {
  const d = {
    'interface-types': ['uefi'],
    mapping: { device: 'flash', executable: { filename: '/c.fd', format: 'raw' }, 'nvram-template': { filename: '/v.fd', format: 'raw' } },
    targets: [{ architecture: 'x86_64', machines: ['pc-q35-*'] }],
    features: ['acpi-s3', 'enrolled-keys', 'requires-smm', 'secure-boot'],
  };
  assert.deepEqual(secureBootFiles(d), { code: '/c.fd', vars: '/v.fd' });
  assert.equal(secureBootFiles({ ...d, features: ['requires-smm', 'secure-boot'] }), null, 'no enrolled keys');
  assert.equal(secureBootFiles({ ...d, features: ['enrolled-keys', 'secure-boot'] }), null, 'no SMM');
  assert.equal(secureBootFiles({ ...d, targets: [{ architecture: 'x86_64', machines: ['pc-i440fx-*'] }] }), null, 'not q35');
  assert.equal(secureBootFiles({ ...d, mapping: { ...d.mapping, device: 'memory' } }), null, 'not flash');
});

test('firmware descriptors on this machine: the Debian OVMF with Microsoft keys is found', { skip: fs.existsSync('/usr/share/qemu/firmware') ? false : 'no /usr/share/qemu/firmware here (the ovmf package is not installed)' }, async () => {
  const fw = await findSecureBootFirmware(new LocalHost('/tmp'));
  assert.ok(fw, 'a Secure Boot firmware descriptor was found');
  assert.match(fw.code, /OVMF_CODE.*\.(ms|secboot)\.fd$/);
  assert.match(fw.vars, /OVMF_VARS.*\.ms\.fd$/);
  assert.ok(fs.existsSync(fw.code) && fs.existsSync(fw.vars));
});
