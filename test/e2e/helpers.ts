import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../helpers/env';

/** Debian's Chromium, headless, with nothing that phones home. */
export const CHROMIUM = process.env.HANGAR_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export const SCREENSHOT_DIR = path.join(ROOT, 'test', 'artifacts', 'screenshots');
export const RENDERER_DIR = path.join(ROOT, 'dist', 'renderer');

/** Save a full-window screenshot as test/artifacts/screenshots/<name>.png (gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // let toasts and dialog animations settle so the picture shows the steady state
  await page.waitForTimeout(250);
  await page.screenshot({ path: file });
  return file;
}

/** Collect page errors and console errors so a test can assert the UI stayed clean. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/**
 * Chromium with one page of the app, the way most browser tests start: 1280 wide, English, light
 * unless told, its page errors collected; `url` is opened when given.
 */
export async function openApp(url: string | null, opts: { height?: number; colorScheme?: 'light' | 'dark'; timezoneId?: string } = {}): Promise<{ browser: Browser; page: Page; pageErrors: string[] }> {
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: opts.height ?? 800 }, locale: 'en-US', colorScheme: opts.colorScheme ?? 'light', ...(opts.timezoneId && { timezoneId: opts.timezoneId }) });
  const pageErrors = watchPageErrors(page);
  if (url) await page.goto(url);
  return { browser, page, pageErrors };
}

export function rendererBuilt(): boolean {
  return fs.existsSync(path.join(RENDERER_DIR, 'index.html'));
}

/**
 * The renderer built in test mode (`vite build --mode test`): the production bundle (dist/renderer)
 * carries no test hooks (src-renderer/app/test-hooks.ts); this one registers terminals and VNC
 * sessions in the registries a test creates with `exposeTestHooks(page)`. Built on demand into
 * dist/renderer-test, again whenever the production build is newer (so `npm run build` is enough).
 */
export const TEST_RENDERER_DIR = path.join(ROOT, 'dist', 'renderer-test');

export function testRendererDir(): string {
  const index = path.join(TEST_RENDERER_DIR, 'index.html');
  const mtime = (f: string) => {
    try {
      return fs.statSync(f).mtimeMs;
    } catch {
      return 0;
    }
  };
  if (mtime(index) === 0 || mtime(index) < mtime(path.join(RENDERER_DIR, 'index.html'))) {
    const tmp = `${TEST_RENDERER_DIR}.${process.pid}.tmp`;
    const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    const r = spawnSync(process.execPath, [vite, 'build', '--config', 'src-renderer/vite.config.mts', '--mode', 'test', '--outDir', tmp, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('vite build --mode test failed');
    fs.rmSync(TEST_RENDERER_DIR, { recursive: true, force: true });
    fs.renameSync(tmp, TEST_RENDERER_DIR);
  }
  return TEST_RENDERER_DIR;
}

/** Create the registries the test build fills (window.hangarTerminals, window.hangarDisplays) in every page of `target`. */
export async function exposeTestHooks(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    w.hangarTerminals = {};
    w.hangarDisplays = {};
  });
}
