import { XMLParser } from 'fast-xml-parser';
import type { ApplianceNote, ApplianceReview } from '../api/contract';
import { HangarError } from '../api/errors';
import { mapOsType } from './os-map';

/**
 * OVF descriptor → what Hangar would create. Pure (no files), so the review step and the tests
 * run it on any descriptor. Reads OVF 1.x (envelope/1) and 2.x (envelope/2) the way VirtualBox
 * 6/7 and VMware write them: the standard VirtualHardwareSection (rasd Items; 2.x StorageItem and
 * EthernetPortItem), then refines with VirtualBox's `vbox:Machine` (firmware, chipset, OSType),
 * VMware's `vmw:Config firmware` and Hangar's own `hangar:Hardware` section (bus per disk, machine).
 *
 * Parsed with fast-xml-parser (pure JS, no native build, maintained, ~1M weekly downloads,
 * no XXE: it never fetches entities) with namespace prefixes removed: producers bind the OVF
 * namespaces to different prefixes (ovf:, rasd:, vssd:, or a default namespace), so matching on
 * local names is what works across them.
 */

type X = Record<string, unknown>;
const ARRAYS = new Set(['File', 'Disk', 'Item', 'StorageItem', 'EthernetPortItem', 'VirtualSystem', 'Network', 'Config', 'Adapter', 'Property', 'ProductSection', 'HangarDisk']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  isArray: (name) => ARRAYS.has(name),
});

const obj = (v: unknown): X => (v && typeof v === 'object' && !Array.isArray(v) ? (v as X) : {});
const arr = (v: unknown): X[] => (Array.isArray(v) ? v.map(obj) : v === undefined ? [] : [obj(v)]);
/** The text of an element that may carry attributes (then fast-xml-parser puts its text in #text). */
function text(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v).trim();
  if (v && typeof v === 'object' && '#text' in v) return String((v as X)['#text']).trim();
  return '';
}
const attr = (v: unknown, name: string): string => {
  const a = obj(v)[`@${name}`];
  return typeof a === 'string' ? a : '';
};

/** "MegaBytes", "byte * 2^20", "GigaBytes", "KiloBytes", "bytes" → a multiplier. */
export function unitBytes(units: string): number {
  const u = units.replace(/\s+/g, '').toLowerCase();
  const pow = /^byte\*2\^(\d+)$/.exec(u);
  if (pow) return 2 ** Number(pow[1]);
  if (u === '' || u === 'byte' || u === 'bytes') return 1;
  if (u.startsWith('kilo') || u === 'kb') return 1024;
  if (u.startsWith('mega') || u === 'mb') return 1024 ** 2;
  if (u.startsWith('giga') || u === 'gb') return 1024 ** 3;
  if (u.startsWith('tera') || u === 'tb') return 1024 ** 4;
  throw new HangarError('UNSUPPORTED', `The appliance uses an allocation unit Hangar does not know: "${units}".`);
}

/** A name Hangar accepts (letters, digits, space . _ -), from whatever the appliance calls itself. */
export function toVmName(raw: string): string {
  const cleaned = raw
    .replace(/[^\p{L}\p{N} ._-]+/gu, '-')
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .slice(0, 64)
    .replace(/[ .]+$/u, '');
  return cleaned || 'imported-vm';
}

const RESOURCE = { cpu: 3, memory: 4, ide: 5, scsi: 6, nic: 10, floppy: 14, cd: 15, dvd: 16, disk: 17, otherStorage: 20, serial: 21, parallel: 22, usb: 23, graphics: 24, sound: 35 } as const;
const RESOURCE_NAMES: Record<number, string> = { 14: 'Floppy drive', 21: 'Serial port', 22: 'Parallel port', 23: 'USB controller', 24: 'Graphics controller', 35: 'Sound card', 25: 'FireWire controller' };

export interface ParsedOvf extends Omit<ApplianceReview, 'path' | 'kind' | 'manifest' | 'disks'> {
  disks: Array<{ diskId: string; href: string | null; format: string; capacityBytes: number; bus: ApplianceReview['disks'][number]['bus'] }>;
  /** Files the References section names (href → declared size). */
  files: Array<{ id: string; href: string; size: number | null }>;
}

