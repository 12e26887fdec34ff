import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { WebSocketClient } from '../../src-renderer/api/ws-client';

// The browser's client when the engine dies or goes silent mid-call, against a real WebSocket
// server (the `ws` library `hangar serve` uses; its client stands in for the browser's WebSocket).
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

type Mode = 'silent' | 'dies' | 'slow';
/** The watchdog's silence here (4 s in the app): the same logic, 10× less real time. */
const SILENCE_MS = 400;

function engine(mode: Mode) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'hello', protocol: 1, clientId: 'c1', version: 'test' }));
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id: number; method: string };
      if (mode === 'dies') ws.terminate(); // like a SIGKILLed serve: the connection drops
      if (mode === 'slow') {
        // alive: probes are answered at once; the real call after 2.5 silences (probe + give-up would have cut it)
        if (msg.method === 'task.list') ws.send(JSON.stringify({ type: 'result', id: msg.id, result: [] }));
        else setTimeout(() => ws.send(JSON.stringify({ type: 'result', id: msg.id, result: ['done'] })), 2.5 * SILENCE_MS);
      }
      // silent: a frozen engine, nothing ever comes back
    });
  });
  return new Promise<{ url: string; close(): void }>((resolve) =>
    wss.once('listening', () => resolve({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api`, close: () => wss.close() })),
  );
}

const clients: WebSocketClient[] = [];
after(() => clients.forEach((c) => c.dispose()));

async function timedCall(mode: Mode) {
  const server = await engine(mode);
  const client = new WebSocketClient(server.url, { silenceMs: SILENCE_MS });
  clients.push(client);
  const started = Date.now();
  try {
    return { result: await client.call('vm.list', {}), error: null, ms: Date.now() - started };
  } catch (e) {
    return { result: null, error: e as Error, ms: Date.now() - started };
  } finally {
    client.dispose();
    server.close();
  }
}

describe('browser client when the engine dies mid-call', () => {
  test('the engine killed (connection dropped): the call fails at once with a sentence', async () => {
    const r = await timedCall('dies');
    assert.ok(r.error, 'the call must fail');
    assert.match(r.error.message, /The Hangar engine stopped answering while this page was waiting for "vm.list"/);
    assert.ok(r.ms < 3000, `${r.ms} ms`);
  });

  test('the engine silent (connection open, nothing answers): the call fails after two silences (8 s in the app)', async () => {
    const r = await timedCall('silent');
    assert.ok(r.error, 'the call must fail');
    assert.match(r.error.message, /stopped answering/);
    assert.ok(r.ms >= 2 * SILENCE_MS, `not before the probe went unanswered: ${r.ms} ms`);
    assert.ok(r.ms < 2.5 * SILENCE_MS + 2000, `${r.ms} ms`);
  });

  test('a slow call to a live engine is not cut off by the watchdog', async () => {
    const r = await timedCall('slow');
    assert.equal(r.error, null, r.error?.message);
    assert.deepEqual(r.result, ['done']);
  });
});
