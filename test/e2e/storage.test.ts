import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { RENDERER_DIR, screenshot, openApp } from './helpers';
import { tempHome, waitFor } from '../helpers/env';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';

// The Storage page and the VM Storage/Snapshots tabs in the real UI (hangar serve + Chromium),
// against a real engine, real qcow2 files. Screenshots: test/artifacts/screenshots/storage-*.png.

const rendererDir = process.env.HANGAR_TEST_RENDERER_DIR ?? RENDERER_DIR;
const built = fs.existsSync(path.join(rendererDir, 'index.html'));

describe('storage UI', { skip: built ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  const home = tempHome('hangar-storage-ui-');
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: rendererDir });
    const g = guestFiles();
    await srv.engine.call('vm.create', { name: 'web', memoryMiB: 128, display: 'none', nics: [], diskSizeBytes: 16 * 1024 * 1024, kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    await srv.engine.call('volume.create', { name: 'logs', size: '2G' });
    await srv.engine.call('volume.create', { name: 'scratch', size: '512M', format: 'raw' });
    const def = (await srv.engine.call('pool.list', {}))[0]!;
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(def.path, 'old-backup.qcow2'), '1G']);
    ({ browser, page, pageErrors: errors } = await openApp(null));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await srv?.close().catch(() => undefined);
    home.cleanup();
  });

  test('Storage page: pools with usage, volumes table sorted and filtered, orphans, create dialog', async () => {
    await page.goto(srv.url);
    await page.getByTestId('nav-storage').click();
    await page.getByTestId('volumes-table').waitFor();
    const names = async () => page.locator('[data-testid^=volume-row-]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
    // The table renders before its rows arrive, and re-renders after a click: wait, then assert.
    const expectNames = async (expected: string[], message?: string) => {
      await waitFor(`volume rows ${expected.join(', ')}`, async () => JSON.stringify(await names()) === JSON.stringify(expected), 10000, 50).catch(() => undefined);
      assert.deepEqual(await names(), expected, message);
    };
    await expectNames(['volume-row-logs', 'volume-row-scratch']);
    await page.getByTestId('sort-size').click();
    await expectNames(['volume-row-scratch', 'volume-row-logs'], 'sorted by size, smallest first');
    await page.getByTestId('pool-default').click();
    await page.getByTestId('orphans').getByText('old-backup.qcow2').waitFor();
    await screenshot(page, 'storage-01-page');

    await page.getByTestId('volume-filter').fill('scr');
    await expectNames(['volume-row-scratch']);
    await page.getByTestId('volume-filter').fill('');

    await page.getByTestId('volume-create').click();
    await page.getByTestId('volume-name-input').fill('bad/name');
    await page.getByTestId('volume-dialog-ok').click();
    await page.getByTestId('volume-name-error').waitFor();
    await screenshot(page, 'storage-02-create-invalid');
    await page.getByTestId('volume-name-input').fill('data');
    await page.getByTestId('volume-size-input').fill('1G');
    await page.getByTestId('volume-dialog-ok').click();
    await page.getByTestId('volume-row-data').waitFor();

    // shrinking is refused in the dialog, before the engine is even asked
    await page.getByTestId('resize-data').click();
    await page.getByTestId('volume-size-input').fill('512M');
    await page.getByTestId('volume-dialog-ok').click();
    await page.getByTestId('volume-size-error').waitFor();
    await screenshot(page, 'storage-03-resize-refused');
    await page.keyboard.press('Escape');
    assert.equal((await srv.engine.call('volume.get', { volume: 'data' })).virtualBytes, 1024 ** 3);
  });

  test('VM Storage tab: attach a volume; Snapshots tab: take one and see the tree', async () => {
    await page.getByTestId('storage-back').click();
    await page.getByTestId('tab-storage').click();
    await page.getByTestId('vm-storage').waitFor();
    await page.getByTestId('attach-volume').selectOption({ label: 'logs (qcow2)' });
    await page.getByTestId('attach-button').click();
    await page.getByTestId('detach-logs').waitFor();
    assert.equal((await srv.engine.call('vm.get', { vm: 'web' })).spec.disks.length, 2);
    await screenshot(page, 'storage-04-vm-tab');

    await page.getByTestId('tab-snapshots').click();
    await page.getByTestId('snapshots-empty').waitFor();
    await page.getByTestId('snapshot-name-input').fill('clean install');
    await page.getByTestId('snapshot-description-input').fill('before upgrading');
    await page.getByTestId('snapshot-take').click();
    await page.getByTestId('snapshot-clean install').waitFor();
    await page.getByTestId('snapshot-name-input').fill('after upgrade');
    await page.getByTestId('snapshot-take').click();
    await page.getByTestId('snapshot-after upgrade').waitFor();
    assert.equal(await page.getByTestId('snapshot-after upgrade').getAttribute('aria-level'), '2', 'a child of the first one');
    await screenshot(page, 'storage-05-snapshots');

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
    await screenshot(page, 'storage-06-snapshots-dark');
    await page.getByTestId('nav-storage').click();
    await page.getByTestId('volumes-table').waitFor();
    await screenshot(page, 'storage-07-page-dark');
    assert.deepEqual(errors, []);
  });
});
