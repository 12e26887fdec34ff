import * as fs from 'node:fs';
import * as net from 'node:net';
import { HangarError } from '../api/errors';

/**
 * Is a long-lived engine listening on a home's engine.sock? The faces ask before they listen
 * (server/local-socket.ts) and the scheduler asks before it runs schedules (scheduler/owner.ts). It
 * lives under hosts/ because it opens a socket (the walls: domains never import a face, and only
 * hosts/ and the faces reach sockets).
 */
export type SocketProbe = 'absent' | 'running' | 'stale';

/** Is an engine listening at `socketPath`? Does not remove anything. */
export async function probeLocalSocket(socketPath: string): Promise<SocketProbe> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    return 'absent';
  }
  if (!st.isSocket()) throw new HangarError('CONFLICT', `${socketPath} exists and is not a socket; move it away so the engine can listen there.`);
  return new Promise<SocketProbe>((resolve) => {
    const s = net.createConnection(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve('running');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? 'stale' : 'running'));
  });
}
