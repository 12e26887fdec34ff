import type { ImageFormat, OsFamily } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';

/**
 * What a file really is, never judged by its name: ISO 9660 by its signature ("CD001" in the
 * primary volume descriptor at 32768), disk images by `qemu-img info --output=json`.
 */
export interface DetectedImage {
  format: ImageFormat;
  virtualSize: number;
  actualSize: number;
  /** ISO volume id (primary volume descriptor, offset 40, 32 bytes), trimmed. */
  volumeLabel: string | null;
}

const PVD_OFFSET = 32768;
const SECTOR = 512;
const DISK_FORMATS: readonly ImageFormat[] = ['qcow2', 'raw', 'vmdk', 'vdi', 'vhdx', 'vpc'];

/** Read `length` bytes at `start` (fewer at the end of the file). */
export async function readRange(host: Host, file: string, start: number, length: number): Promise<Buffer> {
  const stream = await host.fs.createReadStream(file, { start });
  const chunks: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= length) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, length);
}

/** The ISO volume label when the file carries an ISO 9660 primary volume descriptor, else null. */
export function parsePrimaryVolumeDescriptor(pvd: Buffer): { label: string } | null {
  // type 1 (primary), then "CD001", version 1
  if (pvd.length < 72 || pvd[0] !== 1 || pvd.toString('latin1', 1, 6) !== 'CD001') return null;
  return { label: pvd.toString('latin1', 40, 72).replace(/\0/g, '').trim() };
}

interface QemuImgInfo {
  format?: string;
  'virtual-size'?: number;
  'actual-size'?: number;
  'backing-filename'?: string;
  'format-specific'?: { data?: { 'data-file'?: string } };
}

export async function detectImage(host: Host, qemuImg: string, file: string, size: number): Promise<DetectedImage> {
  const pvd = parsePrimaryVolumeDescriptor(await readRange(host, file, PVD_OFFSET, 2048));
  if (pvd) return { format: 'iso', virtualSize: size, actualSize: size, volumeLabel: pvd.label || null };

  // `-f` is not given on purpose: we ask qemu-img what it sees.
  const r = await host.exec(qemuImg, ['info', '--output=json', file], { timeoutMs: 60000 });
  if (r.code !== 0) {
    const why = r.stderr.trim().split('\n').pop()?.replace(/^qemu-img: /, '') ?? '';
    throw new HangarError('INVALID_INPUT', `"${file}" is not a disk image or ISO that QEMU can read${why ? ` (${why})` : ''}.`, { field: 'path' });
  }
  const info = JSON.parse(r.stdout) as QemuImgInfo;
  const format = info.format as ImageFormat | undefined;
  if (!format || !DISK_FORMATS.includes(format))
    throw new HangarError('UNSUPPORTED', `"${file}" is a ${info.format ?? 'unknown'} image; the library takes ISO, qcow2, raw, vmdk, vdi and vhdx files.`, { field: 'path' });
  // A backing file or external data file inside an image could make QEMU read any file on the
  // host: a library image must stand alone.
  if (info['backing-filename'] || info['format-specific']?.data?.['data-file'])
    throw new HangarError('UNSUPPORTED', `"${file}" depends on another file (backing or data file); flatten it first with "qemu-img convert -O qcow2".`, { field: 'path' });
  if (format === 'raw') {
    if (/\.iso$/i.test(file)) throw new HangarError('INVALID_INPUT', `"${file}" is named like an ISO but is not one: it has no ISO 9660 signature. It may be damaged or not an image at all.`, { field: 'path' });
    // Anything is a "raw image" to qemu-img; a real disk is a whole number of sectors.
    if (size % SECTOR !== 0)
      throw new HangarError('INVALID_INPUT', `"${file}" is not a disk image: it is neither an ISO nor a known disk format, and its size (${size} bytes) is not a whole number of 512-byte sectors.`, { field: 'path' });
  }
  return { format, virtualSize: info['virtual-size'] ?? size, actualSize: size, volumeLabel: null };
}

/** `qemu-img check` for formats that support it; returns null when fine, else why not. */
export async function checkImage(host: Host, qemuImg: string, file: string, format: ImageFormat, signal?: AbortSignal): Promise<string | null> {
  if (!['qcow2', 'vmdk', 'vdi', 'vhdx'].includes(format)) return null;
  const proc = host.spawn(qemuImg, ['check', '-f', format, '--output=json', file]);
  const onAbort = () => proc.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort);
  let out = '';
  let errTail = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  // stderr can list one line per damaged cluster: keep only the end
  proc.stderr.on('data', (b: Buffer) => (errTail = (errTail + b.toString('utf8')).slice(-2000)));
  const { code } = await proc.exited;
  signal?.removeEventListener('abort', onAbort);
  if (signal?.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
  // 0 clean, 3 leaked clusters only (harmless), 63 check not supported
  if (code === 0 || code === 3 || code === 63) return null;
  let corruptions = 0;
  try {
    corruptions = (JSON.parse(out) as { corruptions?: number }).corruptions ?? 0;
  } catch {
    // no JSON: the header itself is unreadable
  }
  const last = errTail.trim().split('\n').pop()?.replace(/^qemu-img: /, '') ?? '';
  return corruptions > 0 ? `qemu-img check found ${corruptions} damaged cluster${corruptions === 1 ? '' : 's'} (the file is probably truncated or corrupted)` : `qemu-img check failed${last ? `: ${last}` : ''}`;
}

/** OS family, version and architecture guessed from an ISO volume label ("debian 12.5.0 amd64 n"). */
export function osFromLabel(label: string | null): { family: OsFamily; version: string; arch: 'x86_64' | 'aarch64' | 'i686' | null } {
  const l = (label ?? '').trim();
  const lower = l.toLowerCase();
  const arch = /amd64|x86_64|x64/.test(lower) ? 'x86_64' : /arm64|aarch64/.test(lower) ? 'aarch64' : /i386|i686|x86(?!_)/.test(lower) ? 'i686' : null;
  const version = /(\d+(?:\.\d+){0,2})/.exec(l.replace(/x86_64|amd64|i386|i686|arm64|aarch64|x64/gi, ''))?.[1] ?? '';
  let family: OsFamily = 'other';
  if (/^(ccc|ccs|ccsa|ir\d|grmc|j?cpra|win|ssss|sss_)|windows|x64fre|x86fre/.test(lower)) family = 'windows';
  else if (/freebsd|openbsd|netbsd|dragonfly|opnsense|pfsense/.test(lower)) family = 'bsd';
  else if (/debian|ubuntu|fedora|centos|rhel|rocky|alma|arch|opensuse|suse|mint|alpine|kali|manjaro|linux|nixos|gentoo|void|hangar_guest/.test(lower)) family = 'linux';
  const name = /^([a-z]+)/i.exec(l)?.[1];
  return { family, version: name && version && family !== 'windows' ? `${capitalise(name)} ${version}` : version, arch };
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
