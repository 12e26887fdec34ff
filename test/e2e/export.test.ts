import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { RENDERER_DIR, screenshot, openApp } from './helpers';

/**
 * The Export… dialog in the browser against the real `serve()` and real qemu-img: from the
 * machine's menu, a bad destination shown at its field (the engine's sentence), an export cancelled
 * from the dialog (nothing left behind), then an OVA written with the progress bar live; the file's
 * manifest lists a SHA-256 for every other member of the tar, and each matches the member's bytes.
 */
const STATIC = process.env.HANGAR_RENDERER_DIR ?? RENDERER_DIR;
const built = fs.existsSync(`${STATIC}/index.html`);
const MiB = 1024 * 1024;

describe('Export dialog (hangar serve + Chromium)', { skip: built ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let out: string;

  before(async () => {
    home = tempHome('hangar-export-ui-');
    out = path.join(home.home, 'exports');
    fs.mkdirSync(out);
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: STATIC });
    const g = guestFiles();
    const vm = await srv.engine.call('vm.create', { name: 'web', memoryMiB: 96, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND }, diskSizeBytes: 256 * MiB, diskFormat: 'qcow2' });
    // random data does not compress: the streamOptimized conversion takes long enough to watch (and cancel)
    const raw = path.join(home.home, 'random.raw');
    const fd = fs.openSync(raw, 'w');
    for (let i = 0; i < 160; i++) fs.writeSync(fd, randomBytes(MiB));
    fs.closeSync(fd);
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, vm.spec.disks[0]!.path]);
    fs.rmSync(raw);
    ({ browser, page, pageErrors } = await openApp(srv.url, { height: 860 }));
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
    home?.cleanup();
  });

  const openFromMenu = async () => {
    await page.getByTestId('vm-row-web').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Export…' }).click();
    await page.getByTestId('export-dialog').waitFor();
  };

  test('a destination the engine refuses is shown at the path field', async () => {
    await openFromMenu();
    assert.equal(await page.getByTestId('export-format-ova').isChecked(), true, 'OVA by default');
    await page.getByTestId('export-path').fill(path.join(home.home, 'no-such-folder', 'web.ova'));
    await page.getByTestId('export-start').click();
    const err = page.getByTestId('export-path-error');
    await err.waitFor();
    assert.match(await err.innerText(), /Cannot write to ".*no-such-folder" on this computer: permission denied or no such folder\./);
    await page.getByTestId('export-path').fill('relative.ova');
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-path-error').getByText(/absolute path/).waitFor();
    await screenshot(page, 'export-dialog-path-error');
    assert.deepEqual((await srv.engine.call('task.list', {})).filter((t) => t.kind === 'appliance.export'), [], 'no task was started');
    await page.getByTestId('export-close').click();
    await page.getByTestId('export-dialog').waitFor({ state: 'detached' });
  });

  test('Cancel stops the export and leaves no file', async () => {
    await openFromMenu();
    const ova = path.join(out, 'cancelled.ova');
    await page.getByTestId('export-path').fill(ova);
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-progress').waitFor();
    await page.getByTestId('export-cancel').click();
    await page.getByText('The export was cancelled; nothing was left behind.').waitFor({ timeout: 30000 });
    const task = await waitFor('the cancelled task', async () => (await srv.engine.call('task.list', {})).find((t) => t.kind === 'appliance.export' && t.state !== 'running'), 30000);
    assert.equal(task.state, 'cancelled');
    assert.deepEqual(fs.readdirSync(out), [], 'no .ova, .part or staging folder left');
    await page.getByTestId('export-close').click();
  });

  test('export a stopped machine to OVA: live progress, a toast with the path, and a manifest that matches the tar', async () => {
    await openFromMenu();
    const ova = path.join(out, 'web.ova');
    await page.getByTestId('export-path').fill(ova);
    await screenshot(page, 'export-dialog');
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-progress').waitFor();
    // the bar moves: a determinate value above 0 while the task runs
    const bar = page.getByTestId('export-progress').getByRole('progressbar');
    const seen = await waitFor('progress above 0', async () => {
      const v = await bar.getAttribute('aria-valuenow').catch(() => null);
      return v !== null && Number(v) > 0 && Number(v) < 100 ? Number(v) : null;
    }, 120000, 50);
    console.log(`export progress seen in the dialog: ${seen}%`);
    await screenshot(page, 'export-dialog-progress');
    await page.getByText(`Exported "web" to ${ova}.`).waitFor({ timeout: 300000 });
    await page.getByTestId('export-dialog').waitFor({ state: 'detached' });
    await screenshot(page, 'export-dialog-done');

    assert.ok(fs.existsSync(ova));
    const members = execFileSync('tar', ['-tf', ova], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(members.map((m) => path.extname(m)), ['.ovf', '.mf', '.vmdk'], 'descriptor, manifest, then the disk (DSP0243 order)');
    const manifest = execFileSync('tar', ['-xOf', ova, members[1]!], { encoding: 'utf8' });
    const lines = manifest.trim().split('\n').map((l) => /^SHA256\((.+)\)= ([0-9a-f]{64})$/.exec(l));
    assert.ok(lines.every(Boolean), `every manifest line is SHA256(name)= hex: ${manifest}`);
    assert.deepEqual(lines.map((m) => m![1]).sort(), [members[0], members[2]].sort(), 'the manifest lists every other member');
    for (const m of lines) {
      const bytes = execFileSync('tar', ['-xOf', ova, m![1]!], { maxBuffer: 1024 * MiB });
      assert.equal(createHash('sha256').update(bytes).digest('hex'), m![2], `SHA-256 of ${m![1]}`);
    }
    const vmdk = execFileSync('tar', ['-xOf', ova, members[2]!], { maxBuffer: 1024 * MiB });
    assert.ok(vmdk.length > 100 * MiB, `the random data is in the disk (${vmdk.length} bytes)`);
    assert.deepEqual(pageErrors, []);
  });

  test('a running machine: the dialog says to shut it down first and offers no Export', async () => {
    await srv.engine.call('vm.start', { vm: 'web' });
    try {
      await page.getByTestId('vm-row-web').getByText('Running').waitFor({ timeout: 60000 });
      await openFromMenu();
      await page.getByTestId('export-must-stop').waitFor();
      assert.equal(await page.getByTestId('export-start').isDisabled(), true);
      await screenshot(page, 'export-dialog-running');
      await page.getByTestId('export-close').click();
    } finally {
      await srv.engine.call('vm.kill', { vm: 'web' });
    }
    assert.deepEqual(pageErrors, []);
  });
});
