import { readStoredSpec } from '../db/repositories/vm-row-check';
import { noSpaceMessage } from '../util/no-space';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { ImageInfo, ImageTaskStart, OsDetection, OsFamily, ParsedInput, TaskInfo } from '../api/contract';
import { HangarError } from '../api/errors';
import { nowIso } from '../db/repositories/vms';
import type { EventBus } from '../engine/event-bus';
import type { Host } from '../hosts/host';
import type { HostRegistry } from '../hosts/registry';
import { QEMU_IMG, probeHost } from '../qemu/probe';
import type { TaskContext, TaskManager } from '../tasks/task-manager';
import { formatBytes } from '../util/units';
import { copyAndHash, hashFile } from './copy-hash';
import { checkImage, detectImage, type DetectedImage } from './detect';
import { resumeDownloads, startDownload, type LibraryInternals } from './image-download';
import { ingestPart, shouldConvert, type IngestDeps } from './image-ingest';
import type { ImageRecord, ImageRepository } from './image-repo';
import { createOverlay, fullCopy } from './qemu-img';

type ImportInput = ParsedInput<'image.import'>;
type DownloadInput = ParsedInput<'image.download'>;
export type Meta = Partial<Pick<ImportInput, 'name' | 'os' | 'arch' | 'minDiskBytes' | 'minMemoryMiB' | 'tags' | 'description' | 'convertToQcow2' | 'cloudImage'>>;

export interface IngestArgs {
  id: string;
  name: string;
  part: string;
  sha256: string;
  detected: DetectedImage;
  meta: Meta;
  source: string;
}

/** What an import task remembers (persisted with the task) so a crash can be cleaned up. */
export interface TaskMeta {
  imageId: string;
  parts: string[];
  [key: string]: unknown;
}

/** The task's final result replaces the crash-cleanup notes with undefined (dropped from the JSON the user sees). */
export const HIDE_META = { parts: undefined, staged: undefined, download: undefined, sidecar: undefined };

/** A name from a file name: "debian-12.5.0-amd64-netinst.iso" → "debian-12.5.0-amd64-netinst". */
export function nameFromFile(file: string): string {
  const base = path.basename(file).replace(/\.(iso|qcow2|img|raw|vmdk|vdi|vhdx|vhd|part)$/i, '');
  const cleaned = base
    .replace(/[^\p{L}\p{N} ._-]+/gu, '-')
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .replace(/[ .]+$/u, '')
    .slice(0, 60);
  return cleaned || 'image';
}

/**
 * The image library (Hangar's Glance): files under `$HANGAR_HOME/images` on each host and their
 * catalogue in SQLite. Imports and downloads are Tasks that write `.part` files and a pending row;
 * only a complete, verified file is renamed into place (read-only) and its row made ready.
 */
export class ImageService {
  /** Set when the engine quits: interrupted downloads then keep their `.part` to resume later. */
  private shuttingDown = false;
  /** osinfo-db detection of an ISO (os/os-service.ts), set by the engine; the label guess is the fallback. */
  detectOs: ((host: Host, file: string) => Promise<OsDetection>) | null = null;
  /** osinfo-db's published disk image of this file name (its OS, cloud-init or not), set by the engine. */
  knownDiskImage: ((fileName: string) => { osId: string; osName: string; family: OsFamily; cloudInit: boolean } | null) | null = null;

  /** What the download code (image-download.ts) may use of the library. */
  private readonly internals: LibraryInternals = {
    repo: () => this.repo,
    events: () => this.events,
    tasks: () => this.tasks,
    hosts: () => this.hosts,
    activeDownloads: new Set<string>(),
    shuttingDown: () => this.shuttingDown,
    qemuImg: (host) => this.qemuImg(host),
    freeName: (hostId, wanted, fallback) => this.freeName(hostId, wanted, fallback),
    ingest: (host, ctx, a) => this.ingest(host, ctx, a),
    discard: (host, id, parts) => this.discard(host, id, parts),
  };

  /** What the common end of import and download (image-ingest.ts) may use of the library. */
  private readonly ingestDeps: IngestDeps = {
    repo: () => this.repo,
    events: () => this.events,
    qemuImg: (host) => this.qemuImg(host),
    libraryDir: (host) => this.libraryDir(host),
    freeName: (hostId, wanted, fallback) => this.freeName(hostId, wanted, fallback),
    discard: (host, id, parts) => this.discard(host, id, parts),
    detectOs: () => this.detectOs,
    knownDiskImage: () => this.knownDiskImage,
  };

