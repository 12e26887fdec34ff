import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';

/**
 * Bulk byte moving for the library. An import runs `cp --reflink=auto --sparse=auto` (in-kernel
 * copy_file_range, or a reflink where the filesystem has them, holes kept) while this process
 * hashes the same source with large reads: the two overlap, so an import costs about one hash
 * (measured ~0.3× of `cp` then `sha256sum`, test/bench/images.bench.ts). The source must not
 * change meanwhile (size and mtime are compared before and after), so the checksum is the stored bytes'.
 */
export const CHUNK = 8 * 1024 * 1024;

export interface ByteProgress {
  signal: AbortSignal;
  /** Called with the bytes done so far (often; callers throttle). */
  onBytes?: (done: number) => void;
}

const cancelled = () => new HangarError('CANCELLED', 'Cancelled.');

/** Copy `src` to `dst` (a new file) and return the SHA-256 of the bytes copied. */
export async function copyAndHash(host: Host, src: string, dst: string, p: ByteProgress): Promise<{ sha256: string; bytes: number }> {
  if (p.signal.aborted) throw cancelled();
  const before = await host.fs.stat(src);
  if (!before) throw new HangarError('NOT_FOUND', `"${src}" does not exist any more.`);
  const cp = host.spawn('cp', ['--reflink=auto', '--sparse=auto', '--', src, dst]);
  let errTail = '';
  cp.stderr.on('data', (b: Buffer) => (errTail = (errTail + b.toString('utf8')).slice(-1000)));
  const onAbort = () => cp.kill('SIGKILL');
  p.signal.addEventListener('abort', onAbort);
  try {
    const { sha256, bytes } = await hashFile(host, src, p);
    const { code, signal } = await cp.exited;
    if (p.signal.aborted) throw cancelled();
    if (code !== 0) {
      const why = errTail.trim().split('\n').pop()?.replace(/^cp: /, '') || (signal ? `signal ${signal}` : `exit ${code}`);
      throw new HangarError('IO_ERROR', `Copying "${src}" into the library failed: ${why}.`);
    }
    const [after, copied] = await Promise.all([host.fs.stat(src), host.fs.stat(dst)]);
    if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs || bytes !== before.size)
      throw new HangarError('CONFLICT', `"${src}" changed while it was being imported: import it again once nothing writes to it.`, { field: 'path' });
    if (!copied || copied.size !== before.size) throw new HangarError('IO_ERROR', `Copying "${src}" into the library ended early (${copied?.size ?? 0} of ${before.size} bytes).`);
    return { sha256, bytes };
  } catch (e) {
    cp.kill('SIGKILL');
    await cp.exited;
    throw e;
  } finally {
    p.signal.removeEventListener('abort', onAbort);
  }
}

/** SHA-256 of a file (or of its first bytes when resuming a download). */
export async function hashFile(host: Host, file: string, p: ByteProgress): Promise<{ sha256: string; bytes: number; hash: ReturnType<typeof createHash> }> {
  const input: Readable = await host.fs.createReadStream(file, { highWaterMark: CHUNK });
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (p.signal.aborted) throw cancelled();
      hash.update(chunk);
      bytes += chunk.length;
      p.onBytes?.(bytes);
    }
  } finally {
    input.destroy();
  }
  return { sha256: hash.copy().digest('hex'), bytes, hash };
}
