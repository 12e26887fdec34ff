// Renderer benchmark with 1,000 machines in the list (targets: first render < 100 ms, filter keystroke < 16 ms).
// The page runs in Debian's Chromium (headless) with `?perf=1` (it records User Timing measures,
// src-renderer/app/bench.ts); a script the bench adds to a copy of index.html gives it a fake
// `window.hangarBridge` that answers with synthetic VMs (src-renderer/app/bench-data.ts), so nothing
// of the bench ships in the bundle.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serve } from '../../src-main/server/serve';
import type { Page } from 'playwright-core';
import { launchBrowser, RENDERER_DIR } from '../e2e/helpers';
import { TOKEN_COOKIE } from '../../src-main/server/auth';
import { tempHome } from '../helpers/env';
import { syntheticHost, syntheticVms } from '../../src-renderer/app/bench-data';

const COUNT = Number(process.env.BENCH_VMS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * window.hangarBridge answering the snapshot calls with synthetic data (the app then runs as in the
 * desktop face), as a small classic script that index.html loads before the bundle, the place of
 * Electron's preload. The answers live in another page of the same browser profile, the stand-in
 * for the desktop app's main process: opened before the measured loads, it holds them parsed, and
 * each reply crosses to the app's page by a BroadcastChannel, a structured clone through the
 * browser process deserialised on the page's thread, as an Electron IPC reply is. (The answers
 * used to be a 1 MB string literal in a Playwright init script, which the page compiled before its
 * own HTML: a cost the real app never pays.) Each answer marks `bench:answered:<method>`.
 */
const fakeBridgeScript = `
  const ipc = new BroadcastChannel('hangar-bench-ipc');
  const waiting = new Map();
  const me = Math.random().toString(36).slice(2);
  let nextId = 1;
  ipc.onmessage = (e) => {
    if (e.data.to !== me) return;
    waiting.get(e.data.id)?.(e.data.reply);
    waiting.delete(e.data.id);
  };
  window.hangarBridge = {
    kind: 'electron',
    call: (method) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, (reply) => {
          if (reply.ok) performance.mark('bench:answered:' + method);
          resolve(reply);
        });
        ipc.postMessage({ from: me, id, method });
      }),
    onEvent: () => () => undefined,
    pickFile: async () => null,
    pathForFile: () => '',
  };
`;

/** The page that plays the desktop app's main process: it answers from its own memory. */
const fakeMainProcessScript = `
  const ipc = new BroadcastChannel('hangar-bench-ipc');
  fetch('./bench-answers.json').then((r) => r.json()).then((all) => {
    ipc.onmessage = (e) => {
      if (!e.data.method) return;
      const { from, id, method } = e.data;
      ipc.postMessage({
        to: from,
        id,
        reply: method in all ? { ok: true, result: all[method] } : { ok: false, error: { code: 'UNSUPPORTED', message: '"' + method + '" is not available in the benchmark.' } },
      });
    };
    document.title = 'ready';
  });
`;

