import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../src-main/engine/engine';
import { GUEST_DIR, READY_BANNER } from '../helpers/guest';
import { bootSerial, guestValue, waitGuestPrompt } from '../helpers/guest-shell';
import { ROOT, killAllAndClose, tempHome, waitFor } from '../helpers/env';

// Secure Boot for real: OVMF with Microsoft's keys (found from QEMU's firmware descriptors) boots
// Debian's signed chain — shim (signed by Microsoft) → GRUB (signed by Debian) → the signed cloud
// kernel — and the kernel reports Secure Boot on; an unsigned GRUB is refused by the firmware.
// The disks come from scripts/build-secureboot-guest.sh (cached by content hash). TCG: OVMF is slow.

const { home, cleanup } = tempHome('hangar-sb-');
let engine: Engine;
const SB_DIR = path.join(GUEST_DIR, 'secureboot');

function esp(name: 'signed' | 'unsigned'): string {
  // the guest must not write to the cached image: each VM gets its own copy
  const copy = path.join(home, `esp-${name}.img`);
  fs.copyFileSync(path.join(SB_DIR, `esp-${name}.img`), copy);
  return copy;
}

before(async () => {
  execFileSync('bash', [path.join(ROOT, 'scripts', 'build-secureboot-guest.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  engine = await Engine.open({ home, watch: true });
});

after(async () => {
  await killAllAndClose(engine);
  cleanup();
});

const sbVm = (name: string, disk: string) => ({ name, memoryMiB: 384, firmware: 'uefi' as const, machine: 'q35' as const, secureBoot: true, display: 'none' as const, nics: [], attachDisks: [{ path: disk, format: 'raw' as const }] });

describe('Secure Boot against real QEMU + OVMF (Microsoft keys)', () => {
  test('the signed Debian chain boots with Secure Boot enabled; an unsigned EFI binary is refused, and boots once Secure Boot is off', { timeout: 900000 }, async () => {
    const caps = await engine.call('host.capabilities', { hostId: 'local' });
    assert.ok(caps.secureBootFirmware, 'Secure Boot firmware found from /usr/share/qemu/firmware');
    await engine.call('vm.create', sbVm('sb-signed', esp('signed')));
    await engine.call('vm.create', sbVm('sb-unsigned', esp('unsigned')));
    await engine.call('vm.start', { vm: 'sb-signed' });
    await engine.call('vm.start', { vm: 'sb-unsigned' });

    // Signed: shim → GRUB → kernel; the EFI stub and the kernel both say Secure Boot is on.
    await waitFor('the signed guest to boot', async () => (await bootSerial(engine, 'sb-signed')).includes(READY_BANNER), 600000, 500);
    const signedLog = await bootSerial(engine, 'sb-signed');
    assert.match(signedLog, /secureboot: Secure boot enabled/);
    assert.match(signedLog, /Kernel is locked down from EFI Secure Boot/);
    await waitGuestPrompt(engine, 'sb-signed');
    assert.equal(await guestValue(engine, 'sb-signed', "echo SB=$(dmesg | grep -c 'Secure boot enabled')", 'SB', '\\d+'), '1', 'dmesg in the guest says Secure boot enabled');

    // Unsigned: the firmware refuses to load it (EFI_SECURITY_VIOLATION, "Access Denied").
    const refusal = await waitFor('the firmware to refuse the unsigned boot loader', async () => /BdsDxe: failed to load Boot\d+ .*(Access Denied|Security Violation)/.exec(await bootSerial(engine, 'sb-unsigned'))?.[0], 600000, 500);
    assert.ok(refusal);
    assert.ok(!(await bootSerial(engine, 'sb-unsigned')).includes('Booting `Hangar'), 'GRUB never ran');
    await engine.call('vm.kill', { vm: 'sb-unsigned' });

    // Control: the same disk with Secure Boot off boots the unsigned GRUB (so the refusal above was Secure Boot's).
    await engine.call('vm.kill', { vm: 'sb-signed' });
    const off = await engine.call('vm.update', { vm: 'sb-unsigned', secureBoot: false });
    assert.equal(off.spec.secureBoot, false);
    await engine.call('vm.start', { vm: 'sb-unsigned' });
    await waitFor('the unsigned GRUB to boot without Secure Boot', async () => (await bootSerial(engine, 'sb-unsigned')).includes(READY_BANNER), 600000, 500);
    assert.ok(!/secureboot: Secure boot enabled/.test(await bootSerial(engine, 'sb-unsigned')));
  });
});
