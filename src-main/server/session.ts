import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventMessage } from '../api/contract';
// from events.ts itself (no schemas): the CLI's socket client loads this module and must not pay for zod
import { PRIVATE_TOPICS } from '../api/contract/events';
import { toApiError } from '../api/errors';
import { PROTOCOL_VERSION, parseClientMessage, type ServerMessage } from '../api/rpc';
import type { Engine } from '../engine/engine';
import type { CallContext } from '../engine/handlers';

/**
 * One client of the wire protocol (src-main/api/rpc.ts), whatever carries the bytes: a
 * WebSocket (`hangar serve`) or a line of the local UNIX socket (CLI → running engine).
 * Sends hello, runs calls through Engine.call (which validates inputs), forwards events
 * (targeted ones only to their client) and tells the engine when the client is gone.
 */
export interface Session {
  readonly clientId: string;
  /** One incoming message (a WebSocket text frame or one line). */
  receive(text: string): void;
  /** The transport closed: stop sending, release the client's resources. */
  close(): void;
}

/** Reply id used when a message could not be parsed at all (so no id could be read from it). */
export const UNPARSEABLE_ID = -1;
const METHOD_MAX = 200;

export function newClientId(prefix: string): string {
  return `${prefix}-${crypto.randomBytes(8).toString('hex')}`;
}

export function createSession(engine: Engine, opts: { origin: CallContext['origin']; clientId: string; send(text: string): void }): Session {
  const { clientId, origin } = opts;
  let open = true;

  const send = (msg: ServerMessage) => {
    if (!open) return;
    let text: string;
    try {
      text = JSON.stringify(msg);
    } catch (e) {
      // A result JSON cannot express (cycle, BigInt): report it instead of dropping the reply.
      if (msg.type !== 'result') return;
      text = JSON.stringify({ type: 'error', id: msg.id, error: toApiError(e) } satisfies ServerMessage);
    }
    try {
      opts.send(text);
    } catch {
      /* the transport is closing; its close handler ends the session */
    }
  };

  const unsubscribe = engine.events.subscribe((message: EventMessage, target: string | null) => {
    if (target !== null && target !== clientId) return;
    // A private topic without a target is a bug upstream: never broadcast someone's console bytes.
    if (target === null && PRIVATE_TOPICS.has(message.topic)) return;
    send({ type: 'event', ...message });
  });

  send({ type: 'hello', protocol: PROTOCOL_VERSION, clientId, version: appVersion() });
  // what the engine had to say when it opened (e.g. it made the data folder private): every UI
  // hears it once (the renderer keeps notices it has shown by key)
  for (const n of engine.startupNotices) send({ type: 'event', topic: 'notice', data: n });

  return {
    clientId,
    receive(text: string) {
      if (!open) return;
      const msg = parseClientMessage(text);
      if (!msg) {
        send({ type: 'error', id: guessId(text), error: { code: 'INVALID_INPUT', message: 'Malformed message: expected JSON {"type":"call","id":<number>,"method":<string>,"input":<object>}.' } });
        return;
      }
      if (msg.method.length > METHOD_MAX) {
        send({ type: 'error', id: msg.id, error: { code: 'INVALID_INPUT', message: 'Method name too long.' } });
        return;
      }
      engine.call(msg.method, msg.input, { clientId, origin }).then(
        (result) => send({ type: 'result', id: msg.id, result: result === undefined ? null : result }),
        (err: unknown) => send({ type: 'error', id: msg.id, error: toApiError(err) }),
      );
    },
    close() {
      if (!open) return;
      open = false;
      unsubscribe();
      try {
        engine.clientGone(clientId);
      } catch {
        /* engine already closed */
      }
    },
  };
}

function guessId(text: string): number {
  try {
    const v = JSON.parse(text) as { id?: unknown };
    if (v && typeof v.id === 'number' && Number.isFinite(v.id)) return v.id;
  } catch {
    /* not JSON */
  }
  return UNPARSEABLE_ID;
}

let cachedVersion: string | null = null;
/** The app version from package.json (found by walking up: works from src-main/, dist/main/ and app.asar). */
export function appVersion(): string {
  if (cachedVersion !== null) return cachedVersion;
  cachedVersion = '0.0.0';
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hangar' && typeof pkg.version === 'string') {
        cachedVersion = pkg.version;
        break;
      }
    } catch {
      /* keep walking */
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return cachedVersion;
}
