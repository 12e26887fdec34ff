import { createHash, type Hash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';

/**
 * ustar by hand, because an OVA is nothing more than a plain POSIX ustar archive (DSP0243 §5.3:
 * the .ovf descriptor first, then the manifest, then the disks; no compression, no long names).
 * Every header is one 512-byte block (name 100 bytes at 0, mode at 100, size in octal at 124,
 * mtime at 136, checksum at 148, type flag at 156, "ustar\0" "00" at 257), each file's data is
 * padded to 512 bytes, and two zero blocks end the archive. A library (tar-stream) would do the
 * same in more code than this file, and this one reads through the Host seam (SFTP for LAN hosts)
 * and seeks to headers without reading the disks in between.
 */
const BLOCK = 512;

export interface TarEntry {
  name: string;
  size: number;
  /** Offset of the entry's data in the archive. */
  offset: number;
}

const pad = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

function octal(buf: Buffer, value: number, at: number, len: number): void {
  buf.write(value.toString(8).padStart(len - 1, '0') + '\0', at, len, 'ascii');
}

/** One ustar header block for a regular file. */
export function ustarHeader(name: string, size: number, mtimeSec: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new HangarError('INVALID_INPUT', `"${name}" is too long a name for an OVA member (at most 100 bytes).`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 0o644, 100, 8);
  octal(h, 0, 108, 8);
  octal(h, 0, 116, 8);
  octal(h, size, 124, 12);
  octal(h, Math.floor(mtimeSec), 136, 12);
  h.fill(' ', 148, 156); // the checksum is computed with its own field as spaces
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

function parseHeader(h: Buffer, offset: number): TarEntry | null {
  if (h.every((b) => b === 0)) return null;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  const stored = parseInt(h.toString('ascii', 148, 156).replace(/\0.*$/s, '').trim(), 8);
  if (stored !== sum) throw new HangarError('INVALID_INPUT', `This is not an OVA (tar) archive: the header at byte ${offset} is damaged.`);
  const cstr = (a: number, b: number) => h.toString('utf8', a, b).replace(/\0.*$/s, '');
  const prefix = h.toString('ascii', 257, 262) === 'ustar' ? cstr(345, 500) : '';
  const name = (prefix ? `${prefix}/` : '') + cstr(0, 100);
  const size = parseInt(cstr(124, 136).trim() || '0', 8);
  const type = String.fromCharCode(h[156]!);
  // pax/GNU extension headers (x, g, L) are skipped over like directories; their data is not a member
  return { name: type === '0' || type === '\0' ? name : `\0${type}:${name}`, size, offset: offset + BLOCK };
}

/** Read `len` bytes at `offset` of a file on a host. */
export async function readAt(host: Host, file: string, offset: number, len: number): Promise<Buffer> {
  const s = await host.fs.createReadStream(file, { start: offset, highWaterMark: Math.max(len, 64 * 1024) });
  const parts: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of s as AsyncIterable<Buffer>) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= len) break;
    }
  } finally {
    s.destroy();
  }
  return Buffer.concat(parts).subarray(0, len);
}

/** The regular files of a tar, found by hopping from header to header (no data is read). */
export async function listTar(host: Host, file: string): Promise<TarEntry[]> {
  const st = await host.fs.stat(file);
  if (!st) throw new HangarError('NOT_FOUND', `"${file}" does not exist.`, { field: 'path' });
  const entries: TarEntry[] = [];
  for (let at = 0; at + BLOCK <= st.size; ) {
    const e = parseHeader(await readAt(host, file, at, BLOCK), at);
    if (!e) break;
    if (e.offset + e.size > st.size) throw new HangarError('INVALID_INPUT', `The OVA "${file}" is cut short: "${e.name}" needs ${e.size} bytes past the end.`);
    if (!e.name.startsWith('\0')) entries.push(e);
    at = e.offset + e.size + pad(e.size);
  }
  return entries;
}

/** Hashes by the manifest's algorithm names. */
export function newHash(alg: 'SHA1' | 'SHA256' | 'SHA512'): Hash {
  return createHash(alg.toLowerCase());
}

/**
 * Copy one member out of the archive into `dst` on the same host, feeding `hash` with every byte.
 * (An OVA's disks are written to the VM's folder as they are read: one pass, no second copy.)
 */
export async function extractEntry(host: Host, archive: string, e: TarEntry, dst: string, hash: Hash | null, signal: AbortSignal, onBytes: (n: number) => void): Promise<void> {
  const input = await host.fs.createReadStream(archive, { start: e.offset, highWaterMark: 4 * 1024 * 1024 });
  const out = await host.fs.createWriteStream(dst, { flags: 'wx' });
  let left = e.size;
  try {
    for await (const c of input as AsyncIterable<Buffer>) {
      if (signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
      const chunk = c.length > left ? c.subarray(0, left) : c;
      left -= chunk.length;
      hash?.update(chunk);
      await write(out, chunk);
      onBytes(e.size - left);
      if (left === 0) break;
    }
    if (left > 0) throw new HangarError('IO_ERROR', `"${e.name}" ended ${left} bytes early in "${archive}".`);
  } finally {
    input.destroy();
    await new Promise<void>((resolve) => out.end(resolve));
  }
}

function write(out: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

/** Write an OVA: the members in the given order, each streamed from its file on the host. */
export async function writeTar(host: Host, dst: string, members: Array<{ name: string; file: string }>, signal: AbortSignal, onBytes: (n: number) => void): Promise<void> {
  const out = await host.fs.createWriteStream(dst, { flags: 'w' });
  let done = 0;
  try {
    for (const m of members) {
      const st = await host.fs.stat(m.file);
      if (!st) throw new HangarError('NOT_FOUND', `"${m.file}" vanished while the OVA was written.`);
      await write(out, ustarHeader(m.name, st.size, st.mtimeMs / 1000));
      const input: Readable = await host.fs.createReadStream(m.file, { highWaterMark: 4 * 1024 * 1024 });
      try {
        for await (const c of input as AsyncIterable<Buffer>) {
          if (signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
          await write(out, c);
          done += c.length;
          onBytes(done);
        }
      } finally {
        input.destroy();
      }
      if (pad(st.size)) await write(out, Buffer.alloc(pad(st.size)));
    }
    await write(out, Buffer.alloc(2 * BLOCK));
  } finally {
    await new Promise<void>((resolve) => out.end(resolve));
  }
}