  constructor(
    private readonly repo: ImageRepository,
    private readonly hosts: HostRegistry,
    private readonly tasks: TaskManager,
    private readonly events: EventBus,
  ) {
    tasks.onInterrupted('image.import', (t) => this.cleanupInterrupted(t, false));
    tasks.onInterrupted('image.download', (t) => this.cleanupInterrupted(t, true));
    tasks.onInterrupted('image.verify', async () => undefined);
  }

  shutdown(): void {
    this.shuttingDown = true;
  }

  // ---------------------------------------------------------------- queries

  list(): ImageInfo[] {
    return this.repo.list().map((r) => this.withUsers(r));
  }

  get(ref: string): ImageInfo {
    return this.withUsers(this.resolve(ref));
  }

  resolve(ref: string): ImageRecord {
    const r = this.repo.find(ref);
    if (!r) throw new HangarError('NOT_FOUND', `No image named or with id "${ref}" in the library.`, { field: 'image' });
    return r;
  }

  async libraryDir(host: Host): Promise<string> {
    const dir = path.join(await host.hangarHome(), 'images');
    await host.fs.mkdir(dir, 0o755);
    return dir;
  }

  /** Where the server stages browser uploads before importing them. */
  async uploadDir(host: Host): Promise<string> {
    const dir = path.join(await this.libraryDir(host), 'uploads');
    await host.fs.mkdir(dir, 0o700);
    return dir;
  }

  private withUsers(r: ImageRecord): ImageInfo {
    const users: ImageInfo['usedBy'] = this.repo.overlayUsers(r.id).map((u) => ({ id: u.id, name: u.name, how: 'backing' as const, path: u.diskPath }));
    for (const v of this.repo.vmsReferencing(r.path)) {
      const spec = readStoredSpec({ id: v.id, spec_json: v.specJson });
      // a damaged VM's settings are unreadable: count it as a user, so the image is not deleted from under it
      if (!spec.ok) users.push({ id: v.id, name: v.name, how: 'disk', path: r.path });
      else if (spec.spec.cdrom === r.path) users.push({ id: v.id, name: v.name, how: 'cdrom', path: r.path });
      if (spec.ok && spec.spec.disks.some((d) => d.path === r.path)) users.push({ id: v.id, name: v.name, how: 'disk', path: r.path });
    }
    return { ...r, usedBy: users };
  }

  private async qemuImg(host: Host): Promise<string> {
    const caps = await probeHost(host);
    if (!caps.qemuImg) throw new HangarError('MISSING_DEPENDENCY', `qemu-img is not installed on ${caps.hostname}. ${caps.installHint ?? ''}`.trim());
    return caps.qemuImg.binary ?? QEMU_IMG;
  }

  private freeName(hostId: string, wanted: string | undefined, fallback: string): string {
    if (wanted !== undefined) {
      if (this.repo.nameTaken(hostId, wanted)) throw new HangarError('CONFLICT', `An image named "${wanted}" already exists. Choose another name.`, { field: 'name' });
      return wanted;
    }
    let name = fallback;
    for (let i = 2; this.repo.nameTaken(hostId, name); i++) name = `${fallback.slice(0, 58)}-${i}`;
    return name;
  }

  // ---------------------------------------------------------------- import

