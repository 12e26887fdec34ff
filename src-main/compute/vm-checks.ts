import { HangarError } from '../api/errors';
import type { HostCapabilities } from '../api/contract';
import type { Host } from '../hosts/host';
import { QEMU_IMG } from '../qemu/probe';
import { MiB } from '../util/units';

/** Checks shared by create, update and start: each refusal is a sentence naming the field at fault. */
export function requireQemu(caps: HostCapabilities): void {
  if (!caps.qemu) throw new HangarError('MISSING_DEPENDENCY', `QEMU (qemu-system-x86_64) is not installed on ${caps.hostname}. ${caps.installHint ?? ''}`.trim());
}

export function checkResources(caps: HostCapabilities, cpus: number, memoryMiB: number): void {
  if (cpus > caps.cpus) throw new HangarError('RESOURCE_LIMIT', `${cpus} CPUs is more than this host has (${caps.cpus}).`, { field: 'cpus', max: caps.cpus });
  const hostMiB = Math.floor(caps.memoryBytes / MiB);
  if (memoryMiB > hostMiB) throw new HangarError('RESOURCE_LIMIT', `${memoryMiB} MiB of memory is more than this host has (${hostMiB} MiB).`, { field: 'memoryMiB', max: hostMiB });
}

export async function requireFile(host: Host, file: string, what: string, field: string): Promise<void> {
  const st = await host.fs.stat(file);
  if (!st) throw new HangarError('INVALID_INPUT', `${what} file "${file}" does not exist.`, { field });
  if (st.isDirectory) throw new HangarError('INVALID_INPUT', `${what} path "${file}" is a folder, not a file.`, { field });
  if (!(await host.fs.access(file, 'r'))) throw new HangarError('INVALID_INPUT', `${what} file "${file}" cannot be read (permissions).`, { field });
}

export async function detectDiskFormat(host: Host, caps: HostCapabilities, file: string): Promise<'qcow2' | 'raw'> {
  const r = await host.exec(caps.qemuImg?.binary ?? QEMU_IMG, ['info', '--output=json', file], { timeoutMs: 30000 });
  if (r.code !== 0) throw new HangarError('INVALID_INPUT', `"${file}" is not a disk image QEMU can read.`, { field: 'attachDisks' });
  const fmt = (JSON.parse(r.stdout) as { format?: string }).format;
  if (fmt === 'qcow2' || fmt === 'raw') return fmt;
  throw new HangarError('UNSUPPORTED', `"${file}" is a ${fmt} image: import it into the image library to convert it to qcow2.`, { field: 'attachDisks' });
}

