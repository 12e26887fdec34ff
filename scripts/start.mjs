#!/usr/bin/env node
// `npm start` (after `npm run build`): the desktop app when Electron can run here, otherwise
// browser mode: `hangar serve` on 127.0.0.1 plus the system browser.
//
//   npm start                  desktop if possible, else browser mode
//   npm start -- --browser     browser mode even when Electron is available
//   npm start -- --port 8080   browser mode port (default 7878)
//
// Electron's npm package downloads its binary at install time; offline that download fails
// and `require('electron')` would retry it noisily and throw. So we look for the binary
// ourselves (node_modules/electron/path.txt + dist/), try the download once with its output
// captured and a 60 s limit, and fall back to browser mode with one clear line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const forceBrowser = argv.includes('--browser') || process.env.HANGAR_BROWSER === '1';
const portArg = argv.indexOf('--port');
const port = portArg >= 0 ? Number(argv[portArg + 1]) : undefined;

function electronBinary() {
  const dir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(dir, 'package.json'))) return null;
  const find = () => {
    let rel = '';
    try {
      rel = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    } catch {
      /* not downloaded */
    }
    if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
      const bin = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel || 'electron');
      return existsSync(bin) ? bin : null;
    }
    if (!rel) return null;
    const bin = join(dir, 'dist', rel);
    return existsSync(bin) ? bin : null;
  };
  const found = find();
  if (found) return found;
  // One quiet attempt at the download (fails fast offline).
  spawnSync(process.execPath, [join(dir, 'install.js')], { cwd: dir, stdio: 'pipe', timeout: 60_000 });
  return find();
}

function onPath(cmd) {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (!d) continue;
    try {
      if (statSync(join(d, cmd)).isFile()) return true;
    } catch {
      /* keep looking */
    }
  }
  return false;
}

const desktopSession = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) || process.platform === 'darwin' || process.platform === 'win32';

function desktopBlocker() {
  if (forceBrowser) return 'browser mode requested';
  if (!desktopSession) return 'no desktop session here (DISPLAY and WAYLAND_DISPLAY are unset)';
  const bin = electronBinary();
  if (!bin) return { reason: 'Electron is not installed here (its binary could not be downloaded)' };
  // better-sqlite3 is native: Electron needs its own build (npm run electron:rebuild), kept apart from Node's.
  const binding = process.env.HANGAR_SQLITE_BINDING || join(root, '.electron-native', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(binding)) return 'Electron is installed, but better-sqlite3 has not been built for it yet (run `npm run electron:rebuild`)';
  return { bin };
}

const choice = desktopBlocker();
if (typeof choice === 'object' && choice.bin) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(choice.bin, [root], { stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const reason = typeof choice === 'string' ? choice : choice.reason;
  console.log(`${reason}: starting Hangar in browser mode instead.`);
  await browserMode();
}

async function browserMode() {
  const servePath = join(root, 'dist', 'main', 'server', 'serve.js');
  if (!existsSync(servePath)) {
    console.error('Hangar is not built (dist/main/server/serve.js is missing): run `npm run build` first.');
    process.exit(1);
  }
  const { serve } = createRequire(import.meta.url)(servePath);
  let handle;
  try {
    handle = await serve(port !== undefined ? { port } : {});
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping Hangar (running VMs keep running)…');
    await handle.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (desktopSession && process.platform === 'linux' && onPath('xdg-open')) {
    // A single-use login link: the long-lived token stays out of other processes' command lines.
    const opener = spawn('xdg-open', [handle.loginUrl()], { stdio: 'ignore', detached: true });
    opener.on('error', () => console.log('Could not open a browser: open the URL above yourself.'));
    opener.unref();
    console.log('Opening it in your browser. Press Ctrl+C to stop the server.');
  } else {
    console.log('Open that URL in a browser. Press Ctrl+C to stop the server.');
  }
}
