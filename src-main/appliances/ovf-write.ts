import type { VmSpec } from '../api/contract';
import { HangarError } from '../api/errors';
import { exportOsType } from './os-map';

/**
 * VM spec → OVF 1.0 descriptor, shaped like the ones VirtualBox itself writes (so VirtualBox's
 * importer takes it: IDE controller PIIX4, SATA controller AHCI, VirtioSCSI, E1000/virtio NICs on
 * "NAT", streamOptimized VMDK disks). What OVF 1.0 cannot say (machine type, firmware, virtio-blk)
 * goes in a `hangar:HangarSection` with ovf:required="false", which other importers skip, and
 * VMware's `vmw:Config firmware` for UEFI. Pure string building: every value is escaped.
 */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface ExportDisk {
  /** File name inside the OVA. */
  href: string;
  fileBytes: number;
  capacityBytes: number;
  bus: VmSpec['disks'][number]['bus'];
}

const NIC_SUBTYPE: Record<VmSpec['nics'][number]['model'], string> = { 'virtio-net-pci': 'virtio', e1000: 'E1000', e1000e: 'E1000', rtl8139: 'E1000' };

export function buildOvf(spec: VmSpec, disks: ExportDisk[]): string {
  const lines: string[] = [];
  const p = (s: string) => lines.push(s);
  let instance = 0;
  const item = (fields: Array<[string, string | number]>) => {
    p('      <Item>');
    for (const [k, v] of fields) p(`        <rasd:${k}>${esc(String(v))}</rasd:${k}>`);
    p('      </Item>');
  };
  const os = exportOsType(spec.os.family, spec.os.variant);

  p('<?xml version="1.0"?>');
  p('<Envelope ovf:version="1.0" xml:lang="en-US" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:hangar="https://hangar.invalid/ovf/1">');
  p('  <References>');
  disks.forEach((d, i) => p(`    <File ovf:id="file${i + 1}" ovf:href="${esc(d.href)}" ovf:size="${d.fileBytes}"/>`));
  p('  </References>');
  p('  <DiskSection>');
  p('    <Info>List of the virtual disks used in the package</Info>');
  disks.forEach((d, i) => p(`    <Disk ovf:capacity="${d.capacityBytes}" ovf:diskId="vmdisk${i + 1}" ovf:fileRef="file${i + 1}" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>`));
  p('  </DiskSection>');
  p('  <NetworkSection>');
  p('    <Info>Logical networks used in the package</Info>');
  p('    <Network ovf:name="NAT">');
  p('      <Description>Logical network used by this appliance.</Description>');
  p('    </Network>');
  p('  </NetworkSection>');
  p(`  <VirtualSystem ovf:id="${esc(spec.name)}">`);
  p('    <Info>A virtual machine</Info>');
  if (spec.description) {
    p('    <AnnotationSection>');
    p('      <Info>A human-readable annotation</Info>');
    p(`      <Annotation>${esc(spec.description)}</Annotation>`);
    p('    </AnnotationSection>');
  }
  p(`    <OperatingSystemSection ovf:id="${os.cimId}">`);
  p('      <Info>The kind of installed guest operating system</Info>');
  p(`      <Description>${esc(os.description)}</Description>`);
  p('    </OperatingSystemSection>');
  p('    <VirtualHardwareSection>');
  p('      <Info>Virtual hardware requirements for a virtual machine</Info>');
  p('      <System>');
  p('        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>');
  p('        <vssd:InstanceID>0</vssd:InstanceID>');
  p(`        <vssd:VirtualSystemIdentifier>${esc(spec.name)}</vssd:VirtualSystemIdentifier>`);
  p('        <vssd:VirtualSystemType>virtualbox-2.2</vssd:VirtualSystemType>');
  p('      </System>');
  item([['Caption', `${spec.cpus} virtual CPU`], ['Description', 'Number of virtual CPUs'], ['ElementName', `${spec.cpus} virtual CPU`], ['InstanceID', ++instance], ['ResourceType', 3], ['VirtualQuantity', spec.cpus]]);
  item([['AllocationUnits', 'MegaBytes'], ['Caption', `${spec.memoryMiB} MB of memory`], ['Description', 'Memory Size'], ['ElementName', `${spec.memoryMiB} MB of memory`], ['InstanceID', ++instance], ['ResourceType', 4], ['VirtualQuantity', spec.memoryMiB]]);
  // one controller per kind of bus in use; virtio-blk disks sit on SATA for other importers (hangar:HangarDisk keeps the truth)
  const ctl = new Map<string, number>();
  const controllerFor = (bus: ExportDisk['bus']) => {
    const kind = bus === 'ide' ? 'ide' : bus === 'scsi' ? 'scsi' : 'sata';
    if (!ctl.has(kind)) {
      const id = ++instance;
      ctl.set(kind, id);
      if (kind === 'ide') item([['Address', 0], ['Caption', 'ideController0'], ['Description', 'IDE Controller'], ['ElementName', 'ideController0'], ['InstanceID', id], ['ResourceSubType', 'PIIX4'], ['ResourceType', 5]]);
      else if (kind === 'scsi') item([['Address', 0], ['Caption', 'VirtioSCSIController0'], ['Description', 'VirtioSCSI Controller'], ['ElementName', 'VirtioSCSIController0'], ['InstanceID', id], ['ResourceSubType', 'VirtioSCSI'], ['ResourceType', 6]]);
      else item([['Address', 0], ['Caption', 'sataController0'], ['Description', 'SATA Controller'], ['ElementName', 'sataController0'], ['InstanceID', id], ['ResourceSubType', 'AHCI'], ['ResourceType', 20]]);
    }
    return ctl.get(kind)!;
  };
  const perController = new Map<number, number>();
  disks.forEach((d, i) => {
    const parent = controllerFor(d.bus);
    const at = perController.get(parent) ?? 0;
    perController.set(parent, at + 1);
    item([['AddressOnParent', at], ['Caption', `disk${i + 1}`], ['Description', 'Disk Image'], ['ElementName', `disk${i + 1}`], ['HostResource', `/disk/vmdisk${i + 1}`], ['InstanceID', ++instance], ['Parent', parent], ['ResourceType', 17]]);
  });
  // VirtualBox has no RTL8139 or e1000e in OVF terms: those leave as its Intel E1000
  for (const n of spec.nics)
    item([['Address', n.mac], ['AutomaticAllocation', 'true'], ['Caption', `Ethernet adapter on 'NAT'`], ['Connection', 'NAT'], ['ElementName', `Ethernet adapter on 'NAT'`], ['InstanceID', ++instance], ['ResourceSubType', NIC_SUBTYPE[n.model]], ['ResourceType', 10]]);
  if (spec.firmware === 'uefi') p('      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>');
  p('    </VirtualHardwareSection>');
  p('    <hangar:HangarSection ovf:required="false">');
  p('      <Info>Hangar hardware details OVF 1.0 cannot express</Info>');
  p(`      <hangar:Hardware machine="${spec.machine}" firmware="${spec.firmware}"/>`);
  disks.forEach((d, i) => p(`      <hangar:HangarDisk diskId="vmdisk${i + 1}" bus="${d.bus}"/>`));
  p('    </hangar:HangarSection>');
  p('  </VirtualSystem>');
  p('</Envelope>');
  return lines.join('\n') + '\n';
}

