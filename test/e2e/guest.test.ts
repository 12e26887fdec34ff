import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { RENDERER_DIR, screenshot, openApp } from './helpers';
import { tempHome } from '../helpers/env';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';

// Guest integration in the real UI (hangar serve + Chromium): the IP address the guest agent reports
// in the machine list, the agent state in the details, Settings → Shared folders with its mount command.
// Screenshots: test/artifacts/screenshots/guest-*.png.

const rendererDir = process.env.HANGAR_TEST_RENDERER_DIR ?? RENDERER_DIR;
const built = fs.existsSync(path.join(rendererDir, 'index.html'));

describe('guest UI', { skip: built ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  const home = tempHome('hangar-guest-ui-');
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: rendererDir });
    const g = guestFiles();
    await srv.engine.call('vm.create', { name: 'agent-ui', memoryMiB: 192, display: 'none', kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND }, startAfterCreate: true });
    await srv.engine.call('vm.create', { name: 'share-ui', memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    ({ browser, page, pageErrors: errors } = await openApp(null, { colorScheme: 'dark' }));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    for (const vm of await srv.engine.call('vm.list', {})) if (vm.state === 'running') await srv.engine.call('vm.kill', { vm: vm.id }).catch(() => undefined);
    await srv?.close().catch(() => undefined);
    home.cleanup();
  });

  test('the IP address from the guest agent in the list, the agent state in the details', async () => {
    await page.goto(srv.url);
    await page.getByTestId('vm-row-agent-ui').click();
    // the guest boots under TCG and starts qemu-ga, then DHCP: the row shows the address when it answers
    await page.getByTestId('vm-ip-agent-ui').waitFor({ timeout: 180000 });
    assert.equal(await page.getByTestId('vm-ip-agent-ui').textContent(), '10.0.2.15');
    await page.getByTestId('details-guest').scrollIntoViewIfNeeded();
    assert.equal(await page.getByTestId('guest-agent-state').getAttribute('data-agent'), 'connected');
    assert.match((await page.getByTestId('details-guest').textContent()) ?? '', /hangar-guest/);
    await screenshot(page, 'guest-01-list-ip-agent');
    // a stopped VM: the agent state says so
    await page.getByTestId('vm-row-share-ui').click();
    await page.getByTestId('details-guest').scrollIntoViewIfNeeded();
    assert.equal(await page.getByTestId('guest-agent-state').textContent(), 'VM not running');
  });

  test('Settings → Shared folders: add a share, see the mount command, remove it', async () => {
    const dir = fs.mkdtempSync(path.join(home.home, 'shared-'));
    await page.getByTestId('vm-row-share-ui').click();
    await page.getByTestId('tb-settings').click();
    await page.getByTestId('settings-section-shares').click();
    await page.getByTestId('shares-empty').waitFor();
    await page.getByTestId('share-path').fill(dir);
    await page.getByTestId('share-tag').fill('work');
    await page.getByTestId('share-readonly').check();
    await page.getByTestId('share-add').click();
    await page.getByTestId('share-mount-work').waitFor();
    assert.equal(await page.getByTestId('share-mount-work').textContent(), 'mkdir -p /mnt/work && mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro work /mnt/work');
    const vm = (await srv.engine.call('vm.list', {})).find((v) => v.name === 'share-ui')!;
    assert.deepEqual(vm.spec.sharedFolders, [{ tag: 'work', path: dir, readOnly: true }]);
    await screenshot(page, 'guest-02-shared-folders');
    await page.getByTestId('share-remove-work').click();
    await page.getByTestId('shares-empty').waitFor();
    assert.deepEqual(errors, []);
  });

  test('Settings → Guest integration: the agent switch, and the clipboard says what it costs', async () => {
    await page.getByTestId('settings-section-guest').click();
    assert.equal(await page.getByTestId('settings-guest-agent').isChecked(), true, 'the agent channel is on by default');
    const clip = page.getByTestId('settings-clipboard');
    if (await clip.isDisabled()) {
      console.log('# the clipboard switch is disabled: this VM has no VNC display');
    } else {
      await clip.check();
      await page.getByTestId('settings-clipboard-limits').waitFor();
      assert.match((await page.getByTestId('settings-clipboard-limits').textContent()) ?? '', /snapshots with memory/);
    }
    await screenshot(page, 'guest-03-guest-integration');
    assert.deepEqual(errors, []);
  });
});
