import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import type { AcceptConnection, RejectConnection, UNIXConnectionDetails } from 'ssh2';
import { HangarError } from '../api/errors';
import type { Host } from './host';
import { SshHost } from './ssh-host';

/**
 * The engine's relay between two QEMUs on any two hosts (live migration and its storage copy).
 * The source QEMU connects to a UNIX socket on ITS host; every connection is piped by this
 * process to the destination's socket (`connect`: a local socket, or an SSH stream).
 *
 * - source is this computer: a UNIX socket in a private temp folder here;
 * - source is a LAN host: sshd listens on a socket in the VM's runtime folder there and hands
 *   each connection to us (`streamlocal-forward@openssh.com`, ssh2's forwardInStreamLocal), so
 *   nothing runs on the host but its sshd and QEMU, and the two LAN hosts need not see each
 *   other: the engine relays (LAN → LAN goes through this computer).
 */
export interface Relay {
  /** The socket path the source QEMU connects to, on the source's host. */
  socketPath: string;
  /** The first failure of a piped connection, for the error sentence. */
  error: string | null;
  close(): Promise<void>;
}

type Connect = () => Promise<Duplex>;

/** How long a relayed stream may take to drain after its other side closed. */
const FLUSH_GRACE_MS = 60000;

export async function openRelay(from: Host, remoteSocket: string, connect: Connect, what = 'migration'): Promise<Relay> {
  if (from instanceof SshHost) return openSshRelay(from, remoteSocket, connect, what);
  return openLocalRelay(connect, what);
}

function pipeBoth(relay: Relay, open: Set<Duplex>, local: Duplex, connect: Connect, what: string): void {
  open.add(local);
  local.pause();
  connect().then(
    (remote) => {
      open.add(remote);
      local.pipe(remote);
      remote.pipe(local);
      const fail = (e: Error) => {
        relay.error ??= e.message;
        local.destroy();
        remote.destroy();
      };
      local.on('error', fail);
      remote.on('error', fail);
      // One side ending ends the other, but gracefully: QEMU closes the migration stream as soon as
      // it has written the last bytes into our socket, and those may still sit in the SSH channel's
      // buffer (its window is full under a big transfer). Destroying the other side there cut the
      // tail of the device state ("load of migration failed: Input/output error" on the
      // destination); end() lets the buffer drain first. An error still destroys both at once.
      const endAfterFlush = (s: Duplex) => {
        if (s.destroyed) return;
        if (!s.writableEnded) s.end();
        setTimeout(() => s.destroy(), FLUSH_GRACE_MS).unref();
      };
      local.on('close', () => endAfterFlush(remote));
      remote.on('close', () => endAfterFlush(local));
      local.resume();
    },
    (e: Error) => {
      relay.error ??= `cannot reach the destination's ${what} socket: ${e.message}`;
      local.destroy();
    },
  );
}

async function openLocalRelay(connect: Connect, what: string): Promise<Relay> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-migrate-'));
  const socketPath = path.join(dir, 'source.sock');
  const open = new Set<Duplex>();
  const relay: Relay = {
    socketPath,
    error: null,
    close: async () => {
      server.close();
      for (const s of open) s.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  const server = net.createServer((local) => pipeBoth(relay, open, local, connect, what));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return relay;
}

async function openSshRelay(from: SshHost, socketPath: string, connect: Connect, what: string): Promise<Relay> {
  const client = await from.liveClient();
  await from.fs.rm(socketPath).catch(() => undefined); // sshd refuses to bind over a stale socket
  const open = new Set<Duplex>();
  let closed = false;
  const relay: Relay = {
    socketPath,
    error: null,
    close: async () => {
      if (closed) return;
      closed = true;
      client.removeListener('unix connection', onConnection);
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => client.openssh_unforwardInStreamLocal(socketPath, () => resolve()));
      await from.fs.rm(socketPath).catch(() => undefined);
    },
  };
  const onConnection = (info: UNIXConnectionDetails, accept: AcceptConnection, reject: RejectConnection) => {
    if (info.socketPath !== socketPath) return; // another relay's socket on the same connection
    if (closed) return reject();
    pipeBoth(relay, open, accept(), connect, what);
  };
  client.on('unix connection', onConnection);
  try {
    await new Promise<void>((resolve, reject) => client.openssh_forwardInStreamLocal(socketPath, (err) => (err ? reject(err) : resolve())));
  } catch (e) {
    client.removeListener('unix connection', onConnection);
    throw new HangarError(
      'HOST_UNREACHABLE',
      `${from.target.name} refused to open the ${what} socket ${socketPath} for Hangar's relay: ${(e as Error).message}. Its sshd must allow stream-local forwarding (AllowStreamLocalForwarding yes, the default).`,
    );
  }
  return relay;
}
