import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { ImageInfo } from '../../src-main/api/contract';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';
import { guestFiles } from '../helpers/guest';
import { RENDERER_DIR, screenshot, openApp } from './helpers';

/**
 * The Images page in the browser against the real `serve()` and engine: import the guest ISO by
 * path, see it in the grid, open its details, upload a file by drag-and-drop, open the wizard
 * from an image, delete with confirmation. Screenshots: test/artifacts/screenshots/images-*.png.
 */
const STATIC = process.env.HANGAR_RENDERER_DIR ?? RENDERER_DIR;
const built = fs.existsSync(`${STATIC}/index.html`);

describe('Images page (hangar serve + Chromium)', { skip: built ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const iso = guestFiles().iso;
  const images = async () => (await srv.engine.call('image.list', {})) as ImageInfo[];

  before(async () => {
    home = tempHome('hangar-images-ui-');
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: STATIC });
    ({ browser, page, pageErrors } = await openApp(srv.url));
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
    home?.cleanup();
  });

  test('import the guest ISO by path; it shows in the grid with its OS and label', async () => {
    await page.getByTestId('nav-images').click();
    await page.getByTestId('images-page').waitFor();
    await page.getByTestId('images-empty').waitFor();
    await page.getByTestId('image-import').click();
    await page.getByTestId('image-path').fill(iso);
    await page.getByTestId('image-import-ok').click();
    const card = page.getByTestId('image-card-guest');
    await card.waitFor({ timeout: 30000 });
    assert.match((await card.textContent()) ?? '', /ISO/);
    assert.equal((await images()).length, 1);
    await screenshot(page, 'images-grid');
  });

  test('a bad path is refused with the engine\u2019s sentence at the field', async () => {
    await page.getByTestId('image-import').click();
    await page.getByTestId('image-path').fill('/nowhere/at/all.iso');
    await page.getByTestId('image-import-ok').click();
    await page.getByTestId('image-path-error').waitFor();
    assert.match((await page.getByTestId('image-path-error').textContent()) ?? '', /does not exist/);
    await page.getByTestId('image-import-cancel').click();
    await page.getByTestId('image-import-ok').waitFor({ state: 'detached' });
  });

  test('details drawer: metadata, checksum = sha256sum, used by nobody; list view and search', async () => {
    await page.getByTestId('image-card-guest').click();
    const drawer = page.getByTestId('image-drawer');
    await drawer.waitFor();
    const sum = spawnSync('sha256sum', [iso], { encoding: 'utf8' }).stdout.split(' ')[0];
    assert.equal(await page.getByTestId('image-sha256').textContent(), sum);
    assert.equal(await page.getByTestId('image-label').textContent(), 'HANGAR_GUEST');
    await page.getByTestId('image-unused').waitFor();
    await screenshot(page, 'images-details');

    // edit the metadata the file cannot tell; the tag filter then finds it
    await page.getByTestId('image-edit').click();
    await page.getByTestId('image-edit-tags').fill('installer, test');
    await page.getByTestId('image-edit-save').click();
    await page.getByTestId('image-edit-form').waitFor({ state: 'detached' });
    await waitFor('tags saved', async () => (await images())[0]?.tags.join(',') === 'installer,test');
    await page.getByTestId('image-filter-tag').selectOption('installer');
    await page.getByTestId('image-card-guest').waitFor();
    await page.getByTestId('image-filter-tag').selectOption('');

    await page.getByTestId('image-drawer-close').click();
    await page.getByTestId('image-view-list').click();
    await page.getByTestId('image-row-guest').waitFor();
    await page.getByTestId('image-search').fill('no-such-image');
    await page.getByTestId('images-empty').waitFor();
    await page.getByTestId('image-search').fill('hangar_guest');
    await page.getByTestId('image-row-guest').waitFor();
    await page.getByTestId('image-search').fill('');
    await page.getByTestId('image-view-grid').click();
  });

  test('drag-and-drop in the browser uploads the file to the engine and imports it', async () => {
    const dt = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      const bytes = new Uint8Array(2 * 1024 * 1024).fill(42);
      data.items.add(new File([bytes], '拖放 disk.img', { type: 'application/octet-stream' }));
      return data;
    });
    await page.getByTestId('images-page').dispatchEvent('drop', { dataTransfer: dt });
    await page.getByTestId('image-card-拖放 disk').waitFor({ timeout: 30000 });
    const uploaded = (await images()).find((i) => i.name === '拖放 disk')!;
    assert.equal(uploaded.format, 'raw');
    assert.equal(uploaded.source, 'upload: 拖放 disk.img');
    assert.deepEqual(fs.readdirSync(`${home.home}/images/uploads`), [], 'the staged upload is gone');
  });

  test('a slow browser upload shows a progress bar with bytes sent; Cancel aborts it and leaves no file', async () => {
    // throttle the page's uploads (Chromium's network emulation) so the upload lasts seconds
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    try {
      const count = (await images()).length;
      const dt = await page.evaluateHandle(() => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(8 * 1024 * 1024).fill(7)], 'slow.img', { type: 'application/octet-stream' }));
        return data;
      });
      await page.getByTestId('images-page').dispatchEvent('drop', { dataTransfer: dt });
      const item = page.getByTestId('upload-slow.img');
      await item.waitFor({ timeout: 10000 });
      const bar = item.getByRole('progressbar');
      await waitFor('upload progress above 0 %', async () => Number(await bar.getAttribute('aria-valuenow')) > 0, 20000);
      assert.match((await item.getByTestId('upload-bytes').textContent()) ?? '', /of 8(\.0)? MiB/);
      await waitFor('the staged .part on the server', () => fs.readdirSync(`${home.home}/images/uploads`).some((f) => f.endsWith('--slow.img.part')), 10000);
      await screenshot(page, 'images-upload-progress');
      await item.getByTestId('upload-cancel').click();
      await item.waitFor({ state: 'detached', timeout: 10000 });
      await waitFor('the partial upload removed on the server', () => fs.readdirSync(`${home.home}/images/uploads`).length === 0, 10000);
      assert.equal((await images()).length, count, 'nothing was imported');
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    }
  });

  test('"Create VM from this image" opens the wizard with the ISO as install media', async () => {
    await page.getByTestId('image-card-guest').click();
    await page.getByTestId('image-create-vm').click();
    await page.getByRole('dialog', { name: 'New virtual machine' }).waitFor();
    await page.getByTestId('wizard-name').fill('from-library');
    await page.getByTestId('wizard-next').click();
    const guest = (await images()).find((i) => i.name === 'guest')!;
    assert.equal(await page.getByTestId('wizard-iso').inputValue(), guest.path);
    assert.equal(await page.getByTestId('wizard-library-iso').inputValue(), guest.id);
    await screenshot(page, 'images-wizard');
    await page.keyboard.press('Escape');
    await page.getByTestId('wizard').waitFor({ state: 'detached' });
  });

  test('"Create VM from this image" on a qcow2 makes a VM whose disk is a linked clone of it', async () => {
    const { task } = await srv.engine.call('image.import', { path: guestFiles().disk, name: 'guest-disk' });
    await waitFor('qcow2 import', () => srv.engine.tasks.get(task.id)?.state === 'succeeded', 30000);
    if (await page.getByTestId('image-drawer').isVisible()) await page.getByTestId('image-drawer-close').click();
    await page.getByTestId('image-card-guest-disk').click();
    await page.getByTestId('image-create-vm').click();
    await page.getByTestId('wizard-name').fill('from-disk-image');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-from-image').waitFor();
    await page.getByTestId('wizard-step-summary').click();
    await page.getByTestId('wizard-create').click();
    await page.getByTestId('wizard').waitFor({ state: 'detached' });
    const vm = await srv.engine.call('vm.get', { vm: 'from-disk-image' });
    const base = (await images()).find((i) => i.name === 'guest-disk')!;
    const info = JSON.parse(spawnSync('qemu-img', ['info', '-U', '--output=json', vm.spec.disks[0]!.path], { encoding: 'utf8' }).stdout) as Record<string, string>;
    assert.equal(info['backing-filename'], base.path);
    assert.deepEqual(base.usedBy.map((u) => u.name), ['from-disk-image']);
    await srv.engine.call('vm.delete', { vm: 'from-disk-image', deleteDisks: true });
    await srv.engine.call('image.delete', { image: 'guest-disk', confirm: true });
    await page.getByTestId('nav-images').click();
    if (!(await page.getByTestId('images-page').isVisible())) await page.getByTestId('nav-images').click();
    await page.getByTestId('image-card-guest-disk').waitFor({ state: 'detached' });
  });

  test('delete with confirmation removes the image and its file', async () => {
    const guest = (await images()).find((i) => i.name === 'guest')!;
    if (!(await page.getByTestId('image-drawer').isVisible())) await page.getByTestId('image-card-guest').click();
    await page.getByTestId('image-delete').click();
    await page.getByTestId('confirm').waitFor();
    await screenshot(page, 'images-delete-confirm');
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('image-card-guest').waitFor({ state: 'detached' });
    await waitFor('the file removed', () => !fs.existsSync(guest.path));
    assert.deepEqual((await images()).map((i) => i.name), ['拖放 disk']);
  });

  test('dark theme, and no page errors', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('image-card-拖放 disk').click();
    await page.getByTestId('image-drawer').waitFor();
    await screenshot(page, 'images-dark');
    assert.deepEqual(pageErrors, []);
  });
});
