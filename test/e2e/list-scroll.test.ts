// The machine list with 1,000 machines: the selected row is scrolled into view when the keyboard
// moves the selection out of sight, and not at all while it is already in view (the start: that
// scroll used to force a layout of the whole page before the first paint, test/bench/ui.bench.ts).
// The page gets a fake window.hangarBridge with synthetic machines, as the UI bench does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { syntheticHost, syntheticVms } from '../../src-renderer/app/bench-data';
import { tempHome } from '../helpers/env';
import { launchBrowser, RENDERER_DIR, rendererBuilt, screenshot, watchPageErrors } from './helpers';

const COUNT = 1000;
const bridge = `
  const answers = JSON.parse(${JSON.stringify(JSON.stringify({ 'vm.list': syntheticVms(COUNT), 'host.capabilities': syntheticHost(), 'task.list': [] }))});
  window.hangarBridge = {
    kind: 'electron',
    call: async (method) => (method in answers ? { ok: true, result: answers[method] } : { ok: false, error: { code: 'UNSUPPORTED', message: 'not in this test' } }),
    onEvent: () => () => undefined,
    pickFile: async () => null,
    pathForFile: () => '',
  };
`;

/** The selected row's place relative to the list's viewport, and the list's scroll offset. */
const selectedRowPlace = `(() => {
  const list = document.querySelector('[data-testid="vm-list"]');
  const row = list.querySelector('[aria-selected="true"]');
  if (!row) return { found: false, scrollTop: list.scrollTop };
  // the list's client box (inside its borders) against the row's box
  const top = list.getBoundingClientRect().top + list.clientTop;
  const bottom = top + list.clientHeight;
  const b = row.getBoundingClientRect();
  // 8 px of slack: the row sits 4 px into its 64 px slot (a margin), so align 'auto' leaves its last 4 px under the edge
  return { found: true, inView: b.top >= top - 1 && b.bottom <= bottom + 8, scrollTop: list.scrollTop, list: [top, bottom], row: [b.top, b.bottom] };
})()`;

type Place = { found: boolean; inView?: boolean; scrollTop: number };

/** Poll the page (a waitForFunction string would need 'unsafe-eval', which the CSP refuses). */
async function waitForPlace(page: Page, ok: (p: Place) => boolean, what: string): Promise<Place> {
  let last: Place = { found: false, scrollTop: -1 };
  for (const until = Date.now() + 10000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    last = (await page.evaluate(selectedRowPlace)) as Place;
    if (ok(last)) return last;
  }
  assert.fail(`${what}: the selected row is at ${JSON.stringify(last)}`);
}

describe('machine list scrolling with 1,000 machines', { skip: rendererBuilt() ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let browser: Browser;
  let server: ServeHandle;
  let page: Page;
  let errors: string[];
  const home = tempHome('hangar-listscroll-');

  before(async () => {
    server = await serve({ home: home.home, port: 0, quiet: true, staticDir: RENDERER_DIR });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    errors = watchPageErrors(page);
    await page.addInitScript(bridge);
    await page.goto(server.url);
    await page.locator('[data-testid^="vm-row-"]').first().waitFor({ timeout: 30000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    home.cleanup();
  });

  test('at start the selected first row is in view and the list did not scroll', async () => {
    const place = (await page.evaluate(selectedRowPlace)) as Place;
    assert.deepEqual([place.found, place.inView, place.scrollTop], [true, true, 0], JSON.stringify(place));
  });

  test('End, then Home, and 30 × ArrowDown keep the selected row in view', async () => {
    await page.getByTestId('vm-list').focus();
    await page.keyboard.press('End');
    await waitForPlace(page, (p) => p.inView === true && p.scrollTop > 0, 'after End');
    await page.keyboard.press('Home');
    await waitForPlace(page, (p) => p.inView === true && p.scrollTop === 0, 'after Home');
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowDown');
    await waitForPlace(page, (p) => p.inView === true && p.scrollTop > 0, 'after 30 × ArrowDown');
    await screenshot(page, 'list-scroll-after-30-down');
    assert.deepEqual(errors, []);
  });
});
