/**
 * Hangar desktop: the Electron entry (package.json "main": dist/main/electron/main.js).
 * A thin shell: the engine runs in this main process, the renderer talks to it through the
 * preload's `hangarBridge` (IPC), and the CLI through the engine socket ($HANGAR_HOME/engine.sock).
 *
 * Native modules. better-sqlite3 is compiled against one ABI: Node's (tests, `hangar serve`,
 * the CLI) or Electron's. node_modules keeps the Node build. For the desktop app in
 * development, `npm run electron:rebuild` (scripts/electron-rebuild.mjs) builds a second copy
 * for Electron into .electron-native/, and this file points better-sqlite3 at it through
 * HANGAR_SQLITE_BINDING (openDatabase passes it as `nativeBinding`). A packaged app needs none
 * of this: electron-builder (npmRebuild) rebuilds the packaged node_modules for Electron.
 * node-pty uses N-API, which is ABI-stable, so one build serves both.
 */
import { app, BrowserWindow, dialog, Menu, session } from 'electron';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC } from '../api/bridge';
import { startVncLoopback } from '../server/vnc-loopback';
import { isEngineRunning, startLongLivedEngine, surviveStrayRejections, type LongLivedEngine } from '../server/engine-bootstrap';
import { NOT_BUILT_PAGE } from '../server/static';
import { appVersion } from '../server/session';
import { defaultHangarHome } from '../util/home';
import { bindIpc, type IpcBinding } from './ipc';
import { buildAppMenu } from './menu';
import { MENU_CHANNEL, type MenuCommand } from '../api/menu-commands';
import { DESKTOP_CSP, devCsp, electronSqliteBinding, isDetachableRoute, isTrustedRendererUrl, parseDevOrigin, type RendererLocation } from './policy';
import { createConsoleWindow, createMainWindow, hardenWebContents, installSessionPolicy, type RendererTarget } from './window';

const INDEX_HTML = path.resolve(__dirname, '../../renderer/index.html');
const PRELOAD = path.join(__dirname, 'preload.js');
/** Vite dev server (`HANGAR_DEV_URL=http://localhost:5173`), honoured only when not packaged. */
const DEV_ORIGIN = app.isPackaged ? null : parseDevOrigin(process.env.HANGAR_DEV_URL);
const where: RendererLocation = { indexUrl: pathToFileURL(INDEX_HTML).href, devOrigin: DEV_ORIGIN };

configureSqliteBinding();
app.enableSandbox();
app.setName('Hangar');

if (!app.requestSingleInstanceLock()) {
  // Another Hangar window is already open: it gets focused (second-instance), we leave.
  app.quit();
} else {
  run();
}

function configureSqliteBinding(): void {
  if (process.env.HANGAR_SQLITE_BINDING || app.isPackaged) return;
  const binding = electronSqliteBinding(app.getAppPath());
  if (fs.existsSync(binding)) process.env.HANGAR_SQLITE_BINDING = binding;
}

function run(): void {
  let mainWindow: BrowserWindow | null = null;
  let core: LongLivedEngine | null = null;
  let ipc: IpcBinding | null = null;
  let vnc: Awaited<ReturnType<typeof startVncLoopback>> | null = null;
  let cleanedUp = false;

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  const fail = (title: string, message: string) => {
    dialog.showErrorBox(title, message);
    app.exit(1);
  };

  const rendererTarget = (): RendererTarget =>
    DEV_ORIGIN
      ? { kind: 'url', url: DEV_ORIGIN + '/' }
      : fs.existsSync(INDEX_HTML)
        ? { kind: 'file', file: INDEX_HTML }
        : { kind: 'url', url: 'data:text/html;charset=utf-8,' + encodeURIComponent(NOT_BUILT_PAGE) };

  const openWindow = (home: string) => {
    const target = rendererTarget();
    mainWindow = createMainWindow({ home, preload: PRELOAD, target, onCreated: (win) => ipc?.attach(win.webContents) });
    mainWindow.on('closed', () => (mainWindow = null));
  };

  const sendMenu = (command: MenuCommand) => {
    const win = BrowserWindow.getFocusedWindow() ?? mainWindow;
    if (win && !win.isDestroyed()) win.webContents.send(MENU_CHANNEL, command);
  };

  void app.whenReady().then(async () => {
    installSessionPolicy(session.defaultSession, DEV_ORIGIN ? devCsp(DEV_ORIGIN) : DESKTOP_CSP);
    app.setAboutPanelOptions({ applicationName: 'Hangar', applicationVersion: appVersion(), copyright: 'MIT License' });
    Menu.setApplicationMenu(buildAppMenu({ send: sendMenu, dev: !app.isPackaged }));

    const home = defaultHangarHome();
    try {
      if (await isEngineRunning(home)) {
        return fail('Hangar is already running', `Another Hangar engine (probably \`hangar serve\`) is already using ${home}.\n\nStop it first, or open the URL it printed in a browser.`);
      }
    } catch (e) {
      return fail('Hangar cannot start', (e as Error).message);
    }
    surviveStrayRejections();
    try {
      core = await startLongLivedEngine(home);
    } catch (e) {
      return fail('Hangar cannot start', engineOpenMessage(e));
    }
    const engine = core.engine;
    try {
      // noVNC needs a WebSocket: a ticketed loopback endpoint, since the renderer has no server
      vnc = await startVncLoopback(engine.consoles);
      engine.consoles.vncBaseUrl = vnc.url;
    } catch (e) {
      console.error(`The graphical console is unavailable: ${(e as Error).message}`);
    }
    ipc = bindIpc(engine, { isTrustedUrl: (url) => isTrustedRendererUrl(url, where) });
    // "Open in new window" of a console (window.open is denied for safety): only our own routes
    ipc.handle(IPC.openWindow, {
      parse: (hash) => (isDetachableRoute(hash) ? hash : null),
      refused: () => undefined,
      malformed: () => undefined,
      run: (_event, hash) => {
        createConsoleWindow({ preload: PRELOAD, target: rendererTarget(), hash, onCreated: (win) => ipc?.attach(win.webContents) });
      },
    });
    openWindow(home);

    app.on('activate', () => {
      if (!mainWindow) openWindow(home);
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Detach cleanly before quitting: guests keep running, the socket file goes away.
  app.on('before-quit', (event) => {
    if (cleanedUp) return;
    event.preventDefault();
    cleanedUp = true;
    void (async () => {
      try {
        ipc?.dispose();
        await vnc?.close();
        await core?.close();
      } finally {
        app.quit();
      }
    })();
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}

function engineOpenMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version|better_sqlite3\.node/.test(message)) {
    return (
      'The database module (better-sqlite3) is built for Node.js, not for Electron.\n\n' +
      'Run "npm run electron:rebuild" once: it builds an Electron copy into .electron-native/ and leaves the Node copy alone.\n\n' +
      `Details: ${message}`
    );
  }
  return message;
}