/** The built renderer plus the bench's bridge and answers, in a folder of the bench's own. */
function staticDirWithBridge(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-uibench-static-'));
  fs.cpSync(RENDERER_DIR, dir, { recursive: true, filter: (f) => !f.endsWith('.map') });
  fs.writeFileSync(path.join(dir, 'assets', 'bench-answers.json'), JSON.stringify({ 'vm.list': syntheticVms(COUNT), 'host.capabilities': syntheticHost(), 'task.list': [] }));
  fs.writeFileSync(path.join(dir, 'assets', 'bench-bridge.js'), fakeBridgeScript);
  fs.writeFileSync(path.join(dir, 'assets', 'bench-main-process.js'), fakeMainProcessScript);
  fs.writeFileSync(path.join(dir, 'assets', 'bench-main-process.html'), '<!doctype html><title>starting</title><script src="./bench-main-process.js"></script>\n');
  const index = path.join(dir, 'index.html');
  const html = fs.readFileSync(index, 'utf8');
  if (!html.includes('<script type="module"')) throw new Error(`${index} has no module script to put the bench bridge before`);
  fs.writeFileSync(index, html.replace('<script type="module"', '<script src="./assets/bench-bridge.js"></script>\n    <script type="module"'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The phases of one page load, in ms from navigation start (read in the page). */
interface Phases {
  htmlReceived: number;
  assetsLoaded: number;
  domContentLoaded: number;
  shellPainted: number;
  dataAnswered: number;
  listCommitted: number;
  rowsPainted: number;
}

/** Read in the page; a string, for the same reason as the bridge. */
const readPhases = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const at = (name, type) => performance.getEntriesByName(name, type)[0]?.startTime ?? NaN;
  const assets = performance.getEntriesByType('resource').filter((r) => /\\/assets\\/.*\\.(js|css)$/.test(r.name) && r.startTime < nav.domContentLoadedEventStart);
  const commit = performance.getEntriesByName('hangar:first-render', 'measure')[0]?.duration ?? NaN;
  const fcp = at('first-contentful-paint', 'paint');
  return {
    htmlReceived: nav.responseEnd,
    assetsLoaded: Math.max(...assets.map((r) => r.responseEnd)),
    domContentLoaded: nav.domContentLoadedEventEnd,
    shellPainted: fcp,
    dataAnswered: at('bench:answered:vm.list', 'mark'),
    listCommitted: commit,
    // the first contentful paint, when it came after the commit (nothing was painted before the
    // rows), is when that frame was shown; else the page's own mark after the next frame
    rowsPainted: fcp >= commit ? fcp : at('hangar:rows-painted', 'mark'),
  };
})()`;

function report(label: string, loads: Array<{ first: number; phases: Phases }>, nodeFloor: number): void {
  const firsts = loads.map((l) => l.first);
  const m = (k: keyof Phases) => median(loads.map((l) => l.phases[k]));
  const ph = (k: keyof Phases) => m(k).toFixed(0);
  console.log(`first render with ${COUNT} machines, ${label}: ${median(firsts).toFixed(1)} ms median (runs: ${firsts.map((x) => x.toFixed(0)).join(', ')}; target < 100 ms; from navigation start to the list's first commit with rows; load average ${os.loadavg()[0]!.toFixed(1)})`);
  console.log(
    `  phases (median ms from navigation start): HTML received ${ph('htmlReceived')} → JS+CSS received ${ph('assetsLoaded')} → bundle evaluated (DOMContentLoaded) ${ph('domContentLoaded')}` +
      ` → shell painted (first contentful paint) ${ph('shellPainted')} → machine list answered ${ph('dataAnswered')} → list committed ${ph('listCommitted')} → rows painted ${ph('rowsPainted')}`,
  );
  console.log(
    `  where the time goes: navigation + HTML ${m('htmlReceived').toFixed(0)} ms, fetching JS+CSS ${(m('assetsLoaded') - m('htmlReceived')).toFixed(0)} ms, ` +
      `evaluating the start bundle ${(m('domContentLoaded') - m('assetsLoaded')).toFixed(0)} ms, machine list answered → rendered and laid out ${(m('listCommitted') - m('dataAnswered')).toFixed(0)} ms, ` +
      `commit → painted ${(m('rowsPainted') - m('listCommitted')).toFixed(0)} ms (\`node -e 0\` takes ${nodeFloor.toFixed(0)} ms here: the machine's own speed right now)`,
  );
}

async function main() {
  const { home, cleanup } = tempHome('hangar-uibench-');
  const assets = staticDirWithBridge();
  const server = await serve({ home, port: 0, quiet: true, staticDir: assets.dir });
  const browser = await launchBrowser();
  const floor: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    floor.push(performance.now() - t);
  }
  const nodeFloor = median(floor);
  try {
    // Logged in already (the cookie the one-time ?token= redirect sets), as when the app is opened
    // again: the redirect is a first-visit cost, and the desktop app loads from file:// with none.
    const base = server.url.replace(/\/\?token=.*$/, '');
    const appUrl = `${base}/?perf=1`;
    const load = async (page: Page, fresh: boolean): Promise<{ first: number; phases: Phases }> => {
      if (fresh) await page.goto(appUrl);
      else await page.reload();
      // the rows' frame is painted, and the browser has reported when it first showed content
      await page.waitForFunction(() => performance.getEntriesByName('hangar:rows-painted', 'mark').length > 0 && performance.getEntriesByName('first-contentful-paint', 'paint').length > 0, null, { timeout: 30000 });
      return { first: await page.evaluate(() => performance.getEntriesByName('hangar:first-render', 'measure')[0]!.duration), phases: await page.evaluate<Phases>(readPhases) };
    };
    const cold: Array<{ first: number; phases: Phases }> = [];
    const warm: Array<{ first: number; phases: Phases }> = [];
    const filters: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // a new profile each round: empty HTTP and code caches (the first launch)
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addCookies([{ name: TOKEN_COOKIE, value: server.token, url: base }]);
      // the "main process" first, holding the answers before the window opens
      const mainProcess = await context.newPage();
      await mainProcess.goto(`${base}/assets/bench-main-process.html`);
      await mainProcess.waitForFunction(() => document.title === 'ready');
      const page = await context.newPage();
      cold.push(await load(page, true));
      // later launches: Chromium serves the bundle from its cache, and from the third load on
      // with V8's code cache (it caches a script's compiled code once it has seen it twice)
      await load(page, false);
      warm.push(await load(page, false));
      if (round === 0) console.log(`rows in the DOM while ${COUNT} machines are listed (virtualised): ${await page.locator('[data-testid^="vm-row-"]').count()}`);
      const search = page.getByTestId('vm-search');
      for (const ch of 'vm-12') {
        await search.press(ch);
        await page.waitForTimeout(50);
      }
      filters.push(...(await page.evaluate(() => performance.getEntriesByName('hangar:filter', 'measure').map((m) => m.duration))));
      await context.close();
    }
    report('first launch (empty cache)', cold, nodeFloor);
    report('later launches (cached, V8 code cache)', warm, nodeFloor);
    console.log(`filter keystroke with ${COUNT} machines: ${median(filters).toFixed(1)} ms median, ${Math.max(...filters).toFixed(1)} ms max over ${filters.length} keystrokes (target < 16 ms)`);
  } finally {
    await browser.close();
    await server.close();
    assets.remove();
    cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
