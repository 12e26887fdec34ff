import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { KEY_PASSPHRASE, netnsUnsupportedReason, startSshdNetns, type SshdNetns } from '../helpers/sshd-netns';
import { RENDERER_DIR, screenshot, openApp } from './helpers';

/**
 * The Hosts page against a real sshd in a network namespace: add a host through the form,
 * confirm its fingerprint, see it online and probed, then see the refusal after its key changes.
 * Screenshots: test/artifacts/screenshots/hosts-*.png.
 */
const staticDir = process.env.HANGAR_RENDERER_DIR ?? RENDERER_DIR;
const skip = !fs.existsSync(path.join(staticDir, 'index.html')) ? 'the renderer is not built: run npm run build:renderer' : netnsUnsupportedReason();
if (skip) console.log(`# SKIP hosts UI test: ${skip}`);

describe('Hosts page (browser, real sshd)', { skip: skip ?? false }, () => {
  let home: ReturnType<typeof tempHome>;
  let sshd: SshdNetns;
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    sshd = await startSshdNetns();
    home = tempHome('hangar-hosts-ui-');
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir });
    ({ browser, page, pageErrors } = await openApp(null));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await srv?.close().catch(() => undefined);
    sshd?.stop();
    home?.cleanup();
  });

  test('add a host: fingerprint shown, accepted, pinned; the card shows it online and probed', async () => {
    await page.goto(srv.url);
    await page.getByTestId('hosts-nav').click();
    const dialog = page.getByTestId('hosts-dialog');
    await dialog.waitFor();
    await page.getByTestId('hosts-empty').waitFor();
    await screenshot(page, 'hosts-01-empty');

    await page.getByTestId('host-add').click();
    await page.getByTestId('host-name').fill('workshop');
    await page.getByTestId('host-address').fill('bad;address');
    await page.getByTestId('host-key').fill(sshd.keys.good);
    await page.getByTestId('host-add-submit').click();
    await page.getByTestId('host-address-error').waitFor();
    assert.match(await page.getByTestId('host-address-error').innerText(), /shell characters/);
    await screenshot(page, 'hosts-02a-form-error');

    await page.getByTestId('host-address').fill(sshd.address);
    await page.getByTestId('host-add-submit').click();
    await page.getByTestId('host-fingerprint-confirm').waitFor();
    assert.equal(await page.getByTestId('host-fingerprint').innerText(), sshd.hostKeyFingerprint);
    await screenshot(page, 'hosts-02-confirm-fingerprint');

    await page.getByTestId('host-add-submit').click();
    const card = page.getByTestId('host-card-workshop');
    await card.waitFor({ timeout: 15000 }).catch(async (e: Error) => {
      await screenshot(page, 'hosts-failed-add');
      throw e;
    });
    await waitFor('card online', async () => (await card.getAttribute('data-state')) === 'online', 15000);
    await card.getByTestId('host-probe').waitFor();
    assert.match(await card.getByTestId('host-probe').innerText(), /TCG|KVM/);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'host-add', 'focus stays in the dialog after adding');
    await screenshot(page, 'hosts-03-added');

    // Terminal: a shell on the LAN host in its own window (PTY over SSH).
    const [shellPage] = await Promise.all([page.context().waitForEvent('page'), card.getByTestId('host-terminal').click()]);
    await shellPage.getByTestId('host-shell-page').waitFor();
    await shellPage.locator('.xterm-helper-textarea').waitFor({ state: 'attached' });
    await waitFor('remote prompt', async () => /#|\$/.test(await shellPage.locator('.xterm-rows').innerText()), 15000);
    await shellPage.locator('.xterm-helper-textarea').focus();
    await shellPage.keyboard.type('echo REMOTE-$((6*7)) $HOME\n');
    await waitFor('remote shell output', async () => (await shellPage.locator('.xterm-rows').innerText()).includes(`REMOTE-42 ${sshd.homes.good}`), 15000);
    await screenshot(shellPage, 'hosts-07-remote-terminal');
    await shellPage.close();

    // A machine on that host shows it in the list; the wizard offers the host with its capacity.
    const hostId = (await srv.engine.call('host.list', {})).find((h) => h.name === 'workshop')!.id;
    const g = guestFiles();
    await srv.engine.call('vm.create', { name: 'remote-vm', hostId, memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const chip = page.getByTestId('vm-row-remote-vm').getByTestId('vm-host');
    await chip.waitFor();
    assert.equal(await chip.innerText(), 'workshop');
    await page.getByTestId('tb-new').click();
    await page.getByTestId('wizard-host').selectOption(hostId);
    await waitFor('remote capacity', async () => /CPUs/.test(await page.getByTestId('wizard').innerText()), 15000);
    await screenshot(page, 'hosts-05-wizard-host');
    await page.keyboard.press('Escape');
    await page.getByTestId('wizard').waitFor({ state: 'detached' });
    // Move it home through the Hosts page (an offline move, a task)
    await page.getByTestId('hosts-nav').click();
    await dialog.waitFor();
    await page.getByTestId('host-move').click();
    await page.getByTestId('host-move-vm').selectOption({ label: 'remote-vm' });
    await page.getByTestId('host-move-delete-source').check();
    await screenshot(page, 'hosts-08-move');
    await page.getByTestId('host-move-submit').click();
    await waitFor('VM moved home', async () => (await srv.engine.call('vm.get', { vm: 'remote-vm' })).hostId === 'local', 30000, 100);
    await page.getByTestId('vm-row-remote-vm').getByTestId('vm-host').waitFor({ state: 'detached' });
    await srv.engine.call('vm.delete', { vm: 'remote-vm', deleteDisks: true });

    // An encrypted key: the passphrase field appears when the engine asks for it.
    await page.getByTestId('host-add').click();
    await page.getByTestId('host-name').fill('vault');
    await page.getByTestId('host-address').fill(sshd.address);
    await page.getByTestId('host-key').fill(sshd.keys.encrypted);
    await page.getByTestId('host-add-submit').click();
    await page.getByTestId('host-fingerprint-confirm').waitFor();
    await page.getByTestId('host-add-submit').click();
    await page.getByTestId('host-passphrase').waitFor();
    assert.match(await page.getByTestId('host-passphrase-error').innerText(), /protected by a passphrase/);
    await page.getByTestId('host-passphrase').fill(KEY_PASSPHRASE);
    await screenshot(page, 'hosts-06-passphrase');
    await page.getByTestId('host-add-submit').click();
    await waitFor('vault online', async () => (await page.getByTestId('host-card-vault').getAttribute('data-state').catch(() => null)) === 'online', 15000);
  });

  test('a changed host key turns the card offline with the explanation (dark theme)', async () => {
    await sshd.changeHostKey();
    const card = page.getByTestId('host-card-workshop');
    // first "connection lost", then the reconnect meets the new key and is refused
    await waitFor('card offline with the refusal', async () => (await card.getAttribute('data-state')) === 'offline' && /changed/.test(await card.innerText()), 20000);
    assert.match(await card.innerText(), /host key of workshop .* changed.*man-in-the-middle.*remove it from Hangar and add it again/s);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'hosts-04-key-changed-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await card.getByTestId('host-remove').click();
    await card.getByTestId('host-remove-confirm').click();
    await card.waitFor({ state: 'detached' });
    assert.deepEqual(pageErrors, []);
  });
});
