import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VM_STATES } from '../../src-main/api/contract';
import { isActive } from '../../src-main/compute/state-machine';
import { deflateSync } from 'node:zlib';
import { pngSize } from '../../src-main/consoles/console-service';
import { decodePng, encodePng, scaleDown } from '../../src-main/consoles/png';
import { isDetachableRoute } from '../../src-main/electron/policy';
import { base64ToBytes, bytesToBase64, textToBase64 } from '../../src-renderer/features/consoles/channel-codec';
import { consoleRoute, isVmActive, parseRoute, vncUrl } from '../../src-renderer/features/consoles/console-logic';
import { KEY_COMBOS, sendCombo, typeText, type KeySink } from '../../src-renderer/features/consoles/keys';

/** Records sendKey calls; stands in for noVNC's RFB (which needs a DOM and a server). */
function recorder() {
  const keys: Array<[number, string | null, boolean | undefined]> = [];
  const rfb: KeySink = { sendKey: (sym, code, down) => void keys.push([sym, code, down]) };
  return { rfb, keys };
}

describe('console logic', () => {
  test('routes of detached windows round-trip, and anything else is the main window', () => {
    assert.deepEqual(parseRoute(consoleRoute('3f2a-id')), { kind: 'console', vm: '3f2a-id' });
    assert.deepEqual(parseRoute(consoleRoute('my vm')), { kind: 'console', vm: 'my vm' });
    assert.deepEqual(parseRoute('#/host-shell'), { kind: 'host-shell' });
    for (const h of ['', '#', '#/console/', '#/console/a/b', '#/other', '#/console/%E0%A4%A']) assert.deepEqual(parseRoute(h), { kind: 'main' }, h);
  });

  test('the desktop opens only console routes in new windows', () => {
    assert.ok(isDetachableRoute(consoleRoute('3f2a-id')));
    assert.ok(isDetachableRoute('#/host-shell'));
    for (const h of ['#/console/../x', 'https://example.com', '#/console/a?b', '', 5, null, `#/console/${'a'.repeat(400)}`]) assert.equal(isDetachableRoute(h), false, String(h));
  });

  test('the VNC URL: the engine-given URL (desktop), else same origin with ws/wss', () => {
    assert.equal(vncUrl({ path: '/vnc?ticket=T', url: null }, { protocol: 'http:', host: '127.0.0.1:7878' }), 'ws://127.0.0.1:7878/vnc?ticket=T');
    assert.equal(vncUrl({ path: '/vnc?ticket=T', url: null }, { protocol: 'https:', host: 'h.example' }), 'wss://h.example/vnc?ticket=T');
    assert.equal(vncUrl({ path: '/vnc?ticket=T', url: 'ws://127.0.0.1:5000/vnc?ticket=T' }, { protocol: 'file:', host: '' }), 'ws://127.0.0.1:5000/vnc?ticket=T');
  });

  test("the renderer's notion of an attachable VM matches the engine's", () => {
    for (const s of VM_STATES) assert.equal(isVmActive(s), isActive(s), s);
  });

  test('channel payloads: any byte and any UTF-8 text survive base64', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(base64ToBytes(bytesToBase64(all)), all);
    assert.equal(Buffer.from(textToBase64('héllo 世界 ✓'), 'base64').toString('utf8'), 'héllo 世界 ✓');
    const big = new Uint8Array(200_000).fill(65);
    assert.equal(base64ToBytes(bytesToBase64(big)).length, 200_000);
  });

  test('key combinations press in order and release in reverse; typing sends Latin-1 keysyms', () => {
    const { rfb, keys } = recorder();
    sendCombo(rfb, KEY_COMBOS.find((c) => c.label === 'Ctrl+Alt+F2')!);
    assert.deepEqual(keys, [
      [0xffe3, 'ControlLeft', true],
      [0xffe9, 'AltLeft', true],
      [0xffbf, 'F2', true],
      [0xffbf, 'F2', false],
      [0xffe9, 'AltLeft', false],
      [0xffe3, 'ControlLeft', false],
    ]);
    const typed = recorder();
    typeText(typed.rfb, 'aZ é\n世');
    assert.deepEqual(typed.keys, [
      [0x61, null, undefined],
      [0xffe1, 'ShiftLeft', true],
      [0x5a, null, undefined],
      [0xffe1, 'ShiftLeft', false],
      [0x20, null, undefined],
      [0xe9, null, undefined],
      [0xff0d, null, undefined],
    ]);
  });

  test('PNG size comes from IHDR; anything else is refused', () => {
    const ihdr = Buffer.alloc(24);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(ihdr);
    ihdr.writeUInt32BE(13, 8);
    ihdr.write('IHDR', 12, 'latin1');
    ihdr.writeUInt32BE(720, 16);
    ihdr.writeUInt32BE(400, 20);
    assert.deepEqual(pngSize(ihdr), { width: 720, height: 400 });
    assert.throws(() => pngSize(Buffer.from('not a png at all, really not')), /not a PNG/);
  });
});

describe('thumbnail PNG code', () => {
  test('encode → decode round-trips; scaling averages boxes and keeps the aspect', () => {
    const width = 8;
    const height = 4;
    const rgb = Buffer.alloc(width * height * 3);
    // left half white, right half black
    for (let y = 0; y < height; y++) for (let x = 0; x < width / 2; x++) rgb.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
    const img = { width, height, rgb };
    const back = decodePng(encodePng(img));
    assert.equal(back.width, 8);
    assert.equal(back.height, 4);
    assert.ok(back.rgb.equals(rgb));
    const small = scaleDown(img, 4);
    assert.deepEqual([small.width, small.height], [4, 2]);
    assert.deepEqual([...small.rgb.subarray(0, 3)], [255, 255, 255]);
    assert.deepEqual([...small.rgb.subarray(9, 12)], [0, 0, 0]);
    assert.equal(scaleDown(img, 100), img, 'never enlarges');
  });

  test('filtered RGBA images (as other encoders write them) decode to the same pixels', () => {
    // a 2×2 RGBA image, rows filtered with Sub (1) and Paeth (4)
    const raw = Buffer.from([1, 10, 20, 30, 255, 5, 5, 5, 0, 4, 1, 2, 3, 0, 10, 10, 10, 0]);
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(2, 0);
    ihdr.writeUInt32BE(2, 4);
    ihdr[8] = 8;
    ihdr[9] = 6;
    const chunk = (type: string, data: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(data.length, 0);
      head.write(type, 4, 'latin1');
      return Buffer.concat([head, data, Buffer.alloc(4)]);
    };
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
    const img = decodePng(png);
    // row 0: (10,20,30), (15,25,35); row 1 (Paeth on row 0): (11,22,33), (25,35,45)
    assert.deepEqual([...img.rgb], [10, 20, 30, 15, 25, 35, 11, 22, 33, 25, 35, 45]);
    assert.throws(() => decodePng(Buffer.from('GIF89a')), /not a PNG/);
  });
});
