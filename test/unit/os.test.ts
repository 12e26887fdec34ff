import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultsFor, type OsFacts } from '../../src-main/os/os-defaults';
import { mediaScore, parseIsoIds } from '../../src-main/os/os-detect';
import { parseOsinfoXml } from '../../src-main/os/osinfo-parse';
import { byVendor, levelOf } from '../../src-renderer/features/os/os-logic';

const GiB = 1024 ** 3;

test('osinfo XML: untranslated name, short ids, resources per arch, firmware, devices, media rules', () => {
  const [os] = parseOsinfoXml(`<?xml version="1.0"?><libosinfo version="0.0.1"><!-- c -->
    <os id="http://example.org/x/1"><short-id>x1</short-id><short-id>xone</short-id>
      <name>X One</name><name xml:lang="ko">&#xB9C8;</name><version>1</version><vendor>Ex</vendor><family>winnt</family>
      <derives-from id="http://example.org/x/0"/>
      <firmware arch="x86_64" type="efi"/><firmware arch="x86_64" type="bios" supported="false"/><firmware arch="aarch64" type="bios"/>
      <devices><device id="http://pcisig.com/pci/1af4/1000"/><device id="http://pcisig.com/pci/1af4/1001" supported="false"/></devices>
      <media arch="x86_64" live="true"><variant id="desk"/><url>https://e.org/x.iso</url><iso><volume-id>^X_X64</volume-id><publisher-id>EX CORP</publisher-id></iso></media>
      <resources arch="x86_64"><minimum><n-cpus>2</n-cpus><ram>4294967296</ram><storage>68719476736</storage></minimum></resources>
    </os></libosinfo>`);
  assert.ok(os);
  assert.deepEqual([os.uri, os.shortIds, os.name, os.family, os.derivesFrom], ['http://example.org/x/1', ['x1', 'xone'], 'X One', 'winnt', 'http://example.org/x/0']);
  assert.deepEqual(os.firmware, { efi: true, bios: false });
  assert.deepEqual([os.devices, os.unsupportedDevices], [['http://pcisig.com/pci/1af4/1000'], ['http://pcisig.com/pci/1af4/1001']]);
  assert.deepEqual(os.minimum.x86_64, { cpus: 2, ramBytes: 4 * GiB, storageBytes: 64 * GiB });
  assert.equal(os.media[0]?.volumeId, '^X_X64');
  assert.equal(os.media[0]?.live, true);
  assert.equal(os.media[0]?.variant, 'desk');
});

const facts = (over: Partial<OsFacts>): OsFacts => ({
  family: 'linux', osinfoFamily: 'linux', minimum: { cpus: 1, memoryMiB: 1024, diskBytes: 10 * GiB }, recommended: { cpus: null, memoryMiB: 2048, diskBytes: 20 * GiB },
  uefiRequired: false, uefiSupported: true, virtioDisk: true, virtioNet: true, e1000e: false, e1000: false, q35: true, ...over,
});

test('defaults: Linux with virtio; Windows that refuses BIOS gets UEFI + Secure Boot + TPM, SATA, e1000e, local RTC, Hyper-V; old Windows on pc gets IDE, e1000, no Hyper-V', () => {
  const linux = defaultsFor(facts({}));
  assert.deepEqual([linux.memoryMiB, linux.diskBytes, linux.firmware, linux.diskBus, linux.nicModel, linux.clock, linux.hyperv, linux.tpm], [2048, 20 * GiB, 'bios', 'virtio', 'virtio-net-pci', 'utc', false, false]);
  const win11 = defaultsFor(facts({ family: 'windows', osinfoFamily: 'winnt', uefiRequired: true, virtioDisk: false, virtioNet: false, e1000e: true, minimum: { cpus: 2, memoryMiB: 4096, diskBytes: 64 * GiB }, recommended: { cpus: null, memoryMiB: null, diskBytes: null } }));
  assert.deepEqual(
    [win11.cpus, win11.memoryMiB, win11.diskBytes, win11.firmware, win11.secureBoot, win11.tpm, win11.machine, win11.diskBus, win11.nicModel, win11.clock, win11.hyperv],
    [2, 4096, 64 * GiB, 'uefi', true, true, 'q35', 'sata', 'e1000e', 'localtime', true],
  );
  const xp = defaultsFor(facts({ family: 'windows', osinfoFamily: 'winnt', q35: false, virtioDisk: false, virtioNet: false, e1000: true }));
  assert.deepEqual([xp.machine, xp.diskBus, xp.nicModel, xp.clock, xp.hyperv, xp.tpm], ['pc', 'ide', 'e1000', 'localtime', false, false]);
});

test('ISO ids: read at the PVD offsets and trimmed; every rule a medium states must match', () => {
  const pvd = Buffer.alloc(2048, 0x20);
  pvd[0] = 1;
  pvd.write('CD001', 1, 'latin1');
  pvd.write('LINUX', 8, 'latin1');
  pvd.write('CCCOMA_X64FRE_EN-US_DV9', 40, 'latin1');
  pvd.write('MICROSOFT CORPORATION', 318, 'latin1');
  const ids = parseIsoIds(pvd);
  assert.deepEqual(ids, { systemId: 'LINUX', volumeId: 'CCCOMA_X64FRE_EN-US_DV9', publisherId: 'MICROSOFT CORPORATION', applicationId: '' });
  const rule = { volumeId: '^(J_)?(CCSN?A|C?CCOMA)_X64FREE?_', systemId: null, publisherId: 'MICROSOFT CORPORATION', applicationId: null };
  assert.equal(mediaScore(rule, ids!), 2);
  assert.equal(mediaScore({ ...rule, publisherId: 'SOMEONE ELSE' }, ids!), 0);
  assert.equal(mediaScore({ ...rule, applicationId: 'NEEDED' }, ids!), 0, 'a stated rule on an empty field does not match');
  assert.equal(mediaScore({ volumeId: null, systemId: null, publisherId: null, applicationId: null }, ids!), 0, 'a medium without rules matches nothing');
  assert.equal(parseIsoIds(Buffer.alloc(2048)), null);
});

test('renderer: levels against minimum/recommended; catalog grouped by vendor in order', () => {
  assert.equal(levelOf(2048, 4096, null), 'below');
  assert.equal(levelOf(4096, 4096, null), 'ok');
  assert.equal(levelOf(4096, 1024, 4096), 'recommended');
  assert.equal(levelOf(1, null, null), 'unknown');
  const g = byVendor([{ os: { vendor: 'A' }, n: 1 }, { os: { vendor: 'B' }, n: 2 }, { os: { vendor: 'A' }, n: 3 }]);
  assert.deepEqual(g.map(([v, rows]) => [v, rows.map((r) => r.n)]), [['A', [1, 3]], ['B', [2]]]);
});
