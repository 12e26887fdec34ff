import type { Command } from 'commander';
import * as path from 'node:path';
import type { ImageInfo, MethodInput, TaskInfo } from '../../api/contract';
import { HangarError } from '../../api/errors';
import { formatBytes, parseSize } from '../../util/units';
import { UsageError, print, withClient } from '../common';
import type { EngineClient } from '../engine-client';
import { table } from '../output';

/** `hangar image ...`: the image library. Import and download wait for their task, with a progress line on a TTY. */

function imageTable(images: ImageInfo[]): string {
  if (images.length === 0) return 'The image library is empty. Add one with: hangar image import PATH (or hangar image download URL)';
  return table(
    images.map((i) => [i.name, i.format, i.status, formatBytes(i.virtualSize), formatBytes(i.actualSize), `${i.os.family}${i.os.version ? ` ${i.os.version}` : ''}`, i.sha256.slice(0, 12), i.id.slice(0, 8)]),
    ['NAME', 'FORMAT', 'STATUS', 'VIRTUAL', 'SIZE', 'OS', 'SHA256', 'ID'],
  );
}

export function imageDetails(i: ImageInfo): string {
  const lines = [
    `Name:        ${i.name}`,
    `ID:          ${i.id}`,
    `Status:      ${i.status}${i.statusReason ? ` (${i.statusReason})` : ''}`,
    `Format:      ${i.format}${i.sourceFormat !== i.format ? ` (converted from ${i.sourceFormat})` : ''}`,
    `Virtual:     ${formatBytes(i.virtualSize)} (${i.virtualSize} bytes)`,
    `On disk:     ${formatBytes(i.actualSize)}`,
    `SHA-256:     ${i.sha256}`,
  ];
  if (i.storedSha256 !== i.sha256) lines.push(`Stored:      ${i.storedSha256} (SHA-256 of the converted file)`);
  lines.push(`OS:          ${i.os.family}${i.os.version ? ` ${i.os.version}` : ''}, ${i.arch}`);
  if (i.volumeLabel) lines.push(`Label:       ${i.volumeLabel}`);
  if (i.minDiskBytes) lines.push(`Min disk:    ${formatBytes(i.minDiskBytes)}`);
  if (i.minMemoryMiB) lines.push(`Min memory:  ${i.minMemoryMiB} MiB`);
  if (i.tags.length) lines.push(`Tags:        ${i.tags.join(', ')}`);
  if (i.description) lines.push(`Description: ${i.description}`);
  lines.push(`Source:      ${i.source}`, `File:        ${i.path}`, `Imported:    ${i.createdAt}`, `Verified:    ${i.verifiedAt ?? 'never'}`);
  for (const u of i.usedBy) lines.push(`Used by:     ${u.name} (${u.how === 'backing' ? `overlay ${u.path}` : u.how})`);
  return lines.join('\n');
}

/**
 * Start a task-returning call and wait for it. Events are buffered from before the call (the
 * task may end before we know its id); `task.list` is polled too, in case an event was missed.
 */
export async function runTask(c: EngineClient, start: () => Promise<{ task: TaskInfo }>, json: boolean): Promise<TaskInfo> {
  const seen = new Map<string, TaskInfo>();
  let wake: () => void = () => undefined;
  const off = c.onEvent((m) => {
    if (m.topic !== 'task.updated') return;
    seen.set(m.data.id, m.data);
    wake();
  });
  const tty = !json && process.stderr.isTTY;
  // the engine (serve, the desktop app) may die while we wait: stop waiting at once and say so
  let lost: string | null = null;
  const offLost = c.onLost((message) => {
    lost = message;
    wake();
  });
  try {
    const { task } = await start();
    let last = task;
    for (;;) {
      if (lost !== null) {
        if (tty) process.stderr.write('\n');
        throw new HangarError('HOST_UNREACHABLE', (lost as string).replace(/stopped\. /, `stopped while this command was waiting for "${task.title}". `));
      }
      const t = seen.get(task.id) ?? last;
      last = t;
      if (tty) {
        const pct = t.progress === null ? '' : `${Math.round(t.progress * 100)}% `;
        process.stderr.write(`\r\x1b[K${t.title}: ${pct}${t.message ?? ''}`);
      }
      if (t.state !== 'running') break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (!seen.has(task.id)) {
        const listed = (await c.call('task.list', {})).find((x) => x.id === task.id);
        if (listed) seen.set(task.id, listed);
      }
    }
    if (tty) process.stderr.write('\n');
    return last;
  } finally {
    off();
    offLost();
  }
}

/** The task's outcome: the image, or the task's error as a HangarError. */
async function imageOf(c: EngineClient, t: TaskInfo): Promise<{ image: ImageInfo; duplicate: boolean; message: string | null }> {
  if (t.state !== 'succeeded') throw new HangarError((t.error?.code as 'IO_ERROR') ?? 'INTERNAL', t.error?.message ?? `${t.title}: ${t.state}.`);
  const id = String(t.result?.imageId ?? '');
  return { image: await c.call('image.get', { image: id }), duplicate: t.result?.duplicate === true, message: typeof t.result?.message === 'string' ? t.result.message : null };
}

