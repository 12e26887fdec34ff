import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
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

export function rendererBuilt(): boolean {
  return fs.existsSync(path.join(RENDERER_DIR, 'index.html'));
}
