import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, test } from 'node:test';
import type { VmInfo } from '../../src-main/api/contract';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { tempHome, waitFor } from '../helpers/env';
import { cliRunner } from '../helpers/cli';

// `hangar vm create --tpm --secure-boot`, `vm show`, `vm set`, `doctor`, as a user runs them
// (one process per command, in-process engines), and a start that runs swtpm + QEMU with the TPM.

const { home, cleanup } = tempHome('hangar-tpm-cli-');
const g = guestFiles();
const env = { ...process.env, HANGAR_HOME: home };

const { hangar } = cliRunner(env);
const show = (name: string) => JSON.parse(hangar('vm', 'show', name, '--json').stdout) as VmInfo;
const argvOf = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

after(() => {
  for (const vm of JSON.parse(hangar('vm', 'list', '--json').stdout || '[]') as VmInfo[]) if (vm.state !== 'stopped' && vm.state !== 'crashed') hangar('vm', 'kill', vm.name);
  cleanup();
});

describe('CLI: TPM 2.0 and Secure Boot', () => {
  test('doctor reports swtpm and the Secure Boot firmware', () => {
    const r = hangar('doctor');
    assert.match(r.stdout, /ok +TPM 2\.0: +swtpm \S+ \(\/\S*swtpm\)/);
    assert.match(r.stdout, /ok +Secure Boot: \/\S+OVMF_CODE\S*\.fd \(\/\S+\.json\)/);
    const caps = JSON.parse(hangar('doctor', '--json').stdout) as { swtpm: unknown; secureBootFirmware: unknown };
    assert.ok(caps.swtpm && caps.secureBootFirmware);
  });

  test('vm create --tpm --secure-boot → vm show (text and --json); refusals; vm set switches both', () => {
    const c = hangar('vm', 'create', '--name', 'w11', '--firmware', 'uefi', '--tpm', '--secure-boot', '--display', 'none', '--no-network', '--json');
    assert.equal(c.code, 0, c.stderr);
    const info = show('w11');
    assert.equal(info.spec.tpm, true);
    assert.equal(info.spec.secureBoot, true);
    assert.match(hangar('vm', 'show', 'w11').stdout, /Security: +Secure Boot on, TPM 2\.0 on/);
    assert.ok(fs.existsSync(`${info.dir}/OVMF_VARS.secboot.fd`), 'per-VM Secure Boot vars made at create');

    const bad = hangar('vm', 'create', '--name', 'nope', '--secure-boot');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Secure Boot needs UEFI firmware/);
    const badSet = hangar('vm', 'set', 'w11', '--machine', 'pc');
    assert.notEqual(badSet.code, 0);
    assert.match(badSet.stderr, /q35/);

    const off = JSON.parse(hangar('vm', 'set', 'w11', '--no-secure-boot', '--no-tpm', '--json').stdout) as VmInfo;
    assert.equal(off.spec.secureBoot, false);
    assert.equal(off.spec.tpm, false);
    assert.match(hangar('vm', 'show', 'w11').stdout, /Secure Boot off, TPM 2\.0 off/);
    const on = JSON.parse(hangar('vm', 'set', 'w11', '--tpm', '--json').stdout) as VmInfo;
    assert.equal(on.spec.tpm, true);
    assert.equal(on.spec.secureBoot, false);
    assert.notEqual(hangar('vm', 'set', 'w11').code, 0, 'nothing to change is a usage error');
  });

  test('vm start runs swtpm and QEMU with the TPM device; vm kill leaves no swtpm', { timeout: 180000 }, () => {
    const c = hangar('vm', 'create', '--name', 'tpmcli', '--tpm', '--memory', '128', '--display', 'none', '--no-network', '--kernel', g.kernel, '--initrd', g.initrd, '--append', GUEST_APPEND);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(hangar('vm', 'start', 'tpmcli').code, 0);
    const vm = show('tpmcli');
    assert.equal(vm.state, 'running');
    const qemu = argvOf(vm.pid!);
    assert.ok(qemu.includes('emulator,id=tpm0,chardev=chrtpm') && qemu.includes('tpm-crb,tpmdev=tpm0'), qemu.join(' '));
    const swtpmPid = Number(fs.readFileSync(`${vm.dir}/swtpm.pid`, 'utf8').trim());
    assert.ok(argvOf(swtpmPid).includes('--tpm2'), 'swtpm runs, detached from the CLI that started it');
    assert.equal(hangar('vm', 'kill', 'tpmcli').code, 0);
    return waitFor('swtpm to end', () => !fs.existsSync(`/proc/${swtpmPid}`), 15000, 100).then(() => undefined);
  });
});
