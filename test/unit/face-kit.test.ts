import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventMessage } from '../../src-main/api/contract';
import { EventBus } from '../../src-main/engine/event-bus';
import { eventIsFor, subscribeClient } from '../../src-main/engine/client-events';
import { isTrustedSender, validatedHandler, type InvokeEventLike, type SenderPolicy } from '../../src-main/electron/ipc-guard';
import { isTrustedRendererUrl, parseCallEnvelope } from '../../src-main/electron/policy';

/**
 * The face kit without Electron or sockets: the per-client event filter every face uses, and the
 * one validated IPC handler given sender-like objects.
 */

const data = (topic: EventMessage['topic']): EventMessage => (topic === 'channel.data' ? { topic, data: { channelId: 'c1', data: 'aGk=' } } : { topic: 'notice', data: { level: 'info', message: 'hi' } }) as EventMessage;

describe('per-client event subscription (engine/client-events.ts)', () => {
  test('broadcasts reach every client; targeted events only their client; a private topic without a target nobody', () => {
    assert.equal(eventIsFor('a', data('notice'), null), true);
    assert.equal(eventIsFor('a', data('notice'), 'b'), false);
    assert.equal(eventIsFor('a', data('notice'), 'a'), true);
    assert.equal(eventIsFor('a', data('channel.data'), 'a'), true);
    assert.equal(eventIsFor('a', data('channel.data'), 'b'), false);
    assert.equal(eventIsFor('a', data('channel.data'), null), false, 'console bytes are never broadcast');
  });

  test('on a real EventBus: two clients, each sees its own console bytes; unsubscribe stops delivery; a throwing client does not stop the other', () => {
    const bus = new EventBus();
    const got: Record<string, string[]> = { a: [], b: [] };
    const offA = subscribeClient(bus, 'a', (m) => {
      got.a!.push(m.topic);
      throw new Error('a broken transport');
    });
    subscribeClient(bus, 'b', (m) => got.b!.push(m.topic));
    bus.emit('channel.data', { channelId: 'c1', data: 'eA==' }, null);
    bus.emit('channel.data', { channelId: 'c1', data: 'eA==' }, 'a');
    bus.emit('channel.closed', { channelId: 'c2', reason: 'x' }, 'b');
    bus.emit('notice', { level: 'info', message: 'all' });
    assert.deepEqual(got, { a: ['channel.data', 'notice'], b: ['channel.closed', 'notice'] });
    offA();
    bus.emit('notice', { level: 'info', message: 'again' });
    assert.deepEqual(got.a, ['channel.data', 'notice']);
    assert.deepEqual(got.b, ['channel.closed', 'notice', 'notice']);
  });
});

describe('the validated IPC handler (electron/ipc-guard.ts), outside Electron', () => {
  const where = { indexUrl: 'file:///opt/Hangar/resources/app.asar/dist/renderer/index.html', devOrigin: null };
  const ours = 'file:///opt/Hangar/resources/app.asar/dist/renderer/index.html#/vm/x';
  const window1 = { id: 1 };
  const attached = new Map<number, object>([[1, window1]]);
  const policy: SenderPolicy = { isAttached: (s) => attached.get(s.id) === s, isTrustedUrl: (url) => isTrustedRendererUrl(url, where) };
  const mainFrame = (url: string) => ({ url, parent: null });
  const calls: unknown[] = [];
  const handler = validatedHandler<InvokeEventLike, { method: string; input: unknown }, string>(policy, {
    parse: parseCallEnvelope,
    run: (_e, call) => {
      calls.push(call);
      return `ran ${call.method}`;
    },
    refused: () => 'refused',
    malformed: () => 'malformed',
  });

  test('our renderer in the main frame of an attached window: the handler runs with the parsed argument', async () => {
    assert.equal(await handler({ sender: window1, senderFrame: mainFrame(ours) }, { method: 'vm.list', input: {} }), 'ran vm.list');
    assert.deepEqual(calls.at(-1), { method: 'vm.list', input: {} });
    // a missing input becomes {}
    assert.equal(await handler({ sender: window1, senderFrame: mainFrame(ours) }, { method: 'host.capabilities' }), 'ran host.capabilities');
    assert.deepEqual(calls.at(-1), { method: 'host.capabilities', input: {} });
  });

  test('an iframe of our own page is refused (main frame only)', async () => {
    const n = calls.length;
    assert.equal(await handler({ sender: window1, senderFrame: { url: ours, parent: mainFrame(ours) } }, { method: 'vm.list', input: {} }), 'refused');
    assert.equal(calls.length, n, 'the handler did not run');
  });

  test('another origin (a page the window was navigated to, another file, http) is refused', async () => {
    for (const url of ['https://evil.example/', 'file:///tmp/index.html', 'http://localhost:5173/', 'data:text/html,hi', '']) {
      assert.equal(await handler({ sender: window1, senderFrame: mainFrame(url) }, { method: 'vm.list', input: {} }), 'refused', url);
    }
  });

  test('a webContents Hangar did not attach is refused, even with a known id', async () => {
    assert.equal(await handler({ sender: { id: 1 }, senderFrame: mainFrame(ours) }, { method: 'vm.list', input: {} }), 'refused');
    assert.equal(await handler({ sender: { id: 2 }, senderFrame: mainFrame(ours) }, { method: 'vm.list', input: {} }), 'refused');
  });

  test('a destroyed frame (no senderFrame) is refused', async () => {
    assert.equal(await handler({ sender: window1, senderFrame: null }, { method: 'vm.list' }), 'refused');
    assert.equal(await handler({ sender: window1 }, { method: 'vm.list' }), 'refused');
  });

  test('a malformed argument from a trusted sender is answered as malformed and never reaches the handler', async () => {
    const n = calls.length;
    for (const raw of [null, 'vm.list', [], { method: '' }, { method: 'vm.list; rm -rf' }, { method: 42 }]) {
      assert.equal(await handler({ sender: window1, senderFrame: mainFrame(ours) }, raw), 'malformed', JSON.stringify(raw));
    }
    assert.equal(calls.length, n);
  });

  test('the dev server origin is trusted only when configured', () => {
    const dev: SenderPolicy = { isAttached: policy.isAttached, isTrustedUrl: (url) => isTrustedRendererUrl(url, { ...where, devOrigin: 'http://localhost:5173' }) };
    assert.equal(isTrustedSender({ sender: window1, senderFrame: mainFrame('http://localhost:5173/#/') }, dev), true);
    assert.equal(isTrustedSender({ sender: window1, senderFrame: mainFrame('http://localhost:5173/#/') }, policy), false);
  });
});
