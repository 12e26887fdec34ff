import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { VmInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { swtpmPid } from '../../src-main/tpm/tpm-service';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { guestValue, waitGuestPrompt } from '../helpers/guest-shell';
import { killAllAndClose, tempHome, waitFor } from '../helpers/env';

// TPM 2.0 for real: the test guest (Debian's cloud kernel: tpm_crb built in) on q35 with swtpm,
// real QEMU under TCG. The proof that the TPM's state persists is its endorsement key, created
// once by swtpm_setup and read by the guest with a raw TPM2_ReadPublic(0x81010001) on /dev/tpm0.

const { home, cleanup } = tempHome('hangar-tpm-');
let engine: Engine;
const g = guestFiles();

// TPM2_ReadPublic: tag 0x8001 (no sessions), size 14, command 0x173, handle 0x81010001 (the EK).
// Written in one write() (busybox printf), read back on the same open file, printed as hex.
const READ_EK =
  "exec 3<>/dev/tpm0; printf '\\200\\001\\000\\000\\000\\016\\000\\000\\001\\163\\201\\001\\000\\001' >&3; " +
  'echo EK=$(dd bs=4096 count=1 <&3 2>/dev/null | od -An -tx1 | tr -d " \\n"); exec 3<&-';
const READ_VERSION = 'echo TPMV=$(cat /sys/class/tpm/tpm0/tpm_version_major)';

/** Processes whose argv names this VM's TPM state folder (to prove there is one swtpm, or none). */
function swtpmProcesses(tpmDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.includes('swtpm') && argv.some((a) => a.startsWith(`dir=${tpmDir}`))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function waitState(e: Engine, vm: string, state: VmInfo['state'], timeoutMs = 60000): Promise<VmInfo> {
  return waitFor(`${vm} to be ${state}`, async () => ((await e.call('vm.get', { vm })).state === state ? e.call('vm.get', { vm }) : null), timeoutMs, 200);
}

async function readTpm(e: Engine, vm: string): Promise<{ version: string; ek: string }> {
  await waitGuestPrompt(e, vm);
  const version = await guestValue(e, vm, READ_VERSION, 'TPMV', '\\d+');
  const ek = await guestValue(e, vm, READ_EK, 'EK', '[0-9a-f]+');
  return { version, ek };
}

before(async () => {
  engine = await Engine.open({ home, watch: true });
});

after(async () => {
  await killAllAndClose(engine);
  cleanup();
});

describe('TPM 2.0 (swtpm) against real QEMU', () => {
  test('the guest sees TPM 2.0; its EK is the same after stop/start and after an engine restart; no swtpm is left behind', { timeout: 900000 }, async () => {
    const created = await engine.call('vm.create', { name: 'tpm', memoryMiB: 192, display: 'none', nics: [], tpm: true, kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    assert.equal(created.spec.tpm, true);
    const host = engine.hosts.get('local');
    const paths = await engine.vms.paths(created);

    await engine.call('vm.start', { vm: 'tpm' });
    assert.ok(fs.existsSync(`${paths.tpmDir}/tpm2-00.permall`), 'swtpm_setup created the TPM state in the VM folder');
    assert.equal(swtpmProcesses(paths.tpmDir).length, 1, 'one swtpm runs for the VM');
    const first = await readTpm(engine, 'tpm');
    assert.equal(first.version, '2');
    // A TPM2 response: tag 8001, then size, then TPM_RC_SUCCESS, then the RSA public area (type 0001).
    assert.match(first.ek, /^8001[0-9a-f]{8}00000000/, `TPM2_ReadPublic(EK) succeeded: ${first.ek.slice(0, 40)}`);
    assert.ok(first.ek.length > 500, 'the response carries the 2048-bit public key');

    // ACPI shutdown: QEMU ends, and with it swtpm.
    await engine.call('vm.stop', { vm: 'tpm', timeoutSec: 120, wait: true });
    await waitFor('swtpm to end after the guest powered off', () => swtpmProcesses(paths.tpmDir).length === 0, 15000, 100);

    await engine.call('vm.start', { vm: 'tpm' });
    const second = await readTpm(engine, 'tpm');
    assert.equal(second.ek, first.ek, 'the EK survived a stop/start');

    // Engine restart: the VM and its swtpm keep running; the new engine re-attaches and starts no second swtpm.
    const pidBefore = await swtpmPid(host, paths);
    assert.ok(pidBefore);
    await engine.close();
    engine = await Engine.open({ home, watch: true });
    assert.equal((await engine.call('vm.get', { vm: 'tpm' })).state, 'running');
    assert.deepEqual(swtpmProcesses(paths.tpmDir), [pidBefore], 're-attach started no second swtpm');
    const third = await readTpm(engine, 'tpm');
    assert.equal(third.ek, first.ek, 'the TPM still answers with the same EK after the engine restart');

    // Force off from the new engine, then a fresh start: still the same TPM.
    await engine.call('vm.kill', { vm: 'tpm' });
    await waitFor('swtpm to end after a force-off', () => swtpmProcesses(paths.tpmDir).length === 0, 15000, 100);
    await engine.call('vm.start', { vm: 'tpm' });
    const fourth = await readTpm(engine, 'tpm');
    assert.equal(fourth.ek, first.ek, 'the EK survived an engine restart and a force-off');

    // A crash (QEMU killed behind Hangar's back): swtpm goes too.
    const pid = (await engine.call('vm.get', { vm: 'tpm' })).pid!;
    process.kill(pid, 'SIGKILL');
    await waitState(engine, 'tpm', 'crashed');
    await waitFor('swtpm to end after QEMU crashed', () => swtpmProcesses(paths.tpmDir).length === 0, 15000, 100);
  });

  test('Secure Boot is refused without UEFI or q35; switching TPM in Settings works only while stopped', { timeout: 120000 }, async () => {
    await assert.rejects(engine.call('vm.create', { name: 'sb-bios', secureBoot: true, firmware: 'bios' }), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && /needs UEFI/.test(e.message));
    await assert.rejects(engine.call('vm.create', { name: 'sb-pc', secureBoot: true, firmware: 'uefi', machine: 'pc' }), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && /q35/.test(e.message));
    const vm = await engine.call('vm.create', { name: 'switch', firmware: 'uefi', display: 'none', nics: [] });
    const on = await engine.call('vm.update', { vm: 'switch', tpm: true, secureBoot: true });
    assert.equal(on.spec.tpm, true);
    assert.equal(on.spec.secureBoot, true);
    const paths = await engine.vms.paths(vm);
    assert.ok(fs.existsSync(paths.secureBootVars), 'a per-VM copy of the Microsoft-keys vars was made');
    assert.deepEqual(JSON.parse(fs.readFileSync(paths.vmJson, 'utf8')).tpm, true);
    await assert.rejects(engine.call('vm.update', { vm: 'switch', firmware: 'bios' }), /Secure Boot needs UEFI/);
    const off = await engine.call('vm.update', { vm: 'switch', secureBoot: false, tpm: false });
    assert.equal(off.spec.secureBoot, false);
    assert.equal(off.spec.tpm, false);
  });
});
