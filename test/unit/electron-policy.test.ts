import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { IPC } from '../../src-main/api/bridge';
import { MENU_CHANNEL } from '../../src-main/api/menu-commands';
import {
  DESKTOP_CSP,
  electronSqliteBinding,
  fitToDisplays,
  isSafeExternalUrl,
  isTrustedRendererUrl,
  parseCallEnvelope,
  parseDevOrigin,
  parsePickFileOptions,
  parseWindowState,
  writeWindowState,
} from '../../src-main/electron/policy';

const ROOT = path.resolve(__dirname, '..', '..');

describe('desktop shell policy', () => {
  const where = { indexUrl: 'file:///opt/Hangar/resources/app.asar/dist/renderer/index.html', devOrigin: null };

  test('only our index.html (any hash or query) is a trusted renderer URL without a dev server', () => {
    assert.equal(isTrustedRendererUrl('file:///opt/Hangar/resources/app.asar/dist/renderer/index.html', where), true);
    assert.equal(isTrustedRendererUrl('file:///opt/Hangar/resources/app.asar/dist/renderer/index.html#/machines/x', where), true);
    assert.equal(isTrustedRendererUrl('file:///opt/Hangar/resources/app.asar/dist/renderer/other.html', where), false);
    assert.equal(isTrustedRendererUrl('file:///tmp/evil/index.html', where), false);
    assert.equal(isTrustedRendererUrl('http://localhost:5173/', where), false);
    assert.equal(isTrustedRendererUrl('https://example.com/', where), false);
    assert.equal(isTrustedRendererUrl('data:text/html,hi', where), false);
    assert.equal(isTrustedRendererUrl('not a url', where), false);
  });

  test('the dev server origin is trusted only when configured, and only that exact origin', () => {
    const dev = { ...where, devOrigin: 'http://localhost:5173' };
    assert.equal(isTrustedRendererUrl('http://localhost:5173/#/images', dev), true);
    assert.equal(isTrustedRendererUrl('http://localhost:5174/', dev), false);
    assert.equal(isTrustedRendererUrl('http://127.0.0.1:5173/', dev), false);
  });

  test('parseDevOrigin accepts only http(s) on loopback', () => {
    assert.equal(parseDevOrigin('http://localhost:5173/some/path'), 'http://localhost:5173');
    assert.equal(parseDevOrigin('http://127.0.0.1:5173'), 'http://127.0.0.1:5173');
    assert.equal(parseDevOrigin('http://example.com:5173'), null);
    assert.equal(parseDevOrigin('file:///x'), null);
    assert.equal(parseDevOrigin(undefined), null);
  });

  test('IPC call envelopes: {method, input} with a dotted method name; anything else refused', () => {
    assert.deepEqual(parseCallEnvelope({ method: 'vm.list', input: {} }), { method: 'vm.list', input: {} });
    assert.deepEqual(parseCallEnvelope({ method: 'vm.list' }), { method: 'vm.list', input: {} });
    assert.equal(parseCallEnvelope(null), null);
    assert.equal(parseCallEnvelope('vm.list'), null);
    assert.equal(parseCallEnvelope([]), null);
    assert.equal(parseCallEnvelope({ method: 42 }), null);
    assert.equal(parseCallEnvelope({ method: '' }), null);
    assert.equal(parseCallEnvelope({ method: '__proto__' }), null);
    assert.equal(parseCallEnvelope({ method: 'vm.list; rm -rf /' }), null);
  });

  test('pickFile options: title and extension filters validated', () => {
    assert.deepEqual(parsePickFileOptions(undefined), {});
    assert.deepEqual(parsePickFileOptions({ title: 'Pick an ISO', filters: [{ name: 'Disk images', extensions: ['iso', 'qcow2', 'img.xz', '*'] }] }), {
      title: 'Pick an ISO',
      filters: [{ name: 'Disk images', extensions: ['iso', 'qcow2', 'img.xz', '*'] }],
    });
    assert.equal(parsePickFileOptions({ title: 5 }), null);
    assert.equal(parsePickFileOptions({ filters: [{ name: 'x', extensions: ['../etc'] }] }), null);
    assert.equal(parsePickFileOptions({ filters: 'iso' }), null);
  });

  test('window state: defaults for garbage, minimum size enforced, off-screen positions dropped', () => {
    assert.deepEqual(parseWindowState(null), { width: 1280, height: 820, maximized: false });
    assert.deepEqual(parseWindowState('{not json'), { width: 1280, height: 820, maximized: false });
    assert.deepEqual(parseWindowState('{"x":10,"y":20,"width":100,"height":100,"maximized":true}'), { x: 10, y: 20, width: 800, height: 560, maximized: true });
    const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    assert.deepEqual(fitToDisplays({ x: 100, y: 100, width: 1000, height: 700, maximized: false }, screen), { x: 100, y: 100, width: 1000, height: 700, maximized: false });
    assert.deepEqual(fitToDisplays({ x: 5000, y: 100, width: 1000, height: 700, maximized: false }, screen), { width: 1000, height: 700, maximized: false });
  });

  test('window state is written atomically (no temp file left) with mode 0600', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-win-'));
    try {
      const file = path.join(dir, 'window-state.json');
      writeWindowState(file, { x: 1, y: 2, width: 900, height: 600, maximized: false });
      assert.deepEqual(parseWindowState(fs.readFileSync(file, 'utf8')), { x: 1, y: 2, width: 900, height: 600, maximized: false });
      assert.deepEqual(fs.readdirSync(dir), ['window-state.json']);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('external links: only https goes to the system browser', () => {
    assert.equal(isSafeExternalUrl('https://www.qemu.org/docs/'), true);
    assert.equal(isSafeExternalUrl('http://example.com'), false);
    assert.equal(isSafeExternalUrl('file:///etc/passwd'), false);
    assert.equal(isSafeExternalUrl('javascript:alert(1)'), false);
  });

  test('desktop CSP: no inline or remote scripts, no network but self', () => {
    assert.match(DESKTOP_CSP, /script-src 'self'(;|$)/);
    // 'self' plus only the loopback VNC WebSocket (ticketed, see server/vnc-loopback.ts)
    assert.match(DESKTOP_CSP, /connect-src 'self' ws:\/\/127\.0\.0\.1:\*(;|$)/);
    assert.match(DESKTOP_CSP, /object-src 'none'/);
    assert.doesNotMatch(DESKTOP_CSP, /unsafe-eval/);
  });

  test('the Electron build of better-sqlite3 is looked up in .electron-native/, not node_modules/', () => {
    assert.equal(electronSqliteBinding('/app'), '/app/.electron-native/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  });

  test('the preload compiles to a file that requires only "electron", with the same channel names as bridge.ts', () => {
    const src = fs.readFileSync(path.join(ROOT, 'src-main/electron/preload.ts'), 'utf8');
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, isolatedModules: true, removeComments: true } }).outputText;
    const requires = [...js.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    assert.deepEqual(requires, ['electron']);
    for (const channel of [IPC.call, IPC.event, IPC.pickFile, MENU_CHANNEL]) assert.ok(js.includes(`'${channel}'`), `preload uses channel ${channel}`);
    assert.match(js, /exposeInMainWorld\('hangarBridge'/);
  });
});
