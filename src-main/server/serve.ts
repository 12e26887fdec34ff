import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { HangarError } from '../api/errors';
import { VNC_PATH } from '../consoles/console-service';
import { VncProxy } from '../consoles/vnc-proxy';
import type { Engine } from '../engine/engine';
import { refuseIfEngineRunning, startLongLivedEngine, type LongLivedEngine } from './engine-bootstrap';
import { defaultHangarHome } from '../util/home';
import { LoginTickets, generateToken, isAuthorized, originAllowed, queryToken, readTokenFile, tokenCookie, tokensEqual } from './auth';
import { localSocketPath } from './local-socket';
import { createSession, newClientId } from './session';
import { UPLOAD_PATH, handleImageUpload } from './image-upload';
import { REQUEST_TIMEOUT_MS, limitRequestTime, limitUploadIdle } from './request-timeout';
import { NOT_BUILT_PAGE, UNAUTHORIZED_PAGE, cacheControlFor, contentTypeFor, resolveStaticPath, securityHeaders } from './static';

export interface ServeOptions {
  /** Data folder; defaults to $HANGAR_HOME or ~/.local/share/hangar. */
  home?: string;
  /** Address to bind; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** TCP port; 0 = any free port. Default 7878. */
  port?: number;
  /** Read the access token from this file (mode 0600 or stricter) instead of generating one. */
  tokenFile?: string;
  /** The built renderer; default dist/renderer. */
  staticDir?: string;
  /** Print nothing. */
  quiet?: boolean;
  /**
   * How long a request (headers + body) may take, and how long an upload may stay silent; default
   * 60 s (request-timeout.ts). The authenticated /upload route has no overall limit.
   */
  requestTimeoutMs?: number;
}

