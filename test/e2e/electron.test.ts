import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { ROOT, tempHome, waitFor } from '../helpers/env';
import { READY_BANNER, guestFiles } from '../helpers/guest';

/**
 * The desktop app, driven by Playwright's Electron support. Skipped (with the reason printed)
 * where the Electron binary is absent: its npm package downloads it at install time, which
 * fails offline. Never `require('electron')` here: that would retry the download.
 */
function electronBinary(): string | null {
  const dir = path.join(ROOT, 'node_modules', 'electron');
  try {
    const rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
    const bin = process.env.ELECTRON_OVERRIDE_DIST_PATH ? path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel) : path.join(dir, 'dist', rel);
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const executablePath = electronBinary();
const MAIN = path.join(ROOT, 'dist', 'main', 'electron', 'main.js');
const skipReason = !executablePath
  ? 'Electron binary not installed (offline install): node_modules/electron has no path.txt/dist; run `npx install-electron` where the network allows'
  : !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
    ? 'no display (DISPLAY/WAYLAND_DISPLAY unset): run under xvfb-run'
    : null;
if (skipReason) console.log(`Skipping the Electron e2e tests: ${skipReason}`);
const skip = skipReason ?? false;

describe('desktop app (Electron)', () => {
  let t: ReturnType<typeof tempHome>;
  let electronApp: ElectronApplication;
  let page: Page;

  before(async () => {
    if (skipReason) return;
    assert.ok(fs.existsSync(MAIN), `${MAIN} is missing: run npm run build first`);
    t = tempHome('hangar-e2e-electron-');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    env.HANGAR_HOME = t.home;
    delete env.ELECTRON_RUN_AS_NODE;
    electronApp = await _electron.launch({
      executablePath: executablePath!,
      // Chromium refuses its sandbox as root (CI containers); everywhere else the sandbox stays on.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), MAIN],
      env,
      timeout: 60_000,
    });
    page = await electronApp.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  after(async () => {
    await electronApp?.close();
    t?.cleanup();
  });

  test('the main window shows, with "Hangar" in its title', { skip }, async () => {
    const title = await electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle() ?? '');
    assert.match(title, /Hangar/);
  });

  test('the renderer is isolated: hangarBridge.kind is "electron", no require, no process', { skip }, async () => {
    const r = await page.evaluate(() => ({
      kind: (window as unknown as { hangarBridge?: { kind: string } }).hangarBridge?.kind,
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    assert.deepEqual(r, { kind: 'electron', require: 'undefined', process: 'undefined' });
  });

  test('the window runs sandboxed with context isolation and no Node integration', { skip }, async () => {
    const prefs = await electronApp.evaluate(({ BrowserWindow }) => {
      const wc = BrowserWindow.getAllWindows()[0]!.webContents;
      const p = (wc as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences();
      return { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration, webSecurity: p.webSecurity };
    });
    assert.deepEqual(prefs, { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
  });

  test('vm.list through the bridge returns an empty list on a fresh home', { skip }, async () => {
    const reply = await page.evaluate(() => (window as unknown as { hangarBridge: { call(m: string, i: unknown): Promise<unknown> } }).hangarBridge.call('vm.list', {}));
    assert.deepEqual(reply, { ok: true, result: [] });
  });

  test('invalid input through the bridge comes back as INVALID_INPUT', { skip }, async () => {
    const reply = (await page.evaluate(() => (window as unknown as { hangarBridge: { call(m: string, i: unknown): Promise<unknown> } }).hangarBridge.call('vm.create', { name: 'a/b' }))) as {
      ok: boolean;
      error?: { code: string };
    };
    assert.equal(reply.ok, false);
    assert.equal(reply.error?.code, 'INVALID_INPUT');
  });

  // http (not https) URLs: https ones would be handed to the system browser.
  test('window.open is denied and navigation away is blocked', { skip }, async () => {
    const before = page.url();
    const opened = await page.evaluate(() => window.open('http://example.com/') === null);
    assert.equal(opened, true);
    await page.evaluate(() => {
      window.location.href = 'http://example.com/';
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(page.url(), before);
    assert.equal(electronApp.windows().length, 1);
  });

  test('the engine socket for the CLI exists with mode 0600 while the app runs', { skip }, () => {
    const st = fs.statSync(path.join(t.home, 'engine.sock'));
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
  });

  // The same journey as the browser test (test/e2e/ui.test.ts), in the desktop window.
  test('journey: wizard creates a VM from the test ISO, Start → running, Shut down → stopped, Delete → empty', { skip, timeout: 300_000 }, async () => {
    const iso = guestFiles().iso;
    const bridgeCall = (method: string, input: unknown) =>
      page.evaluate(([m, i]) => (window as unknown as { hangarBridge: { call(m: string, i: unknown): Promise<{ ok: boolean; result?: unknown }> } }).hangarBridge.call(m as string, i), [method, input] as const);
    const rowState = () => page.getByTestId('vm-row-electron-vm').getByTestId('vm-state').getAttribute('data-state');
    await page.getByTestId('empty-state').waitFor({ timeout: 30_000 });
    await page.getByTestId('empty-new').click();
    await page.getByLabel('Name', { exact: true }).fill('electron-vm');
    await page.getByTestId('wizard-os-family').selectOption('linux');
    await page.keyboard.press('Enter');
    await page.getByTestId('wizard-iso').fill(iso);
    for (let step = 0; step < 4; step++) await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-create').click();
    await page.getByTestId('vm-row-electron-vm').click();
    await page.getByTestId('tb-start').click();
    await waitFor('running', async () => (await rowState()) === 'running', 60_000, 250);
    await waitFor('the guest banner', async () => {
      const r = await bridgeCall('vm.serialTail', { vm: 'electron-vm' });
      return r.ok && (r.result as { text: string }).text.includes(READY_BANNER);
    }, 150_000, 500);
    await page.getByTestId('tb-stop').click();
    await waitFor('stopped', async () => (await rowState()) === 'stopped', 90_000, 250);
    await page.getByTestId('tb-delete').click();
    await page.getByTestId('delete-confirm').click();
    await page.getByTestId('empty-state').waitFor();
  });
});
