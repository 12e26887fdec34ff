import * as path from 'node:path';
import type { Host } from '../hosts/host';

/**
 * Secure Boot firmware, found the way libvirt finds it: from QEMU's firmware descriptors
 * (docs/interop/firmware.json; Debian's ovmf ships them in /usr/share/qemu/firmware/*.json).
 * We want an x86_64 UEFI flash image for q35 with the features "secure-boot", "enrolled-keys"
 * (Microsoft's keys in the vars template, so Windows and shim-signed Linux boot) and
 * "requires-smm" (the code only lets SMM write the authenticated variables: without SMM a
 * guest could rewrite db/dbx itself). Descriptors are read in the order QEMU documents:
 * by file name, a file in /etc overriding one of the same name in /usr/share.
 */
export const FIRMWARE_DESCRIPTOR_DIRS = ['/etc/qemu/firmware', '/usr/share/qemu/firmware'];

export interface SecureBootFirmware {
  code: string;
  vars: string;
  /** The descriptor the files were named in (shown by `hangar doctor`). */
  descriptor: string;
}

interface Descriptor {
  'interface-types'?: string[];
  mapping?: { device?: string; mode?: string; executable?: { filename?: string; format?: string }; 'nvram-template'?: { filename?: string; format?: string } };
  targets?: Array<{ architecture?: string; machines?: string[] }>;
  features?: string[];
}

/** Does a descriptor name a Secure Boot OVMF with enrolled keys for q35 in split (code + vars) flash mode? */
export function secureBootFiles(d: Descriptor): { code: string; vars: string } | null {
  const m = d.mapping;
  if (!d['interface-types']?.includes('uefi') || m?.device !== 'flash' || (m.mode && m.mode !== 'split')) return null;
  const features = new Set(d.features ?? []);
  if (!features.has('secure-boot') || !features.has('enrolled-keys') || !features.has('requires-smm')) return null;
  const q35 = (d.targets ?? []).some((t) => t.architecture === 'x86_64' && (t.machines ?? []).some((pattern) => globMatch(pattern, 'pc-q35-9.0')));
  if (!q35) return null;
  const code = m.executable?.filename;
  const vars = m['nvram-template']?.filename;
  if (!code || !vars || (m.executable?.format ?? 'raw') !== 'raw' || (m['nvram-template']?.format ?? 'raw') !== 'raw') return null;
  return { code, vars };
}

/** The glob subset descriptors use ("pc-q35-*"). */
function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

/** The first usable Secure Boot firmware on a host, or null. */
export async function findSecureBootFirmware(host: Host): Promise<SecureBootFirmware | null> {
  const byName = new Map<string, string>();
  for (const dir of [...FIRMWARE_DESCRIPTOR_DIRS].reverse()) {
    const names = await host.fs.readdir(dir).catch(() => [] as string[]);
    for (const name of names) if (name.endsWith('.json')) byName.set(name, path.posix.join(dir, name));
  }
  for (const name of [...byName.keys()].sort()) {
    const file = byName.get(name)!;
    let d: Descriptor;
    try {
      d = JSON.parse((await host.fs.readFile(file)).toString('utf8')) as Descriptor;
    } catch {
      continue;
    }
    const files = secureBootFiles(d);
    if (!files) continue;
    if ((await host.fs.stat(files.code))?.isFile && (await host.fs.stat(files.vars))?.isFile) return { ...files, descriptor: file };
  }
  return null;
}
