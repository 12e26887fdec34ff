import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TaskInfo } from '../../src-main/api/contract';
import { HangarError } from '../../src-main/api/errors';
import { Engine } from '../../src-main/engine/engine';
import { forgetOsIndex, loadOsIndex } from '../../src-main/os/osinfo-db';
import { OsService } from '../../src-main/os/os-service';
import { tempHome, waitFor } from '../helpers/env';
import { rangeServer, type RangeServer } from '../helpers/images';
import { REAL_RELEASES, buildIso, osinfoDetect, type ReleaseKey } from '../helpers/os-isos';

// The OS domain against the real osinfo-db of this machine (Debian package osinfo-db), real ISOs
// built with xorriso, and libosinfo's own osinfo-detect as the reference.

const { home, cleanup } = tempHome('hangar-os-');
const work = path.join(home, 'work');
fs.mkdirSync(work);
let engine: Engine;
let server: RangeServer;
const isos = {} as Record<ReleaseKey, string>;

before(async () => {
  for (const k of Object.keys(REAL_RELEASES) as ReleaseKey[]) isos[k] = buildIso(work, k);
  engine = await Engine.open({ home });
  server = await rangeServer();
});
after(async () => {
  await engine.close();
  await server.close();
  cleanup();
});

const finished = (id: string) => waitFor(`task ${id}`, () => engine.tasks.list().find((t) => t.id === id && t.state !== 'running') ?? null, 120000, 20);

describe('osinfo-db', () => {
  test('is read from its files: hundreds of OSes, Windows 11 with its real requirements; the cached index is much faster than parsing', () => {
    const cacheHome = path.join(home, 'cache-test');
    forgetOsIndex();
    const cold = loadOsIndex(cacheHome);
    forgetOsIndex();
    const warm = loadOsIndex(cacheHome);
    assert.equal(cold.status.source, 'parsed');
    assert.equal(warm.status.source, 'cache');
    assert.equal(warm.entries.length, cold.entries.length);
    assert.ok(cold.status.osCount > 500, `osinfo-db gave ${cold.status.osCount} OSes`);
    assert.ok(warm.status.loadMs < cold.status.loadMs / 3, `cache ${warm.status.loadMs} ms vs parse ${cold.status.loadMs} ms`);
    console.log(`# osinfo-db ${cold.status.version}: ${cold.status.osCount} OSes; parse ${cold.status.loadMs} ms, cached index ${warm.status.loadMs} ms`);

    const win11 = cold.entries.find((e) => e.id === 'win11');
    assert.ok(win11);
    assert.equal(win11.family, 'windows');
    assert.equal(win11.minimum.memoryMiB, 4096);
    assert.equal(win11.minimum.diskBytes, 64 * 1024 ** 3);
    assert.deepEqual(
      { fw: win11.defaults.firmware, sb: win11.defaults.secureBoot, tpm: win11.defaults.tpm, disk: win11.defaults.diskBus, nic: win11.defaults.nicModel, rtc: win11.defaults.clock, hv: win11.defaults.hyperv, mem: win11.defaults.memoryMiB, bytes: win11.defaults.diskBytes },
      { fw: 'uefi', sb: true, tpm: true, disk: 'sata', nic: 'e1000e', rtc: 'localtime', hv: true, mem: 4096, bytes: 64 * 1024 ** 3 },
    );
    const debian = cold.entries.find((e) => e.id === 'debian11');
    assert.ok(debian);
    assert.deepEqual([debian.defaults.firmware, debian.defaults.diskBus, debian.defaults.nicModel, debian.defaults.clock, debian.defaults.tpm], ['bios', 'virtio', 'virtio-net-pci', 'utc', false]);
  });

  test('os.list searches the whole database; os.get takes short ids and URIs', async () => {
    const hits = await engine.call('os.list', { search: 'ubuntu 22.04' });
    assert.ok(hits.some((o) => o.id === 'ubuntu22.04'));
    assert.ok(hits.every((o) => /ubuntu/i.test(o.name)));
    assert.equal((await engine.call('os.get', { id: 'http://microsoft.com/win/11' })).id, 'win11');
    assert.equal((await engine.call('os.get', { id: 'debianbullseye' })).id, 'debian11');
    await assert.rejects(engine.call('os.get', { id: 'no-such-os' }), (e: unknown) => e instanceof HangarError && e.code === 'NOT_FOUND');
  });

  test('without osinfo-db: no OSes, the status says how to install it', () => {
    const s = new OsService(path.join(home, 'no-db'), { ...process.env, HANGAR_OSINFO_DIRS: '' });
    const st = s.status();
    assert.equal(st.available, false);
    assert.match(st.installHint ?? '', /apt install osinfo-db/);
    assert.deepEqual(s.list(), []);
  });
});

