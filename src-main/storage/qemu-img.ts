import { HangarError } from '../api/errors';
import { CommandError, execOk, type Host } from '../hosts/host';
import { QEMU_IMG } from '../qemu/probe';
import type { BackingLayer } from '../api/contract';

/**
 * qemu-img through a Host, argv only. `-U` (force-share) lets us read images that a running
 * QEMU holds locked: info is read-only and safe; anything that writes must not use it.
 */
export interface ImageSnapshot {
  id: string;
  name: string;
  vmStateBytes: number;
  dateSec: number;
}

export interface ImageInfo {
  format: string;
  virtualBytes: number;
  actualBytes: number | null;
  chain: BackingLayer[];
  snapshots: ImageSnapshot[];
}

interface RawInfo {
  filename: string;
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
  snapshots?: Array<{ id: string; name: string; 'vm-state-size': number; 'date-sec': number }>;
}

export async function imageInfo(host: Host, file: string): Promise<ImageInfo> {
  const r = await host.exec(QEMU_IMG, ['info', '--output=json', '-U', '--backing-chain', file], { timeoutMs: 30000 });
  if (r.code !== 0) throw new HangarError('IO_ERROR', `Cannot read the disk image "${file}": ${lastLine(r.stderr)}`);
  const layers = JSON.parse(r.stdout) as RawInfo[];
  const top = layers[0];
  if (!top) throw new HangarError('IO_ERROR', `qemu-img said nothing about "${file}".`);
  return {
    format: top.format,
    virtualBytes: top['virtual-size'],
    actualBytes: top['actual-size'] ?? null,
    chain: layers.map((l) => ({ path: l.filename, format: l.format, virtualBytes: l['virtual-size'], actualBytes: l['actual-size'] ?? null })),
    snapshots: (top.snapshots ?? []).map((s) => ({ id: s.id, name: s.name, vmStateBytes: s['vm-state-size'], dateSec: s['date-sec'] })),
  };
}

export async function createImage(host: Host, file: string, format: string, bytes: number): Promise<void> {
  await run(host, ['create', '-q', '-f', format, file, String(bytes)], 'create the disk');
}

export async function resizeImage(host: Host, file: string, format: string, bytes: number): Promise<void> {
  await run(host, ['resize', '-q', '-f', format, file, String(bytes)], 'resize the disk');
}

/** qemu-img snapshot -c/-a/-d on one (stopped) qcow2 file. */
export async function imageSnapshot(host: Host, op: 'create' | 'apply' | 'delete', file: string, name: string): Promise<void> {
  const flag = op === 'create' ? '-c' : op === 'apply' ? '-a' : '-d';
  await run(host, ['snapshot', flag, name, file], `${op} snapshot "${name}"`);
}

/**
 * `qemu-img convert -p` with progress parsed from its "(12.34/100%)" output; killed on abort.
 * Writes to `dest` directly: callers pass a `.part` name and rename when it succeeded.
 */
export async function convertImage(host: Host, src: string, srcFormat: string, dest: string, destFormat: string, signal: AbortSignal, onProgress: (fraction: number) => void): Promise<void> {
  const proc = host.spawn(QEMU_IMG, ['convert', '-p', '-f', srcFormat, '-O', destFormat, src, dest]);
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => {
    const matches = [...b.toString('utf8').matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)];
    const last = matches.at(-1);
    if (last) onProgress(Number(last[1]) / 100);
  });
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const onAbort = () => proc.kill('SIGTERM');
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const { code, signal: sig } = await proc.exited;
    if (signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
    if (code !== 0) throw new HangarError('IO_ERROR', `Copying the disk failed (${sig ?? `exit ${code}`}): ${lastLine(stderr)}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function run(host: Host, args: string[], what: string): Promise<void> {
  try {
    await execOk(host, QEMU_IMG, args, { timeoutMs: 120000 });
  } catch (e) {
    if (e instanceof CommandError) throw new HangarError('IO_ERROR', `qemu-img could not ${what}: ${lastLine(e.result.stderr || e.result.stdout)}`);
    throw e;
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-1)[0]?.replace(/^qemu-img: /, '') ?? 'no detail';
}
