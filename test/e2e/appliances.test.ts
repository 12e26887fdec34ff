import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome } from '../helpers/env';
import { guestFiles } from '../helpers/guest';
import { virtualBox7Ovf } from '../helpers/ovf-fixtures';
import { RENDERER_DIR, screenshot, openApp } from './helpers';

/**
 * Appliance import in the browser against the real `serve()`: the path, the review screen (nothing
 * created yet; each unsupported part on its own line), then the import's progress and the new VM
 * in the list. Screenshots: test/artifacts/screenshots/appliance-*.png.
 */
const STATIC = process.env.HANGAR_RENDERER_DIR ?? RENDERER_DIR;
const built = fs.existsSync(`${STATIC}/index.html`);
const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe('Appliance import dialog (hangar serve + Chromium)', { skip: built ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let ova = '';

  before(async () => {
    home = tempHome('hangar-appliance-ui-');
    const dir = path.join(home.home, 'pkg');
    fs.mkdirSync(dir);
    const disk = 'Guest-disk001.vmdk';
    execFileSync('qemu-img', ['convert', '-O', 'vmdk', '-o', 'subformat=streamOptimized', guestFiles().disk, path.join(dir, disk)]);
    fs.writeFileSync(path.join(dir, 'Guest.ovf'), virtualBox7Ovf({ name: 'Boxed', cpus: 2, memoryMiB: 192, diskHref: disk, diskBytes: fs.statSync(path.join(dir, disk)).size, capacityBytes: 64 << 20, efi: true, osType: 'Ubuntu22_LTS_64' }));
    fs.writeFileSync(path.join(dir, 'Guest.mf'), `SHA256 (Guest.ovf) = ${sha(path.join(dir, 'Guest.ovf'))}\nSHA256 (${disk}) = ${sha(path.join(dir, disk))}\n`);
    ova = path.join(home.home, 'Boxed.ova');
    execFileSync('tar', ['--format=ustar', '-cf', ova, '-C', dir, 'Guest.ovf', disk, 'Guest.mf']);
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: STATIC });
    ({ browser, page, pageErrors } = await openApp(srv.url, { height: 860 }));
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
    home?.cleanup();
  });

  test('a missing file is refused at the field, in the engine’s words', async () => {
    await page.getByTestId('tb-import-appliance').click();
    await page.getByTestId('appliance-path').fill('/nowhere/x.ova');
    await page.getByTestId('appliance-review').click();
    await page.getByText('does not exist').waitFor();
    await page.getByTestId('appliance-close').click();
  });

  test('review screen: what will be created and each part left out or changed; nothing exists yet', async () => {
    await page.getByTestId('tb-import-appliance').click();
    await page.getByTestId('appliance-path').fill(ova);
    await page.getByTestId('appliance-review').click();
    await page.getByTestId('appliance-review-screen').waitFor();
    const summary = (await page.getByTestId('appliance-summary').textContent()) ?? '';
    assert.match(summary, /CPUs?2/i);
    assert.match(summary, /192(\.0)? MiB/);
    assert.match(summary, /UEFI · q35/);
    assert.match(summary, /linux \(ubuntu22\.04\)/);
    assert.match(summary, /SHA256, 2 files/);
    const notes = await page.getByTestId('appliance-note').allTextContents();
    assert.deepEqual(notes.map((n) => n.split(':')[0]).sort(), ['Sound card (sound)', 'USB controller (VirtualBox)', 'USB controller (usb)']);
    assert.equal(await page.getByTestId('appliance-name').inputValue(), 'Boxed');
    assert.deepEqual(await srv.engine.call('vm.list', {}), [], 'the review created nothing');
    await screenshot(page, 'appliance-review');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'appliance-review-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('import with another name: progress in the dialog, then the VM is in the list', async () => {
    await page.getByTestId('appliance-name').fill('Boxed UI');
    await page.getByTestId('appliance-import').click();
    await page.getByTestId('appliance-progress').waitFor();
    await page.getByTestId('appliance-done').waitFor({ timeout: 120000 });
    assert.equal(await page.getByRole('progressbar').first().getAttribute('aria-valuenow'), '100');
    await screenshot(page, 'appliance-done');
    const vm = await srv.engine.call('vm.get', { vm: 'Boxed UI' });
    assert.deepEqual([vm.spec.cpus, vm.spec.memoryMiB, vm.spec.firmware, vm.spec.disks.length], [2, 192, 'uefi', 1]);
    await page.getByTestId('appliance-close').click();
    await page.getByText('Boxed UI').first().waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
