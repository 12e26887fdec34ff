import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { RENDERER_DIR, rendererBuilt, screenshot, openApp } from './helpers';

/**
 * The Networks and Schedules pages in the browser against the real `serve()` engine: create a
 * network and put a machine on it, add a schedule (a bad cron expression is shown on its field),
 * edit it, run it now, switch autostart on. Screenshots: test/artifacts/screenshots/ops-e2e-*.png.
 */
describe('Networks and Schedules pages (hangar serve)', { skip: rendererBuilt() ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    home = tempHome('hangar-ops-ui-');
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: RENDERER_DIR });
    const g = guestFiles();
    for (const name of ['web', 'db']) await srv.engine.call('vm.create', { name, memoryMiB: 128, display: 'none', kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    // a machine with a real qcow2 disk for the backup schedule
    await srv.engine.call('vm.create', { name: 'store', memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND }, diskSizeBytes: 32 * 1024 * 1024, diskFormat: 'qcow2' });
    ({ browser, page, pageErrors } = await openApp(srv.url, { height: 860 }));
    await page.getByTestId('nav-networks').waitFor({ timeout: 15000 });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await srv?.close().catch(() => undefined);
    home?.cleanup();
  });

  test('Networks: create an internal network, connect a machine, deleting is refused while in use', async () => {
    await page.getByTestId('nav-networks').click();
    await page.getByTestId('networks-empty').waitFor();
    await page.getByTestId('network-name').fill('lab');
    await page.getByTestId('network-create').click();
    await page.getByTestId('network-lab').waitFor();
    await page.getByTestId('connect-pick-lab').selectOption({ label: 'db' });
    await page.getByTestId('connect-lab').click();
    await page.getByTestId('disconnect-lab-db').waitFor({ timeout: 10000 });
    const db = await srv.engine.call('vm.get', { vm: 'db' });
    assert.deepEqual(db.spec.nics.map((n) => `${n.mode}:${n.network ?? ''}`), ['user:', 'internal:lab']);
    assert.equal(await page.getByTestId('network-delete-lab').isDisabled(), true, 'a network in use cannot be deleted');
    await screenshot(page, 'ops-e2e-networks');
  });

  test('Schedules: a bad cron expression is shown on its field; add, edit, run now, autostart', async () => {
    await page.getByTestId('nav-schedules').click();
    await page.getByTestId('schedules-empty').waitFor();
    await page.getByTestId('schedule-new').click();
    await page.getByTestId('schedule-name').fill('morning');
    await page.getByTestId('schedule-action').selectOption('command');
    await page.getByTestId('schedule-command').fill('vm list');
    await page.getByTestId('schedule-cron').fill('0 25 * * *');
    await page.getByTestId('schedule-timezone').fill('Asia/Tokyo');
    await page.getByTestId('schedule-submit').click();
    assert.match(await page.getByTestId('schedule-cron-error').innerText(), /not a valid cron expression/);
    assert.deepEqual(await srv.engine.call('schedule.list', {}), [], 'nothing saved');
    await screenshot(page, 'ops-e2e-schedule-error');

    await page.getByTestId('schedule-cron').fill('0 8 * * 1-5');
    await page.getByTestId('schedule-submit').click();
    await page.getByTestId('schedule-morning').waitFor();
    const added = (await srv.engine.call('schedule.list', {}))[0]!;
    assert.deepEqual([added.timezone, added.argv.join(' ')], ['Asia/Tokyo', 'vm list']);
    assert.match(await page.getByTestId('schedule-next-morning').innerText(), /08:00|8:00/);

    await page.getByTestId('schedule-edit-morning').click();
    await page.getByTestId('schedule-cron').fill('30 9 * * 1-5');
    await page.getByTestId('schedule-submit').click();
    await waitFor('the edit saved', async () => (await srv.engine.call('schedule.list', {}))[0]!.cron === '30 9 * * 1-5', 10000);

    await page.getByTestId('schedule-run-morning').click();
    await page.getByTestId('runs-table').waitFor({ timeout: 30000 });
    const run = await waitFor('the run to finish', async () => (await srv.engine.call('schedule.runs', { limit: 5 })).find((r) => r.status !== 'running'), 60000);
    assert.equal(run.status, 'succeeded', run.message ?? '');
    await page.getByTestId('runs-table').locator('.ops-status-succeeded').first().waitFor({ timeout: 10000 });

    // the switch shows the engine's state: it turns on once the engine saved it
    const autostart = page.getByRole('checkbox', { name: 'Start web automatically' });
    await autostart.click();
    await waitFor('autostart saved', async () => (await srv.engine.call('autostart.list', {})).some((a) => a.vmName === 'web'), 10000);
    await waitFor('the switch on', () => autostart.isChecked(), 10000);
    await screenshot(page, 'ops-e2e-schedules');
    assert.deepEqual(pageErrors, []);
  });

  test('Schedules: a backup schedule through the dialog (a relative folder is refused on its field); run now shows the backup in the history', async () => {
    const folder = path.join(home.home, 'bk-pool');
    await page.getByTestId('schedule-new').click();
    await page.getByTestId('schedule-name').fill('nightly-backup');
    await page.getByTestId('schedule-action').selectOption('backup');
    await page.getByTestId('schedule-vm').selectOption({ label: 'store' });
    await page.getByTestId('schedule-cron').fill('0 2 * * *');
    await page.getByTestId('schedule-timezone').fill('UTC');
    await page.getByTestId('schedule-backup-folder').fill('relative/backups');
    await page.getByTestId('schedule-backup-mode').selectOption('full');
    await page.getByTestId('schedule-keep-daily').fill('3');
    await page.getByTestId('schedule-keep-weekly').fill('1');
    await page.getByTestId('schedule-submit').click();
    assert.match(await page.getByTestId('schedule-backup-folder-error').innerText(), /absolute/i);
    assert.equal((await srv.engine.call('schedule.list', {})).filter((x) => x.name === 'nightly-backup').length, 0, 'nothing saved');

    await page.getByTestId('schedule-backup-folder').fill(folder);
    await screenshot(page, 'ops-e2e-schedule-backup-form');
    await page.getByTestId('schedule-submit').click();
    await page.getByTestId('schedule-nightly-backup').waitFor();
    const s = (await srv.engine.call('schedule.list', {})).find((x) => x.name === 'nightly-backup')!;
    assert.deepEqual([s.action, s.vmName, s.backupFolder, s.backupMode, s.keepDaily, s.keepWeekly], ['backup', 'store', folder, 'full', 3, 1]);
    assert.match(await page.getByTestId('schedule-nightly-backup').innerText(), /Back up · store \(Always full, keep 3 daily \/ 1 weekly, to /);

    await page.getByTestId('schedule-run-nightly-backup').click();
    const run = await waitFor('the backup run', async () => (await srv.engine.call('schedule.runs', { schedule: 'nightly-backup' })).find((r) => r.status !== 'running'), 120000, 200);
    assert.equal(run.status, 'succeeded', run.message ?? '');
    const [backup] = await srv.engine.call('backup.list', { vm: 'store' });
    assert.ok(backup && backup.folder.startsWith(folder), 'the backup is in the chosen folder');
    await page.getByTestId('runs-table').getByText(`Full backup ${backup.id.slice(0, 8)} of "store"`).waitFor({ timeout: 15000 });
    assert.match(await page.getByTestId('runs-table').innerText(), /consistent \(the VM was stopped\)/);
    await screenshot(page, 'ops-e2e-schedule-backup');
    assert.deepEqual(pageErrors, []);
  });
});
