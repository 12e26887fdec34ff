import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';
import { RENDERER_DIR, screenshot, openApp } from './helpers';

/**
 * The Backups tab in the browser against the real `serve()`: a backup's live progress bar (the
 * job is limited to 8 MiB/s so there is time to see it), Cancel (nothing kept), then "Back up now"
 * and the finished backup in the list. Screenshots: test/artifacts/screenshots/backup-*.png.
 */
const STATIC = process.env.HANGAR_RENDERER_DIR ?? RENDERER_DIR;
const built = fs.existsSync(`${STATIC}/index.html`);

describe('Backups tab (hangar serve + Chromium)', { skip: built ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    home = tempHome('hangar-backups-ui-');
    // 48 MiB of data that does not compress away
    const raw = path.join(home.home, 'data.raw');
    fs.writeFileSync(raw, Buffer.alloc(0));
    const fd = fs.openSync(raw, 'w');
    for (let i = 0; i < 48; i++) fs.writeSync(fd, execFileSync('head', ['-c', '1048576', '/dev/urandom']));
    fs.closeSync(fd);
    const disk = path.join(home.home, 'data.qcow2');
    execFileSync('qemu-img', ['convert', '-O', 'qcow2', raw, disk]);
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: STATIC });
    await srv.engine.call('vm.create', { name: 'keeper', memoryMiB: 128, nics: [], display: 'none', attachDisks: [{ path: disk }] });
    ({ browser, page, pageErrors } = await openApp(srv.url));
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
    home?.cleanup();
  });

  test('live progress of a running backup, then Cancel keeps nothing', async () => {
    await page.getByTestId('vm-row-keeper').click();
    await page.getByTestId('tab-backups').click();
    await page.getByTestId('backups-tab').waitFor();
    const { task } = await srv.engine.call('backup.create', { vm: 'keeper', mode: 'full', bandwidthMiBs: 8 });
    const bar = page.getByTestId('backup-progress').getByRole('progressbar');
    await bar.waitFor({ timeout: 20000 });
    const seen = await waitFor('the bar to move', async () => {
      const v = Number(await bar.getAttribute('aria-valuenow'));
      return v > 0 ? v : null;
    }, 20000, 100);
    assert.ok(seen > 0 && seen < 100, `progress ${seen}%`);
    await screenshot(page, 'backup-progress');
    await page.getByTestId('backup-cancel').click();
    await waitFor('the task to be cancelled', () => srv.engine.tasks.get(task.id)?.state === 'cancelled', 20000);
    await page.getByTestId('backup-progress').waitFor({ state: 'detached' });
    assert.deepEqual(await srv.engine.call('backup.list', {}), []);
    const dir = path.join(home.home, 'backups');
    const left = fs.existsSync(dir) ? fs.readdirSync(dir).flatMap((d) => fs.readdirSync(path.join(dir, d)).filter((f) => f.endsWith('.qcow2'))) : [];
    assert.deepEqual(left, [], 'the cancelled backup left no file');
  });

  test('Back up now: the finished backup appears in the list', async () => {
    await page.getByTestId('backup-now').click();
    await page.getByTestId('backup-row-full').waitFor({ timeout: 60000 });
    const list = await srv.engine.call('backup.list', {});
    assert.equal(list.length, 1);
    assert.ok(list[0]!.bytes >= 48 * 1024 * 1024);
    // the row says what the engine recorded: consistent or crash-consistent
    const expected = list[0]!.consistency === 'consistent' ? 'Consistent' : 'Crash-consistent';
    assert.equal((await page.getByTestId('backup-consistency').first().textContent())?.trim(), expected);
    await screenshot(page, 'backup-list');
    assert.deepEqual(pageErrors, []);
  });
});