export interface ServeHandle {
  /** The URL to open, token included. */
  url: string;
  token: string;
  port: number;
  /** The engine's local socket (CLI → this engine). */
  socketPath: string;
  engine: Engine;
  /**
   * A single-use login URL (valid 2 minutes) for handing to a browser process: unlike `url`
   * it is worthless once used, so it may appear in another process's command line.
   */
  loginUrl(): string;
  /** Close the WebSocket and HTTP servers, the local socket and the engine. Guests keep running. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7878;
export const DEFAULT_HOST = '127.0.0.1';
const API_PATH = '/api';
const MAX_WS_MESSAGE = 16 * 1024 * 1024;
/** A client that lets this much pile up unsent (a stalled tab) is dropped rather than buffered forever. */
const MAX_WS_BUFFERED = 64 * 1024 * 1024;
const PING_INTERVAL_MS = 30_000;

/** `hangar serve`: the browser face. The built renderer over HTTP and the contract over one WebSocket at /api. */
export async function serve(opts: ServeOptions = {}): Promise<ServeHandle> {
  const home = path.resolve(opts.home ?? defaultHangarHome());
  const host = opts.host ?? DEFAULT_HOST;
  const port = opts.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HangarError('INVALID_INPUT', `Invalid port ${port}: use 0-65535 (0 = any free port).`);
  const staticDir = path.resolve(opts.staticDir ?? path.resolve(__dirname, '../../renderer'));
  const log = (line: string) => {
    if (!opts.quiet) process.stdout.write(line + '\n');
  };
  const warn = (line: string) => {
    if (!opts.quiet) process.stderr.write(line + '\n');
  };

  // Refuse early, before touching any state.
  const token = opts.tokenFile ? readTokenFile(path.resolve(opts.tokenFile)) : generateToken();
  const socketPath = localSocketPath(home);
  await refuseIfEngineRunning(home);

  const tickets = new LoginTickets();
  const httpCtx: HttpContext = { token, tickets, staticDir, requestTimeoutMs: opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS };
  const server = http.createServer((req, res) => handleHttp(req, res, httpCtx));
  server.headersTimeout = 30_000;
  // Node's own limit cannot spare one route; request-timeout.ts applies it per request instead.
  server.requestTimeout = 0;
  await listen(server, host, port);
  const actualPort = (server.address() as net.AddressInfo).port;

  let core: LongLivedEngine;
  try {
    core = await startLongLivedEngine(home);
  } catch (e) {
    await closeServer(server);
    throw e;
  }
  const engine = core.engine;
  for (const n of engine.startupNotices) warn(`hangar: ${n.message}`);
  httpCtx.upload = (req, res) => handleImageUpload(engine, req, res);

  const vnc = new VncProxy(engine.consoles);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    const session = createSession(engine, {
      origin: 'ws',
      clientId: newClientId('ws'),
      send: (text) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > MAX_WS_BUFFERED) {
          ws.terminate();
          return;
        }
        ws.send(text);
      },
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      session.receive(Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8'));
    });
    ws.on('close', () => session.close());
    ws.on('error', () => ws.terminate());
  });
  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const pathname = safePathname(req.url);
    if (pathname === VNC_PATH) {
      // The graphical console: authorised by its one-time ticket (bound to one VM), not the cookie.
      if (!originAllowed(headerValue(req.headers.origin), req.headers.host)) return rejectUpgrade(socket, 403, 'Forbidden', 'Cross-origin WebSocket connections are not allowed.');
      return void vnc.handleUpgrade(req, socket, head, (status, reason, body) => rejectUpgrade(socket, status, reason, body));
    }
    if (pathname !== API_PATH) return rejectUpgrade(socket, 404, 'Not Found', 'No WebSocket endpoint here; use /api.');
    if (!originAllowed(headerValue(req.headers.origin), req.headers.host)) return rejectUpgrade(socket, 403, 'Forbidden', 'Cross-origin WebSocket connections are not allowed.');
    if (!isAuthorized(req, token)) return rejectUpgrade(socket, 401, 'Unauthorized', 'Missing or wrong access token.');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const urlHost = displayHost(host);
  const base = `http://${urlHost}:${actualPort}`;
  const url = `${base}/?token=${token}`;
  if (!isLoopback(host)) {
    warn(
      `Warning: Hangar is listening on ${host}, not only on this machine. Anyone who can reach port ${actualPort} and has the token can control your VMs, and plain HTTP is not encrypted: prefer an SSH tunnel or a TLS reverse proxy.`,
    );
  }
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) warn(`Note: the web UI is not built (${staticDir} has no index.html): run \`npm run build\`.`);
  log(`Hangar is ready: ${url}`);

  let closing: Promise<void> | null = null;
  return {
    url,
    token,
    port: actualPort,
    socketPath,
    engine,
    loginUrl: () => `${base}/?ticket=${tickets.issue()}`,
    close() {
      closing ??= (async () => {
        clearInterval(pinger);
        vnc.close();
        for (const ws of wss.clients) ws.close(1001, 'Hangar is shutting down');
        const closed = new Promise<void>((r) => wss.close(() => r()));
        // Give clients a moment to answer the close frame, then cut the rest.
        await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
        for (const ws of wss.clients) ws.terminate();
        await closed;
        await closeServer(server);
        await core.close();
      })();
      return closing;
    },
  };
}

interface HttpContext {
  token: string;
  tickets: LoginTickets;
  staticDir: string;
  requestTimeoutMs: number;
  /** Browser drag-and-drop into the image library (set once the engine is open). */
  upload?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
}

