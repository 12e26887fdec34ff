import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The desktop shell's security rules as pure functions (no Electron import, so they are
 * unit-tested under plain Node): which renderer URLs are ours, the shape of IPC envelopes,
 * the CSP, and the remembered window bounds.
 */

/**
 * Production CSP for the desktop renderer: no remote code, no inline scripts, IPC instead of
 * network — except the engine's loopback VNC WebSocket (server/vnc-loopback.ts, ticketed).
 */
export const DESKTOP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws://127.0.0.1:*",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Development CSP (Vite dev server, never in a packaged app): Vite's React refresh preamble is
 * an inline script and HMR talks over a WebSocket to the dev server.
 */
export function devCsp(devOrigin: string): string {
  const ws = devOrigin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${devOrigin} ${ws} ws://127.0.0.1:*`,
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface RendererLocation {
  /** file:// URL of dist/renderer/index.html. */
  indexUrl: string;
  /** Origin of the Vite dev server (unpackaged runs with HANGAR_DEV_URL), else null. */
  devOrigin: string | null;
}

/** Is `url` our renderer: the packaged index.html (any hash/query) or the dev server's origin? */
export function isTrustedRendererUrl(url: string, where: RendererLocation): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'file:') {
    const index = new URL(where.indexUrl);
    return index.protocol === 'file:' && u.host === index.host && decodeURIComponent(u.pathname) === decodeURIComponent(index.pathname);
  }
  if (where.devOrigin && (u.protocol === 'http:' || u.protocol === 'https:')) return u.origin === where.devOrigin;
  return false;
}

/** A dev server URL is honoured only if it is plain http(s) on this machine. */
export function parseDevOrigin(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (!['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) return null;
    return u.origin;
  } catch {
    return null;
  }
}

const METHOD_RE = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*$/;

/**
 * The `hangar:call` envelope: `{method, input}`. Only the envelope is checked here; the input
 * itself is validated by Engine.call against the contract.
 */
export function parseCallEnvelope(value: unknown): { method: string; input: unknown } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { method, input } = value as { method?: unknown; input?: unknown };
  if (typeof method !== 'string' || method.length === 0 || method.length > 200 || !METHOD_RE.test(method)) return null;
  return { method, input: input ?? {} };
}

export interface PickFileOptions {
  title?: string;
  filters?: Array<{ name: string; extensions: string[] }>;
}

/** The `hangar:pick-file` options, or null when malformed. */
export function parsePickFileOptions(value: unknown): PickFileOptions | null {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return null;
  const { title, filters } = value as { title?: unknown; filters?: unknown };
  const out: PickFileOptions = {};
  if (title !== undefined) {
    if (typeof title !== 'string' || title.length > 200) return null;
    out.title = title;
  }
  if (filters !== undefined) {
    if (!Array.isArray(filters) || filters.length > 20) return null;
    out.filters = [];
    for (const f of filters as unknown[]) {
      if (typeof f !== 'object' || f === null) return null;
      const { name, extensions } = f as { name?: unknown; extensions?: unknown };
      if (typeof name !== 'string' || name.length === 0 || name.length > 100) return null;
      if (!Array.isArray(extensions) || extensions.length === 0 || extensions.length > 50) return null;
      if (!extensions.every((e): e is string => typeof e === 'string' && /^(?:\*|[A-Za-z0-9_-]{1,20}(?:\.[A-Za-z0-9_-]{1,20})?)$/.test(e))) return null;
      out.filters.push({ name, extensions: [...extensions] });
    }
  }
  return out;
}

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW: WindowState = { width: 1280, height: 820, maximized: false };
const MIN_W = 800;
const MIN_H = 560;

/** Parse the remembered window state, falling back to defaults for anything odd. */
export function parseWindowState(text: string | null): WindowState {
  if (!text) return { ...DEFAULT_WINDOW };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ...DEFAULT_WINDOW };
  }
  if (typeof v !== 'object' || v === null) return { ...DEFAULT_WINDOW };
  const o = v as Record<string, unknown>;
  const int = (x: unknown) => (typeof x === 'number' && Number.isInteger(x) && Math.abs(x) < 100_000 ? x : undefined);
  const width = int(o.width);
  const height = int(o.height);
  const state: WindowState = {
    width: width !== undefined ? Math.min(Math.max(width, MIN_W), 10_000) : DEFAULT_WINDOW.width,
    height: height !== undefined ? Math.min(Math.max(height, MIN_H), 10_000) : DEFAULT_WINDOW.height,
    maximized: o.maximized === true,
  };
  const x = int(o.x);
  const y = int(o.y);
  if (x !== undefined && y !== undefined) {
    state.x = x;
    state.y = y;
  }
  return state;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Keep a remembered position only if enough of the window would be on some display now. */
export function fitToDisplays(state: WindowState, workAreas: Rect[]): WindowState {
  if (state.x === undefined || state.y === undefined) return state;
  const { x, y } = state;
  const visible = workAreas.some((a) => {
    const w = Math.min(x + state.width, a.x + a.width) - Math.max(x, a.x);
    const h = Math.min(y + state.height, a.y + a.height) - Math.max(y, a.y);
    return w >= 100 && h >= 50;
  });
  if (visible) return state;
  const { x: _x, y: _y, ...rest } = state;
  return rest;
}

/** External links the shell hands to the system browser: https only, nothing else. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Permissions a renderer may get: writing to the clipboard (copy from consoles) and fullscreen. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'fullscreen']);

/** Write atomically: a temp file in the same folder, then rename over the old one. */
export function writeWindowState(file: string, state: WindowState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(state) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* nothing to clean */
    }
  }
}

/** Where `npm run electron:rebuild` puts better-sqlite3 built for Electron's ABI (development only). */
export const ELECTRON_NATIVE_DIR = '.electron-native';

export function electronSqliteBinding(appRoot: string): string {
  return path.join(appRoot, ELECTRON_NATIVE_DIR, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
}

/** Routes a renderer may open in a window of their own (consoles): `#/console/<vm>`, `#/host-shell`. */
export function isDetachableRoute(hash: unknown): hash is string {
  return typeof hash === 'string' && hash.length <= 300 && /^#\/(?:console\/[A-Za-z0-9%._-]+|host-shell(?:\/[A-Za-z0-9-]{1,64})?|ssh\/[A-Za-z0-9-]{1,64})$/.test(hash);
}
