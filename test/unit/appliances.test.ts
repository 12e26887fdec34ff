import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { VmSpecSchema, type VmInfo, type VmSpec } from '../../src-main/api/contract';
import { vmTable } from '../../src-main/cli/output';
import { HangarError } from '../../src-main/api/errors';
import { mapOsType } from '../../src-main/appliances/os-map';
import { parseOvf, toVmName, unitBytes } from '../../src-main/appliances/ovf-parse';
import { buildManifest, buildOvf, parseManifest } from '../../src-main/appliances/ovf-write';
import { listTar, writeTar } from '../../src-main/appliances/tar';
import { isoWeek, planPrune } from '../../src-main/backups/retention';
import { LocalHost } from '../../src-main/hosts/local-host';
import { tempHome } from '../helpers/env';
import { virtualBox7Ovf, vmware2Ovf } from '../helpers/ovf-fixtures';

// parsed for the defaults of every spec field, then given a name with XML's special characters
// (the engine refuses such names; the OVF writer must escape whatever it is given)
const spec: VmSpec = {
  ...VmSpecSchema.parse({
  version: 1,
  id: '11111111-2222-4333-8444-555555555555',
  name: 'web',
  description: 'a & b',
  os: { family: 'linux', variant: 'debian12' },
  cpus: 3,
  memoryMiB: 768,
  firmware: 'uefi',
  machine: 'q35',
  disks: [
    { id: 'disk0', path: '/x/disk0.qcow2', format: 'qcow2', bus: 'virtio', readOnly: false, owned: true },
    { id: 'disk1', path: '/x/disk1.qcow2', format: 'qcow2', bus: 'ide', readOnly: false, owned: true },
  ],
  cdrom: null,
  kernel: null,
  nics: [{ id: 'nic0', mode: 'user', model: 'virtio-net-pci', mac: '52:54:00:12:34:56', portForwards: [] }],
  display: 'vnc',
  bootOrder: ['disk', 'cdrom'],
  autostart: false,
  }),
  name: 'web <&> "one"',
};

