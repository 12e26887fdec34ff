import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ImageDownloadInput, ImageImportInput, VmCreateInput } from '../../src-main/api/contract';
import { osFromLabel, parsePrimaryVolumeDescriptor } from '../../src-main/images/detect';
import { checksumFromList, urlFileName } from '../../src-main/images/download';
import { nameFromFile } from '../../src-main/images/image-service';
import { parseConvertProgress } from '../../src-main/images/qemu-img';
import { allTags, filterImages, sortImages } from '../../src-renderer/features/images/image-logic';
import type { ImageInfo } from '../../src-main/api/contract';

describe('image library: pure logic', () => {
  test('ISO primary volume descriptor: signature and volume id at offset 40', () => {
    const pvd = Buffer.alloc(2048, 0);
    pvd[0] = 1;
    pvd.write('CD001', 1, 'latin1');
    pvd.write('debian 12.5.0 amd64 n'.padEnd(32, ' '), 40, 'latin1');
    assert.deepEqual(parsePrimaryVolumeDescriptor(pvd), { label: 'debian 12.5.0 amd64 n' });
    const notIso = Buffer.from(pvd);
    notIso.write('CD002', 1, 'latin1');
    assert.equal(parsePrimaryVolumeDescriptor(notIso), null);
    assert.equal(parsePrimaryVolumeDescriptor(Buffer.alloc(10)), null);
  });

  test('OS family, version and architecture from real volume labels', () => {
    assert.deepEqual(osFromLabel('debian 12.5.0 amd64 n'), { family: 'linux', version: 'Debian 12.5.0', arch: 'x86_64' });
    assert.deepEqual(osFromLabel('Ubuntu-Server 24.04 LTS amd64'), { family: 'linux', version: 'Ubuntu 24.04', arch: 'x86_64' });
    assert.equal(osFromLabel('Fedora-S-dvd-x86_64-40').family, 'linux');
    assert.equal(osFromLabel('Fedora-S-dvd-x86_64-40').arch, 'x86_64');
    assert.equal(osFromLabel('CCCOMA_X64FRE_EN-US_DV9').family, 'windows');
    assert.deepEqual(osFromLabel('14_0_RELEASE_AMD64_CD'), { family: 'other', version: '14', arch: 'x86_64' });
    assert.equal(osFromLabel('FreeBSD_Install').family, 'bsd');
    assert.equal(osFromLabel('HANGAR_GUEST').family, 'linux');
    assert.deepEqual(osFromLabel(null), { family: 'other', version: '', arch: null });
  });

  test('qemu-img convert -p progress and SHA256SUMS parsing', () => {
    assert.equal(parseConvertProgress('    (0.00/100%)\r    (12.50/100%)\r    (50.01/100%)\r'), 0.5001);
    assert.equal(parseConvertProgress('nothing here'), null);
    const list = `${'a'.repeat(64)}  debian.iso\n${'B'.repeat(64)} *other.img\nSHA256 (bsd.img) = ${'c'.repeat(64)}\n`;
    assert.equal(checksumFromList(list, 'debian.iso'), 'a'.repeat(64));
    assert.equal(checksumFromList(list, 'other.img'), 'b'.repeat(64));
    assert.equal(checksumFromList(list, 'bsd.img'), 'c'.repeat(64));
    assert.equal(checksumFromList(list, 'missing.iso'), null);
    assert.equal(urlFileName('https://example.org/a/debian%2012.iso?x=1'), 'debian 12.iso');
  });

  test('names from file names are valid object names', () => {
    assert.equal(nameFromFile('/x/debian-12.5.0-amd64-netinst.iso'), 'debian-12.5.0-amd64-netinst');
    assert.equal(nameFromFile('/x/测试 磁盘 image.img'), '测试 磁盘 image');
    assert.equal(nameFromFile('/x/$(rm -rf).qcow2'), 'rm -rf-');
    assert.equal(nameFromFile('/x/.iso'), 'image');
    for (const f of ['/x/a;b|c.iso', '/x/--weird--.img', '/x/..vmdk', '/x/日本語.vdi']) {
      const name = nameFromFile(f);
      assert.ok(ImageImportInput.shape.name.safeParse(name).success, `${f} → ${name}`);
    }
  });

  test('contract: import needs an absolute path; download only http(s) and a well-formed checksum', () => {
    assert.equal(ImageImportInput.safeParse({ path: 'relative.iso' }).success, false);
    assert.equal(ImageImportInput.safeParse({ path: '/a b/镜像.iso' }).success, true);
    assert.equal(ImageDownloadInput.safeParse({ url: 'file:///etc/passwd' }).success, false);
    assert.equal(ImageDownloadInput.safeParse({ url: 'http://127.0.0.1/x.iso', sha256: 'xyz' }).success, false);
    const ok = ImageDownloadInput.parse({ url: 'https://h/x.iso', sha256: 'A'.repeat(64) });
    assert.equal(ok.sha256, 'a'.repeat(64));
    assert.equal(VmCreateInput.safeParse({ name: 'vm', image: 'debian', fullCopy: true }).success, true);
  });

  test('Images page: search, filters and sort', () => {
    const img = (name: string, format: ImageInfo['format'], family: ImageInfo['os']['family'], size: number, tags: string[], createdAt: string) =>
      ({ name, format, os: { family, version: '' }, virtualSize: size, actualSize: size, tags, createdAt, description: '', volumeLabel: null, sha256: name.repeat(8) }) as unknown as ImageInfo;
    const all = [img('debian', 'iso', 'linux', 600, ['installer'], '2026-01-02'), img('win11', 'iso', 'windows', 5000, [], '2026-01-01'), img('alpine', 'qcow2', 'linux', 100, ['cloud', 'small'], '2026-01-03')];
    const none = { text: '', format: '', os: '', tag: '' };
    assert.deepEqual(filterImages(all, { ...none, format: 'iso' }).map((i) => i.name), ['debian', 'win11']);
    assert.deepEqual(filterImages(all, { ...none, os: 'linux', tag: 'cloud' }).map((i) => i.name), ['alpine']);
    assert.deepEqual(filterImages(all, { ...none, text: 'WIN' }).map((i) => i.name), ['win11']);
    assert.deepEqual(sortImages(all, 'virtualSize', false).map((i) => i.name), ['alpine', 'debian', 'win11']);
    assert.deepEqual(sortImages(all, 'createdAt', true).map((i) => i.name), ['alpine', 'debian', 'win11']);
    assert.deepEqual(sortImages(all, 'name', false).map((i) => i.name), ['alpine', 'debian', 'win11']);
    assert.deepEqual(allTags(all), ['cloud', 'installer', 'small']);
  });
});
