import { createHash, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { ImageDownloadInput, type ImageTaskStart, type ParsedInput } from '../api/contract';
import { HangarError } from '../api/errors';
import { nowIso } from '../db/repositories/vms';
import type { EventBus } from '../engine/event-bus';
import type { Host } from '../hosts/host';
import type { HostRegistry } from '../hosts/registry';
import type { TaskContext, TaskManager } from '../tasks/task-manager';
import { formatBytes } from '../util/units';
import { checkImage, detectImage } from './detect';
import { checksumFromList, downloadToPart, fetchText, urlFileName } from './download';
import type { ImageRepository } from './image-repo';
import { HIDE_META, nameFromFile, type ImageService, type IngestArgs, type TaskMeta } from './image-service';

/** The parts of ImageService that downloads share with imports. */
export interface LibraryInternals {
  repo(): ImageRepository;
  events(): EventBus;
  tasks(): TaskManager;
  hosts(): HostRegistry;
  /** `.part` files of downloads running in this engine (one task per URL). */
  activeDownloads: Set<string>;
  shuttingDown(): boolean;
  qemuImg(host: Host): Promise<string>;
  freeName(hostId: string, wanted: string | undefined, fallback: string): string;
  ingest(host: Host, ctx: TaskContext, a: IngestArgs): Promise<Record<string, unknown>>;
  discard(host: Host, id: string, parts: string[]): Promise<void>;
}

type DownloadInput = ParsedInput<'image.download'>;

/**
 * Download by URL as a Task: into `images/downloads/<hash of URL>.part` (the same URL always
 * resumes the same file), with the request saved beside it so the next engine resumes it by itself.
 */
export async function startDownload(lib: ImageService, x: LibraryInternals, input: DownloadInput): Promise<ImageTaskStart> {
  const host = x.hosts().get(input.hostId);
  if (input.sha256 && input.sha256SumsUrl) throw new HangarError('INVALID_INPUT', 'Give either a SHA-256 checksum or a SHA256SUMS URL, not both.', { field: 'sha256' });
  const fileName = urlFileName(input.url);
  const dir = path.join(await lib.libraryDir(host), 'downloads');
  await host.fs.mkdir(dir, 0o700);
  const download = path.join(dir, `${createHash('sha256').update(input.url).digest('hex').slice(0, 24)}.part`);
  if (x.activeDownloads.has(download) || downloadingElsewhere(x, download)) throw new HangarError('CONFLICT', `${input.url} is already being downloaded: follow it in the task panel.`, { field: 'url' });
  const sidecar = `${download}.json`;
  await host.fs.writeFileAtomic(sidecar, JSON.stringify(input), 0o600);
  const id = randomUUID();
  const name = x.freeName(host.id, input.name, nameFromFile(fileName));
  const meta: TaskMeta = { imageId: id, parts: [download, sidecar, `${download}.qcow2`], download, sidecar };
  x.repo().insertPending({ id, name, hostId: host.id, path: download, source: input.url, createdAt: nowIso() });
  x.activeDownloads.add(download);
  const { task, done } = x.tasks().start(
    'image.download',
    `Download ${name}`,
    async (ctx) => {
      let keep = true;
      try {
        let expected = input.sha256 ?? null;
        if (input.sha256SumsUrl) {
          ctx.progress(null, 'Fetching the checksum list');
          expected = checksumFromList(await fetchText(input.sha256SumsUrl, ctx.signal), fileName);
          if (!expected) throw new HangarError('NOT_FOUND', `The SHA256SUMS file does not list "${fileName}".`, { field: 'sha256SumsUrl' });
        }
        const { sha256, bytes } = await downloadToPart(host, input.url, download, {
          signal: ctx.signal,
          onBytes: (n, total) => ctx.progress(total ? (n / total) * 0.95 : null, `Downloaded ${formatBytes(n)}${total ? ` of ${formatBytes(total)}` : ''}`),
        });
        keep = false; // from here on, a failure means the file itself is bad
        if (bytes === 0) throw new HangarError('INVALID_INPUT', `${input.url} is empty (0 bytes).`);
        if (expected && sha256 !== expected)
          throw new HangarError('INVALID_INPUT', `The downloaded file's SHA-256 is ${sha256}, not the expected ${expected}: it was damaged or is not the file you meant. Nothing was kept.`, { field: 'sha256' });
        const qemuImg = await x.qemuImg(host);
        const detected = await detectImage(host, qemuImg, download, bytes).catch((e: unknown) => {
          throw e instanceof HangarError ? new HangarError(e.code, e.message.replace(`"${download}"`, `The download of ${input.url}`)) : e;
        });
        const damage = await checkImage(host, qemuImg, download, detected.format, ctx.signal);
        if (damage) throw new HangarError('INVALID_INPUT', `The downloaded ${detected.format} image is damaged: ${damage}.`);
        const result = await x.ingest(host, ctx, { id, name, part: download, sha256, detected, meta: input, source: input.url });
        await host.fs.rm(sidecar);
        return { ...result, ...HIDE_META };
      } catch (e) {
        // a dropped connection or a quitting engine keeps the .part to resume; a cancel or a bad file does not
        const resumable = keep && (x.shuttingDown() || (!ctx.signal.aborted && e instanceof HangarError && e.details?.resumable === true));
        const parts = resumable ? meta.parts.filter((p) => p !== download && p !== sidecar) : meta.parts;
        await x.discard(host, id, parts);
        throw e;
      } finally {
        x.activeDownloads.delete(download);
      }
    },
    { meta: meta as unknown as Record<string, unknown> },
  );
  done.catch(() => undefined); // the engine may close its database under a task cut short
  return { task };
}

/**
 * Resume the downloads an earlier engine left (crash, quit, restart): each kept `.part` has its
 * request beside it. Called by long-lived engines at start; a failure becomes a notice.
 */
export async function resumeDownloads(lib: ImageService, x: LibraryInternals, hostId: string): Promise<number> {
  const host = x.hosts().get(hostId);
  const dir = path.join(await lib.libraryDir(host), 'downloads');
  let resumed = 0;
  for (const f of await host.fs.readdir(dir).catch(() => [] as string[])) {
    if (!f.endsWith('.part.json')) continue;
    const sidecar = path.join(dir, f);
    const part = sidecar.slice(0, -'.json'.length);
    // ours, or another live Hangar process (a CLI) is downloading it right now: not interrupted
    if (x.activeDownloads.has(part) || downloadingElsewhere(x, part)) continue;
    try {
      if (!(await host.fs.stat(part))) {
        await host.fs.rm(sidecar);
        continue;
      }
      await startDownload(lib, x, ImageDownloadInput.parse(JSON.parse((await host.fs.readFile(sidecar)).toString('utf8'))));
      resumed++;
    } catch (e) {
      x.events().emit('notice', { level: 'warning', message: `Could not resume an interrupted image download: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return resumed;
}

/** Is a live task of another Hangar process writing this `.part`? */
function downloadingElsewhere(x: LibraryInternals, part: string): boolean {
  return x.tasks().runningElsewhere('image.download').some((t) => (t.result as { download?: unknown } | null)?.download === part);
}