describe('OVF import: VirtualBox 7 descriptor', () => {
  const ovf = parseOvf(virtualBox7Ovf({ name: 'Debby', cpus: 2, memoryMiB: 1024, diskHref: 'Debby-disk001.vmdk', diskBytes: 1000, capacityBytes: 64 << 20, efi: true, osType: 'Debian11_64' }));

  test('hardware, firmware (vbox:Machine), chipset, OS mapped to osinfo', () => {
    assert.equal(ovf.version, '1.0');
    assert.equal(ovf.producer, 'VirtualBox');
    assert.equal(ovf.name, 'Debby');
    assert.equal(ovf.cpus, 2);
    assert.equal(ovf.memoryMiB, 1024);
    assert.equal(ovf.firmware, 'uefi');
    assert.equal(ovf.machine, 'q35', 'ICH9 chipset');
    assert.deepEqual(ovf.os, { family: 'linux', osinfo: 'debian11', declared: 'Debian11_64' });
    assert.deepEqual(ovf.disks, [{ diskId: 'vmdisk1', href: 'Debby-disk001.vmdk', format: 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized', capacityBytes: 64 << 20, bus: 'sata' }]);
    assert.deepEqual(ovf.nics, [{ model: 'e1000', mac: null, declared: 'E1000 on NAT' }]);
  });

  test('what is not supported is named one by one', () => {
    const items = ovf.notes.map((n) => `${n.action}: ${n.item}`);
    assert.ok(items.includes('dropped: USB controller (usb)'), items.join('\n'));
    assert.ok(items.includes('dropped: Sound card (sound)'), items.join('\n'));
    assert.ok(items.includes('dropped: USB controller (VirtualBox)'), items.join('\n'));
    // an empty CD drive is no loss; the NAT NIC with no MAC needs no note
    assert.ok(!items.some((i) => /cdrom|Ethernet/.test(i)), items.join('\n'));
  });

  test('PIIX3 chipset (VirtualBox default) → pc; generic Debian_64 → linux without a version', () => {
    const x = virtualBox7Ovf({ name: 'p', cpus: 1, memoryMiB: 256, diskHref: 'p.vmdk', diskBytes: 1, capacityBytes: 1 << 20 }).replace('<Chipset type="ICH9"/>', '<Chipset type="PIIX3"/>');
    const o = parseOvf(x);
    assert.equal(o.machine, 'pc');
    assert.equal(o.firmware, 'bios');
    assert.deepEqual(o.os, { family: 'linux', osinfo: '', declared: 'Debian_64' });
  });
});

describe('OVF import: VMware OVF 2.0', () => {
  const o = parseOvf(vmware2Ovf());
  test('units, StorageItem/EthernetPortItem, vmw:Config firmware, name made valid', () => {
    assert.equal(o.version, '2.0');
    assert.equal(o.producer, 'VMware');
    assert.equal(o.name, 'web - db-01');
    assert.equal(o.cpus, 4);
    assert.equal(o.memoryMiB, 4096);
    assert.equal(o.firmware, 'uefi');
    assert.equal(o.disks[0]!.capacityBytes, 20 * 1024 ** 3);
    assert.equal(o.disks[0]!.bus, 'scsi');
    assert.deepEqual(o.os, { family: 'linux', osinfo: 'debian11', declared: 'debian11_64Guest' });
    assert.equal(o.nics[0]!.model, 'e1000');
    const items = o.notes.map((n) => n.item);
    for (const want of ['Controller of Hard Disk 1 (VirtualSCSI)', 'Network adapter 1 (VmxNet3)', 'Network adapter 1 on network "VM Network"', 'Network adapter 1 MAC 00:50:56:ab:cd:ef', 'Video card']) assert.ok(items.includes(want), `${want} in ${items.join(' | ')}`);
  });

  test('refusals: several VMs, files outside the package, not XML', () => {
    assert.throws(() => parseOvf('<Envelope><VirtualSystemCollection><VirtualSystem/><VirtualSystem/></VirtualSystemCollection></Envelope>'), /holds 2 virtual machines/);
    assert.throws(() => parseOvf(vmware2Ovf().replace('web-disk1.vmdk', 'http://evil.example/disk.vmdk')), /outside the package/);
    assert.throws(() => parseOvf(vmware2Ovf().replace('web-disk1.vmdk', '../../etc/passwd')), /outside the package/);
    assert.throws(() => parseOvf('<html>'), (e: unknown) => e instanceof HangarError);
  });
});

describe('OVF export', () => {
  test('Hangar writes OVF 1.0 that reads back to the same machine', () => {
    const xml = buildOvf(spec, [
      { href: 'a-disk001.vmdk', fileBytes: 10, capacityBytes: 64 << 20, bus: 'virtio' },
      { href: 'a-disk002.vmdk', fileBytes: 20, capacityBytes: 32 << 20, bus: 'ide' },
    ]);
    assert.match(xml, /ovf:version="1\.0"/);
    assert.match(xml, /<rasd:ResourceSubType>AHCI<\/rasd:ResourceSubType>/, 'virtio-blk disks sit on SATA for other importers');
    const back = parseOvf(xml);
    assert.equal(back.cpus, 3);
    assert.equal(back.memoryMiB, 768);
    assert.equal(back.firmware, 'uefi');
    assert.equal(back.name, 'web - -one-');
    assert.equal(back.description, 'a & b');
    assert.deepEqual(back.disks.map((d) => [d.href, d.bus, d.capacityBytes]), [['a-disk001.vmdk', 'virtio', 64 << 20], ['a-disk002.vmdk', 'ide', 32 << 20]]);
    assert.deepEqual(back.nics, [{ model: 'virtio-net-pci', mac: '52:54:00:12:34:56', declared: 'virtio on NAT' }]);
    assert.equal(back.os.family, 'linux');
    assert.deepEqual(back.notes, []);
  });

  test('manifests: VirtualBox, ovftool and OpenSSL spacing; refusals', () => {
    const m = parseManifest('SHA256 (a.ovf) = ABCDEF\nSHA256(b.vmdk)= 0123\n');
    assert.equal(m.algorithm, 'SHA256');
    assert.deepEqual([...m.files], [['a.ovf', 'abcdef'], ['b.vmdk', '0123']]);
    assert.equal(parseManifest('SHA1(x.ovf)= aa\n').algorithm, 'SHA1');
    assert.throws(() => parseManifest('SHA1(x)= aa\nSHA256(y)= bb\n'), /mixes/);
    assert.throws(() => parseManifest('MD5(x)= aa\n'), /cannot read/);
    assert.equal(buildManifest([{ name: 'a.ovf', sha256: 'ff' }]), 'SHA256(a.ovf)= ff\n');
  });

  test('units, names, OS types', () => {
    assert.equal(unitBytes('byte * 2^20'), 1024 ** 2);
    assert.equal(unitBytes('MegaBytes'), 1024 ** 2);
    assert.equal(unitBytes('GigaBytes'), 1024 ** 3);
    assert.throws(() => unitBytes('furlongs'), /allocation unit/);
    assert.equal(toVmName('  ../My VM: #1 '), 'My VM- -1');
    assert.equal(toVmName('***'), 'imported-vm');
    assert.deepEqual(mapOsType({ vbox: 'Windows11_64' }), { family: 'windows', osinfo: 'win11' });
    assert.deepEqual(mapOsType({ vbox: 'FreeBSD_64' }), { family: 'bsd', osinfo: '' });
    assert.deepEqual(mapOsType({ cimId: 105 }), { family: 'windows', osinfo: '' });
    assert.deepEqual(mapOsType({ description: 'Something' }), { family: 'other', osinfo: '' });
  });

  test('every osinfo id the mapping names exists in osinfo-db', (t) => {
    let out: string;
    try {
      out = execFileSync('osinfo-query', ['os', '--fields=short-id'], { encoding: 'utf8' });
    } catch {
      t.skip('osinfo-query (libosinfo-bin) is not installed here');
      return;
    }
    const ids = new Set(out.split('\n').slice(2).map((l) => l.trim()).filter(Boolean));
    const src = fs.readFileSync(path.join(__dirname, '../../src-main/appliances/os-map.ts'), 'utf8');
    const named = [...src.matchAll(/: '([a-z][\w.]*)'/g)].map((m) => m[1]!).filter((v) => /\d/.test(v));
    assert.ok(named.length > 20);
    for (const id of named) assert.ok(ids.has(id), `${id} is an osinfo short-id`);
  });
});

describe('OVA tar', () => {
  test('our ustar is read by GNU tar in order, and we read GNU tar’s', async () => {
    const { home, cleanup } = tempHome('hangar-tar-');
    try {
      const host = new LocalHost(home);
      const a = path.join(home, 'a.ovf');
      const b = path.join(home, 'b.vmdk');
      fs.writeFileSync(a, '<Envelope/>');
      fs.writeFileSync(b, Buffer.alloc(1500, 7));
      const ova = path.join(home, 'x.ova');
      await writeTar(host, ova, [{ name: 'a.ovf', file: a }, { name: 'b.vmdk', file: b }], new AbortController().signal, () => undefined);
      assert.equal(fs.statSync(ova).size % 512, 0);
      assert.deepEqual(execFileSync('tar', ['-tf', ova], { encoding: 'utf8' }).trim().split('\n'), ['a.ovf', 'b.vmdk']);
      execFileSync('tar', ['-xf', ova, '-C', home, '--transform', 's/^/x-/']);
      assert.deepEqual(fs.readFileSync(path.join(home, 'x-b.vmdk')), fs.readFileSync(b));
      const gnu = path.join(home, 'gnu.ova');
      execFileSync('tar', ['--format=ustar', '-cf', gnu, '-C', home, 'a.ovf', 'b.vmdk']);
      assert.deepEqual((await listTar(host, gnu)).map((e) => [e.name, e.size]), [['a.ovf', 11], ['b.vmdk', 1500]]);
      fs.writeFileSync(path.join(home, 'bad.ova'), Buffer.alloc(1024, 1));
      await assert.rejects(listTar(host, path.join(home, 'bad.ova')), /not an OVA/);
    } finally {
      cleanup();
    }
  });
});

describe('backup retention', () => {
  const b = (id: string, createdAt: string, parentId: string | null = null) => ({ id, createdAt, parentId });
  test('keep N daily and N weekly, the newest always, and every parent a kept incremental needs', () => {
    const backups = [
      b('f1', '2026-01-05T01:00:00Z'), // Monday, week 2
      b('i1', '2026-01-06T01:00:00Z', 'f1'),
      b('i2', '2026-01-06T13:00:00Z', 'i1'),
      b('f2', '2026-01-12T01:00:00Z'), // week 3
      b('i3', '2026-01-13T01:00:00Z', 'f2'),
      b('f0', '2025-12-29T01:00:00Z'), // week 1 of 2026 (ISO)
    ];
    assert.deepEqual(planPrune(backups, 1, 0), { keep: ['i3', 'f2'], remove: ['i2', 'i1', 'f1', 'f0'] });
    assert.deepEqual(planPrune(backups, 2, 0).keep, ['i3', 'f2']);
    assert.deepEqual(planPrune(backups, 0, 2), { keep: ['i3', 'f2', 'i2', 'i1', 'f1'], remove: ['f0'] });
    assert.deepEqual(planPrune(backups, 0, 0).keep, ['i3', 'f2']);
    assert.deepEqual(planPrune([], 3, 3), { keep: [], remove: [] });
    assert.equal(isoWeek('2025-12-29T01:00:00Z'), '2026-W01');
    assert.equal(isoWeek('2027-01-01T00:00:00Z'), '2026-W53');
  });
});

describe('vm list on LAN hosts (issue 17, item 6)', () => {
  test('the host’s name, not its id; the state of a VM on an offline host is marked as last known', () => {
    const vm = (name: string, hostId: string, state: VmInfo['state']) => ({ id: `${name}-0000-0000`, name, hostId, state, spec: { ...spec, name } }) as unknown as VmInfo;
    const out = vmTable([vm('far', 'h-123', 'running'), vm('near', 'local', 'running'), vm('lab-vm', 'h-456', 'stopped')], [
      { id: 'local', name: 'this computer', state: 'online' },
      { id: 'h-123', name: 'basement', state: 'offline' },
      { id: 'h-456', name: 'lab', state: 'online' },
    ]);
    const rows = out.split('\n');
    assert.match(rows.find((r) => r.startsWith('far'))!, /running\? \(host offline, last known\)\s+.*basement/);
    assert.doesNotMatch(out, /h-123|h-456/);
    assert.match(rows.find((r) => r.startsWith('near'))!, /^near\s+running\s/);
    assert.match(rows.find((r) => r.startsWith('lab-vm'))!, /^lab-vm\s+stopped\s.*\blab\b/);
  });
});
