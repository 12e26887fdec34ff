import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { VmInfo } from '../../src-main/api/contract';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';
import { GUEST_APPEND, READY_BANNER, guestFiles } from '../helpers/guest';
import { RENDERER_DIR, rendererBuilt, screenshot, openApp } from './helpers';

/**
 * The Performance tab (live uPlot charts), the host overview and the Usage & Billing page in
 * the browser face, against the real engine and a real guest. Screenshots: test/artifacts/screenshots/perf-*.png.
 */
describe('performance charts and usage & billing in the browser', { skip: rendererBuilt() ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    const g = guestFiles();
    home = tempHome('hangar-ui-perf-');
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: RENDERER_DIR });
    const e = srv.engine;
    await e.call('vm.create', { name: 'web-1', memoryMiB: 128, display: 'none', diskSizeBytes: 16 << 20, kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    await e.call('vm.start', { vm: 'web-1' });
    await e.call('plan.create', { name: 'Hourly', currency: 'EUR', rates: { perHourOn: '0.50', perGbTransferred: '0.09' } });
    await e.call('customer.create', { name: 'ACME', timezone: 'Europe/Paris', plan: 'Hourly' });
    await e.call('billing.assign', { vm: 'web-1', customer: 'ACME' });
    ({ browser, page, pageErrors: errors } = await openApp(null, { height: 860 }));
  });

  after(async () => {
    for (const vm of ((await srv?.engine.call('vm.list', {}).catch(() => [])) ?? []) as VmInfo[]) {
      if (!['stopped', 'crashed'].includes(vm.state)) await srv.engine.call('vm.kill', { vm: vm.id }).catch(() => undefined);
    }
    await browser?.close().catch(() => undefined);
    await srv?.close().catch(() => undefined);
    home?.cleanup();
  });

  test('the Performance tab draws live charts; network says "not measured"', async () => {
    await waitFor('the guest banner', async () => (await srv.engine.call('vm.serialTail', { vm: 'web-1' })).text.includes(READY_BANNER), 90000, 200);
    await page.goto(srv.url);
    await page.getByTestId('vm-row-web-1').click();
    await page.getByTestId('tab-performance').click();
    await page.getByTestId('performance-tab').waitFor();
    // watched → 1 Hz samples arrive as events and extend the charts
    await waitFor('a CPU figure', async () => /%/.test(await page.getByTestId('perf-tile-cpu').innerText()), 20000, 200);
    await page.waitForTimeout(5000);
    assert.ok((await page.getByTestId('chart-cpu').locator('canvas').count()) > 0, 'uPlot canvas');
    assert.match(await page.getByTestId('perf-tile-net').innerText(), /not measured/);
    assert.match(await page.getByTestId('chart-net-missing').innerText(), /Not measured/);
    assert.match(await page.getByTestId('perf-tile-mem').innerText(), /MiB/);
    // the cursor shows values in the legend (the tooltip)
    const box = (await page.getByTestId('chart-cpu').locator('.u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
    assert.match(await page.getByTestId('chart-cpu').locator('.u-legend').innerText(), /%/);
    await screenshot(page, 'perf-01-vm-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(1500);
    await screenshot(page, 'perf-02-vm-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('vm-perf-range-1h').click();
    await page.getByTestId('perf-resolution').filter({ hasText: '60' }).waitFor();
  });

  test('the host overview shows CPU, memory and disk', async () => {
    await page.getByTestId('nav-host').click();
    await page.getByTestId('host-overview').waitFor();
    await waitFor('a host CPU figure', async () => /%/.test(await page.getByTestId('host-tile-cpu').innerText()), 20000, 200);
    await page.waitForTimeout(3000);
    assert.ok((await page.getByTestId('host-chart-mem').locator('canvas').count()) > 0);
    await screenshot(page, 'perf-03-host');
  });

  test('Usage & Billing: usage per VM, an invoice with its total and the rounding rule', async () => {
    await page.getByTestId('nav-usage').click();
    await page.getByTestId('usage-page').waitFor();
    await page.getByTestId('usage-row-web-1').waitFor();
    assert.match(await page.getByTestId('usage-customers').innerText(), /ACME/);
    await page.getByTestId('invoice-customer').selectOption({ label: 'ACME' });
    await page.getByTestId('invoice-show').click();
    await page.getByTestId('invoice-total-EUR').waitFor();
    assert.match(await page.getByTestId('invoice-total-EUR').innerText(), /€/);
    assert.match(await page.getByTestId('invoice').innerText(), /not measured/);
    assert.match(await page.getByTestId('rounding-rule').innerText(), /half-up/);
    await screenshot(page, 'perf-04-usage');
    await page.getByTestId('assign-table').scrollIntoViewIfNeeded();
    await screenshot(page, 'perf-05-billing-setup');

    // a plan made in the form, then deleted after a confirmation; a bad currency is refused inline
    await page.getByTestId('plan-name').fill('Temp');
    await page.getByTestId('plan-currency').fill('ZZZ');
    await page.getByTestId('plan-create').click();
    await page.getByTestId('plan-form').getByRole('alert').filter({ hasText: 'ISO 4217' }).waitFor();
    await page.getByTestId('plan-currency').fill('USD');
    await page.getByTestId('plan-perVcpuHour').fill('0.02');
    await page.getByTestId('plan-create').click();
    await page.getByTestId('plan-delete-Temp').waitFor();
    assert.match(await page.getByTestId('plans-table').innerText(), /Temp\s+USD\s+Per vCPU-hour 0\.02/);
    await page.getByTestId('plan-delete-Temp').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('plan-delete-Temp').waitFor({ state: 'detached' });
    assert.deepEqual(errors, []);
  });

  test('in Simplified Chinese, dark theme', async () => {
    const zh = await browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN', colorScheme: 'dark' });
    try {
      await zh.goto(srv.url);
      await zh.getByTestId('nav-usage').click();
      await zh.getByTestId('usage-row-web-1').waitFor();
      assert.match(await zh.getByTestId('usage-page').innerText(), /用量与计费/);
      await screenshot(zh, 'perf-06-usage-zh-dark');
      await zh.getByTestId('nav-usage').click(); // a second click closes the page
      await zh.getByTestId('vm-row-web-1').click();
      await zh.getByTestId('tab-performance').click();
      await zh.getByTestId('chart-cpu').waitFor();
      await zh.waitForTimeout(3000);
      await screenshot(zh, 'perf-07-vm-zh-dark');
    } finally {
      await zh.close();
    }
  });
});