  async startImport(input: ImportInput): Promise<ImageTaskStart> {
    const host = this.hosts.get(input.hostId);
    const src = input.path;
    const staged = input.removeSource && src.startsWith((await this.uploadDir(host)) + '/');
    if (input.removeSource && !staged) throw new HangarError('INVALID_INPUT', 'removeSource is only for files staged by an upload.', { field: 'removeSource' });
    try {
      const st = await host.fs.stat(src);
      if (!st) throw new HangarError('NOT_FOUND', `"${src}" does not exist. Check the path.`, { field: 'path' });
      if (st.isDirectory) throw new HangarError('INVALID_INPUT', `"${src}" is a folder: choose an image file inside it.`, { field: 'path' });
      if (!st.isFile) throw new HangarError('INVALID_INPUT', `"${src}" is not a regular file.`, { field: 'path' });
      if (st.size === 0) throw new HangarError('INVALID_INPUT', `"${src}" is empty (0 bytes): it is not an image.`, { field: 'path' });
      if (!(await host.fs.access(src, 'r'))) throw new HangarError('INVALID_INPUT', `"${src}" cannot be read (permissions).`, { field: 'path' });
      const qemuImg = await this.qemuImg(host);
      const detected = await detectImage(host, qemuImg, src, st.size);
      const damage = await checkImage(host, qemuImg, src, detected.format);
      if (damage) throw new HangarError('INVALID_INPUT', `"${src}" is a damaged ${detected.format} image: ${damage}.`, { field: 'path' });
      await this.requireSpace(host, st.size);

      const dir = await this.libraryDir(host);
      const id = randomUUID();
      const original = staged ? path.basename(src).replace(/^[0-9a-f-]{36}--/, '') : src;
      const name = this.freeName(host.id, input.name, nameFromFile(original));
      const part = path.join(dir, `.${id}.part`);
      const meta: TaskMeta = { imageId: id, parts: [part, `${part}.qcow2`], ...(staged ? { staged: src } : {}) };
      this.repo.insertPending({ id, name, hostId: host.id, path: part, source: staged ? `upload: ${original}` : src, createdAt: nowIso() });
      const { task, done } = this.tasks.start(
        'image.import',
        `Import ${name}`,
        async (ctx) => {
          try {
            ctx.progress(0, 'Copying and checksumming');
            const total = st.size;
            const { sha256 } = await copyAndHash(host, src, part, {
              signal: ctx.signal,
              onBytes: (n) => ctx.progress((n / total) * this.copyShare(detected, input), `Copying ${formatBytes(n)} of ${formatBytes(total)}`),
            });
            return { ...(await this.ingest(host, ctx, { id, name, part, sha256, detected, meta: input, source: staged ? `upload: ${original}` : src })), ...HIDE_META };
          } catch (e) {
            await this.discard(host, id, meta.parts);
            throw e;
          } finally {
            if (staged) await host.fs.rm(src);
          }
        },
        { meta: meta as unknown as Record<string, unknown> },
      );
      done.catch(() => undefined); // the engine may close its database under a task cut short
    return { task };
    } catch (e) {
      if (staged) await host.fs.rm(src);
      throw e;
    }
  }

  private copyShare(d: DetectedImage, m: Meta): number {
    return shouldConvert(d.format, m) ? 0.4 : 1;
  }

  private async requireSpace(host: Host, bytes: number): Promise<void> {
    const { freeBytes } = await host.fs.statfs(await this.libraryDir(host));
    if (bytes > freeBytes) throw new HangarError('RESOURCE_LIMIT', noSpaceMessage(`the image library (${await this.libraryDir(host)})`, freeBytes, bytes), { reason: 'no-space' });
  }

  /** The common end of import and download (image-ingest.ts). */
  private ingest(host: Host, ctx: TaskContext, a: IngestArgs): Promise<Record<string, unknown>> {
    return ingestPart(this.ingestDeps, host, ctx, a);
  }

  /** Remove a failed import's files and its pending row. */
  private async discard(host: Host, id: string, parts: string[]): Promise<void> {
    for (const p of parts) await host.fs.rm(p).catch(() => undefined);
    try {
      const row = this.repo.get(id);
      if (row?.status === 'pending') this.repo.delete(id);
    } catch {
      // database already closed (engine quitting): the task's cleanup removes the row at next start
    }
  }

  /** After a crash: the import's `.part` files and pending row go; a download keeps its `.part` to resume. */
  private async cleanupInterrupted(task: TaskInfo, keepDownload: boolean): Promise<void> {
    const meta = task.result as TaskMeta | null;
    if (!meta?.imageId) return;
    const row = this.repo.get(meta.imageId);
    const host = this.hosts.get(row?.hostId ?? 'local');
    const parts = keepDownload ? meta.parts.filter((p) => p !== meta.download && p !== meta.sidecar) : meta.parts;
    await this.discard(host, meta.imageId, parts);
    if (typeof meta.staged === 'string') await host.fs.rm(meta.staged);
  }

  // ---------------------------------------------------------------- download (image-download.ts)

  startDownload(input: DownloadInput): Promise<ImageTaskStart> {
    return startDownload(this, this.internals, input);
  }

  resumeDownloads(hostId = 'local'): Promise<number> {
    return resumeDownloads(this, this.internals, hostId);
  }

  // ---------------------------------------------------------------- verify / update / delete