type Bus = ApplianceReview['disks'][number]['bus'];
type NicModel = ApplianceReview['nics'][number]['model'];

function controllerBus(type: number, subtype: string, notes: ApplianceNote[], label: string): Bus {
  const s = subtype.toLowerCase();
  if (type === RESOURCE.ide) return 'ide';
  if (type === RESOURCE.otherStorage) {
    if (s.includes('nvme')) {
      notes.push({ item: `${label} (NVMe)`, action: 'changed', reason: 'Its disks go on virtio-blk: the guest needs virtio drivers (Linux has them).' });
      return 'virtio';
    }
    return 'sata';
  }
  if (type === RESOURCE.scsi) {
    if (s !== 'virtioscsi' && s !== 'virtio-scsi') notes.push({ item: `${label} (${subtype || 'SCSI'})`, action: 'changed', reason: 'Its disks go on virtio-scsi: the guest needs virtio drivers (Linux has them).' });
    return 'scsi';
  }
  return 'sata';
}

function nicModel(subtype: string, notes: ApplianceNote[], label: string): NicModel {
  const s = subtype.toLowerCase();
  if (s === 'e1000' || s === '82540em' || s === '82543gc' || s === '82545em') return 'e1000';
  if (s === 'e1000e') return 'e1000e';
  if (s === 'virtio' || s === 'virtio-net') return 'virtio-net-pci';
  if (s === 'rtl8139') return 'rtl8139';
  notes.push({ item: `${label} (${subtype || 'unknown model'})`, action: 'changed', reason: 'Emulated as an Intel e1000, which every common guest has a driver for.' });
  return 'e1000';
}

