import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import WebSocket from 'ws';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { connectLocalEngine, listenLocalSocket } from '../../src-main/server/local-socket';
import type { ServerMessage } from '../../src-main/api/rpc';
import { HangarError } from '../../src-main/api/errors';
import { Engine } from '../../src-main/engine/engine';
import { tempHome, waitFor } from '../helpers/env';

const INDEX_HTML = '<!doctype html><title>Hangar test index</title><p>fake renderer</p>';

interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw GET: the path is sent exactly as given (no client-side normalization of "..") */
function get(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Open a WebSocket and resolve with the upgrade's HTTP status when refused, or the hello when accepted. */
function openWs(url: string, options: WebSocket.ClientOptions = {}): Promise<{ refused: number } | { ws: WebSocket; hello: ServerMessage; inbox: ServerMessage[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const inbox: ServerMessage[] = [];
    let greeted = false;
    ws.on('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as ServerMessage;
      if (!greeted && msg.type === 'hello') {
        greeted = true;
        resolve({ ws, hello: msg, inbox });
      } else inbox.push(msg);
    });
    ws.on('error', (e) => {
      if (!greeted) reject(e);
    });
  });
}

let nextId = 1;
async function wsCall(conn: { ws: WebSocket; inbox: ServerMessage[] }, method: string, input: unknown): Promise<ServerMessage> {
  const id = nextId++;
  conn.ws.send(JSON.stringify({ type: 'call', id, method, input }));
  return waitFor(`reply to ${method}`, () => conn.inbox.find((m) => (m.type === 'result' || m.type === 'error') && m.id === id), 30_000, 10);
}

