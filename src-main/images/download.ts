import { createHash } from 'node:crypto';
import type * as http from 'node:http';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';
import { httpGetFollowing as follow } from '../hosts/http-get';
import { hashFile } from './copy-hash';

/**
 * HTTP(S) download into a `.part` file on the image's host, resumable with Range requests:
 * after a dropped connection (retried here) or an engine restart (the `.part` stays, the next
 * download of the same URL continues it). The SHA-256 covers the whole file, resumed or not.
 */
const MAX_RETRIES = 3;

export interface DownloadProgress {
  signal: AbortSignal;
  onBytes(done: number, total: number | null): void;
}

/** A small text file (a SHA256SUMS list). */
export async function fetchText(url: string, signal: AbortSignal, maxBytes = 1024 * 1024): Promise<string> {
  const { res } = await follow(url, {}, signal).catch((e: unknown) => {
    throw e instanceof HangarError ? e : new HangarError('IO_ERROR', `Could not fetch ${url}: ${(e as Error).message}.`);
  });
  if (res.statusCode !== 200) {
    res.resume();
    throw new HangarError('IO_ERROR', `Fetching ${url} failed: HTTP ${res.statusCode}.`);
  }
  let text = '';
  for await (const chunk of res as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > maxBytes) throw new HangarError('IO_ERROR', `${url} is larger than a checksum list should be.`);
  }
  return text;
}

/** The checksum of `fileName` in a SHA256SUMS text ("<hex>  name" or "<hex> *name"), or null. */
export function checksumFromList(list: string, fileName: string): string | null {
  for (const line of list.split('\n')) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line.trim());
    if (m && (m[2] === fileName || m[2]!.replace(/^\.\//, '') === fileName)) return m[1]!.toLowerCase();
    // BSD style: SHA256 (name) = hex
    const b = /^SHA256 \((.+)\) = ([0-9a-fA-F]{64})$/.exec(line.trim());
    if (b && b[1] === fileName) return b[2]!.toLowerCase();
  }
  return null;
}

/** The file name a URL points at ("debian-12.iso"), for SHA256SUMS lookup and default names. */
export function urlFileName(url: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).pop() ?? 'download';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export async function downloadToPart(host: Host, url: string, part: string, p: DownloadProgress): Promise<{ sha256: string; bytes: number }> {
  let have = (await host.fs.stat(part))?.size ?? 0;
  // resuming: the hash must cover the bytes already there
  let hash = have > 0 ? (await hashFile(host, part, { signal: p.signal })).hash : createHash('sha256');
  let total: number | null = null;
  for (let attempt = 0; ; attempt++) {
    let res: http.IncomingMessage;
    try {
      ({ res } = await follow(url, have > 0 ? { range: `bytes=${have}-` } : {}, p.signal));
    } catch (e) {
      if (p.signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
      if (e instanceof HangarError) throw e;
      if (attempt < MAX_RETRIES) continue;
      throw new HangarError('IO_ERROR', `Could not download ${url}: ${(e as Error).message}. Start the download again to continue where it stopped.`, { resumable: true });
    }
    const status = res.statusCode ?? 0;
    if (status === 416 && have > 0) {
      res.resume(); // we already have every byte
      return { sha256: hash.digest('hex'), bytes: have };
    }
    if (status !== 200 && status !== 206) {
      res.resume();
      throw new HangarError(status === 404 ? 'NOT_FOUND' : 'IO_ERROR', `Downloading ${url} failed: the server answered HTTP ${status}.`);
    }
    let flags: 'a' | 'w' = 'a';
    if (status === 200 && have > 0) {
      // the server ignored Range: start over
      have = 0;
      hash = createHash('sha256');
      flags = 'w';
    }
    const length = Number(res.headers['content-length']);
    const rangeTotal = /\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''))?.[1];
    total = rangeTotal ? Number(rangeTotal) : Number.isFinite(length) ? have + length : null;
    const out: Writable = await host.fs.createWriteStream(part, { flags });
    let outError: unknown = null;
    out.on('error', (e) => (outError = e));
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        if (outError) throw outError;
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
        have += chunk.length;
        p.onBytes(have, total);
      }
    } catch (e) {
      out.destroy();
      if (p.signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
      if (outError) throw new HangarError('IO_ERROR', `Writing the download failed: ${(outError as Error).message}.`);
      // the bytes written so far were hashed and are kept: retry from there
      await new Promise((r) => out.once('close', r));
      if (attempt < MAX_RETRIES) continue;
      throw new HangarError('IO_ERROR', `The download of ${url} was interrupted (${(e as Error).message}). Start it again to continue where it stopped.`, { resumable: true });
    }
    const closed = once(out, 'close');
    out.end();
    await closed;
    if (total !== null && have < total) {
      if (attempt < MAX_RETRIES) continue;
      throw new HangarError('IO_ERROR', `The download of ${url} ended early (${have} of ${total} bytes). Start it again to continue where it stopped.`, { resumable: true });
    }
    return { sha256: hash.digest('hex'), bytes: have };
  }
}
