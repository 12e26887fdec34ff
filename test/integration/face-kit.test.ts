import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { EventMessage } from '../../src-main/api/contract';
import type { ServerMessage } from '../../src-main/api/rpc';
import { inProcessClient } from '../../src-main/cli/engine-client';
import { isEngineRunning, refuseIfEngineRunning, startLongLivedEngine, type LongLivedEngine } from '../../src-main/server/engine-bootstrap';
import { connectLocalEngine } from '../../src-main/server/local-socket';
import { createSession } from '../../src-main/server/session';
import { tempHome, waitFor } from '../helpers/env';

/**
 * The face kit on a real engine: the one long-lived bootstrap (serve and the desktop app), and
 * the per-client event filter as each face applies it: the CLI's in-process engine (which used to
 * broadcast console bytes to itself), a WebSocket session, and an engine.sock connection.
 */
describe('face kit: one bootstrap, one event filter for every face', () => {
  let home: ReturnType<typeof tempHome>;
  let core: LongLivedEngine;
  before(async () => {
    home = tempHome('hangar-facekit-');
    core = await startLongLivedEngine(home.home);
  });
  after(async () => {
    await core?.close();
    home?.cleanup();
  });

  test('the bootstrap makes the home private, listens on engine.sock 0600, and refuses a second long-lived engine', async () => {
    assert.equal(fs.statSync(home.home).mode & 0o777, 0o700);
    assert.equal(fs.statSync(core.socketPath).mode & 0o777, 0o600);
    assert.equal(await isEngineRunning(home.home), true);
    await assert.rejects(refuseIfEngineRunning(home.home), /already running/);
    await assert.rejects(startLongLivedEngine(home.home), /already running/);
  });

  test('CLI in-process: console bytes broadcast without a target are not delivered (private-topic check), its own are', async () => {
    const cli = inProcessClient(core.engine, 'cli-facekit');
    const got: EventMessage[] = [];
    const off = cli.onEvent((e) => got.push(e));
    core.engine.events.emit('channel.data', { channelId: 'leak', data: 'c2VjcmV0' }, null);
    core.engine.events.emit('channel.data', { channelId: 'other', data: 'eA==' }, 'someone-else');
    core.engine.events.emit('channel.data', { channelId: 'mine', data: 'eQ==' }, 'cli-facekit');
    core.engine.events.emit('notice', { level: 'info', message: 'for all' });
    off();
    assert.deepEqual(
      got.map((e) => (e.topic === 'channel.data' ? `data:${e.data.channelId}` : e.topic)),
      ['data:mine', 'notice'],
    );
  });

  test('WebSocket session: the same filter', () => {
    const inbox: ServerMessage[] = [];
    const session = createSession(core.engine, { origin: 'ws', clientId: 'ws-facekit', send: (t) => inbox.push(JSON.parse(t) as ServerMessage) });
    core.engine.events.emit('channel.closed', { channelId: 'leak', reason: 'x' }, null);
    core.engine.events.emit('channel.closed', { channelId: 'mine', reason: 'x' }, 'ws-facekit');
    session.close();
    const events = inbox.filter((m): m is Extract<ServerMessage, { type: 'event' }> => m.type === 'event' && m.topic === 'channel.closed');
    assert.deepEqual(events.map((e) => (e.data as { channelId: string }).channelId), ['mine']);
  });

  test('engine.sock: the same filter, over the socket', async () => {
    const remote = await connectLocalEngine(core.socketPath);
    assert.ok(remote);
    try {
      const got: EventMessage[] = [];
      remote.onEvent((e) => got.push(e));
      core.engine.events.emit('channel.data', { channelId: 'leak', data: 'c2VjcmV0' }, null);
      core.engine.events.emit('channel.data', { channelId: 'mine', data: 'eQ==' }, remote.clientId);
      core.engine.events.emit('notice', { level: 'info', message: 'end marker' });
      await waitFor('the end marker', () => got.some((e) => e.topic === 'notice' && e.data.message === 'end marker'), 10_000);
      assert.deepEqual(
        got.filter((e) => e.topic === 'channel.data').map((e) => (e.data as { channelId: string }).channelId),
        ['mine'],
      );
    } finally {
      await remote.close();
    }
  });

  test('close() stops listening and removes engine.sock', async () => {
    await core.close();
    assert.equal(fs.existsSync(core.socketPath), false);
    assert.equal(await isEngineRunning(home.home), false);
  });
});