  startVerify(ref: string): ImageTaskStart {
    const image = this.resolve(ref);
    const host = this.hosts.get(image.hostId);
    const { task, done } = this.tasks.start(
      'image.verify',
      `Verify ${image.name}`,
      async (ctx) => {
        let reason: string | null = null;
        const st = await host.fs.stat(image.path);
        if (!st) reason = 'the file is missing from the library folder';
        else {
          const { sha256 } = await hashFile(host, image.path, { signal: ctx.signal, onBytes: (d) => ctx.progress((d / Math.max(1, st.size)) * 0.9, `Checksumming ${formatBytes(d)} of ${formatBytes(st.size)}`) });
          if (sha256 !== image.storedSha256) reason = `its SHA-256 is now ${sha256}, not ${image.storedSha256} as imported`;
          else {
            ctx.progress(0.9, 'Checking the image structure');
            reason = await checkImage(host, await this.qemuImg(host), image.path, image.format, ctx.signal);
          }
        }
        this.repo.setStatus(image.id, reason ? 'corrupt' : 'ready', reason ? `Corrupt: ${reason}.` : null, nowIso());
        this.events.emit('image.changed', { id: image.id });
        return { imageId: image.id, ok: !reason, ...(reason ? { reason: `Corrupt: ${reason}.` } : {}) };
      },
      { meta: { imageId: image.id } },
    );
    done.catch(() => undefined); // the engine may close its database under a task cut short
    return { task };
  }

  update(input: ParsedInput<'image.update'>): ImageInfo {
    const image = this.resolve(input.image);
    if (input.name !== undefined && this.repo.nameTaken(image.hostId, input.name, image.id)) throw new HangarError('CONFLICT', `An image named "${input.name}" already exists.`, { field: 'name' });
    this.repo.updateMeta(image.id, {
      name: input.name ?? image.name,
      os: input.os ?? image.os,
      arch: input.arch ?? image.arch,
      minDiskBytes: input.minDiskBytes ?? image.minDiskBytes,
      minMemoryMiB: input.minMemoryMiB ?? image.minMemoryMiB,
      tags: input.tags ?? image.tags,
      description: input.description ?? image.description,
      cloudImage: input.cloudImage ?? image.cloudImage,
    });
    this.events.emit('image.changed', { id: image.id });
    return this.get(image.id);
  }

  async delete(ref: string, confirm: boolean): Promise<{ deleted: string }> {
    const image = this.resolve(ref);
    if (!confirm) throw new HangarError('INVALID_INPUT', `Deleting "${image.name}" removes its file for good: confirm it (confirm: true, or --yes).`, { field: 'confirm' });
    const users = this.withUsers(image).usedBy;
    if (users.length) {
      const names = [...new Set(users.map((u) => `"${u.name}"`))].join(', ');
      throw new HangarError('CONFLICT', `"${image.name}" is used by ${users.length === 1 ? 'the VM' : 'the VMs'} ${names}: delete ${users.length === 1 ? 'that VM' : 'those VMs'} (or detach the image) first.`, {
        vms: users.map((u) => u.name),
      });
    }
    const host = this.hosts.get(image.hostId);
    this.repo.delete(image.id);
    await host.fs.rm(image.path);
    this.events.emit('image.changed', { id: image.id, deleted: true });
    return { deleted: image.id };
  }

  // ---------------------------------------------------------------- VMs from images

  /**
   * A VM disk from a library image (called by compute's vm.create): a qcow2 overlay with the
   * image as its backing file (milliseconds, any size), or with `full` a standalone copy.
   */
  async diskForVm(ref: string, hostId: string, vmId: string, vmDir: string, full: boolean, fileName: string): Promise<{ path: string; format: 'qcow2' }> {
    const image = this.resolve(ref);
    if (image.hostId !== hostId) throw new HangarError('INVALID_INPUT', `Image "${image.name}" is on host "${image.hostId}", not on "${hostId}".`, { field: 'image' });
    if (image.format === 'iso') throw new HangarError('INVALID_INPUT', `"${image.name}" is an ISO: use it as install media (isoPath) rather than as a disk.`, { field: 'image' });
    if (image.status !== 'ready') throw new HangarError('INVALID_STATE', `Image "${image.name}" is marked corrupt (${image.statusReason ?? 'failed verification'}): re-import it or verify it again.`, { field: 'image' });
    const host = this.hosts.get(hostId);
    const qemuImg = await this.qemuImg(host);
    const file = path.join(vmDir, fileName);
    if (full) await fullCopy(host, qemuImg, image.path, image.format, file);
    else await createOverlay(host, qemuImg, image.path, image.format, file);
    this.repo.linkDisk(vmId, file, image.id, !full);
    return { path: file, format: 'qcow2' };
  }
}
