import type { HostCapabilities, VmSpec } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';
import { checkImage, readRange } from '../images/detect';
import { QEMU_IMG } from '../qemu/probe';
import { requireFile } from './vm-checks';

/**
 * Boot media and disks checked by content, not by name (issue 12: `--iso` pointing at a text file or
 * /dev/null created a VM, and a corrupt qcow2 given to `--attach-disk` was accepted and started).
 */

const SECTOR = 2048;
const FIRST_DESCRIPTOR = 16 * SECTOR;
/** ISO 9660 volume descriptors and the UDF volume recognition sequence share sectors 16.. */
const DESCRIPTOR_IDS = new Set(['CD001', 'BEA01', 'NSR02', 'NSR03', 'TEA01']);

/** Does this block (from byte 32768 of a file) start with ISO 9660 or UDF volume descriptors? Pure. */
export function looksLikeOpticalImage(descriptors: Buffer): boolean {
  for (let off = 0; off + 6 <= descriptors.length; off += SECTOR) {
    if (DESCRIPTOR_IDS.has(descriptors.toString('latin1', off + 1, off + 6))) return true;
  }
  return false;
}

export async function requireIsoImage(host: Host, file: string, field: string): Promise<void> {
  await requireFile(host, file, 'ISO', field);
  const st = await host.fs.stat(file);
  if (!st?.isFile) throw new HangarError('INVALID_INPUT', `"${file}" is not an ISO image: it is a device or special file, not a regular file.`, { field });
  const head = await readRange(host, file, FIRST_DESCRIPTOR, 4 * SECTOR);
  if (!looksLikeOpticalImage(head))
    throw new HangarError(
      'INVALID_INPUT',
      `"${file}" is not an ISO image: it has no ISO 9660 or UDF volume descriptor at byte ${FIRST_DESCRIPTOR}${st.size < FIRST_DESCRIPTOR ? ` (it is only ${st.size} bytes)` : ''}. Choose an installation ISO.`,
      { field },
    );
}

/** `qemu-img info`, then `qemu-img check`: refuse with qemu-img's own reason. */
export async function requireHealthyDisk(host: Host, caps: HostCapabilities, file: string, field: string): Promise<void> {
  const qemuImg = caps.qemuImg?.binary ?? QEMU_IMG;
  const info = await host.exec(qemuImg, ['info', '--output=json', file], { timeoutMs: 60_000 });
  if (info.code !== 0) {
    const why = info.stderr.trim().split('\n').pop()?.replace(/^qemu-img: /, '') ?? '';
    throw new HangarError('INVALID_INPUT', `"${file}" cannot be used as a disk: qemu-img info says: ${why || 'unreadable'}.`, { field });
  }
  let format = 'raw';
  try {
    format = (JSON.parse(info.stdout) as { format?: string }).format ?? 'raw';
  } catch {
    // qemu-img printed no JSON: treat it as raw, which needs no check
  }
  if (format !== 'qcow2' && format !== 'vmdk' && format !== 'vdi' && format !== 'vhdx') return;
  const problem = await checkImage(host, qemuImg, file, format);
  if (problem) throw new HangarError('INVALID_INPUT', `"${file}" is damaged: ${problem}. Repair it (qemu-img check -r all) or choose another disk.`, { field });
}

/** Before a start: every qcow2 disk passes `qemu-img check` (a damaged one would corrupt further). */
export async function checkDisksBeforeStart(host: Host, caps: HostCapabilities, spec: VmSpec): Promise<void> {
  for (const d of spec.disks) if (d.format === 'qcow2') await requireHealthyDisk(host, caps, d.path, 'disks');
}
