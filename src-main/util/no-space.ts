import * as path from 'node:path';
import { HangarError } from '../api/errors';
import { freeBytesAt } from '../hosts/local-fs';
import { formatBytes } from './units';

/**
 * A full disk in words (issue 12): "No space left on <where>: needs X, has Y" with code
 * RESOURCE_LIMIT, never "Internal error: ENOSPC …" or an upload reported as "interrupted".
 */
export function isNoSpace(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return true;
  const message = (e as { message?: unknown }).message;
  return typeof message === 'string' && /No space left on device|ENOSPC|Disk quota exceeded|database or disk is full/.test(message);
}

/** SQLite says only "disk I/O error" when a full disk stops a WAL write: judged by the free space. */
function isSqliteIoError(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_IOERR');
}

/** The sentence. `needs` when the caller knows it; `has` is the free space there now. Pure. */
export function noSpaceMessage(where: string, has: number | null, needs?: number): string {
  const parts = [needs !== undefined ? `needs ${formatBytes(needs)}` : null, has !== null ? `has ${formatBytes(has)} free` : null].filter(Boolean);
  return `No space left on ${where}${parts.length ? `: ${parts.join(', ')}` : ''}. Free some space there (or choose another pool) and try again.`;
}

/** Turn an ENOSPC (from fs, or qemu-img's "No space left on device") into a typed error; else null. */
export function noSpaceError(e: unknown, fallbackPlace: string, needs?: number): HangarError | null {
  if (e instanceof HangarError) return null;
  const p = (e as { path?: unknown }).path;
  const place = typeof p === 'string' ? path.dirname(p) : fallbackPlace;
  if (!isNoSpace(e) && !(isSqliteIoError(e) && (freeBytesAt(place) ?? Infinity) < 1024 * 1024)) return null;
  return new HangarError('RESOURCE_LIMIT', noSpaceMessage(place, freeBytesAt(place), needs), { reason: 'no-space', path: place });
}
