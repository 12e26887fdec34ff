import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { HangarError } from '../api/errors';
import type { Engine } from '../engine/engine';
import { createSession, newClientId, type Session } from './session';
import { removeStale } from './local-socket-client';
import { probeLocalSocket } from '../hosts/socket-probe';

/**
 * The engine's local socket, `$HANGAR_HOME/engine.sock` (mode 0600): the wire protocol of
 * src-main/api/rpc.ts as newline-delimited JSON. A running desktop app or `hangar serve`
 * listens on it; the CLI connects to it so that it acts through the running engine instead
 * of opening a second one on the same data.
 */

export const SOCKET_NAME = 'engine.sock';
/** Lines longer than this are refused (channel.write carries at most 1 MiB of base64). */
const MAX_LINE = 16 * 1024 * 1024;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

export function localSocketPath(home: string): string {
  return path.join(home, SOCKET_NAME);
}

export interface LocalSocketServer {
  readonly path: string;
  /** Stop listening, drop clients and remove the socket file. */
  close(): Promise<void>;
}

export { probeLocalSocket, type SocketProbe } from '../hosts/socket-probe';
// the client side lives in its own file: the CLI loads it without the server's session code (and node:crypto)
export { connectLocalEngine, type RemoteEngineClient } from './local-socket-client';

function checkPathLength(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new HangarError('UNSUPPORTED', `The engine socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes, the limit for UNIX sockets. Use a shorter HANGAR_HOME.`);
  }
}

export const alreadyRunning = (socketPath: string) =>
  new HangarError(
    'CONFLICT',
    `Another Hangar engine (the desktop app or \`hangar serve\`) is already running for this data folder (its socket is ${socketPath}). Use it, or stop it first.`,
  );

/** Serve the protocol on a UNIX socket created with mode 0600. Refuses if another engine already listens there. */
export async function listenLocalSocket(engine: Engine, socketPath: string): Promise<LocalSocketServer> {
  checkPathLength(socketPath);
  const state = await probeLocalSocket(socketPath);
  if (state === 'running') throw alreadyRunning(socketPath);
  if (state === 'stale') removeStale(socketPath);
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });

  const sessions = new Set<{ socket: net.Socket; session: Session }>();
  const server = net.createServer((socket) => {
    const entry = { socket, session: createSession(engine, { origin: 'socket', clientId: newClientId('sock'), send: (text) => void socket.write(text + '\n') }) };
    sessions.add(entry);
    socket.setEncoding('utf8');
    let buf = '';
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) entry.session.receive(line);
      }
      if (buf.length > MAX_LINE) socket.destroy();
    });
    const end = () => {
      if (!sessions.delete(entry)) return;
      entry.session.close();
    };
    socket.on('close', end);
    socket.on('error', () => socket.destroy());
  });

  // Create the socket file private from the start (umask around the synchronous bind of
  // listen(), restored at once so no other file gets it), then chmod in case it was ignored.
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const oldUmask = process.umask(0o177);
      try {
        server.listen(socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      } finally {
        process.umask(oldUmask);
      }
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw alreadyRunning(socketPath);
    throw new HangarError('IO_ERROR', `Cannot listen on the engine socket ${socketPath}: ${(e as Error).message}`);
  }
  fs.chmodSync(socketPath, 0o600);
  const ino = fs.lstatSync(socketPath).ino;

  let closing: Promise<void> | null = null;
  return {
    path: socketPath,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const { socket } of [...sessions]) socket.destroy();
        // Only remove the file if it is still ours (not a newer engine's).
        try {
          if (fs.lstatSync(socketPath).ino === ino) fs.unlinkSync(socketPath);
        } catch {
          /* already gone */
        }
      });
      return closing;
    },
  };
}