describe('hangar serve', () => {
  const t = tempHome('hangar-serve-');
  const staticDir = fs.mkdtempSync(path.join(t.home, 'static-'));
  let srv: ServeHandle;
  let wsUrl: string;

  before(async () => {
    fs.writeFileSync(path.join(staticDir, 'index.html'), INDEX_HTML);
    fs.mkdirSync(path.join(staticDir, 'assets'));
    fs.writeFileSync(path.join(staticDir, 'assets', 'app-1234.js'), 'console.log("hi")');
    srv = await serve({ home: path.join(t.home, 'home'), port: 0, quiet: true, staticDir });
    wsUrl = `ws://127.0.0.1:${srv.port}/api`;
  });

  after(async () => {
    await srv?.close();
    t.cleanup();
  });

  test('serve() returns a 43-character base64url token and a loopback URL that contains it', () => {
    assert.match(srv.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(srv.url, `http://127.0.0.1:${srv.port}/?token=${srv.token}`);
  });

  test('WebSocket /api without a token is refused with 401', async () => {
    const r = await openWs(wsUrl);
    assert.deepEqual(r, { refused: 401 });
  });

  test('WebSocket /api with a wrong token is refused with 401', async () => {
    const r = await openWs(`${wsUrl}?token=not-the-token`);
    assert.deepEqual(r, { refused: 401 });
  });

  test('WebSocket /api with the token in the query: hello, vm.list is [], host.capabilities has accel', async () => {
    const r = await openWs(`${wsUrl}?token=${srv.token}`);
    assert.ok('ws' in r, 'connection accepted');
    try {
      assert.equal(r.hello.type, 'hello');
      if (r.hello.type === 'hello') {
        assert.equal(r.hello.protocol, 1);
        assert.match(r.hello.clientId, /^ws-/);
      }
      const list = await wsCall(r, 'vm.list', {});
      assert.deepEqual(list, { type: 'result', id: (list as { id: number }).id, result: [] });
      const caps = await wsCall(r, 'host.capabilities', {});
      assert.equal(caps.type, 'result');
      assert.ok(caps.type === 'result' && typeof caps.result === 'object' && caps.result !== null && 'accel' in caps.result, 'capabilities carry accel');
    } finally {
      r.ws.close();
    }
  });

  test('WebSocket /api with the token in the hangar_token cookie and a same-origin Origin is accepted', async () => {
    const r = await openWs(wsUrl, { headers: { Cookie: `hangar_token=${srv.token}` }, origin: `http://127.0.0.1:${srv.port}` });
    assert.ok('ws' in r);
    r.ws.close();
  });

  test('WebSocket /api with the token as Authorization: Bearer is accepted', async () => {
    const r = await openWs(wsUrl, { headers: { Authorization: `Bearer ${srv.token}` } });
    assert.ok('ws' in r);
    r.ws.close();
  });

  test('WebSocket /api from a foreign Origin is refused with 403, even with the token', async () => {
    const r = await openWs(`${wsUrl}?token=${srv.token}`, { origin: 'http://evil.example' });
    assert.deepEqual(r, { refused: 403 });
  });

  test('vm.create with name "a/b" returns INVALID_INPUT whose message mentions "/"', async () => {
    const r = await openWs(`${wsUrl}?token=${srv.token}`);
    assert.ok('ws' in r);
    try {
      const reply = await wsCall(r, 'vm.create', { name: 'a/b' });
      assert.equal(reply.type, 'error');
      if (reply.type === 'error') {
        assert.equal(reply.error.code, 'INVALID_INPUT');
        assert.match(reply.error.message, /\//);
      }
    } finally {
      r.ws.close();
    }
  });

  test('a malformed WebSocket message gets an INVALID_INPUT error, and the connection stays usable', async () => {
    const r = await openWs(`${wsUrl}?token=${srv.token}`);
    assert.ok('ws' in r);
    try {
      r.ws.send('{"type":"call","id":"nope"}');
      const err = await waitFor('malformed-message error', () => r.inbox.find((m) => m.type === 'error'), 5000, 10);
      assert.equal(err.type === 'error' && err.error.code, 'INVALID_INPUT');
      const list = await wsCall(r, 'vm.list', {});
      assert.equal(list.type, 'result');
    } finally {
      r.ws.close();
    }
  });

  test('HTTP GET / without a token is 401 with a page pointing to the printed URL', async () => {
    const r = await get(srv.port, '/');
    assert.equal(r.status, 401);
    assert.match(r.body, /Open the URL printed by <code>hangar serve<\/code> \(it contains the access token\)/);
    assert.ok(r.headers['content-security-policy']);
  });

  test('HTTP GET /?token=T redirects (303) to / and sets an HttpOnly SameSite=Strict cookie', async () => {
    const r = await get(srv.port, `/?token=${srv.token}`);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/');
    const cookie = r.headers['set-cookie']?.[0] ?? '';
    assert.match(cookie, new RegExp(`^hangar_token=${srv.token};`));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
  });

  test('the login redirect keeps deep links but never points to another host', async () => {
    const deep = await get(srv.port, `/machines/web?token=${srv.token}&tab=console`);
    assert.equal(deep.status, 303);
    assert.equal(deep.headers.location, '/machines/web?tab=console');
    for (const p of [`//evil.example/?token=${srv.token}`, `/\\evil.example/?token=${srv.token}`]) {
      const r = await get(srv.port, p);
      assert.equal(r.status, 303);
      assert.doesNotMatch(String(r.headers.location), /^\/\/|^\/\\|evil/, `${p} → ${r.headers.location}`);
    }
  });

  test('WebSocket upgrades anywhere but /api are refused with 404', async () => {
    const r = await openWs(`ws://127.0.0.1:${srv.port}/other?token=${srv.token}`);
    assert.deepEqual(r, { refused: 404 });
  });

  test('HTTP GET /?token=wrong is 401 and sets no cookie', async () => {
    const r = await get(srv.port, '/?token=wrong');
    assert.equal(r.status, 401);
    assert.equal(r.headers['set-cookie'], undefined);
  });

  test('HTTP GET / with the cookie serves index.html with CSP, nosniff, no-referrer and no-store', async () => {
    const r = await get(srv.port, '/', { Cookie: `hangar_token=${srv.token}` });
    assert.equal(r.status, 200);
    assert.equal(r.body, INDEX_HTML);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.equal(
      r.headers['content-security-policy'],
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['cache-control'], 'no-store');
  });

  test('static assets get their content type; unknown app routes fall back to index.html; missing assets are 404', async () => {
    const auth = { Authorization: `Bearer ${srv.token}` };
    const js = await get(srv.port, '/assets/app-1234.js', auth);
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    const route = await get(srv.port, '/machines/some-vm', auth);
    assert.equal(route.status, 200);
    assert.equal(route.body, INDEX_HTML);
    const missing = await get(srv.port, '/assets/missing.js', auth);
    assert.equal(missing.status, 404);
  });

  test('path traversal (/../../etc/passwd, encoded too) never serves the file', async () => {
    const auth = { Authorization: `Bearer ${srv.token}` };
    for (const p of ['/../../etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../../../etc/passwd']) {
      const r = await get(srv.port, p, auth);
      assert.doesNotMatch(r.body, /root:x?:0:0/, `${p} must not leak /etc/passwd`);
      assert.notEqual(r.status, 500);
    }
  });

  test('a single-use login ticket sets the cookie once and is refused the second time', async () => {
    const u = new URL(srv.loginUrl());
    const first = await get(srv.port, u.pathname + u.search);
    assert.equal(first.status, 303);
    assert.match(first.headers['set-cookie']?.[0] ?? '', /^hangar_token=/);
    const second = await get(srv.port, u.pathname + u.search);
    assert.equal(second.status, 401);
  });

  test('the engine socket exists with mode 0600', () => {
    const st = fs.statSync(srv.socketPath);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
  });

  test('connectLocalEngine on a running serve: vm.list works, and validation errors arrive as HangarError', async () => {
    const client = await connectLocalEngine(srv.socketPath);
    assert.ok(client, 'connected');
    try {
      assert.match(client.clientId, /^sock-/);
      assert.deepEqual(await client.call('vm.list', {}), []);
      await assert.rejects(client.call('vm.create', { name: 'a/b' } as never), (e: unknown) => e instanceof HangarError && e.code === 'INVALID_INPUT' && e.message.includes('/'));
    } finally {
      await client.close();
    }
  });

  test('a second engine on the same home is refused while serve runs', async () => {
    await assert.rejects(serve({ home: path.join(t.home, 'home'), port: 0, quiet: true, staticDir }), /already running/);
  });
});

describe('serve() refusals and options', () => {
  test('the default port being busy is reported clearly (no silent switch to another port)', async () => {
    const t = tempHome('hangar-serve-busy-');
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busyPort = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(serve({ home: t.home, port: busyPort, quiet: true }), new RegExp(`Port ${busyPort} on 127.0.0.1 is already in use`));
    } finally {
      blocker.close();
      t.cleanup();
    }
  });

  test('a token file readable by others (0644) is refused with a chmod 600 hint', async () => {
    const t = tempHome('hangar-serve-tok-');
    const file = path.join(t.home, 'token');
    fs.writeFileSync(file, 'abcdefghijklmnopqrstuvwxyz0123456789\n');
    fs.chmodSync(file, 0o644);
    try {
      await assert.rejects(serve({ home: path.join(t.home, 'home'), port: 0, quiet: true, tokenFile: file }), /mode is 0644.*chmod 600/s);
      assert.equal(fs.existsSync(path.join(t.home, 'home')), false, 'nothing was created before refusing');
    } finally {
      t.cleanup();
    }
  });

  test('a 0600 token file is used as the access token', async () => {
    const t = tempHome('hangar-serve-tok-');
    const file = path.join(t.home, 'token');
    fs.writeFileSync(file, 'abcdefghijklmnopqrstuvwxyz0123456789\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    const srv = await serve({ home: path.join(t.home, 'home'), port: 0, quiet: true, tokenFile: file, staticDir: path.join(t.home, 'nothing-built') });
    try {
      assert.equal(srv.token, 'abcdefghijklmnopqrstuvwxyz0123456789');
      const r = await get(srv.port, '/', { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz0123456789' });
      assert.equal(r.status, 503, 'no renderer built: the "run npm run build" page');
      assert.match(r.body, /npm run build/);
    } finally {
      await srv.close();
      t.cleanup();
    }
  });

  test('close() removes the engine socket and frees the port', async () => {
    const t = tempHome('hangar-serve-close-');
    const srv = await serve({ home: t.home, port: 0, quiet: true });
    await srv.close();
    try {
      assert.equal(fs.existsSync(srv.socketPath), false);
      await assert.rejects(get(srv.port, '/'), /ECONNREFUSED/);
    } finally {
      t.cleanup();
    }
  });
});

describe('local engine socket', () => {
  test('connectLocalEngine resolves null when no socket file exists', async () => {
    const t = tempHome('hangar-sock-');
    try {
      assert.equal(await connectLocalEngine(path.join(t.home, 'engine.sock')), null);
    } finally {
      t.cleanup();
    }
  });

  test('connectLocalEngine resolves null for a stale socket (ECONNREFUSED) and removes it', async () => {
    const t = tempHome('hangar-sock-');
    const sock = path.join(t.home, 'engine.sock');
    // Make a socket file nobody listens on: listen, then close without unlinking.
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(sock, () => r()));
    await new Promise<void>((r) => {
      // Closing a net.Server unlinks its socket file: move it away first, put it back after.
      fs.renameSync(sock, sock + '.keep');
      s.close(() => r());
    });
    fs.renameSync(sock + '.keep', sock);
    try {
      assert.ok(fs.lstatSync(sock).isSocket(), 'stale socket in place');
      assert.equal(await connectLocalEngine(sock), null);
      assert.equal(fs.existsSync(sock), false, 'stale socket removed');
    } finally {
      t.cleanup();
    }
  });

  test('listenLocalSocket on its own: 0600 socket, vm.list through connectLocalEngine, events forwarded', async () => {
    const t = tempHome('hangar-sock-');
    const engine = await Engine.open({ home: t.home });
    const sock = path.join(t.home, 'engine.sock');
    const server = await listenLocalSocket(engine, sock);
    try {
      assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
      const client = await connectLocalEngine(sock);
      assert.ok(client);
      const events: unknown[] = [];
      client.onEvent((e) => events.push(e));
      assert.deepEqual(await client.call('vm.list', {}), []);
      engine.events.emit('notice', { level: 'info', message: 'hello clients' });
      engine.events.emit('channel.data', { channelId: 'x', data: '' }, 'someone-else');
      await waitFor('notice event', () => events.length > 0, 5000, 10);
      assert.deepEqual(events, [{ topic: 'notice', data: { level: 'info', message: 'hello clients' } }]);
      const closed = new Promise<void>((r) => client.onClose(r));
      await server.close();
      await closed;
      assert.equal(fs.existsSync(sock), false);
    } finally {
      await server.close();
      await engine.close();
      t.cleanup();
    }
  });
});
