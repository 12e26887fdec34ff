import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import type { VmInfo, VmThumbnail } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { exposeTestHooks, launchBrowser, rendererBuilt, screenshot, testRendererDir, watchPageErrors } from './helpers';

/**
 * Consoles end to end in Chromium against `serve()`, the real engine and real QEMU (TCG):
 * the serial console in xterm.js (typing, scrollback after re-open and after an engine restart,
 * two viewers, "VM stopped" when QEMU is killed) and the graphical console through noVNC and
 * the ticketed /vnc WebSocket (pixels checked, tickets refused when missing, forged or reused).
 * Screenshots: test/artifacts/screenshots/consoles-*.png.
 */
/** What the test build of the renderer registers (app/test-hooks.ts; the production bundle has none): the xterm buffers and noVNC sessions. */
declare global {
  interface Window {
    hangarTerminals?: Record<string, { buffer: { active: { length: number; getLine(i: number): { translateToString(trim?: boolean): string } | undefined } } }>;
    hangarDisplays?: Record<string, unknown>;
  }
}

const SERIAL_VM = 'serial-vm';
const SCREEN_VM = 'screen-vm';

describe('consoles in the browser', { skip: rendererBuilt() ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  const g = guestFiles();
  const home = tempHome('hangar-consoles-e2e-');
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let serialId = '';
  let screenId = '';
  let rendererDir = '';

  const call = <T,>(method: string, input: unknown) => srv.engine.call(method, input) as Promise<T>;
  const currentBoot = async (vm: string) => (await call<{ text: string }>('vm.serialTail', { vm, maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop() ?? '';
  const waitPrompt = (vm: string) => waitFor(`the shell prompt of ${vm}`, async () => (await currentBoot(vm)).split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 120000, 200);
  /** The whole xterm buffer (scrollback + screen) of a terminal the app exposes for tests. */
  const terminalText = (p: Page, key: string) =>
    p.evaluate((k) => {
      const term = window.hangarTerminals?.[k];
      if (!term) return null;
      const buf = term.buffer.active;
      const lines: string[] = [];
      for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
      return lines.join('\n');
    }, key);
  const waitTerminal = (p: Page, key: string, pred: (text: string) => boolean, what: string, timeoutMs = 60000) =>
    waitFor(what, async () => {
      const text = await terminalText(p, key);
      return text !== null && pred(text) ? text : null;
    }, timeoutMs, 200);
  const openConsoleTab = async (p: Page, vmName: string) => {
    await p.getByTestId(`vm-row-${vmName}`).click();
    await p.getByTestId('tab-console').click();
  };

  before(async () => {
    rendererDir = testRendererDir();
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: rendererDir });
    serialId = (await call<VmInfo>('vm.create', { name: SERIAL_VM, memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } })).id;
    screenId = (await call<VmInfo>('vm.create', { name: SCREEN_VM, memoryMiB: 192, display: 'vnc', nics: [], isoPath: g.iso })).id;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'dark' });
    await exposeTestHooks(page.context());
    pageErrors = watchPageErrors(page);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await srv?.close().catch(() => undefined);
    // never leave a guest running, even when a test failed between two serve() instances
    const engine = await Engine.open({ home: home.home });
    try {
      for (const vm of await engine.call('vm.list', {})) {
        if (!['stopped', 'crashed'].includes(vm.state)) await engine.call('vm.kill', { vm: vm.id }).catch(() => undefined);
      }
    } finally {
      await engine.close();
    }
    home.cleanup();
  });

  test('a stopped VM: the Console tab says so, and the API refuses serial and VNC with clear sentences', async () => {
    await page.goto(srv.url);
    await openConsoleTab(page, SERIAL_VM);
    await page.getByTestId('console-stopped').waitFor();
    assert.match(await page.getByTestId('console-stopped').innerText(), /not running/);
    await assert.rejects(call('channel.open', { kind: 'serial', vm: SERIAL_VM }), (e: Error & { code?: string }) => e.code === 'INVALID_STATE' && /start it to use its console/.test(e.message));
    await assert.rejects(call('vnc.ticket', { vm: SCREEN_VM }), (e: Error & { code?: string }) => e.code === 'INVALID_STATE' && /start it/.test(e.message));
    await assert.rejects(call('vnc.ticket', { vm: 'no-such-vm' }), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
  });

  test('serial console: type a command, see its output in xterm', { timeout: 180000 }, async () => {
    await call('vm.start', { vm: SERIAL_VM });
    await waitPrompt(SERIAL_VM);
    const key = `serial-${serialId}`;
    await page.getByTestId(`${key}-view`).and(page.locator('[data-status=connected]')).waitFor({ timeout: 30000 });
    await page.getByTestId(key).click();
    await page.keyboard.type('uname -a; echo "mark-$((6*7))"\n', { delay: 20 });
    const text = await waitTerminal(page, key, (t) => /mark-42/.test(t) && /Linux/.test(t), 'uname output in the terminal');
    assert.match(text, /Linux \S+ \d+\.\d+/);
    assert.match(await page.getByTestId(`${key}-status`).innerText(), /Connected/);
    await screenshot(page, 'consoles-01-serial');
    // Ctrl+Shift+F finds text in the scrollback (the match becomes the selection)
    await page.getByTestId(key).click();
    await page.keyboard.press('Control+Shift+F');
    await page.getByTestId(`${key}-search`).fill('mark-42');
    await page.getByTestId(`${key}-search`).press('Enter');
    assert.equal(await page.evaluate((k) => (window.hangarTerminals?.[k] as unknown as { getSelection(): string }).getSelection(), key), 'mark-42');
    await page.getByTestId(`${key}-search`).press('Escape');
    // a VM without a display has no Screen view
    assert.equal(await page.getByTestId('console-view-screen').isDisabled(), true);
  });

  test('scrollback survives closing and re-opening the tab, and a second viewer sees the same console', { timeout: 90000 }, async () => {
    const key = `serial-${serialId}`;
    await page.getByTestId('tab-details').click();
    await page.getByTestId('tab-console').click();
    await waitTerminal(page, key, (t) => /mark-42/.test(t), 'earlier lines after re-opening the tab');

    // "Open in new window": the detached console route as a second viewer
    const [second] = await Promise.all([page.context().waitForEvent('page'), page.getByTestId('console-detach').click()]);
    try {
      await second.setViewportSize({ width: 900, height: 600 });
      await second.getByTestId('console-window').waitFor();
      assert.match(second.url(), new RegExp(`#/console/${serialId}$`));
      await second.getByTestId(`${key}-view`).and(second.locator('[data-status=connected]')).waitFor({ timeout: 30000 });
      await waitTerminal(second, key, (t) => /mark-42/.test(t), 'scrollback in the second viewer');
      await second.getByTestId(key).click();
      await second.keyboard.type('echo "both-$((20+3))"\n', { delay: 20 });
      await waitTerminal(second, key, (t) => /both-23/.test(t), 'output in the viewer that typed');
      await waitTerminal(page, key, (t) => /both-23/.test(t), 'the same output in the first viewer');
      await screenshot(second, 'consoles-02-detached');
    } finally {
      await second.close();
    }
  });

  test('scrollback survives an engine restart (close serve, start a new one on the same HANGAR_HOME)', { timeout: 90000 }, async () => {
    await srv.close();
    // the old page's socket drops: the console says it is reconnecting instead of freezing
    await page.getByTestId(`serial-${serialId}-view`).and(page.locator('[data-status=reconnecting]')).waitFor({ timeout: 15000 });
    assert.match(await page.getByTestId(`serial-${serialId}-banner`).innerText(), /reconnecting/i);
    await screenshot(page, 'consoles-03-reconnecting');
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: rendererDir });
    await page.goto(srv.url);
    await openConsoleTab(page, SERIAL_VM);
    const key = `serial-${serialId}`;
    await page.getByTestId(`${key}-view`).and(page.locator('[data-status=connected]')).waitFor({ timeout: 30000 });
    await waitTerminal(page, key, (t) => /mark-42/.test(t) && /both-23/.test(t), 'scrollback after the engine restart');
  });

  test('killing QEMU while the console is open shows "VM stopped"', { timeout: 60000 }, async () => {
    const vm = await call<VmInfo>('vm.get', { vm: SERIAL_VM });
    assert.ok(vm.pid);
    process.kill(vm.pid, 'SIGKILL');
    const banner = page.getByTestId(`serial-${serialId}-banner`);
    await banner.waitFor({ timeout: 20000 });
    await waitFor('"VM stopped" in the console banner', async () => /VM stopped/.test(await banner.innerText()), 20000, 200);
    assert.equal(await page.getByTestId(`serial-${serialId}-view`).getAttribute('data-status'), 'stopped');
    await screenshot(page, 'consoles-04-killed');
  });

  test('host shell: a terminal on this machine in its own tab; exiting offers a new shell', { timeout: 60000 }, async () => {
    const [shell] = await Promise.all([page.context().waitForEvent('page'), page.getByTestId('host-shell-open').click()]);
    try {
      await shell.setViewportSize({ width: 1000, height: 600 });
      await shell.getByTestId('host-shell-page').waitFor();
      await shell.getByTestId('host-shell-view').and(shell.locator('[data-status=connected]')).waitFor({ timeout: 20000 });
      await shell.getByTestId('host-shell').click();
      await shell.keyboard.type('echo "host-$((2+3))"; stty size\n', { delay: 10 });
      const text = await waitTerminal(shell, 'host-shell', (t) => /host-5/.test(t) && /^\d+ \d+$/m.test(t), 'host shell output');
      const [rows, cols] = /^(\d+) (\d+)$/m.exec(text)!.slice(1).map(Number);
      assert.ok(rows! > 10 && cols! > 80, `the PTY got the terminal's fitted size (${rows}x${cols}), not 24x80`);
      await screenshot(shell, 'consoles-03b-host-shell');
      await shell.keyboard.type('exit\n');
      await shell.getByTestId('host-shell-new').waitFor({ timeout: 10000 });
      assert.match(await shell.getByTestId('host-shell-banner').innerText(), /exited/);
      await shell.getByTestId('host-shell-new').click();
      await shell.getByTestId('host-shell-view').and(shell.locator('[data-status=connected]')).waitFor({ timeout: 20000 });
      assert.equal(await shell.getByTestId('host-shell-new').count(), 0, 'a fresh shell is running');
    } finally {
      await shell.close();
    }
  });

  test('graphical console: the ISO boots on the VGA screen and noVNC shows it', { timeout: 240000 }, async () => {
    await call('vm.start', { vm: SCREEN_VM });
    await waitFor('the ISO guest banner on its serial line', async () => (await currentBoot(SCREEN_VM)).includes(READY_BANNER), 200000, 500);
    await openConsoleTab(page, SCREEN_VM);
    await page.getByTestId('vnc-view').and(page.locator('[data-status=connected]')).waitFor({ timeout: 30000 });
    // the screen carries text: many non-background pixels in several colours, not a blank canvas
    const stats = await waitFor('guest text on the VNC canvas', async () => {
      const s = await page.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=vnc-screen] canvas');
        if (!canvas || canvas.width < 100) return null;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        const colours = new Set<number>();
        let lit = 0;
        for (let i = 0; i < data.length; i += 4) {
          const rgb = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
          colours.add(rgb);
          if (data[i]! + data[i + 1]! + data[i + 2]! > 60) lit++;
        }
        return { width: canvas.width, height: canvas.height, litFraction: lit / (data.length / 4), colours: colours.size };
      });
      return s && s.litFraction > 0.01 && s.colours >= 2 ? s : null;
    }, 60000, 500);
    assert.ok(stats.width >= 640 && stats.height >= 350, `a VGA-sized screen (${stats.width}x${stats.height})`);
    assert.equal(await page.evaluate((id) => Boolean(window.hangarDisplays?.[id]), screenId), true, 'the session belongs to the screen VM');
    await screenshot(page, 'consoles-05-vnc');
    // keyboard input reaches the guest through VNC: "Type it" types into the VGA console's shell
    await page.getByTestId('vnc-clipboard').click();
    await page.getByTestId('vnc-clipboard-panel').locator('textarea').fill('echo "vnc-$((5*5))" > /dev/ttyS0\n');
    await page.getByTestId('vnc-type').click();
    await waitFor('text typed through VNC to show up on the serial line', async () => /vnc-25/.test(await currentBoot(SCREEN_VM)), 30000, 300);
    await page.getByTestId('vnc-clipboard').click();
    // toolbar: 1:1 toggles scaling; Ctrl+Alt+Del is enabled while connected
    assert.equal(await page.getByTestId('vnc-cad').isEnabled(), true);
    await page.getByTestId('vnc-scale').click();
    assert.equal(await page.getByTestId('vnc-scale').getAttribute('aria-pressed'), 'false');
    await page.getByTestId('vnc-scale').click();
  });

  test('/vnc refuses a missing, forged or reused ticket at the protocol level', { timeout: 60000 }, async () => {
    const base = `ws://127.0.0.1:${srv.port}`;
    /** Open a WebSocket; resolve with the first binary frame, or the HTTP status of a refusal. */
    const attempt = (url: string) =>
      new Promise<{ status: number; body: string } | { greeting: string }>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.on('message', (data: Buffer) => {
          resolve({ greeting: data.toString('latin1') });
          ws.close();
        });
        ws.on('error', (e) => reject(e));
      });
    const missing = await attempt(`${base}/vnc`);
    assert.deepEqual('status' in missing && missing.status, 401);
    const forged = await attempt(`${base}/vnc?ticket=${'A'.repeat(32)}`);
    assert.ok('status' in forged && forged.status === 401 && /invalid, expired or already used/.test(forged.body));

    const ticket = await call<{ ticket: string; path: string }>('vnc.ticket', { vm: SCREEN_VM });
    const first = await attempt(base + ticket.path);
    assert.ok('greeting' in first, 'a fresh ticket opens the display');
    assert.match(first.greeting, /^RFB 003\.00\d/);
    const reused = await attempt(base + ticket.path);
    assert.ok('status' in reused && reused.status === 401, 'the same ticket a second time is refused');

    // a VM without a display cannot get a ticket at all
    await assert.rejects(call('vnc.ticket', { vm: SERIAL_VM }), (e: Error & { code?: string }) => ['UNSUPPORTED', 'INVALID_STATE'].includes(e.code ?? ''));
  });

  test('thumbnail of the running screen VM is a PNG, and the list row shows it', { timeout: 60000 }, async () => {
    const thumb = await call<VmThumbnail>('vm.thumbnail', { vm: SCREEN_VM });
    assert.match(thumb.dataUrl, /^data:image\/png;base64,iVBORw0KGgo/);
    assert.ok(thumb.screenWidth >= 640 && thumb.screenHeight >= 350, 'the VGA screen size');
    assert.equal(thumb.width, 320, 'scaled down to the thumbnail width');
    assert.equal(thumb.height, Math.round((thumb.screenHeight * 320) / thumb.screenWidth), 'aspect kept');
    assert.ok(thumb.dataUrl.length < 40_000, `a small picture (${thumb.dataUrl.length} bytes of data URL)`);
    await page.getByTestId(`vm-row-${SCREEN_VM}`).locator('img.vm-thumb-img').waitFor({ timeout: 30000 });
    await page.getByTestId('vm-details-thumb').locator('img.vm-thumb-img').waitFor({ timeout: 30000 });
    await screenshot(page, 'consoles-06-thumbnail');
  });

  test('killing QEMU under the display shows "VM stopped"; a deleted VM is refused', { timeout: 60000 }, async () => {
    await call('vm.kill', { vm: SCREEN_VM });
    await page.getByTestId('vnc-view').and(page.locator('[data-status=stopped]')).waitFor({ timeout: 20000 });
    await waitFor('"VM stopped" over the display', async () => /VM stopped/.test(await page.getByTestId('vnc-banner').innerText({ timeout: 1000 })), 20000, 200);
    await screenshot(page, 'consoles-07-vnc-stopped');
    await call('vm.delete', { vm: SCREEN_VM, deleteDisks: true });
    await assert.rejects(call('vnc.ticket', { vm: SCREEN_VM }), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
    await assert.rejects(call('channel.open', { kind: 'serial', vm: SCREEN_VM }), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
    assert.deepEqual(pageErrors.filter((e) => !/WebSocket|net::|Failed to load resource/.test(e)), []);
  });
});
