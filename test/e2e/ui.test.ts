import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { VmInfo } from '../../src-main/api/contract';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';
import { guestFiles, READY_BANNER } from '../helpers/guest';
import { RENDERER_DIR, rendererBuilt, screenshot, openApp } from './helpers';

/**
 * The browser face end to end: the built renderer served by the real `serve()` with the real
 * engine and real QEMU (TCG here) booting the test guest ISO. Screenshots go to
 * test/artifacts/screenshots/ui-*.png. Needs `npm run build` and `npm run test-guest` first.
 */
const VM = 'e2e-vm';

describe('desktop UI in the browser (hangar serve)', { skip: rendererBuilt() ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let iso: string;
  let tokenFile: string;

  const vmNames = async () => ((await srv.engine.call('vm.list', {})) as VmInfo[]).map((v) => v.name).sort();
  const row = (name: string) => page.getByTestId(`vm-row-${name}`);
  const rowState = (name: string) => row(name).getByTestId('vm-state');

  /** Open the wizard and go to the step with the given test id, filling the name step first. */
  const openWizard = async (name: string) => {
    await page.getByTestId('tb-new').click();
    await page.getByRole('dialog', { name: 'New virtual machine' }).waitFor();
    await page.getByTestId('wizard-name').fill(name);
  };
  const next = () => page.getByTestId('wizard-next').click();
  const cancelWizard = async () => {
    await page.keyboard.press('Escape');
    await page.getByTestId('wizard').waitFor({ state: 'detached' });
  };

  before(async () => {
    iso = guestFiles().iso;
    home = tempHome('hangar-ui-');
    // a fixed token (0600 file) so the server can be restarted under the same login
    tokenFile = path.join(home.home, 'token');
    fs.writeFileSync(tokenFile, 'ui-test-token-0123456789abcdef\n', { mode: 0o600 });
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: RENDERER_DIR, tokenFile });
    ({ browser, page, pageErrors } = await openApp(null));
  });

  after(async () => {
    // never leave a guest running: force off whatever is still up, then close everything
    if (srv) {
      for (const vm of (await srv.engine.call('vm.list', {}).catch(() => [])) as VmInfo[]) {
        if (!['stopped', 'crashed'].includes(vm.state)) await srv.engine.call('vm.kill', { vm: vm.id }).catch(() => undefined);
      }
    }
    await browser?.close().catch(() => undefined);
    await srv?.close().catch(() => undefined);
    home?.cleanup();
  });

  test('the token URL opens the app on the empty state', async () => {
    await page.goto(srv.url);
    await page.getByTestId('empty-state').waitFor({ timeout: 15000 });
    assert.match(await page.getByTestId('empty-state').innerText(), /No machines yet/);
    assert.equal(await page.getByTestId('connection').getAttribute('data-state'), 'connected');
    const accel = await page.getByTestId('host-accel').getAttribute('data-accel');
    assert.ok(accel === 'kvm' || accel === 'tcg');
    // the list toolbar starts with nothing selected: per-VM actions are disabled, New is not
    assert.equal(await page.getByTestId('tb-start').isDisabled(), true);
    assert.equal(await page.getByTestId('tb-new').isEnabled(), true);
    await screenshot(page, 'ui-01-empty');
  });

  test('the wizard creates a VM from the test ISO', { timeout: 60000 }, async () => {
    await page.getByTestId('empty-new').click();
    await page.getByRole('dialog', { name: 'New virtual machine' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill(VM);
    await page.getByTestId('wizard-os-family').selectOption('linux');
    await page.getByTestId('wizard-os-variant').selectOption('linux-other');
    await page.keyboard.press('Enter'); // Enter = Next
    await page.getByTestId('wizard-iso').fill(iso);
    await next();
    await page.getByTestId('wizard-cpus').fill('1');
    await page.getByTestId('wizard-memory').fill('256');
    await screenshot(page, 'ui-02-wizard-hardware');
    await next();
    await page.getByTestId('wizard-disk-size').fill('64M');
    await next();
    // one port forward row, filled in
    await page.getByTestId('wizard-pf-add').click();
    await page.getByTestId('wizard-pf-0-hostPort').fill('40022');
    await page.getByTestId('wizard-pf-0-guestPort').fill('22');
    await next();
    const summary = await page.getByTestId('wizard-summary').innerText();
    assert.match(summary, /256/);
    assert.match(summary, new RegExp(iso.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await screenshot(page, 'ui-03-wizard-summary');
    await page.getByTestId('wizard-create').click();
    await page.getByTestId('wizard').waitFor({ state: 'detached' });
    await row(VM).waitFor();
    assert.equal(await rowState(VM).getAttribute('data-state'), 'stopped');
    assert.deepEqual(await vmNames(), [VM]);
    const vm = (await srv.engine.call('vm.get', { vm: VM })) as VmInfo;
    assert.equal(vm.spec.memoryMiB, 256);
    assert.equal(vm.spec.cpus, 1);
    assert.equal(vm.spec.cdrom, iso);
    assert.deepEqual(vm.spec.nics[0]?.portForwards, [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 40022, guestPort: 22 }]);
    await page.getByTestId('vm-details').getByText('Other Linux').waitFor();
    await screenshot(page, 'ui-04-created');
  });

  test('Settings change a stopped VM through vm.update', async () => {
    await page.getByTestId('tb-settings').click();
    await page.getByRole('dialog', { name: `Settings — ${VM}` }).waitFor();
    await page.getByTestId('settings-description').fill('Made by the UI test');
    await page.getByTestId('settings-section-system').click();
    await page.getByTestId('settings-memory').fill('320');
    await screenshot(page, 'ui-04b-settings');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings').waitFor({ state: 'detached' });
    const vm = (await srv.engine.call('vm.get', { vm: VM })) as VmInfo;
    assert.equal(vm.spec.memoryMiB, 320);
    assert.equal(vm.spec.description, 'Made by the UI test');
    assert.equal(vm.spec.cpus, 1, 'fields left alone stay as they were');
    await page.getByTestId('details-general').getByText('Made by the UI test').waitFor();
  });

  test('a duplicate name is refused next to the name field, and nothing is created', async () => {
    const before = await vmNames();
    await openWizard(VM.toUpperCase()); // names compare without case, like the engine
    const error = page.getByTestId('wizard-name-error');
    await error.waitFor();
    assert.match(await error.innerText(), /already exists/);
    await next();
    assert.equal(await page.getByTestId('wizard-name').isVisible(), true, 'Next must not leave a step with an error');
    await screenshot(page, 'ui-05-duplicate-name');
    await cancelWizard();
    assert.deepEqual(await vmNames(), before);
  });

  test('memory above the host is refused next to the memory field', async () => {
    const before = await vmNames();
    await openWizard('too-big');
    await next();
    await page.getByTestId('wizard-media-none').check();
    await next();
    const caps = await srv.engine.call('host.capabilities', {});
    const hostMiB = Math.floor(caps.memoryBytes / 1024 / 1024);
    await page.getByTestId('wizard-memory').fill(String(hostMiB + 1024));
    const error = page.getByTestId('wizard-memory-error');
    await error.waitFor();
    assert.match(await error.innerText(), new RegExp(`more memory than this host has \\(${hostMiB} MiB\\)`, 'i'));
    await next();
    assert.equal(await error.isVisible(), true);
    await screenshot(page, 'ui-06-memory-above-host');
    await cancelWizard();
    assert.deepEqual(await vmNames(), before);
  });

  test('a missing ISO comes back from the engine onto the ISO field, and nothing is created', async () => {
    const before = await vmNames();
    await openWizard('no-iso');
    await next();
    await page.getByTestId('wizard-iso').fill('/nonexistent.iso');
    await next();
    await page.getByTestId('wizard-memory').fill('128');
    await next();
    await page.getByTestId('wizard-disk-enabled').uncheck();
    await next();
    await next();
    await page.getByTestId('wizard-create').click();
    // the wizard jumps back to the media step with the engine's sentence under the field
    const error = page.getByTestId('wizard-iso-error');
    await error.waitFor();
    assert.match(await error.innerText(), /\/nonexistent\.iso.*does not exist/);
    assert.equal(await page.getByTestId('wizard-step-media').getAttribute('aria-current'), 'step');
    await screenshot(page, 'ui-07-missing-iso');
    await cancelWizard();
    assert.deepEqual(await vmNames(), before);
  });

  test('Start runs the guest, Shut down powers it off through ACPI', { timeout: 240000 }, async () => {
    await row(VM).click();
    await page.getByTestId('tb-start').click();
    await waitFor('the row to say running', async () => (await rowState(VM).getAttribute('data-state')) === 'running', 60000, 250);
    assert.equal(await page.getByTestId('vm-details-state').getAttribute('data-state'), 'running');
    assert.equal(await page.getByTestId('tb-start').isDisabled(), true);
    assert.equal(await page.getByTestId('tb-stop').isEnabled(), true);
    assert.equal(await page.getByTestId('tb-delete').isDisabled(), true);
    await screenshot(page, 'ui-08-running');
    // settings of a running VM are read-only, and say why
    await page.getByTestId('tb-settings').click();
    await page.getByTestId('settings-locked').waitFor();
    assert.match(await page.getByTestId('settings-locked').innerText(), /Shut the VM down to change this/);
    assert.equal(await page.getByTestId('settings-name').isDisabled(), true);
    assert.equal(await page.getByTestId('settings-save').isDisabled(), true);
    await screenshot(page, 'ui-08b-settings-locked');
    await page.keyboard.press('Escape');
    await page.getByTestId('settings').waitFor({ state: 'detached' });
    // the guest only reacts to the power button once it has booted (TCG is slow)
    await waitFor('the guest banner', async () => (await srv.engine.call('vm.serialTail', { vm: VM })).text.includes(READY_BANNER), 150000, 500);
    await page.getByTestId('tb-stop').click();
    const final = await waitFor('the row to leave running', async () => {
      const state = await rowState(VM).getAttribute('data-state');
      return state === 'stopped' || state === 'crashed' ? state : null;
    }, 90000, 250);
    await screenshot(page, 'ui-09-stopped');
    const vm = (await srv.engine.call('vm.get', { vm: VM })) as VmInfo;
    assert.equal(final, 'stopped', `the guest powered off through ACPI, so the VM is stopped, not ${final} (engine says: ${vm.state}, "${vm.stateReason}")`);
    assert.equal(vm.state, 'stopped');
  });

  test('keyboard: "?" shows the shortcuts, "/" focuses the search, Esc closes', async () => {
    await page.locator('body').click({ position: { x: 900, y: 700 } });
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await screenshot(page, 'ui-09b-shortcuts');
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcuts').waitFor({ state: 'detached' });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'vm-search');
    await page.keyboard.type('zzz');
    await page.getByText('No machine matches “zzz”.').waitFor();
    await page.keyboard.press('Escape');
    await row(VM).waitFor();
  });

  test('Delete asks first, lists what goes and what stays, then the list is empty', async () => {
    await row(VM).click();
    await page.getByTestId('tb-delete').click();
    const dialog = page.getByRole('dialog', { name: `Delete “${VM}”?` });
    await dialog.waitFor();
    assert.equal(await page.getByTestId('delete-disks').isChecked(), false, 'deleting disks is opt-in');
    assert.match(await page.getByTestId('delete-kept').innerText(), /disk0\.qcow2/);
    assert.match(await page.getByTestId('delete-kept').innerText(), /guest\.iso/);
    await page.getByTestId('delete-disks').check();
    assert.match(await page.getByTestId('delete-removed').innerText(), /disk0\.qcow2/);
    await screenshot(page, 'ui-10-delete-dialog');
    await page.getByTestId('delete-confirm').click();
    await page.getByTestId('empty-state').waitFor();
    assert.deepEqual(await vmNames(), []);
    // the ISO is never Hangar's to delete: the toast says it was kept
    await page.getByTestId('toast').filter({ hasText: 'guest.iso' }).waitFor();
    await screenshot(page, 'ui-11-deleted');
  });

  test('Preferences: dark theme and Simplified Chinese', async () => {
    await page.getByTestId('tb-preferences').click();
    await page.getByRole('dialog', { name: 'Preferences' }).waitFor();
    await page.getByTestId('pref-theme-dark').check({ force: true });
    await page.getByTestId('pref-language').selectOption('zh-CN');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await screenshot(page, 'ui-12a-preferences');
    await page.getByTestId('preferences-done').click();
    await page.getByTestId('tasks-toggle').click();
    await page.getByTestId('task-panel').waitFor();
    await page.getByText('还没有虚拟机 — 新建一台吧').waitFor();
    assert.equal(await page.getByTestId('tb-new').innerText(), '新建');
    await screenshot(page, 'ui-12-dark-chinese');
    // remembered across a reload
    await page.reload();
    await page.getByText('还没有虚拟机 — 新建一台吧').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  });

  test('after the server restarts, the page reconnects and re-fetches its snapshot', { timeout: 60000 }, async () => {
    const port = srv.port;
    await srv.close();
    await page.getByTestId('reconnecting').waitFor();
    assert.equal(await page.getByTestId('connection').getAttribute('data-state'), 'reconnecting');
    srv = await serve({ home: home.home, port, quiet: true, staticDir: RENDERER_DIR, tokenFile });
    // made while the page is disconnected: only a snapshot re-fetch can show it
    await srv.engine.call('vm.create', { name: 'made-offline', memoryMiB: 64 });
    await row('made-offline').waitFor({ timeout: 30000 });
    assert.equal(await page.getByTestId('connection').getAttribute('data-state'), 'connected');
    await page.getByTestId('reconnecting').waitFor({ state: 'detached' });
    // and live events flow again: a delete elsewhere (CLI, another window) removes the row
    await srv.engine.call('vm.delete', { vm: 'made-offline' });
    await row('made-offline').waitFor({ state: 'detached' });
  });

  test('the page logged no errors', () => {
    // failed WebSocket attempts while the server was down are expected noise
    assert.deepEqual(pageErrors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
  });
});
