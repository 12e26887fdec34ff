// Renderer benchmark with 1,000 machines in the list (targets: first render < 100 ms, filter keystroke < 16 ms).
// The page runs in Debian's Chromium (headless) with `?perf=1` (it records User Timing measures,
// src-renderer/app/bench.ts); an init script gives it a fake `window.hangarBridge` that answers with
// synthetic VMs (src-renderer/app/bench-data.ts), so nothing of the bench ships in the bundle.
import { serve } from '../../src-main/server/serve';
import { launchBrowser, RENDERER_DIR } from '../e2e/helpers';
import { tempHome } from '../helpers/env';
import { syntheticHost, syntheticVms } from '../../src-renderer/app/bench-data';

const COUNT = Number(process.env.BENCH_VMS ?? 1000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** window.hangarBridge answering the snapshot calls with synthetic data (the app then runs as in the desktop face). */
const fakeBridgeScript = `
  const answers = ${JSON.stringify({ 'vm.list': syntheticVms(COUNT), 'host.capabilities': syntheticHost(), 'task.list': [] })};
  window.hangarBridge = {
    kind: 'electron',
    call: async (method) => (method in answers ? { ok: true, result: answers[method] } : { ok: false, error: { code: 'UNSUPPORTED', message: '"' + method + '" is not available in the benchmark.' } }),
    onEvent: () => () => undefined,
    pickFile: async () => null,
    pathForFile: () => '',
  };
`;

async function main() {
  const { home, cleanup } = tempHome('hangar-uibench-');
  const server = await serve({ home, port: 0, quiet: true, staticDir: RENDERER_DIR });
  const browser = await launchBrowser();
  try {
    const firsts: number[] = [];
    const dcls: number[] = [];
    const filters: number[] = [];
    for (let round = 0; round < 3; round++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // a string, not a function: tsx would wrap a function's inner helpers in __name(), unknown in the page
      await page.addInitScript(fakeBridgeScript);
      await page.goto(`${server.url}&perf=1`);
      await page.waitForFunction(() => performance.getEntriesByName('hangar:first-render', 'measure').length > 0, null, { timeout: 30000 });
      firsts.push(await page.evaluate(() => performance.getEntriesByName('hangar:first-render', 'measure')[0]!.duration));
      dcls.push(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd));
      const rows = await page.locator('[data-testid^="vm-row-"]').count();
      if (round === 0) console.log(`rows in the DOM while ${COUNT} machines are listed (virtualised): ${rows}`);
      const search = page.getByTestId('vm-search');
      for (const ch of 'vm-12') {
        await search.press(ch);
        await page.waitForTimeout(50);
      }
      filters.push(...(await page.evaluate(() => performance.getEntriesByName('hangar:filter', 'measure').map((m) => m.duration))));
      await page.close();
    }
    console.log(`first render with ${COUNT} machines:  ${median(firsts).toFixed(1)} ms median (runs: ${firsts.map((x) => x.toFixed(0)).join(', ')}; target < 100 ms; from navigation start, includes parsing the bundle)`);
    console.log(`  of which navigation → DOMContentLoaded (fetch + evaluate the bundle): ${median(dcls).toFixed(1)} ms; DOMContentLoaded → list committed: ${(median(firsts) - median(dcls)).toFixed(1)} ms`);
    console.log(`filter keystroke with ${COUNT} machines: ${median(filters).toFixed(1)} ms median, ${Math.max(...filters).toFixed(1)} ms max over ${filters.length} keystrokes (target < 16 ms)`);
  } finally {
    await browser.close();
    await server.close();
    cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
