import type { Host } from '../hosts/host';
import type { VmPaths } from '../qemu/paths';
import { SERIAL_LOG_KEEP } from '../qemu/supervisor';

/**
 * The console scrollback follows a live-migrated VM. The serial log lives in the VM's folder on
 * its host, so after a move the destination QEMU would start an empty one and the viewer would
 * lose everything the guest printed before. Before the destination QEMU starts, its log is
 * seeded with the source log's tail (the same limit a restart keeps) and one line saying where
 * the VM moved; QEMU appends to it (`logappend=on`), so the scrollback just continues. No
 * "VM started" marker is written: the guest did not boot again.
 */
export const MOVE_MARKER_PREFIX = '--- Hangar: VM moved to ';

export async function carrySerialLog(from: Host, fromPaths: VmPaths, to: Host, toPaths: VmPaths, toName: string): Promise<void> {
  const previous = await from.fs.readTail(fromPaths.serialLog, SERIAL_LOG_KEEP);
  const lead = previous.length > 0 && !previous.subarray(-1).equals(Buffer.from('\n')) ? '\r\n' : '';
  const marker = `${lead}${MOVE_MARKER_PREFIX}${toName} ${new Date().toISOString()} ---\r\n`;
  await to.fs.writeFileAtomic(toPaths.serialLog, Buffer.concat([previous, Buffer.from(marker)]), 0o600);
}
