import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { HangarError } from '../api/errors';

/**
 * Access control for `hangar serve`: one secret per launch (or from a 0600 token file). Pure
 * helpers, no server state, so they are unit-tested directly.
 */

export const TOKEN_COOKIE = 'hangar_token';
/** Characters allowed in a token: URL- and cookie-safe without escaping. */
const TOKEN_RE = /^[A-Za-z0-9._~-]+$/;
export const TOKEN_MIN_LENGTH = 16;
export const TOKEN_MAX_LENGTH = 512;

/** 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison. Both sides are hashed first so that the comparison takes the same
 * time whatever the candidate's length (timingSafeEqual needs equal-length buffers).
 */
export function tokensEqual(expected: string, candidate: string | null | undefined): boolean {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > TOKEN_MAX_LENGTH) return false;
  const a = crypto.createHash('sha256').update(expected, 'utf8').digest();
  const b = crypto.createHash('sha256').update(candidate, 'utf8').digest();
  return crypto.timingSafeEqual(a, b);
}

/** Check a token's shape (used for tokens read from a file). Throws a HangarError saying what is wrong. */
export function validateTokenShape(token: string, source: string): string {
  if (token.length < TOKEN_MIN_LENGTH) throw new HangarError('INVALID_INPUT', `The token in ${source} is too short: use at least ${TOKEN_MIN_LENGTH} characters (for example: openssl rand -base64 32 | tr '+/' '-_' | tr -d '=').`);
  if (token.length > TOKEN_MAX_LENGTH) throw new HangarError('INVALID_INPUT', `The token in ${source} is too long (at most ${TOKEN_MAX_LENGTH} characters).`);
  if (!TOKEN_RE.test(token)) throw new HangarError('INVALID_INPUT', `The token in ${source} may only use letters, digits, ".", "_", "~" and "-" (it goes into URLs and cookies).`);
  return token;
}

/**
 * Read the access token from a file. Refuses a file that group or others may read or write
 * (mode must be 0600 or stricter): a token anyone on the machine can read protects nothing.
 */
export function readTokenFile(file: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HangarError('NOT_FOUND', code === 'ENOENT' ? `The token file ${file} does not exist.` : `Cannot read the token file ${file}: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new HangarError('INVALID_INPUT', `The token file ${file} is not a regular file.`);
  const perms = st.mode & 0o777;
  if (perms & 0o077) {
    throw new HangarError(
      'UNAUTHORIZED',
      `Refusing to use the token file ${file}: its mode is ${perms.toString(8).padStart(4, '0')}, so other users can access it. Make it private with: chmod 600 ${file}`,
    );
  }
  const token = fs.readFileSync(file, 'utf8').trim();
  return validateTokenShape(token, file);
}

/** Parse a Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** Every credential a request carries: cookie, `token` query parameter, `Authorization: Bearer`. */
export function requestCredentials(req: Pick<IncomingMessage, 'headers' | 'url'>): string[] {
  const found: string[] = [];
  const cookie = parseCookies(req.headers.cookie).get(TOKEN_COOKIE);
  if (cookie) found.push(cookie);
  const query = queryToken(req.url);
  if (query) found.push(query);
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m?.[1]) found.push(m[1]);
  }
  return found;
}

export function queryToken(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url, 'http://localhost').searchParams.get('token');
  } catch {
    return null;
  }
}

export function isAuthorized(req: Pick<IncomingMessage, 'headers' | 'url'>, token: string): boolean {
  // Check every credential (no early exit on the first mismatch) so the timing says nothing.
  let ok = false;
  for (const c of requestCredentials(req)) if (tokensEqual(token, c)) ok = true;
  return ok;
}

/** The Set-Cookie value that stores the token in the browser. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/**
 * Cross-site WebSocket hijacking guard: a browser always sends Origin on a WebSocket handshake;
 * when present it must name the same host:port the request was sent to. Non-browser clients
 * (CLI, tests) send no Origin and are accepted (they still need the token).
 */
export function originAllowed(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!host) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return parsed.host.toLowerCase() === normalizeHost(host, parsed.protocol);
}

/** Host header normalized the way URL.host is (lowercase, default port dropped). */
function normalizeHost(host: string, protocol: string): string {
  try {
    return new URL(`${protocol}//${host}`).host.toLowerCase();
  } catch {
    return host.toLowerCase();
  }
}

/**
 * Single-use login tickets: `start` opens the browser with a short-lived ticket instead of the
 * real token, so the long-lived token never appears in another process's command line.
 */
export class LoginTickets {
  private readonly tickets = new Map<string, number>();
  constructor(private readonly ttlMs = 120_000) {}

  issue(now = Date.now()): string {
    this.prune(now);
    const ticket = crypto.randomBytes(24).toString('base64url');
    this.tickets.set(ticket, now + this.ttlMs);
    return ticket;
  }

  /** True once per valid ticket. */
  redeem(ticket: string | null, now = Date.now()): boolean {
    this.prune(now);
    if (!ticket) return false;
    let match: string | null = null;
    for (const t of this.tickets.keys()) if (tokensEqual(t, ticket)) match = t;
    if (match === null) return false;
    this.tickets.delete(match);
    return true;
  }

  private prune(now: number): void {
    for (const [t, exp] of this.tickets) if (exp <= now) this.tickets.delete(t);
  }
}
