import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HangarError } from '../api/errors';
import type { TaskContext } from '../tasks/task-manager';
import { formatBytes } from '../util/units';
import type { Host } from './host';

/**
 * Copy one file from a host to a host (either may be this computer), streamed (over SFTP for
 * SSH hosts), into `<to>.part`; the far end computes SHA-256 with `sha256sum` and it must equal
 * the hash of the bytes read at the source; only then is `.part` renamed into place.
 * A failure or a cancel removes the `.part`: nothing half-copied is left behind.
 */
export const partPath = (to: string) => `${to}.part`;

export async function copyBetweenHosts(
  from: { host: Host; path: string },
  to: { host: Host; path: string },
  ctx: TaskContext,
  overwrite: boolean,
): Promise<{ bytes: number; sha256: string; path: string }> {
  const st = await from.host.fs.stat(from.path);
  if (!st) throw new HangarError('NOT_FOUND', `There is no file ${from.path} on the source host.`, { field: 'from.path' });
  if (!st.isFile) throw new HangarError('INVALID_INPUT', `${from.path} is not a regular file.`, { field: 'from.path' });
  if (!overwrite && (await to.host.fs.stat(to.path))) throw new HangarError('CONFLICT', `${to.path} already exists on the target host: choose another path or allow overwriting.`, { field: 'to.path' });
  if ((await to.host.which('sha256sum')) === null) throw new HangarError('MISSING_DEPENDENCY', 'sha256sum is not installed on the target host (package coreutils).');
  await to.host.fs.mkdir(path.posix.dirname(to.path));
  const free = (await to.host.fs.statfs(path.posix.dirname(to.path))).freeBytes;
  if (free < st.size) throw new HangarError('RESOURCE_LIMIT', `${formatBytes(st.size)} does not fit in the ${formatBytes(free)} free at ${path.posix.dirname(to.path)} on the target host.`);

  const part = partPath(to.path);
  const hash = createHash('sha256');
  let copied = 0;
  ctx.progress(0, `Copying ${formatBytes(st.size)}`);
  let source: Readable | null = null;
  let sink: Writable | null = null;
  try {
    source = await from.host.fs.createReadStream(from.path);
    sink = await to.host.fs.createWriteStream(part, { flags: 'w' });
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        copied += chunk.length;
        ctx.progress(st.size ? (copied / st.size) * 0.95 : 0.95, `Copied ${formatBytes(copied)} of ${formatBytes(st.size)}`);
        done(null, chunk);
      },
    });
    await pipeline(source, meter, sink, { signal: ctx.signal });
    const sha256 = hash.digest('hex');

    ctx.progress(0.96, 'Verifying the SHA-256 checksum on the target host');
    const r = await to.host.exec('sha256sum', ['--', part], { timeoutMs: 60 * 60 * 1000 });
    const remote = r.stdout.trim().split(/\s+/)[0] ?? '';
    if (r.code !== 0) throw new HangarError('IO_ERROR', `sha256sum failed on the target host: ${r.stderr.trim()}`);
    if (remote !== sha256) throw new HangarError('IO_ERROR', `The copy is corrupt: SHA-256 at the target is ${remote}, the source bytes hash to ${sha256}. Nothing was kept; try again.`);
    if (ctx.signal.aborted) throw new HangarError('CANCELLED', 'The copy was cancelled.');
    await to.host.fs.rename(part, to.path);
    ctx.progress(1, `Copied and verified ${formatBytes(copied)}`);
    return { bytes: copied, sha256, path: to.path };
  } catch (e) {
    source?.destroy();
    sink?.destroy();
    await to.host.fs.rm(part).catch(() => undefined);
    if (ctx.signal.aborted) throw new HangarError('CANCELLED', 'The copy was cancelled; the partial file was removed.');
    throw e;
  }
}