describe('ISO detection', () => {
  for (const key of Object.keys(REAL_RELEASES) as ReleaseKey[]) {
    const r = REAL_RELEASES[key];
    test(`${key} ("${r.volumeId}") is ${r.expect ?? 'Unknown OS'}, as osinfo-detect says`, async () => {
      const d = await engine.call('os.detect', { path: isos[key] });
      assert.equal(d.volumeId, r.volumeId);
      assert.equal(d.os?.id ?? null, r.expect);
      assert.equal(d.os?.name ?? null, r.osinfoName);
      assert.equal(osinfoDetect(isos[key]), r.osinfoName, 'libosinfo agrees');
    });
  }

  test('a text file is refused', async () => {
    const txt = path.join(work, 'notes.txt');
    fs.writeFileSync(txt, 'not an ISO\n'.repeat(5000));
    await assert.rejects(engine.call('os.detect', { path: txt }), (e: unknown) => e instanceof HangarError && e.code === 'INVALID_INPUT' && /not an ISO image/.test(e.message));
  });

  test('an ISO imported into the library carries its detected OS; an unknown one keeps its family guess and no OS id', async () => {
    const imported = async (file: string) => {
      const { task } = await engine.call('image.import', { path: file });
      const done: TaskInfo = await finished(task.id);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      return engine.call('image.get', { image: String(done.result?.imageId) });
    };
    const win = await imported(isos.windows11);
    assert.equal(win.osId, 'win11');
    assert.deepEqual(win.os, { family: 'windows', version: 'Microsoft Windows 11' });
    const deb = await imported(isos.debianNetinst);
    assert.equal(deb.osId, 'debian11');
    const unknown = await imported(isos.unknown);
    assert.equal(unknown.osId, null);
  });
});

describe('OS catalog', () => {
  test('lists installable media with URLs; the test-only base URL keeps the path; a download is detected as that OS', async () => {
    const real = await engine.call('os.catalog', { search: 'debian 11' });
    const netinst = real.find((i) => i.os.id === 'debian11' && i.media.variant === 'universal-netinst');
    assert.ok(netinst, 'Debian 11 netinst is in the catalog');
    assert.equal(netinst.media.downloadUrl, netinst.media.url, 'production keeps the real URL');
    assert.match(netinst.media.url, /^https:\/\/cdimage\.debian\.org\//);
    const all = await engine.call('os.catalog', {});
    const oses = new Set(all.map((i) => i.os.id));
    console.log(`# catalog: ${oses.size} OSes, ${all.length} x86_64 media with a URL`);
    assert.ok(oses.size > 100);

    const svc = new OsService(home, { ...process.env, HANGAR_OS_CATALOG_BASE_URL: server.url });
    const item = svc.catalog('debian 11').find((i) => i.media.variant === 'universal-netinst');
    assert.ok(item);
    const urlPath = new URL(item.media.url).pathname;
    assert.equal(item.media.downloadUrl, server.url + urlPath);
    // a different file than the one imported above (padded), so it is stored, not recognised as a duplicate
    const fresh = buildIso(path.join(work, 'dl'), 'debianNetinst', 4);
    server.serve(urlPath, fresh);
    const { task } = await engine.call('image.download', { url: item.media.downloadUrl });
    const done = await finished(task.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    const image = await engine.call('image.get', { image: String(done.result?.imageId) });
    assert.equal(done.result?.duplicate, undefined);
    assert.equal(image.source, item.media.downloadUrl);
    assert.equal(image.osId, 'debian11');
  });
});
