import type { VmSpec } from '../api/contract';
import type { Host } from './host';
import type { VmPaths } from '../qemu/paths';

/**
 * A UEFI VM keeps its firmware variables (boot entries, Secure Boot keys) in a flash file in its
 * folder. QEMU migrates the flash contents with RAM (cfi.pflash01 is a ROM device region) and,
 * once the VM runs at the destination, writes them back to the destination's file: but that file
 * must exist with the same size before QEMU starts there, or QEMU refuses to open its drive.
 * The source's file is copied over (it is small: 128–540 KiB), so even before the write-back the
 * destination holds the variables the VM had.
 */
export async function carryFirmwareVars(spec: VmSpec, from: Host, fromPaths: VmPaths, to: Host, toPaths: VmPaths): Promise<void> {
  if (spec.firmware !== 'uefi') return;
  const file = spec.secureBoot ? { from: fromPaths.secureBootVars, to: toPaths.secureBootVars } : { from: fromPaths.ovmfVars, to: toPaths.ovmfVars };
  await to.fs.writeFileAtomic(file.to, await from.fs.readFile(file.from), 0o600);
}
