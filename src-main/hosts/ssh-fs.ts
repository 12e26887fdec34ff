import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { SFTPWrapper, Stats } from 'ssh2';
import type { FileStat, HostFs } from './host';
import { SftpReadStream, SftpWriteStream } from './sftp-streams';

/**
 * HostFs over SFTP, for SshHost. Paths are remote absolute paths. `exec` is the host's argv
 * exec (used where SFTP has no verb: recursive remove, permission checks, df fallback).
 */
const SFTP_NO_SUCH_FILE = 2;

interface SftpError extends Error {
  code?: number | string;
}

export const isNoSuchFile = (e: unknown): boolean => (e as SftpError | null)?.code === SFTP_NO_SUCH_FILE;

/** Node-like error for "not there", so callers that test `code === 'ENOENT'` behave the same as locally. */
function enoent(p: string, e: unknown): Error {
  const err = new Error(`ENOENT: no such file or directory, '${p}'`) as NodeJS.ErrnoException;
  err.code = 'ENOENT';
  err.cause = e;
  return err;
}

const cb =
  <T>(resolve: (v: T) => void, reject: (e: Error) => void) =>
  (err: Error | null | undefined, value: T) =>
    err ? reject(err) : resolve(value);

export type Exec = (cmd: string, args: readonly string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;

export function sftpFs(sftp: () => Promise<SFTPWrapper>, exec: Exec): HostFs {
  const call = async <T>(fn: (s: SFTPWrapper, done: (err: Error | null | undefined, value: T) => void) => void): Promise<T> => {
    const s = await sftp();
    return new Promise<T>((resolve, reject) => fn(s, cb(resolve, reject)));
  };
  const statOf = (st: Stats): FileStat => ({ size: st.size, isFile: st.isFile(), isDirectory: st.isDirectory(), mtimeMs: st.mtime * 1000, mode: st.mode });
  const exists = async (p: string): Promise<Stats | null> => {
    try {
      return await call<Stats>((s, d) => s.stat(p, d));
    } catch (e) {
      if (isNoSuchFile(e)) return null;
      throw e;
    }
  };
  const rename = async (from: string, to: string): Promise<void> => {
    // posix-rename@openssh.com replaces the target atomically; plain SFTP rename refuses an existing target.
    try {
      await call<void>((s, d) => s.ext_openssh_rename(from, to, (err) => d(err, undefined)));
    } catch (e) {
      if (!/not supported/i.test((e as Error).message)) throw e;
      await call<void>((s, d) => s.unlink(to, (err) => d(err && !isNoSuchFile(err) ? err : null, undefined)));
      await call<void>((s, d) => s.rename(from, to, (err) => d(err, undefined)));
    }
  };

  const fs: HostFs = {
    async stat(p) {
      const st = await exists(p);
      return st ? statOf(st) : null;
    },
    async readFile(p) {
      try {
        return await call<Buffer>((s, d) => s.readFile(p, (err: Error | undefined, data: Buffer) => d(err, data)));
      } catch (e) {
        if (isNoSuchFile(e)) throw enoent(p, e);
        throw e;
      }
    },
    async readTail(p, maxBytes) {
      const s = await sftp();
      let handle: Buffer;
      try {
        handle = await new Promise<Buffer>((resolve, reject) => s.open(p, 'r', cb(resolve, reject)));
      } catch (e) {
        if (isNoSuchFile(e)) return Buffer.alloc(0);
        throw e;
      }
      try {
        const { size } = await new Promise<Stats>((resolve, reject) => s.fstat(handle, cb(resolve, reject)));
        const start = Math.max(0, size - maxBytes);
        const buf = Buffer.alloc(size - start);
        let got = 0;
        // SFTP reads are capped per request (32 KiB to 256 KiB): loop until the buffer is full or EOF.
        while (got < buf.length) {
          const n = await new Promise<number>((resolve, reject) =>
            s.read(handle, buf, got, buf.length - got, start + got, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))),
          );
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      } finally {
        await new Promise<void>((resolve) => s.close(handle, () => resolve()));
      }
    },
    async writeFileAtomic(p, data, mode = 0o644) {
      const tmp = path.posix.join(path.posix.dirname(p), `.${path.posix.basename(p)}.${process.pid}.${Date.now()}.tmp`);
      const s = await sftp();
      const handle = await new Promise<Buffer>((resolve, reject) => s.open(tmp, 'w', { mode }, cb(resolve, reject)));
      try {
        const buf = typeof data === 'string' ? Buffer.from(data) : data;
        let off = 0;
        while (off < buf.length) {
          const len = Math.min(256 * 1024, buf.length - off);
          await new Promise<void>((resolve, reject) => s.write(handle, buf, off, len, off, (err) => (err ? reject(err) : resolve())));
          off += len;
        }
        await new Promise<void>((resolve) => s.ext_openssh_fsync(handle, () => resolve())); // best effort: older servers lack fsync@openssh.com
      } catch (e) {
        await new Promise<void>((resolve) => s.close(handle, () => resolve()));
        await fs.rm(tmp).catch(() => undefined);
        throw e;
      }
      await new Promise<void>((resolve, reject) => s.close(handle, (err) => (err ? reject(err) : resolve())));
      await rename(tmp, p);
    },
    async mkdir(p, mode) {
      // mkdir -p: create each missing component (with `mode`, like fs.mkdir recursive).
      const parts = path.posix.resolve(p).split('/').filter(Boolean);
      let cur = '';
      for (const part of parts) {
        cur += `/${part}`;
        const st = await exists(cur);
        if (st) {
          if (!st.isDirectory()) throw new Error(`EEXIST: "${cur}" exists and is not a folder`);
          continue;
        }
        try {
          await call<void>((s, d) => s.mkdir(cur, mode ? { mode } : {}, (err) => d(err, undefined)));
        } catch (e) {
          if (!(await exists(cur))?.isDirectory()) throw e; // lost a race with another creator: fine
        }
      }
    },
    async rm(p, opts) {
      if (opts?.recursive) {
        const r = await exec('rm', ['-rf', '--', p]);
        if (r.code !== 0) throw new Error(`rm -rf ${p} failed: ${r.stderr.trim()}`);
        return;
      }
      try {
        await call<void>((s, d) => s.unlink(p, (err) => d(err, undefined)));
      } catch (e) {
        if (!isNoSuchFile(e)) throw e;
      }
    },
    rename,
    async readdir(p) {
      try {
        const entries = await call<Array<{ filename: string }>>((s, d) => s.readdir(p, (err, list) => d(err, list)));
        return entries.map((e) => e.filename).filter((n) => n !== '.' && n !== '..');
      } catch (e) {
        if (isNoSuchFile(e)) throw enoent(p, e);
        throw e;
      }
    },
    async access(p, mode) {
      // SFTP cannot ask "may I?": let the remote kernel answer, as the remote user.
      const r = await exec('test', [`-${mode}`, p]);
      return r.code === 0;
    },
    async createReadStream(p, opts): Promise<Readable> {
      const s = await sftp();
      const handle = await new Promise<Buffer>((resolve, reject) => s.open(p, 'r', cb(resolve, reject))).catch((e: unknown) => {
        throw isNoSuchFile(e) ? enoent(p, e) : e;
      });
      return new SftpReadStream(s, handle, opts?.start ?? 0);
    },
    async createWriteStream(p, opts): Promise<Writable> {
      const s = await sftp();
      const flags = opts?.flags ?? 'w';
      const handle = await new Promise<Buffer>((resolve, reject) => s.open(p, flags, { mode: 0o644 }, cb(resolve, reject)));
      // append: start at the current end (SFTP writes are positional)
      const start = flags === 'a' ? (await new Promise<Stats>((resolve, reject) => s.fstat(handle, cb(resolve, reject)))).size : 0;
      return new SftpWriteStream(s, handle, start);
    },
    async statfs(p) {
      try {
        // statvfs@openssh.com; its uint64 fields may arrive as number, bigint or string
        type U64 = number | bigint | string;
        const v = await call<{ f_frsize: U64; f_bsize: U64; f_blocks: U64; f_bavail: U64 }>((s, d) => s.ext_openssh_statvfs(p, d));
        const unit = Number(v.f_frsize) || Number(v.f_bsize);
        const total = Number(v.f_blocks) * unit;
        const free = Number(v.f_bavail) * unit;
        if (!Number.isFinite(total) || !Number.isFinite(free) || total <= 0) throw new Error('statvfs gave no sizes');
        return { totalBytes: total, freeBytes: free };
      } catch {
        const r = await exec('df', ['-B1', '--output=size,avail', '--', p]);
        const nums = r.stdout.trim().split('\n').pop()?.trim().split(/\s+/).map(Number) ?? [];
        if (r.code !== 0 || nums.length < 2 || nums.some((n) => !Number.isFinite(n))) throw new Error(`df ${p} failed: ${r.stderr.trim()}`);
        return { totalBytes: nums[0]!, freeBytes: nums[1]! };
      }
    },
  };
  return fs;
}
