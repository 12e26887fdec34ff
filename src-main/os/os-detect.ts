import type { OsDetail, OsDetection, OsEntry, OsMedia } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';
import { readRange } from '../images/detect';

/**
 * The OS on an ISO, the way libosinfo (`osinfo-detect`) finds it: the primary volume
 * descriptor's system, volume, publisher and application ids (space-padded ASCII at fixed
 * offsets of sector 16) against each medium's regexes in osinfo-db. Every rule a medium states
 * must match; a medium must state at least one. Several matches: the medium stating more rules
 * wins, then the newer OS.
 */
export interface IsoIds {
  systemId: string;
  volumeId: string;
  publisherId: string;
  applicationId: string;
}

const PVD_OFFSET = 32768;

/** ISO 9660 PVD: type 1, "CD001"; ids trimmed of their padding as libosinfo does. */
export function parseIsoIds(pvd: Buffer): IsoIds | null {
  if (pvd.length < 2048 || pvd[0] !== 1 || pvd.toString('latin1', 1, 6) !== 'CD001') return null;
  const field = (start: number, len: number) => pvd.toString('latin1', start, start + len).replace(/\0/g, '').trim();
  return { systemId: field(8, 32), volumeId: field(40, 32), publisherId: field(318, 128), applicationId: field(574, 128) };
}

export async function readIsoIds(host: Host, file: string): Promise<IsoIds> {
  const st = await host.fs.stat(file);
  if (!st) throw new HangarError('NOT_FOUND', `"${file}" does not exist.`, { field: 'path' });
  const ids = parseIsoIds(await readRange(host, file, PVD_OFFSET, 2048));
  if (!ids) throw new HangarError('INVALID_INPUT', `"${file}" is not an ISO image: it has no ISO 9660 primary volume descriptor ("CD001" at byte 32769).`, { field: 'path' });
  return ids;
}

const regexCache = new Map<string, RegExp | null>();
function compile(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      // GLib/PCRE syntax; the database's patterns are within what JavaScript regexes accept
      re = new RegExp(pattern);
    } catch {
      re = null;
    }
    regexCache.set(pattern, re);
  }
  return re;
}

/** How many rules of this medium match these ids (0: it does not match). */
export function mediaScore(m: Pick<OsMedia, 'volumeId' | 'systemId' | 'publisherId' | 'applicationId'>, ids: IsoIds): number {
  const rules: Array<[string | null, string]> = [
    [m.volumeId, ids.volumeId],
    [m.systemId, ids.systemId],
    [m.publisherId, ids.publisherId],
    [m.applicationId, ids.applicationId],
  ];
  let score = 0;
  for (const [pattern, value] of rules) {
    if (pattern === null) continue;
    const re = compile(pattern);
    if (!re || !value || !re.test(value)) return 0;
    score++;
  }
  return score;
}

export function matchIso(entries: OsDetail[], ids: IsoIds): { os: OsEntry; media: OsMedia } | null {
  let best: { os: OsDetail; media: OsMedia; score: number } | null = null;
  // entries are newest first, so on equal scores the newer OS stays
  for (const os of entries) {
    for (const media of os.media) {
      const score = mediaScore(media, ids);
      if (score > 0 && (!best || score > best.score)) best = { os, media, score };
    }
  }
  if (!best) return null;
  const { media: _all, ...entry } = best.os;
  return { os: entry, media: best.media };
}

export function detection(ids: IsoIds, match: { os: OsEntry; media: OsMedia } | null): OsDetection {
  return {
    format: 'iso',
    ...ids,
    os: match?.os ?? null,
    media: match ? { arch: match.media.arch, variant: match.media.variant, live: match.media.live } : null,
  };
}
