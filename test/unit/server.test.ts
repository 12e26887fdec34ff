import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  LoginTickets,
  generateToken,
  isAuthorized,
  originAllowed,
  parseCookies,
  readTokenFile,
  requestCredentials,
  tokenCookie,
  tokensEqual,
  validateTokenShape,
} from '../../src-main/server/auth';
import { CSP, cacheControlFor, contentTypeFor, resolveStaticPath, securityHeaders } from '../../src-main/server/static';
import { displayHost, isLoopback } from '../../src-main/server/serve';

describe('server auth helpers', () => {
  test('generateToken gives 32 random bytes as base64url, different each time', () => {
    const a = generateToken();
    const b = generateToken();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    assert.notEqual(a, b);
  });

  test('tokensEqual accepts only the exact token (any length, empty and missing refused)', () => {
    const t = generateToken();
    assert.equal(tokensEqual(t, t), true);
    assert.equal(tokensEqual(t, t + 'x'), false);
    assert.equal(tokensEqual(t, t.slice(0, -1)), false);
    assert.equal(tokensEqual(t, ''), false);
    assert.equal(tokensEqual(t, null), false);
    assert.equal(tokensEqual(t, undefined), false);
    assert.equal(tokensEqual(t, 'x'.repeat(10_000)), false);
  });

  test('parseCookies reads name=value pairs, first occurrence wins, quotes stripped', () => {
    const c = parseCookies('a=1; hangar_token="abc"; b=2; a=3');
    assert.equal(c.get('a'), '1');
    assert.equal(c.get('hangar_token'), 'abc');
    assert.equal(c.get('b'), '2');
    assert.equal(parseCookies(undefined).size, 0);
  });

  test('requestCredentials finds the cookie, the token query parameter and a Bearer header', () => {
    const creds = requestCredentials({ url: '/api?token=q', headers: { cookie: 'hangar_token=c', authorization: 'Bearer b' } });
    assert.deepEqual(creds, ['c', 'q', 'b']);
    assert.deepEqual(requestCredentials({ url: '/', headers: { authorization: 'Basic xyz' } }), []);
  });

  test('isAuthorized: any one valid credential suffices; wrong ones do not', () => {
    const t = generateToken();
    assert.equal(isAuthorized({ url: '/', headers: { cookie: `hangar_token=${t}` } }, t), true);
    assert.equal(isAuthorized({ url: `/x?token=${t}`, headers: {} }, t), true);
    assert.equal(isAuthorized({ url: '/', headers: { authorization: `Bearer ${t}` } }, t), true);
    assert.equal(isAuthorized({ url: '/?token=wrong', headers: { cookie: 'hangar_token=also-wrong' } }, t), false);
    assert.equal(isAuthorized({ url: '/', headers: {} }, t), false);
  });

  test('the token cookie is HttpOnly, SameSite=Strict, Path=/', () => {
    assert.equal(tokenCookie('abc'), 'hangar_token=abc; HttpOnly; SameSite=Strict; Path=/');
  });

  test('originAllowed: no Origin (non-browser) is fine; same host:port only; foreign, null and other schemes refused', () => {
    assert.equal(originAllowed(undefined, '127.0.0.1:7878'), true);
    assert.equal(originAllowed('http://127.0.0.1:7878', '127.0.0.1:7878'), true);
    assert.equal(originAllowed('http://LOCALHOST:7878', 'localhost:7878'), true);
    assert.equal(originAllowed('http://127.0.0.1:80', '127.0.0.1'), true);
    assert.equal(originAllowed('http://127.0.0.1:7879', '127.0.0.1:7878'), false);
    assert.equal(originAllowed('http://evil.example', '127.0.0.1:7878'), false);
    assert.equal(originAllowed('http://evil.example:7878', '127.0.0.1:7878'), false);
    assert.equal(originAllowed('null', '127.0.0.1:7878'), false);
    assert.equal(originAllowed('file://', '127.0.0.1:7878'), false);
    assert.equal(originAllowed('http://127.0.0.1:7878', undefined), false);
  });

  test('validateTokenShape refuses short tokens and characters unsafe in URLs or cookies', () => {
    assert.equal(validateTokenShape('abcdefghijklmnop', 'f'), 'abcdefghijklmnop');
    assert.throws(() => validateTokenShape('short', 'f'), /too short/);
    assert.throws(() => validateTokenShape('abcdefghijklmnop;x', 'f'), /may only use/);
    assert.throws(() => validateTokenShape('abcdefghijklmnop x', 'f'), /may only use/);
  });

  test('readTokenFile refuses group/other access (0640, 0604, 0660) and accepts 0600 and 0400', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-tok-'));
    try {
      const file = path.join(dir, 'token');
      fs.writeFileSync(file, '  abcdefghijklmnopqrstuvwxyz  \n');
      for (const mode of [0o640, 0o604, 0o660, 0o644]) {
        fs.chmodSync(file, mode);
        assert.throws(() => readTokenFile(file), new RegExp(`mode is 0${mode.toString(8)}.*chmod 600`, 's'));
      }
      for (const mode of [0o600, 0o400]) {
        fs.chmodSync(file, mode);
        assert.equal(readTokenFile(file), 'abcdefghijklmnopqrstuvwxyz');
      }
      assert.throws(() => readTokenFile(path.join(dir, 'missing')), /does not exist/);
      assert.throws(() => readTokenFile(dir), /not a regular file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('LoginTickets: a ticket works once, unknown ones never, expired ones not at all', () => {
    const tickets = new LoginTickets(1000);
    const a = tickets.issue(0);
    assert.equal(tickets.redeem(a, 10), true);
    assert.equal(tickets.redeem(a, 20), false);
    assert.equal(tickets.redeem('nope', 20), false);
    assert.equal(tickets.redeem(null, 20), false);
    const b = tickets.issue(0);
    assert.equal(tickets.redeem(b, 1000), false);
  });
});

describe('static file serving helpers', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-static-'));
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'assets', 'app-abc.js'), '');
  fs.writeFileSync(path.join(root, '.env'), 'SECRET=1');
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test('existing files resolve inside the root; / and extension-less unknown paths are SPA routes', () => {
    assert.deepEqual(resolveStaticPath(root, '/assets/app-abc.js'), { kind: 'file', file: path.join(root, 'assets', 'app-abc.js') });
    assert.deepEqual(resolveStaticPath(root, '/index.html?x=1'), { kind: 'file', file: path.join(root, 'index.html') });
    assert.deepEqual(resolveStaticPath(root, '/'), { kind: 'spa' });
    assert.deepEqual(resolveStaticPath(root, '/machines/web-1'), { kind: 'spa' });
    assert.deepEqual(resolveStaticPath(root, '/assets/missing.js'), { kind: 'not-found' });
  });

  test('path traversal, encoded traversal, backslashes, NUL, dotfiles and symlinks out of the root are refused', () => {
    for (const p of ['/../etc/passwd', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/.env', '/assets/link.txt']) {
      assert.equal(resolveStaticPath(root, p).kind, 'not-found', p);
    }
    for (const p of ['/..\\..\\etc\\passwd', '/a%00b', '/%E0%A4%A']) {
      assert.equal(resolveStaticPath(root, p).kind, 'bad-request', p);
    }
  });

  test('content types: html, js, css, svg, woff2, wasm, unknown → octet-stream', () => {
    assert.equal(contentTypeFor('a.html'), 'text/html; charset=utf-8');
    assert.equal(contentTypeFor('a.js'), 'text/javascript; charset=utf-8');
    assert.equal(contentTypeFor('a.CSS'), 'text/css; charset=utf-8');
    assert.equal(contentTypeFor('a.svg'), 'image/svg+xml');
    assert.equal(contentTypeFor('a.woff2'), 'font/woff2');
    assert.equal(contentTypeFor('a.wasm'), 'application/wasm');
    assert.equal(contentTypeFor('a.bin'), 'application/octet-stream');
  });

  test('cache policy: index.html no-store, hashed assets immutable, others revalidated', () => {
    assert.equal(cacheControlFor(root, path.join(root, 'index.html')), 'no-store');
    assert.match(cacheControlFor(root, path.join(root, 'assets', 'app-abc.js')), /immutable/);
    assert.equal(cacheControlFor(root, path.join(root, 'favicon.svg')), 'no-cache');
  });

  test('the CSP allows only our own scripts and connections, no objects, no framing, no <base>', () => {
    assert.equal(
      CSP,
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    assert.doesNotMatch(CSP.split('; ').find((d) => d.startsWith('script-src')) ?? '', /unsafe/);
    const h = securityHeaders();
    assert.equal(h['Content-Security-Policy'], CSP);
    assert.equal(h['X-Content-Type-Options'], 'nosniff');
    assert.equal(h['Referrer-Policy'], 'no-referrer');
  });

  test('printed URL host: wildcard binds show 127.0.0.1, IPv6 gets brackets; loopback detection', () => {
    assert.equal(displayHost('0.0.0.0'), '127.0.0.1');
    assert.equal(displayHost('::'), '127.0.0.1');
    assert.equal(displayHost('::1'), '[::1]');
    assert.equal(displayHost('192.168.1.5'), '192.168.1.5');
    assert.equal(isLoopback('127.0.0.1'), true);
    assert.equal(isLoopback('::1'), true);
    assert.equal(isLoopback('0.0.0.0'), false);
    assert.equal(isLoopback('192.168.1.5'), false);
  });
});
