import { HangarError } from '../api/errors';
import type { HostFs } from './host';

/**
 * SFTP answers a refused operation with a bare status ("Permission denied", "Failure"), which
 * used to reach the user as "Internal error: Permission denied" with no host and no path. Every
 * file operation on a LAN host goes through this wrapper, which turns such a status into a
 * sentence naming the host, the path, the SSH user and the reason. "No such file" is left alone:
 * callers test for it (stat returns null, readFile throws ENOENT).
 */
const SFTP_STATUS: Record<number, string> = {
  1: 'it ended early (end of file)',
  3: 'permission denied',
  4: 'the SSH server reported a failure (a read-only file system, a full disk, or something already in the way)',
  5: 'the SSH server did not understand the request',
  6: 'there is no connection',
  7: 'the connection was lost',
  8: 'the SSH server does not support this operation',
};

const VERBS: Partial<Record<keyof HostFs, string>> = {
  stat: 'look at',
  readFile: 'read',
  readTail: 'read',
  writeFileAtomic: 'write',
  mkdir: 'create the folder',
  rm: 'remove',
  rename: 'rename',
  readdir: 'list the folder',
  createReadStream: 'read',
  createWriteStream: 'write',
  statfs: 'measure the free space of',
};

export function sftpStatusReason(e: unknown): string | null {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code !== 2 ? (SFTP_STATUS[code] ?? `SFTP status ${code}: ${(e as Error).message}`) : null;
}

export function explainSftpErrors(fs: HostFs, where: { name: string; user: string }, guard: <T>(p: Promise<T>) => Promise<T> = (p) => p): HostFs {
  const wrapped = { ...fs } as Record<keyof HostFs, unknown>;
  for (const key of Object.keys(VERBS) as Array<keyof HostFs>) {
    const fn = fs[key] as (...args: unknown[]) => Promise<unknown>;
    wrapped[key] = async (...args: unknown[]) => {
      try {
        return await guard(fn(...args));
      } catch (e) {
        const reason = sftpStatusReason(e);
        if (!reason) throw e;
        const p = String(args[0]);
        const hint = reason === 'permission denied' ? ` for the SSH user ${where.user}: choose a path ${where.user} may use there, or change the permissions on ${where.name}` : '';
        throw new HangarError('IO_ERROR', `${where.name} refused to ${VERBS[key]} ${p}: ${reason}${hint}.`, { host: where.name, path: p, reason, sftpStatus: (e as { code: number }).code });
      }
    };
  }
  return wrapped as unknown as HostFs;
}