function handleHttp(req: http.IncomingMessage, res: http.ServerResponse, ctx: HttpContext): void {
  const headers = securityHeaders();
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  const method = req.method ?? 'GET';
  if (method === 'POST' && (req.url ?? '').split('?')[0] === UPLOAD_PATH && ctx.upload) {
    if (!isAuthorized(req, ctx.token) || !originAllowed(req.headers.origin, req.headers.host)) {
      limitRequestTime(req, res, ctx.requestTimeoutMs);
      req.resume();
      return sendText(res, 401, 'Unauthorized', method);
    }
    // an image may take far longer than any request limit: only silence ends it
    limitUploadIdle(req, ctx.requestTimeoutMs);
    return void ctx.upload(req, res).catch(() => res.destroy());
  }
  limitRequestTime(req, res, ctx.requestTimeoutMs);
  if (method !== 'GET' && method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendText(res, 405, 'Method Not Allowed', method);
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return sendText(res, 400, 'Bad Request', method);
  }

  // Logging in: a valid ?token= (or single-use ?ticket=) sets the cookie and redirects to the
  // same path without it, so the secret does not stay in the address bar or the history.
  const qToken = queryToken(req.url);
  const ticket = url.searchParams.get('ticket');
  if ((qToken !== null && tokensEqual(ctx.token, qToken)) || (ticket !== null && ctx.tickets.redeem(ticket))) {
    url.searchParams.delete('token');
    url.searchParams.delete('ticket');
    res.setHeader('Set-Cookie', tokenCookie(ctx.token));
    // Never a protocol-relative "//host" Location (open redirect).
    res.setHeader('Location', url.pathname.replace(/^\/{2,}/, '/') + url.search);
    res.setHeader('Cache-Control', 'no-store');
    res.statusCode = 303;
    return void res.end();
  }

  if (!isAuthorized(req, ctx.token)) {
    res.setHeader('Cache-Control', 'no-store');
    return sendHtml(res, 401, UNAUTHORIZED_PAGE, method);
  }

  if (url.pathname === API_PATH) return sendText(res, 426, 'This endpoint speaks WebSocket.', method);

  const index = path.join(ctx.staticDir, 'index.html');
  const target = resolveStaticPath(ctx.staticDir, req.url ?? '/');
  switch (target.kind) {
    case 'bad-request':
      return sendText(res, 400, 'Bad Request', method);
    case 'not-found':
      return sendText(res, 404, 'Not Found', method);
    case 'spa':
      if (!fs.existsSync(index)) {
        res.setHeader('Cache-Control', 'no-store');
        return sendHtml(res, 503, NOT_BUILT_PAGE, method);
      }
      return sendFile(res, ctx.staticDir, index, method);
    case 'file':
      return sendFile(res, ctx.staticDir, target.file, method);
  }
}

function sendFile(res: http.ServerResponse, root: string, file: string, method: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return sendText(res, 404, 'Not Found', method);
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', contentTypeFor(file));
  res.setHeader('Content-Length', size);
  res.setHeader('Cache-Control', cacheControlFor(root, file));
  if (method === 'HEAD') return void res.end();
  const stream = fs.createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function sendHtml(res: http.ServerResponse, status: number, html: string, method: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(method === 'HEAD' ? undefined : html);
}

function sendText(res: http.ServerResponse, status: number, text: string, method: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(method === 'HEAD' ? undefined : text);
}

function rejectUpgrade(socket: Duplex, status: number, reason: string, body: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(new HangarError('CONFLICT', `Port ${port} on ${host} is already in use (another \`hangar serve\`, or another program). Stop it, or choose another port with --port.`));
      } else if (e.code === 'EACCES') {
        reject(new HangarError('UNAUTHORIZED', `Not allowed to listen on ${host}:${port} (ports below 1024 need privileges). Choose another port with --port.`));
      } else if (e.code === 'EADDRNOTAVAIL') {
        reject(new HangarError('INVALID_INPUT', `Cannot listen on ${host}: no network interface has that address.`));
      } else {
        reject(new HangarError('IO_ERROR', `Cannot listen on ${host}:${port}: ${e.message}`));
      }
    };
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function safePathname(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The host part of the printed URL: wildcard binds are reachable locally at 127.0.0.1. */
export function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return net.isIPv6(host) ? `[${host}]` : host;
}
