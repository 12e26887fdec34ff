import * as path from 'node:path';
import { z } from 'zod';
import { VmSpecSchema, type ApplianceReview, type VmSpec } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';
import { parseOvf, type ParsedOvf } from './ovf-parse';
import { parseManifest, type ManifestAlg } from './ovf-write';
import { listTar, readAt, type TarEntry } from './tar';

/**
 * Opening an appliance on its host: an OVA (tar), an .ovf with its files beside it, or a Hangar
 * bundle folder. Reads only the descriptor and the manifest (an OVA's headers are hopped over),
 * so the review is instant whatever the disks weigh.
 */

export const BUNDLE_FILE = 'hangar-bundle.json';
export const BundleSchema = z
  .object({
    format: z.literal('hangar-bundle'),
    version: z.literal(1),
    spec: VmSpecSchema,
    disks: z.array(z.object({ id: z.string(), file: z.string().regex(/^[\w.-]+$/), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict()),
  })
  .strict();
export type Bundle = z.infer<typeof BundleSchema>;

/** A member of the package: inside the OVA (`entry`) or a file beside the .ovf / in the bundle (`file`). */
export interface Member {
  name: string;
  size: number;
  entry?: TarEntry;
  file?: string;
}

export interface OpenedPackage {
  kind: ApplianceReview['kind'];
  path: string;
  members: Map<string, Member>;
  ovfName: string | null;
  ovfBytes: Buffer | null;
  ovf: ParsedOvf | null;
  bundle: Bundle | null;
  manifest: { algorithm: ManifestAlg; files: Map<string, string> } | null;
}

const MAX_DESCRIPTOR = 16 * 1024 * 1024;

export async function openPackage(host: Host, file: string): Promise<OpenedPackage> {
  const st = await host.fs.stat(file);
  if (!st) throw new HangarError('NOT_FOUND', `"${file}" does not exist on host "${host.id}".`, { field: 'path' });
  if (st.isDirectory) return openBundle(host, file);
  const base: OpenedPackage = { kind: 'ova', path: file, members: new Map(), ovfName: null, ovfBytes: null, ovf: null, bundle: null, manifest: null };
  const head = await readAt(host, file, 0, 512);
  if (head.toString('ascii', 257, 262) === 'ustar' || /\.ova$/i.test(file)) {
    const entries = await listTar(host, file);
    const first = entries[0];
    if (!first || !/\.ovf$/i.test(first.name)) throw new HangarError('INVALID_INPUT', `"${file}" is not an OVA: its first member must be the .ovf descriptor${first ? `, not "${first.name}"` : ''}.`);
    for (const e of entries) base.members.set(e.name, { name: e.name, size: e.size, entry: e });
    base.ovfName = first.name;
    if (first.size > MAX_DESCRIPTOR) throw new HangarError('INVALID_INPUT', 'The OVF descriptor is larger than 16 MiB.');
    base.ovfBytes = await readAt(host, file, first.offset, first.size);
    const mf = entries.find((e) => /\.mf$/i.test(e.name));
    if (mf) base.manifest = parseManifest((await readAt(host, file, mf.offset, Math.min(mf.size, MAX_DESCRIPTOR))).toString('utf8'));
  } else {
    if (st.size > MAX_DESCRIPTOR) throw new HangarError('INVALID_INPUT', `"${file}" is neither an OVA (tar) nor an OVF descriptor.`);
    base.kind = 'ovf';
    base.ovfName = path.basename(file);
    base.ovfBytes = await host.fs.readFile(file);
    base.members.set(base.ovfName, { name: base.ovfName, size: st.size, file });
    const mfPath = file.replace(/\.ovf$/i, '') + '.mf';
    const mfSt = mfPath !== file ? await host.fs.stat(mfPath) : null;
    if (mfSt) base.manifest = parseManifest((await host.fs.readFile(mfPath)).toString('utf8'));
  }
  base.ovf = parseOvf(base.ovfBytes.toString('utf8'));
  if (base.kind === 'ovf') {
    for (const f of base.ovf.files) {
      const p = path.join(path.dirname(file), f.href);
      const s = await host.fs.stat(p);
      if (s) base.members.set(f.href, { name: f.href, size: s.size, file: p });
    }
  }
  for (const d of base.ovf.disks) {
    if (d.href && !base.members.has(d.href)) throw new HangarError('NOT_FOUND', `The appliance names the disk file "${d.href}", which is not in the package.`);
  }
  return base;
}

async function openBundle(host: Host, dir: string): Promise<OpenedPackage> {
  const manifestPath = path.join(dir, BUNDLE_FILE);
  if (!(await host.fs.stat(manifestPath))) throw new HangarError('INVALID_INPUT', `"${dir}" is a folder but not a Hangar bundle (no ${BUNDLE_FILE} in it).`, { field: 'path' });
  let bundle: Bundle;
  try {
    bundle = BundleSchema.parse(JSON.parse((await host.fs.readFile(manifestPath)).toString('utf8')));
  } catch (e) {
    throw new HangarError('INVALID_INPUT', `${BUNDLE_FILE} in "${dir}" is damaged: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`);
  }
  const members = new Map<string, Member>();
  for (const d of bundle.disks) {
    const p = path.join(dir, d.file);
    const s = await host.fs.stat(p);
    if (!s) throw new HangarError('NOT_FOUND', `The bundle's disk "${d.file}" is missing from "${dir}".`);
    members.set(d.file, { name: d.file, size: s.size, file: p });
  }
  return { kind: 'bundle', path: dir, members, ovfName: null, ovfBytes: null, ovf: null, bundle, manifest: { algorithm: 'SHA256', files: new Map(bundle.disks.map((d) => [d.file, d.sha256])) } };
}

/** The review (what `appliance.inspect` returns) of an opened package. */
export function reviewOf(pkg: OpenedPackage): ApplianceReview {
  const manifest = pkg.manifest ? { algorithm: pkg.manifest.algorithm, files: pkg.manifest.files.size } : null;
  if (pkg.bundle) {
    const s: VmSpec = pkg.bundle.spec;
    return {
      path: pkg.path, kind: 'bundle', version: 'hangar-1', producer: 'Hangar', name: s.name, description: s.description,
      cpus: s.cpus, memoryMiB: s.memoryMiB, firmware: s.firmware, machine: s.machine,
      os: { family: s.os.family, osinfo: s.os.variant, declared: `${s.os.family}${s.os.variant ? ` ${s.os.variant}` : ''}` },
      disks: pkg.bundle.disks.map((d, i) => ({ file: d.file, format: 'qcow2', capacityBytes: 0, fileBytes: pkg.members.get(d.file)?.size ?? 0, bus: s.disks[i]?.bus ?? 'virtio' })),
      nics: s.nics.map((n) => ({ model: n.model, mac: n.mac, declared: `${n.model} (${n.mode})` })),
      notes: [
        ...(s.cdrom ? [{ item: `Install media ${s.cdrom}`, action: 'dropped' as const, reason: 'Not part of the bundle; attach an ISO in the VM settings.' }] : []),
        ...(s.kernel ? [{ item: `Direct kernel boot ${s.kernel.path}`, action: 'dropped' as const, reason: 'Kernel files are not part of the bundle.' }] : []),
      ],
      manifest,
    };
  }
  const o = pkg.ovf!;
  return {
    path: pkg.path, kind: pkg.kind, version: o.version, producer: o.producer, name: o.name, description: o.description,
    cpus: o.cpus, memoryMiB: o.memoryMiB, firmware: o.firmware, machine: o.machine, os: o.os,
    disks: o.disks.map((d) => ({ file: d.href ?? '', format: /streamOptimized/i.test(d.format) ? 'vmdk (streamOptimized)' : /vmdk/i.test(d.format) ? 'vmdk' : d.format || 'unknown', capacityBytes: d.capacityBytes, fileBytes: d.href ? (pkg.members.get(d.href)?.size ?? 0) : 0, bus: d.bus })),
    nics: o.nics,
    notes: o.notes,
    manifest,
  };
}
