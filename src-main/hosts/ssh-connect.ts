import * as fsp from 'node:fs/promises';
import { Client, type ConnectConfig } from 'ssh2';
import { HangarError } from '../api/errors';
import { fingerprintOf, hostKeyChangedError, keyTypeOf } from './known-hosts';
import type { SshHostOptions, SshTarget } from './ssh-host';

/**
 * Opening SSH connections: authenticated ones that refuse any host key but the pinned one, and
 * the first-contact probe that only learns the host key. Errors become sentences saying what to do.
 */
export interface OpenOptions extends SshHostOptions {
  /** Refuse any other host key. Without it, nothing is authenticated: see `fetchHostKey`. */
  pinned: string;
  passphrase?: string | undefined;
}

/** Connect and authenticate, refusing any host key but the pinned one. */
export async function openClient(target: SshTarget, opts: OpenOptions): Promise<{ client: Client }> {
  const where = `${target.user}@${target.address}:${target.port}`;
  const auth: Pick<ConnectConfig, 'privateKey' | 'passphrase' | 'agent'> = {};
  if (target.keyPath) {
    try {
      auth.privateKey = await fsp.readFile(target.keyPath);
    } catch (e) {
      throw new HangarError('INVALID_INPUT', `The key file ${target.keyPath} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, { field: 'keyPath' });
    }
    if (opts.passphrase) auth.passphrase = opts.passphrase;
  } else if (process.env.SSH_AUTH_SOCK) {
    auth.agent = process.env.SSH_AUTH_SOCK;
  } else {
    throw new HangarError('UNAUTHORIZED', `No SSH agent is running (SSH_AUTH_SOCK is not set) and no key file was given for ${target.name}: give a key file.`, { field: 'keyPath' });
  }

  let offered: string | null = null;
  const client = new Client();
  return new Promise((resolve, reject) => {
    client.once('ready', () => {
      client.removeAllListeners('error');
      // small request/response exchanges (exec, SFTP stat, QMP): without this, Nagle + delayed
      // ACKs add ~40 ms to many of them
      client.setNoDelay(true);
      resolve({ client });
    });
    client.once('error', (e: Error & { level?: string; code?: string }) => {
      client.end();
      if (offered && offered !== opts.pinned) return reject(hostKeyChangedError(target.name, target.address, opts.pinned, offered));
      reject(explainConnectError(target, where, e, !!target.keyPath));
    });
    try {
      client.connect({
        host: target.address,
        port: target.port,
        username: target.user,
        ...auth,
        readyTimeout: opts.connectTimeoutMs ?? 15000,
        keepaliveInterval: opts.keepaliveIntervalMs ?? 5000,
        keepaliveCountMax: opts.keepaliveCountMax ?? 3,
        hostVerifier: (key: Buffer) => {
          offered = fingerprintOf(key);
          return offered === opts.pinned;
        },
      });
    } catch (e) {
      // ssh2 parses the key synchronously: an encrypted key without passphrase ends up here
      const msg = (e as Error).message;
      if (/passphrase|encrypted/i.test(msg))
        reject(
          new HangarError('UNAUTHORIZED', `The key file ${target.keyPath} is protected by a passphrase${opts.passphrase ? ' and the one given is wrong' : ''}: enter its passphrase to connect to ${target.name}.`, {
            field: 'passphrase',
            needsPassphrase: true,
          }),
        );
      else reject(new HangarError('INVALID_INPUT', `The key file ${target.keyPath} is not a private key ssh can use: ${msg}`, { field: 'keyPath' }));
    }
  });
}

/** First contact: learn the host's key without authenticating (the user confirms it before anything is sent). */
export async function fetchHostKey(target: Pick<SshTarget, 'address' | 'port' | 'name'>, timeoutMs = 15000): Promise<{ fingerprint: string; keyType: string }> {
  const client = new Client();
  return new Promise((resolve, reject) => {
    let seen: { fingerprint: string; keyType: string } | null = null;
    client.once('error', (e: Error & { level?: string; code?: string }) => {
      client.end();
      if (seen) resolve(seen);
      else reject(explainConnectError({ ...target, user: '' }, `${target.address}:${target.port}`, e, false));
    });
    client.once('ready', () => {
      client.end();
      if (seen) resolve(seen);
    });
    client.connect({
      host: target.address,
      port: target.port,
      username: 'hangar-host-key-check',
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        seen = { fingerprint: fingerprintOf(key), keyType: keyTypeOf(key) };
        return false; // stop here: nothing is sent until the user has accepted this key
      },
    });
  });
}

function explainConnectError(target: Pick<SshTarget, 'name' | 'address' | 'port' | 'user'>, where: string, e: Error & { level?: string; code?: string }, withKey: boolean): HangarError {
  if (e.level === 'client-authentication')
    return new HangarError(
      'UNAUTHORIZED',
      `${where} refused the login: check the user name "${target.user}" and that ${withKey ? 'the public half of the key file' : 'a key in your SSH agent'} is in ~${target.user}/.ssh/authorized_keys on ${target.address}.`,
      { field: withKey ? 'keyPath' : 'user' },
    );
  const why: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused (is sshd running there, on this port?)',
    EHOSTUNREACH: 'the host is unreachable (is it on, and on this network?)',
    ENETUNREACH: 'the network is unreachable',
    ETIMEDOUT: 'the connection timed out',
    ENOTFOUND: 'the name does not resolve to an address',
    EAI_AGAIN: 'the name could not be resolved right now',
  };
  const reason = (e.code && why[e.code]) || (e.level === 'client-timeout' ? 'no SSH answer within the time limit' : e.message);
  return new HangarError('HOST_UNREACHABLE', `Cannot reach ${target.name} at ${target.address}:${target.port}: ${reason}.`);
}