export function parseOvf(xml: string): ParsedOvf {
  let doc: X;
  try {
    doc = obj(parser.parse(xml));
  } catch (e) {
    throw new HangarError('INVALID_INPUT', `The OVF descriptor is not well-formed XML: ${e instanceof Error ? e.message : String(e)}.`);
  }
  const env = obj(doc['Envelope']);
  if (!doc['Envelope']) throw new HangarError('INVALID_INPUT', 'This is not an OVF descriptor: it has no <Envelope> element.');
  const version = attr(env, 'version') || (xml.includes('schemas.dmtf.org/ovf/envelope/2') ? '2.0' : '1.0');
  if (obj(env['VirtualSystemCollection'])['VirtualSystem']) {
    const n = arr(obj(env['VirtualSystemCollection'])['VirtualSystem']).length;
    throw new HangarError('UNSUPPORTED', `This appliance holds ${n} virtual machines (a VirtualSystemCollection); Hangar imports one VM per appliance.`);
  }
  const vs = arr(env['VirtualSystem'])[0];
  if (!vs) throw new HangarError('INVALID_INPUT', 'The OVF descriptor describes no VirtualSystem.');
  const notes: ApplianceNote[] = [];

  const files = arr(obj(env['References'])['File']).map((f) => ({ id: attr(f, 'id'), href: attr(f, 'href'), size: attr(f, 'size') ? Number(attr(f, 'size')) : null }));
  for (const f of files) {
    if (/^[a-z]+:\/\//i.test(f.href) || f.href.includes('/') || f.href.startsWith('.')) throw new HangarError('UNSUPPORTED', `The appliance refers to "${f.href}", outside the package: only files inside it can be imported.`);
  }
  const diskDefs = arr(obj(env['DiskSection'])['Disk']).map((d) => {
    const cap = attr(d, 'capacity');
    const capacityBytes = /^\d+$/.test(cap) ? Number(cap) * unitBytes(attr(d, 'capacityAllocationUnits')) : 0;
    const fileRef = attr(d, 'fileRef');
    return { diskId: attr(d, 'diskId'), href: files.find((f) => f.id === fileRef)?.href ?? null, format: attr(d, 'format'), capacityBytes };
  });

  // VirtualBox's vbox:Machine, VMware's vmw:Config and Hangar's own section refine the standard part
  const machineX = obj(vs['Machine']);
  const hw = obj(machineX['Hardware']);
  const hangarX = obj(vs['HangarSection']);
  const vhs = arr(vs['VirtualHardwareSection'])[0] ?? {};
  const vmwConfig = arr(vhs['Config']);
  const items = [...arr(vhs['Item']), ...arr(vhs['StorageItem']), ...arr(vhs['EthernetPortItem'])];
  const num = (it: X, k: string) => Number(text(it[k]) || NaN);

  let cpus = 1;
  let memoryMiB = 512;
  const controllers = new Map<string, { type: number; subtype: string }>();
  for (const it of items) {
    const t = num(it, 'ResourceType');
    if (t === RESOURCE.ide || t === RESOURCE.scsi || t === RESOURCE.otherStorage) controllers.set(text(it['InstanceID']), { type: t, subtype: text(it['ResourceSubType']) });
  }
  const disks: ParsedOvf['disks'] = [];
  const nics: ApplianceReview['nics'] = [];
  for (const it of items) {
    const t = num(it, 'ResourceType');
    const label = text(it['ElementName']) || text(it['Caption']) || `resource type ${t}`;
    if (t === RESOURCE.cpu) cpus = Math.max(1, num(it, 'VirtualQuantity') || 1);
    else if (t === RESOURCE.memory) memoryMiB = Math.round(((num(it, 'VirtualQuantity') || 0) * unitBytes(text(it['AllocationUnits']) || 'MegaBytes')) / 1024 ** 2);
    else if (t === RESOURCE.disk) {
      const ref = text(it['HostResource']).replace(/^ovf:/, '');
      const m = /^\/disk\/(.+)$/.exec(ref);
      const def = m ? diskDefs.find((d) => d.diskId === m[1]) : undefined;
      if (!def) {
        notes.push({ item: `${label} (${ref || 'no backing'})`, action: 'dropped', reason: 'It names no disk of the package (an empty disk drive).' });
        continue;
      }
      const ctl = controllers.get(text(it['Parent']));
      const bus = ctl ? controllerBus(ctl.type, ctl.subtype, notes, `Controller of ${label}`) : 'sata';
      disks.push({ ...def, bus });
    } else if (t === RESOURCE.nic) {
      const declared = text(it['ResourceSubType']) || 'E1000';
      const mac = text(it['Address']).toLowerCase();
      nics.push({ model: nicModel(declared, notes, label), mac: /^52:54:00(:[0-9a-f]{2}){3}$/.test(mac) ? mac : null, declared: `${declared} on ${text(it['Connection']) || 'no network'}` });
      const conn = text(it['Connection']);
      if (conn && !/^nat$/i.test(conn)) notes.push({ item: `${label} on network "${conn}"`, action: 'changed', reason: 'Connected to NAT (user mode); choose a bridge or internal network in the VM settings.' });
      if (mac && !/^52:54:00/.test(mac)) notes.push({ item: `${label} MAC ${mac}`, action: 'changed', reason: 'A new MAC in QEMU\u2019s range (52:54:00:…) is given; the guest may see a new NIC.' });
    } else if (t === RESOURCE.cd || t === RESOURCE.dvd) {
      const ref = text(it['HostResource']);
      if (ref) notes.push({ item: `${label} (${ref})`, action: 'dropped', reason: 'Install media are not imported; attach an ISO in the VM settings.' });
    } else if (t === RESOURCE.ide || t === RESOURCE.scsi || t === RESOURCE.otherStorage) {
      // controllers: their disks say what they became
    } else if (t === RESOURCE.graphics) {
      notes.push({ item: label, action: 'changed', reason: 'Every Hangar VM has a standard VGA display (VNC).' });
    } else {
      notes.push({ item: `${RESOURCE_NAMES[t] ?? label}${RESOURCE_NAMES[t] && label !== RESOURCE_NAMES[t] ? ` (${label})` : ''}`, action: 'dropped', reason: 'Hangar does not emulate this device.' });
    }
  }
  if (!items.some((it) => num(it, 'ResourceType') === RESOURCE.cpu) && obj(hw['CPU'])['@count']) cpus = Number(attr(hw['CPU'], 'count')) || cpus;
  if (!items.some((it) => num(it, 'ResourceType') === RESOURCE.memory) && obj(hw['Memory'])['@RAMSize']) memoryMiB = Number(attr(hw['Memory'], 'RAMSize')) || memoryMiB;

  let firmware: 'bios' | 'uefi' = 'bios';
  if (/^efi/i.test(attr(hw['Firmware'], 'type'))) firmware = 'uefi';
  if (vmwConfig.some((c) => attr(c, 'key') === 'firmware' && attr(c, 'value').toLowerCase() === 'efi')) firmware = 'uefi';
  const chipset = attr(hw['Chipset'], 'type');
  let machine: 'q35' | 'pc' = chipset && !/ich9/i.test(chipset) ? 'pc' : 'q35';
  const hangarHw = obj(hangarX['Hardware']);
  if (attr(hangarHw, 'firmware') === 'uefi' || attr(hangarHw, 'firmware') === 'bios') firmware = attr(hangarHw, 'firmware') as 'bios' | 'uefi';
  if (attr(hangarHw, 'machine') === 'q35' || attr(hangarHw, 'machine') === 'pc') machine = attr(hangarHw, 'machine') as 'q35' | 'pc';
  for (const hd of arr(hangarX['HangarDisk'])) {
    const d = disks.find((x) => x.diskId === attr(hd, 'diskId'));
    const bus = attr(hd, 'bus');
    if (d && (bus === 'virtio' || bus === 'sata' || bus === 'ide' || bus === 'scsi')) d.bus = bus;
  }
  for (const [k, v] of Object.entries(obj(hw))) {
    if (k === 'USB' && Object.keys(obj(obj(v)['Controllers'])).length) notes.push({ item: 'USB controller (VirtualBox)', action: 'dropped', reason: 'Hangar does not emulate this device.' });
    if (k === 'SharedFolders' && Object.keys(obj(v)).length) notes.push({ item: 'Shared folders (VirtualBox)', action: 'dropped', reason: 'Hangar has no shared folders; use the network.' });
  }
  // a VirtualBox NIC the standard section lacks still counts as declared
  if (nics.length === 0 && arr(obj(hw['Network'])['Adapter']).some((a) => attr(a, 'enabled') === 'true'))
    notes.push({ item: 'Network adapters only in the VirtualBox section', action: 'dropped', reason: 'Add NICs in the VM settings.' });

  const osSection = obj(vs['OperatingSystemSection']);
  const vboxOs = text(osSection['OSType']) || attr(machineX, 'OSType');
  const vmwareOs = attr(osSection, 'osType');
  const cim = attr(osSection, 'id');
  const mapped = mapOsType({ vbox: vboxOs || null, vmware: vmwareOs || null, cimId: /^\d+$/.test(cim) ? Number(cim) : null, description: text(osSection['Description']) || null });

  const product = arr(vs['ProductSection'])[0];
  const producer = /virtualbox/i.test(text(obj(vhs['System'])['VirtualSystemType'])) || vs['Machine'] ? 'VirtualBox' : vmwConfig.length || /vmx-/.test(text(obj(vhs['System'])['VirtualSystemType'])) ? 'VMware' : vs['HangarSection'] ? 'Hangar' : product ? text(product['Vendor']) || null : null;
  const name = toVmName(text(vs['Name']) || attr(machineX, 'name') || attr(vs, 'id') || text(obj(vhs['System'])['VirtualSystemIdentifier']));
  const description = text(obj(vs['AnnotationSection'])['Annotation']) || text(machineX['Description']);
  if (vs['EulaSection']) notes.push({ item: 'License agreement (EulaSection)', action: 'dropped', reason: 'Read it in the package; Hangar does not show it.' });
  if (product && arr(product['Property']).length) notes.push({ item: `${arr(product['Property']).length} product properties (ProductSection)`, action: 'dropped', reason: 'Hangar passes no OVF properties to the guest.' });
  if (disks.length === 0) notes.push({ item: 'Disks', action: 'dropped', reason: 'The appliance has no disk: the VM will boot from nothing until you add one.' });
  return { version, producer, name, description, cpus, memoryMiB, firmware, machine, os: { family: mapped.family, osinfo: mapped.osinfo, declared: vboxOs || vmwareOs || text(osSection['Description']) || cim }, disks, nics, notes, files };
}
