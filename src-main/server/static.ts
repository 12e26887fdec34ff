import * as fs from 'node:fs';
import * as path from 'node:path';

/** The browser face's Content-Security-Policy: only our own scripts, our own WebSocket. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every HTTP response. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticTarget =
  | { kind: 'file'; file: string }
  /** An app route (no file extension): serve index.html and let the SPA route it. */
  | { kind: 'spa' }
  | { kind: 'not-found' }
  | { kind: 'bad-request' };

/**
 * Map a request path to a file under `root` without ever leaving it: percent-decoding first,
 * then rejecting NUL, backslashes, dot segments and dotfiles, then checking the resolved
 * path (and its real path, through symlinks) is inside the root.
 */
export function resolveStaticPath(root: string, urlPath: string): StaticTarget {
  let pathname = urlPath;
  const q = pathname.search(/[?#]/);
  if (q >= 0) pathname = pathname.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'bad-request' };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-request' };
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '..' || s === '.')) return { kind: 'not-found' };
  if (segments.some((s) => s.startsWith('.'))) return { kind: 'not-found' };
  if (segments.length === 0) return { kind: 'spa' };

  const rootAbs = path.resolve(root);
  const file = path.resolve(rootAbs, ...segments);
  if (!isInside(rootAbs, file)) return { kind: 'not-found' };

  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(file);
  } catch {
    st = null;
  }
  if (st?.isFile()) {
    try {
      const realRoot = fs.realpathSync(rootAbs);
      const realFile = fs.realpathSync(file);
      if (!isInside(realRoot, realFile)) return { kind: 'not-found' };
    } catch {
      return { kind: 'not-found' };
    }
    return { kind: 'file', file };
  }
  // Unknown path: an app route if its last segment has no extension, else a missing asset.
  const last = segments[segments.length - 1] ?? '';
  return path.extname(last) === '' ? { kind: 'spa' } : { kind: 'not-found' };
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Cache policy: the HTML shell never cached; Vite's content-hashed assets forever. */
export function cacheControlFor(root: string, file: string): string {
  if (path.extname(file) === '.html') return 'no-store';
  const rel = path.relative(path.resolve(root), file).split(path.sep);
  if (rel[0] === 'assets') return 'private, max-age=31536000, immutable';
  return 'no-cache';
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A tiny self-contained HTML page (no scripts, no external styles: fits the CSP). */
export function simplePage(title: string, paragraphs: string[]): string {
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#eee;padding:.1em .3em;border-radius:3px}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

export const UNAUTHORIZED_PAGE = simplePage('Hangar: access token needed', [
  'Open the URL printed by <code>hangar serve</code> (it contains the access token).',
  'The token changes every time the server starts, unless it was started with <code>--token-file</code>.',
]);

export const NOT_BUILT_PAGE = simplePage('Hangar: the user interface is not built', [
  'The server is running, but the web user interface has not been built yet.',
  'Run <code>npm run build</code> in the Hangar folder, then reload this page.',
]);
