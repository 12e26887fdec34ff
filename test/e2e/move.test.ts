import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome } from '../helpers/env';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { RENDERER_DIR, screenshot, openApp } from './helpers';

/**
 * The Move… dialog in the browser against the real `serve()`, local only: this e2e fixture has no
 * LAN host (the moves themselves are covered by the netns tests, hosts-migrate-directions and
 * vm-move-cli). Shown: the dialog from the toolbar and from the machine's menu, its empty state
 * (no other host), its validation, and the engine's sentence for an impossible target, in the field.
 */
const STATIC = process.env.HANGAR_RENDERER_DIR ?? RENDERER_DIR;
const built = fs.existsSync(`${STATIC}/index.html`);

describe('Move dialog (hangar serve + Chromium, local only)', { skip: built ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    home = tempHome('hangar-move-ui-');
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: STATIC });
    const g = guestFiles();
    await srv.engine.call('vm.create', { name: 'web', memoryMiB: 96, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    ({ browser, page, pageErrors } = await openApp(srv.url, { height: 860 }));
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
    home?.cleanup();
  });

  test('toolbar Move… opens the dialog; with no other host it says so and asks for a host', async () => {
    await page.getByTestId('vm-row-web').click();
    await page.getByTestId('tb-move').click();
    const dialog = page.getByTestId('move-dialog');
    await dialog.waitFor();
    await page.getByTestId('move-no-hosts').waitFor();
    assert.equal(await page.getByTestId('move-live').isChecked(), false, 'a stopped machine moves offline by default');
    await page.getByTestId('move-start').click();
    await page.getByText('Choose the host to move the machine to.').waitFor();
    await screenshot(page, 'move-dialog-validation');
    await page.getByTestId('move-close').click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('the machine menu opens it too', async () => {
    await page.getByTestId('vm-row-web').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Move…' }).click();
    await page.getByTestId('move-dialog').waitFor();
    await screenshot(page, 'move-dialog-menu');
    await page.getByTestId('move-close').click();
    assert.deepEqual(pageErrors, []);
  });
});
