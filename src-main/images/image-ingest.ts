import * as path from 'node:path';
import type { ImageFormat } from '../api/contract';
import { HangarError } from '../api/errors';
import { looksLikeCloudImage } from '../cloudinit/cloud-image';
import { uniqueColumns, uniqueConflict } from '../db/constraint-errors';
import { nowIso } from '../db/repositories/vms';
import type { EventBus } from '../engine/event-bus';
import { execOk, type Host } from '../hosts/host';
import type { TaskContext } from '../tasks/task-manager';
import { hashFile } from './copy-hash';
import { detectImage, osFromLabel } from './detect';
import type { ImageRecord, ImageRepository } from './image-repo';
import type { ImageService, IngestArgs, Meta } from './image-service';
import { convertToQcow2 } from './qemu-img';

/**
 * The common end of an import and a download (image-service.ts, image-download.ts): a complete
 * file becomes a library image. In its own file because both paths share it and it is the one
 * place that decides format, OS and cloud-image facts of a new image.
 */

/** What ingestPart may use of the library (ImageService hands it over). */
export interface IngestDeps {
  repo(): ImageRepository;
  events(): EventBus;
  qemuImg(host: Host): Promise<string>;
  libraryDir(host: Host): Promise<string>;
  freeName(hostId: string, wanted: string | undefined, fallback: string): string;
  discard(host: Host, id: string, parts: string[]): Promise<void>;
  /** Set by the engine after construction, so read at each use. */
  detectOs(): ImageService['detectOs'];
  knownDiskImage(): ImageService['knownDiskImage'];
}

const CONVERTED_BY_DEFAULT: readonly ImageFormat[] = ['vmdk', 'vdi', 'vhdx', 'vpc'];
const EXT: Record<ImageFormat, string> = { iso: 'iso', qcow2: 'qcow2', raw: 'img', vmdk: 'vmdk', vdi: 'vdi', vhdx: 'vhdx', vpc: 'vhd' };

/** Formats other hypervisors use become qcow2 unless the user says otherwise; ISO and qcow2 stay. */
export function shouldConvert(format: ImageFormat, m: Meta): boolean {
  if (format === 'iso' || format === 'qcow2') return false;
  return m.convertToQcow2 ?? CONVERTED_BY_DEFAULT.includes(format);
}

/**
 * The common end of import and download: the file is complete in `part` with checksum
 * `sha256`. Recognise duplicates, convert when asked, make it read-only, rename it into place
 * and mark the row ready — the rename and the row are the last steps, so a crash before
 * them leaves only a `.part` and a pending row, both removed by the cleanup.
 */
export async function ingestPart(d: IngestDeps, host: Host, ctx: TaskContext, a: IngestArgs): Promise<Record<string, unknown>> {
  const existing = d.repo().bySha(host.id, a.sha256);
  if (existing) {
    await d.discard(host, a.id, [a.part]);
    ctx.progress(1, `Already in the library as "${existing.name}"`);
    return { imageId: existing.id, image: existing.name, duplicate: true, message: `This file is already in the library as "${existing.name}": nothing was stored twice.` };
  }
  const qemuImg = await d.qemuImg(host);
  let file = a.part;
  let format = a.detected.format;
  let storedSha256 = a.sha256;
  let virtualSize = a.detected.virtualSize;
  if (shouldConvert(format, a.meta)) {
    const converted = `${a.part}.qcow2`;
    ctx.progress(0.4, `Converting ${format} to qcow2`);
    await convertToQcow2(host, qemuImg, a.part, format, converted, ctx.signal, (f) => ctx.progress(0.4 + f * 0.45, `Converting ${format} to qcow2 (${Math.round(f * 100)}%)`));
    await host.fs.rm(a.part);
    file = converted;
    const again = await detectImage(host, qemuImg, file, (await host.fs.stat(file))?.size ?? 0);
    format = 'qcow2';
    virtualSize = again.virtualSize;
    const stSize = (await host.fs.stat(file))?.size ?? 1;
    storedSha256 = (await hashFile(host, file, { signal: ctx.signal, onBytes: (d) => ctx.progress(0.85 + (d / stSize) * 0.15, 'Checksumming the converted image') })).sha256;
  }
  const actualSize = (await host.fs.stat(file))?.size ?? 0;
  const guess = osFromLabel(a.detected.volumeLabel);
  const detectOs = d.detectOs();
  const osinfo = format === 'iso' && detectOs ? ((await detectOs(host, file).catch(() => null))?.os ?? null) : null;
  if (osinfo) Object.assign(guess, { family: osinfo.family, version: osinfo.name.slice(0, 64) });
  // a distribution's disk image under its published name: osinfo-db says which OS and whether cloud-init is inside
  const knownDiskImage = d.knownDiskImage();
  const known = format !== 'iso' && knownDiskImage ? knownDiskImage(path.basename(a.source.split(/[?#]/)[0]!)) : null;
  if (known) Object.assign(guess, { family: known.family, version: known.osName.slice(0, 64) });
  const dir = await d.libraryDir(host);
  const final = path.join(dir, `${a.id}.${EXT[format]}`);
  // read-only for everyone: guests and overlays never write to a library image
  await execOk(host, 'chmod', ['0444', file]);
  if (ctx.signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
  await host.fs.rename(file, final);
  const record: ImageRecord = {
    id: a.id,
    name: a.name,
    hostId: host.id,
    format,
    sourceFormat: a.detected.format,
    status: 'ready',
    statusReason: null,
    path: final,
    virtualSize,
    actualSize,
    sha256: a.sha256,
    storedSha256,
    os: a.meta.os ?? { family: guess.family, version: guess.version },
    arch: a.meta.arch ?? guess.arch ?? 'x86_64',
    volumeLabel: a.detected.volumeLabel,
    osId: a.meta.os ? null : (osinfo?.id ?? known?.osId ?? null),
    minDiskBytes: a.meta.minDiskBytes ?? (format === 'iso' ? 0 : virtualSize),
    minMemoryMiB: a.meta.minMemoryMiB ?? 0,
    tags: a.meta.tags ?? [],
    description: a.meta.description ?? '',
    source: a.source,
    createdAt: nowIso(),
    verifiedAt: nowIso(),
    cloudImage: a.meta.cloudImage ?? (format !== 'iso' && looksLikeCloudImage({ name: `${a.name} ${path.basename(a.source)}`, osinfoCloudInit: known?.cloudInit })),
  };
  try {
    try {
      d.repo().complete(record);
    } catch (e) {
      // another process finished an import with the same name meanwhile: an automatic name
      // moves on to the next free one; a name the user chose is refused in words
      if (!uniqueColumns(e) || a.meta.name !== undefined) throw uniqueConflict(e, a.name) ?? e;
      record.name = d.freeName(host.id, undefined, a.name);
      d.repo().complete(record);
    }
    d.repo().setOsId(a.id, record.osId);
  } catch (e) {
    await host.fs.rm(final);
    throw e;
  }
  ctx.progress(1, `Imported as "${record.name}"`);
  d.events().emit('image.changed', { id: a.id });
  return { imageId: a.id, image: record.name };
}
