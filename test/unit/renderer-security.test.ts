import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VmCreateInput, VmUpdateInput, type VmInfo } from '../../src-main/api/contract';
import { syntheticVms } from '../../src-renderer/app/bench-data';
import { hardwareIssues, stepOfField, toCreateInput } from '../../src-renderer/features/wizard/form-logic';
import { draftFromVm, toUpdateInput } from '../../src-renderer/features/settings/settings-logic';
import en from '../../src-renderer/i18n/en.json';
import zh from '../../src-renderer/i18n/zh-CN.json';

// The Secure Boot / TPM switches of the wizard and the Settings dialog (pure logic).
const GiB = 1024 ** 3;
const full = { cpus: 4, memoryBytes: 8 * GiB, diskFreeBytes: 100 * GiB, ovmf: { code: '/c', vars: '/v' }, secureBootFirmware: { code: '/ms', vars: '/msv', descriptor: '/d.json' }, swtpm: { binary: '/usr/bin/swtpm', setup: '/usr/bin/swtpm_setup', version: '0.7.1' } };
const bare = { ...full, secureBootFirmware: null, swtpm: null };

describe('security switches', () => {
  const vm: VmInfo = syntheticVms(1)[0]!;

  test('Secure Boot needs UEFI + q35 and the firmware; TPM needs swtpm', () => {
    const base = { cpus: 1, memoryMiB: 512 };
    assert.deepEqual(hardwareIssues({ ...base, firmware: 'uefi', machine: 'q35', secureBoot: true, tpm: true }, full), {});
    assert.equal(hardwareIssues({ ...base, firmware: 'bios', machine: 'q35', secureBoot: true }, full).secureBoot?.key, 'security.needsUefiQ35');
    assert.equal(hardwareIssues({ ...base, firmware: 'uefi', machine: 'pc', secureBoot: true }, full).secureBoot?.key, 'security.needsUefiQ35');
    assert.equal(hardwareIssues({ ...base, firmware: 'uefi', machine: 'q35', secureBoot: true }, bare).secureBoot?.key, 'security.noFirmware');
    assert.equal(hardwareIssues({ ...base, firmware: 'bios', machine: 'q35', tpm: true }, bare).tpm?.key, 'security.noSwtpm');
    assert.equal(stepOfField('secureBoot'), 'hardware');
    assert.equal(stepOfField('tpm'), 'hardware');
    for (const k of ['needsUefiQ35', 'noFirmware', 'noSwtpm', 'secureBoot', 'tpm', 'title', 'on', 'off', 'none']) {
      assert.ok((en.security as Record<string, string>)[k] && (zh.security as Record<string, string>)[k], `security.${k} in en and zh-CN`);
    }
  });

  test('the wizard sends both fields; Settings sends only what changed', () => {
    const draft = { ...draftFromVm(vm), firmware: 'uefi' as const, machine: 'q35' as const, secureBoot: true, tpm: true };
    const create = VmCreateInput.parse({ ...toCreateInput(draft), hostId: 'local' });
    assert.equal(create.secureBoot, true);
    assert.equal(create.tpm, true);
    assert.deepEqual(toUpdateInput(draftFromVm(vm), vm), { vm: vm.id }, 'untouched: nothing');
    const on = toUpdateInput({ ...draftFromVm(vm), tpm: true }, vm);
    assert.deepEqual(on, { vm: vm.id, tpm: true });
    VmUpdateInput.parse(on);
    const withBoth: VmInfo = { ...vm, spec: { ...vm.spec, firmware: 'uefi', secureBoot: true, tpm: true } };
    assert.deepEqual(toUpdateInput({ ...draftFromVm(withBoth), secureBoot: false }, withBoth), { vm: vm.id, secureBoot: false });
  });
});