function meta(o: Record<string, unknown>): Partial<MethodInput<'image.import'>> {
  const m: Partial<MethodInput<'image.import'>> = {};
  if (o.name) m.name = String(o.name);
  if (o.os) m.os = { family: o.os as 'linux', version: o.osVersion ? String(o.osVersion) : '' };
  if (o.arch) m.arch = o.arch as 'x86_64';
  if (o.tag) m.tags = o.tag as string[];
  if (o.description) m.description = String(o.description);
  if (o.minMemory) m.minMemoryMiB = Number(o.minMemory);
  if (o.minDisk) {
    try {
      m.minDiskBytes = parseSize(String(o.minDisk));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (o.convert === true) m.convertToQcow2 = true;
  if (o.convert === false) m.convertToQcow2 = false;
  return m;
}

const withMeta = (cmd: Command) =>
  cmd
    .option('--name <name>', 'name in the library (default: from the file name)')
    .option('--os <family>', 'OS family: linux, windows, bsd, other (default: from the ISO label)')
    .option('--os-version <text>', 'OS version, e.g. "Debian 12"')
    .option('--arch <arch>', 'x86_64, aarch64, i686 or other')
    .option('--tag <tag...>', 'tags')
    .option('--description <text>', 'free text')
    .option('--min-memory <MiB>', 'minimum memory in MiB')
    .option('--min-disk <size>', 'minimum disk size, e.g. 20G')
    .option('--json', 'print JSON');
const withConvert = (cmd: Command) =>
  cmd.option('--convert', 'convert a disk image to qcow2 (default for vmdk, vdi, vhdx)').option('--no-convert', 'keep the disk image in its format');

export function registerImageCommands(program: Command): void {
  const image = program.command('image').description('The image library: ISOs and disk images, verified, ready to become VMs.');

  image
    .command('list')
    .description('List the images.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const images = await withClient((c) => c.call('image.list', {}));
      print(!!o.json, images, () => imageTable(images));
    });

  image
    .command('show <image>')
    .description('Show one image (name, id or checksum prefix).')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      const info = await withClient((c) => c.call('image.get', { image: ref }));
      print(!!o.json, info, () => imageDetails(info));
    });

  withConvert(withMeta(image.command('import <path>').description('Import a local file (ISO, qcow2, raw, vmdk, vdi, vhdx); waits for the copy.'))).action(
    async (file: string, o: Record<string, unknown>) => {
      const r = await withClient(async (c) => imageOf(c, await runTask(c, () => c.call('image.import', { path: path.resolve(file), ...meta(o) }), !!o.json)));
      print(!!o.json, { ...r.image, duplicate: r.duplicate }, () => (r.duplicate ? (r.message ?? `Already in the library as "${r.image.name}".`) : `Imported "${r.image.name}" (${r.image.format}, sha256 ${r.image.sha256}).`));
    },
  );

  withConvert(withMeta(image.command('download <url>').description('Download an image over http(s); resumes an interrupted download of the same URL.')))
    .option('--sha256 <hex>', 'the checksum the publisher gives (refused when it differs)')
    .option('--sha256sums <url>', 'a SHA256SUMS file listing the checksum')
    .action(async (url: string, o: Record<string, unknown>) => {
      const input: MethodInput<'image.download'> = { url, ...meta(o), ...(o.sha256 ? { sha256: String(o.sha256) } : {}), ...(o.sha256sums ? { sha256SumsUrl: String(o.sha256sums) } : {}) };
      const r = await withClient(async (c) => imageOf(c, await runTask(c, () => c.call('image.download', input), !!o.json)));
      print(!!o.json, { ...r.image, duplicate: r.duplicate }, () => (r.duplicate ? (r.message ?? `Already in the library as "${r.image.name}".`) : `Downloaded "${r.image.name}" (${r.image.format}, sha256 ${r.image.sha256}).`));
    });

  withMeta(image.command('update <image>').description('Change an image\u2019s name, OS, tags, description or minimums.')).action(async (ref: string, o: Record<string, unknown>) => {
    const info = await withClient((c) => c.call('image.update', { image: ref, ...meta(o) }));
    print(!!o.json, info, () => imageDetails(info));
  });

  image
    .command('verify <image>')
    .description('Re-hash the image (and qemu-img check a qcow2); marks it corrupt when it fails (exit 1).')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      const r = await withClient(async (c) => {
        const t = await runTask(c, () => c.call('image.verify', { image: ref }), !!o.json);
        if (t.state !== 'succeeded') throw new HangarError((t.error?.code as 'IO_ERROR') ?? 'INTERNAL', t.error?.message ?? 'Verification did not finish.');
        return c.call('image.get', { image: ref });
      });
      print(!!o.json, r, () => (r.status === 'ready' ? `"${r.name}" is intact (sha256 ${r.storedSha256}).` : `"${r.name}" is CORRUPT: ${r.statusReason ?? ''}`));
      if (r.status !== 'ready') process.exitCode = 1;
    });

  image
    .command('delete <image>')
    .description('Delete an image and its file (refused while a VM uses it).')
    .option('-y, --yes', 'confirm: the file is removed for good')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { yes?: boolean; json?: boolean }) => {
      if (!o.yes) throw new UsageError(`Deleting an image removes its file for good: add --yes to confirm ("hangar image delete ${ref} --yes").`);
      const r = await withClient((c) => c.call('image.delete', { image: ref, confirm: true }));
      print(!!o.json, r, () => `Deleted image "${ref}".`);
    });
}
