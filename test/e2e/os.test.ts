import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { VmInfo } from '../../src-main/api/contract';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';
import { rangeServer, type RangeServer } from '../helpers/images';
import { buildIso } from '../helpers/os-isos';
import { RENDERER_DIR, screenshot, openApp } from './helpers';

/**
 * OSes in the browser against the real `serve()`, engine and osinfo-db: the wizard's OS picker
 * (Windows 11 → UEFI, Secure Boot, TPM 2.0, 4 GiB, 64 GiB in the summary) and the "Get an OS"
 * page downloading Debian 11's netinst from a local HTTP server (the catalog's test-only base
 * URL) into a VM with Debian's defaults. Screenshots: test/artifacts/screenshots/os-*.png.
 */
const STATIC = process.env.HANGAR_RENDERER_DIR ?? RENDERER_DIR;
const built = fs.existsSync(`${STATIC}/index.html`);

describe('OS picker and catalog (hangar serve + Chromium)', { skip: built ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  let media: RangeServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const vms = async () => (await srv.engine.call('vm.list', {})) as VmInfo[];

  before(async () => {
    home = tempHome('hangar-os-ui-');
    media = await rangeServer();
    process.env.HANGAR_OS_CATALOG_BASE_URL = media.url;
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: STATIC });
    ({ browser, page, pageErrors } = await openApp(srv.url, { height: 900 }));
  });

  after(async () => {
    delete process.env.HANGAR_OS_CATALOG_BASE_URL;
    await browser?.close();
    await srv?.close();
    await media?.close();
    home?.cleanup();
  });

  test('wizard: searching and choosing Windows 11 gives UEFI, Secure Boot, TPM 2.0, 4 GiB and 64 GiB; under the minimum warns', async () => {
    await page.getByTestId('empty-new').click();
    await page.getByTestId('wizard-name').fill('win11-e2e');
    await page.getByTestId('wizard-os-search').fill('windows 11');
    await page.getByTestId('wizard-os-win11').click();
    await page.getByTestId('wizard-os-chosen').waitFor();
    assert.match((await page.getByTestId('wizard-os-chosen').textContent()) ?? '', /Microsoft Windows 11 \(win11\)/);
    await screenshot(page, 'os-wizard-picker');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-media-none').check();
    await page.getByTestId('wizard-next').click();
    // hardware: the memory bar marks 4 GiB as the minimum; 2 GiB is under it and warns
    const memRange = page.getByTestId('os-range-memory');
    await memRange.waitFor();
    assert.match((await memRange.textContent()) ?? '', /minimum 4\.0 GiB/);
    assert.equal(await memRange.getAttribute('data-level'), 'ok');
    await page.getByTestId('wizard-memory').fill('2048');
    await waitFor('below-minimum warning', async () => (await memRange.getAttribute('data-level')) === 'below');
    assert.match((await memRange.textContent()) ?? '', /Below the minimum of 4\.0 GiB/);
    await memRange.scrollIntoViewIfNeeded();
    await screenshot(page, 'os-wizard-below-minimum');
    await page.getByTestId('wizard-memory').fill('4096');
    await page.getByTestId('wizard-next').click();
    assert.match((await page.getByTestId('os-range-disk').textContent()) ?? '', /minimum 64\.0 GiB/);
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-next').click();
    const summary = await page.getByTestId('wizard-summary').innerText();
    for (const s of ['Microsoft Windows 11 (win11)', 'UEFI', 'Secure Boot', 'TPM 2.0', '4.0 GiB', '64.0 GiB', 'RTC in local time', 'Hyper-V enlightenments', 'sata', 'e1000e'])
      assert.ok(summary.includes(s), `summary shows ${s}:\n${summary}`);
    await screenshot(page, 'os-wizard-win11-summary');
    await page.getByTestId('wizard-create').click();
    const vm = await waitFor('the Windows 11 VM', async () => (await vms()).find((v) => v.name === 'win11-e2e'));
    assert.deepEqual(
      { os: vm.spec.os.id, fw: vm.spec.firmware, sb: vm.spec.secureBoot, tpm: vm.spec.tpm, mem: vm.spec.memoryMiB, rtc: vm.spec.rtc, hv: vm.spec.hyperv, bus: vm.spec.disks[0]?.bus, nic: vm.spec.nics[0]?.model },
      { os: 'win11', fw: 'uefi', sb: true, tpm: true, mem: 4096, rtc: 'localtime', hv: true, bus: 'sata', nic: 'e1000e' },
    );
  });

  test('Get an OS: the catalog by vendor, searchable; Debian 11 netinst downloads from the local server with a progress bar and becomes a VM with its defaults', async () => {
    const iso = buildIso(path.join(home.home, 'media'), 'debianNetinst', 48);
    const item = (await srv.engine.call('os.catalog', { search: 'debian 11' })).find((i) => i.os.id === 'debian11' && i.media.variant === 'universal-netinst');
    assert.ok(item);
    assert.ok(item.media.downloadUrl.startsWith(media.url));
    // slow enough to see the bar move
    media.serve(new URL(item.media.url).pathname, iso, { bytesPerSecond: 8 * 1024 * 1024 });

    await page.getByTestId('nav-get-os').click();
    await page.getByTestId('os-catalog').waitFor();
    await page.getByTestId('os-catalog-search').fill('debian 11');
    const rows = page.getByTestId('os-media-debian11');
    await rows.first().waitFor();
    const row = rows.filter({ hasText: 'debian-11.5.0-amd64-netinst.iso' });
    await screenshot(page, 'os-catalog');
    await row.getByTestId('os-get-debian11').click();
    const bar = row.getByRole('progressbar');
    await bar.waitFor({ timeout: 30000 });
    await waitFor('progress above 0', async () => Number((await bar.getAttribute('aria-valuenow')) ?? '0') > 0, 60000);
    await screenshot(page, 'os-catalog-downloading');
    await row.getByTestId('os-get-open').waitFor({ timeout: 120000 });
    await screenshot(page, 'os-catalog-done');

    const vm = await waitFor('the Debian VM', async () => (await vms()).find((v) => v.spec.os.id === 'debian11'));
    const image = (await srv.engine.call('image.list', {})).find((i) => i.osId === 'debian11');
    assert.ok(image, 'the ISO is in the library, detected as Debian 11');
    assert.equal(image.source, item.media.downloadUrl);
    assert.deepEqual(
      { name: vm.name, cdrom: vm.spec.cdrom, fw: vm.spec.firmware, mem: vm.spec.memoryMiB, bus: vm.spec.disks[0]?.bus, nic: vm.spec.nics[0]?.model, rtc: vm.spec.rtc },
      { name: 'Debian 11', cdrom: image.path, fw: 'bios', mem: 1024, bus: 'virtio', nic: 'virtio-net-pci', rtc: 'utc' },
    );
    assert.deepEqual(pageErrors, []);
  });
});
