import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { contract, type TaskInfo } from '../../src-main/api/contract';
import { forgetOsIndex } from '../../src-main/os/osinfo-db';
import { parseOsinfoXml } from '../../src-main/os/osinfo-parse';
import { OsService } from '../../src-main/os/os-service';
import { fakeServices, type FakeServices } from '../helpers/fake-services';
import { writeFakeImage } from '../helpers/fake-tools';

/**
 * osinfo-db lists the disk images distributions publish (`<image … cloud-init="true"><url>`); an
 * import under such a file name takes the OS and the cloud-image verdict from there, not from a
 * guess on the name. Read from the osinfo-db installed here (Debian's osinfo-db package).
 */
// One home for the file: the first OsService parses osinfo-db (about a second of CPU) and caches the
// index there; the others read that cache, as a second process would (forgetOsIndex drops only the
// in-memory copy).
let home: string;
before(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-osimg-'));
});
after(() => fs.rmSync(home, { recursive: true, force: true }));

describe('osinfo-db disk images', () => {
  test('the parser keeps <image> entries: arch, format, cloud-init and URL', () => {
    const [raw] = parseOsinfoXml(`<libosinfo version="0.0.1"><os id="http://example.org/x/1"><short-id>x1</short-id><name>X 1</name>
      <image arch="x86_64" format="qcow2" cloud-init="true"><url>https://example.org/x-1-cloud.qcow2?x=1</url></image>
      <image arch="aarch64" format="raw"><url>https://example.org/x-1-arm.raw</url></image></os></libosinfo>`);
    assert.deepEqual(raw?.images, [
      { arch: 'x86_64', format: 'qcow2', cloudInit: true, url: 'https://example.org/x-1-cloud.qcow2?x=1' },
      { arch: 'aarch64', format: 'raw', cloudInit: false, url: 'https://example.org/x-1-arm.raw' },
    ]);
  });

  test('the installed database knows Debian 11’s genericcloud image, by file name only', () => {
    try {
      forgetOsIndex();
      const svc = new OsService(home);
      const known = svc.knownDiskImage('debian-11-genericcloud-amd64.qcow2');
      assert.ok(known, 'osinfo-db lists debian-11-genericcloud-amd64.qcow2');
      assert.equal(known.osId, 'debian11');
      assert.equal(known.family, 'linux');
      assert.equal(known.cloudInit, true);
      assert.equal(svc.knownDiskImage('my-own-disk.qcow2'), null);
      // the cached index (second process) answers the same
      forgetOsIndex();
      assert.deepEqual(new OsService(home).knownDiskImage('debian-11-genericcloud-amd64.qcow2'), known);
    } finally {
      forgetOsIndex();
    }
  });
});

describe('an import under a published file name', () => {
  let s: FakeServices;
  beforeEach(() => {
    s = fakeServices();
    const osService = new OsService(home);
    s.images.knownDiskImage = (name) => osService.knownDiskImage(name);
  });
  afterEach(() => {
    s.close();
    forgetOsIndex();
  });

  async function importAs(name: string): Promise<TaskInfo> {
    const file = path.join(s.host.root, name);
    writeFakeImage(file, { format: 'qcow2', virtualSize: 2 * 1024 ** 3 });
    const { task } = await s.images.startImport(contract['image.import'].input.parse({ hostId: s.host.id, path: file }) as never);
    for (let i = 0; i < 3000; i++) {
      const t = s.tasks.get(task.id);
      if (t && t.state !== 'running') return t;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('import did not finish');
  }

  test('debian-11-generic-amd64.qcow2 (no "cloud" in its name) is a cloud image for Debian 11, as osinfo-db says', async () => {
    const task = await importAs('debian-11-generic-amd64.qcow2');
    assert.equal(task.state, 'succeeded', task.error?.message);
    const [image] = s.images.list();
    assert.equal(image?.cloudImage, true);
    assert.equal(image?.osId, 'debian11');
    assert.equal(image?.os.family, 'linux');
  });

  test('an unknown name falls back to the name rule', async () => {
    const task = await importAs('plain-disk.qcow2');
    assert.equal(task.state, 'succeeded', task.error?.message);
    const [image] = s.images.list();
    assert.equal(image?.cloudImage, false);
    assert.equal(image?.osId, null);
  });
});