/** Manifest lines as VirtualBox and ovftool write them: `SHA256(name)= hex`. */
export function buildManifest(entries: Array<{ name: string; sha256: string }>): string {
  return entries.map((e) => `SHA256(${e.name})= ${e.sha256}\n`).join('');
}

export type ManifestAlg = 'SHA1' | 'SHA256' | 'SHA512';

/** Parse a .mf: `SHA1(file)= hex`, `SHA256 (file) = hex` (spaces vary between producers). */
export function parseManifest(text: string): { algorithm: ManifestAlg; files: Map<string, string> } {
  const files = new Map<string, string>();
  let algorithm: ManifestAlg | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(SHA1|SHA256|SHA512)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)$/.exec(line);
    if (!m) throw new HangarError('INVALID_INPUT', `The manifest has a line Hangar cannot read: "${line.slice(0, 120)}".`);
    const alg = m[1] as ManifestAlg;
    if (algorithm && alg !== algorithm) throw new HangarError('UNSUPPORTED', `The manifest mixes ${algorithm} and ${alg} checksums.`);
    algorithm = alg;
    files.set(m[2]!, m[3]!.toLowerCase());
  }
  if (!algorithm) throw new HangarError('INVALID_INPUT', 'The manifest is empty.');
  return { algorithm, files };
}
