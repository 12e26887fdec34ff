import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';
import { cloudGuest, sshKeyPair } from '../helpers/cloud-guest';
import { RENDERER_DIR, screenshot, openApp } from './helpers';

/**
 * Cloud-init in the browser against the real `serve()` and engine: "Create VM from this image" on a
 * cloud image opens the wizard with a cloud-init step (bad host name and bad YAML are refused at
 * the fields), the VM is created and started, and its details show "SSH ready" once the guest's
 * sshd answers through the forward. Screenshots: test/artifacts/screenshots/cloudinit-*.png.
 */
const STATIC = process.env.HANGAR_RENDERER_DIR ?? RENDERER_DIR;
const built = fs.existsSync(`${STATIC}/index.html`);

describe('cloud-init wizard step and SSH ready (hangar serve + Chromium)', { skip: built ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const guest = cloudGuest();

  before(async () => {
    home = tempHome('hangar-cloudinit-ui-');
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: STATIC });
    ({ browser, page, pageErrors } = await openApp(srv.url, { height: 860, colorScheme: 'dark' }));
  });

  after(async () => {
    for (const vm of await srv.engine.call('vm.list', {}).catch(() => [])) if (vm.state !== 'stopped') await srv.engine.call('vm.kill', { vm: vm.id }).catch(() => undefined);
    await browser?.close();
    await srv?.close();
    home?.cleanup();
  });

  test('the cloud-init step of the wizard checks its fields, then the VM shows "SSH ready"', async () => {
    const { task } = await srv.engine.call('image.import', { path: guest.disk, name: 'debian-12-genericcloud' });
    await waitFor('cloud image import', () => srv.engine.tasks.get(task.id)?.state === 'succeeded', 120000);
    const key = sshKeyPair(fs.mkdtempSync(path.join(home.home, 'k-')));

    await page.getByTestId('nav-images').click();
    await page.getByTestId('image-card-debian-12-genericcloud').waitFor();
    await page.getByTestId('image-cloud-chip').waitFor();
    await page.getByTestId('image-card-debian-12-genericcloud').click();
    await page.getByTestId('image-create-vm').click();
    await page.getByTestId('wizard-name').fill('cloud-ui');
    await page.getByTestId('wizard-next').click();
    // media: nothing to choose, the cloud image boots from its own disk (GRUB), as a user leaves it
    await page.getByTestId('wizard-next').click();

    // the cloud-init step: wrong inputs are refused at their fields
    await page.getByTestId('cloud-user').waitFor();
    assert.equal(await page.getByTestId('cloud-hostname').inputValue(), 'cloud-ui', 'the host name follows the VM name');
    await page.getByTestId('cloud-user').fill('alice');
    await page.getByTestId('cloud-hostname').fill('has space');
    await page.getByTestId('cloud-user-data').fill('runcmd: [oops\n');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('cloud-hostname-error').waitFor();
    assert.match((await page.getByTestId('cloud-hostname-error').textContent()) ?? '', /no spaces/);
    assert.match((await page.getByTestId('cloud-user-data-error').textContent()) ?? '', /Not valid YAML \(line \d+\)/);
    assert.match((await page.getByTestId('cloud-keys-error').textContent()) ?? '', /at least one SSH key/);
    await screenshot(page, 'cloudinit-wizard-errors');
    await page.getByTestId('cloud-hostname').fill('cloud-ui-host');
    await page.getByTestId('cloud-user-data').fill('runcmd:\n  - [touch, /etc/hangar-was-here]\n');
    await page.getByTestId('cloud-keys-paste').fill(fs.readFileSync(key.pub, 'utf8'));
    await screenshot(page, 'cloudinit-wizard');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('cloud-user').waitFor({ state: 'detached' });

    await page.getByTestId('wizard-step-summary').click();
    await page.getByTestId('wizard-start-after').check();
    await page.getByTestId('wizard-create').click();
    await page.getByTestId('wizard').waitFor({ state: 'detached', timeout: 60000 });

    const vm = await srv.engine.call('vm.get', { vm: 'cloud-ui' });
    assert.equal(vm.spec.cloudInit?.hostname, 'cloud-ui-host');
    assert.equal(vm.spec.cloudInit?.user, 'alice');
    assert.equal(vm.spec.disks.find((d) => d.id === 'cidata')?.bus, 'virtio');

    if (await page.getByTestId('images-page').isVisible()) await page.getByTestId('nav-images').click();
    await page.getByTestId('vm-row-cloud-ui').click();
    await page.getByTestId('cloud-ssh').waitFor();
    await page.getByTestId('ssh-waiting').waitFor();
    await page.getByTestId('ssh-ready').waitFor({ timeout: 10 * 60000 });
    await page.getByTestId('ssh-connect').click();
    const cmd = (await page.getByTestId('ssh-command').textContent()) ?? '';
    assert.match(cmd, new RegExp(`^ssh -p ${vm.spec.cloudInit!.sshPort} .*alice@127\\.0\\.0\\.1$`));
    await screenshot(page, 'cloudinit-ssh-ready');
    assert.deepEqual(pageErrors, []);
  });
});
