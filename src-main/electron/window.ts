import { BrowserWindow, screen, shell, type Session, type WebContents } from 'electron';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALLOWED_PERMISSIONS, fitToDisplays, isSafeExternalUrl, parseWindowState, writeWindowState } from './policy';

export const WINDOW_STATE_FILE = 'window-state.json';

export type RendererTarget = { kind: 'file'; file: string } | { kind: 'url'; url: string };

/**
 * The main window: sandboxed, context-isolated renderer with only the preload's bridge. Its
 * bounds are remembered in $HANGAR_HOME/window-state.json (written atomically).
 */
export function createMainWindow(opts: { home: string; preload: string; target: RendererTarget; onCreated?(win: BrowserWindow): void }): BrowserWindow {
  const stateFile = path.join(opts.home, WINDOW_STATE_FILE);
  const state = fitToDisplays(parseWindowState(readText(stateFile)), screen.getAllDisplays().map((d) => d.workArea));

  const win = new BrowserWindow({
    title: 'Hangar',
    width: state.width,
    height: state.height,
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: 800,
    minHeight: 560,
    show: false,
    backgroundColor: '#1e1f22',
    autoHideMenuBar: false,
    webPreferences: secureWebPreferences(opts.preload),
  });
  opts.onCreated?.(win);
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  keepHangarTitle(win);

  let saveTimer: NodeJS.Timeout | null = null;
  const save = () => {
    if (win.isDestroyed()) return;
    const maximized = win.isMaximized();
    const b = maximized || win.isMinimized() || win.isFullScreen() ? win.getNormalBounds() : win.getBounds();
    writeWindowState(stateFile, { x: b.x, y: b.y, width: b.width, height: b.height, maximized });
  };
  const saveSoon = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 500);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('close', () => {
    if (saveTimer) clearTimeout(saveTimer);
    save();
  });

  if (opts.target.kind === 'file') void win.loadFile(opts.target.file);
  else void win.loadURL(opts.target.url);
  return win;
}

/** A console window (`#/console/<vm>`, `#/host-shell`): same sandbox and preload, bounds not remembered. */
export function createConsoleWindow(opts: { preload: string; target: RendererTarget; hash: string; onCreated?(win: BrowserWindow): void }): BrowserWindow {
  const win = new BrowserWindow({
    title: 'Hangar',
    width: 1024,
    height: 720,
    minWidth: 480,
    minHeight: 320,
    show: false,
    backgroundColor: '#1e1f22',
    webPreferences: secureWebPreferences(opts.preload),
  });
  opts.onCreated?.(win);
  win.once('ready-to-show', () => win.show());
  keepHangarTitle(win);
  const hash = opts.hash.slice(1);
  if (opts.target.kind === 'file') void win.loadFile(opts.target.file, { hash });
  else void win.loadURL(`${opts.target.url}#${hash}`);
  return win;
}

/**
 * Rules for every webContents the app ever creates: no navigation away from the app (https
 * links go to the system browser), no new windows, no <webview>.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** CSP on every response (covers the dev server; index.html also carries it as a meta tag for file://). */
export function installSessionPolicy(session: Session, csp: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-security-policy') delete headers[k];
    headers['Content-Security-Policy'] = [csp];
    headers['X-Content-Type-Options'] = ['nosniff'];
    callback({ responseHeaders: headers });
  });
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  session.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission));
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The one set of web preferences every Hangar window gets: isolated, sandboxed, no Node. */
function secureWebPreferences(preload: string): Electron.WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** Keep "Hangar" in the title whatever the page sets (window managers, tests, screen readers). */
function keepHangarTitle(win: BrowserWindow): void {
  win.on('page-title-updated', (event, title) => {
    if (!/Hangar/.test(title)) event.preventDefault();
  });
}
