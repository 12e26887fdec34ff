import type { ImageFormat } from '../api/contract';
import { HangarError } from '../api/errors';
import { execOk, type Host } from '../hosts/host';

/** qemu-img operations of the library: convert with progress, overlays (linked clones). */

/** `qemu-img convert -p` prints "(12.34/100%)" with carriage returns: pull the last fraction out. */
export function parseConvertProgress(text: string): number | null {
  let last: number | null = null;
  for (const m of text.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)) last = Number(m[1]) / 100;
  return last;
}

export function convertToQcow2(host: Host, qemuImg: string, src: string, srcFormat: ImageFormat, dst: string, signal: AbortSignal, onFraction: (f: number) => void): Promise<void> {
  return convertWithProgress(host, qemuImg, ['-f', srcFormat, '-O', 'qcow2', src, dst], signal, onFraction, `Converting the ${srcFormat} image to qcow2`);
}

/**
 * `qemu-img convert -p ARGS` with progress and cancel (kills the process): the one converter of the
 * library, appliances and backups. A failure reads "<what> failed: <qemu-img's last line>."
 */
export async function convertWithProgress(host: Host, qemuImg: string, args: string[], signal: AbortSignal, onFraction: (f: number) => void, what: string): Promise<void> {
  const proc = host.spawn(qemuImg, ['convert', '-p', ...args]);
  const onAbort = () => proc.kill('SIGKILL');
  signal.addEventListener('abort', onAbort);
  let errTail = '';
  proc.stdout.on('data', (b: Buffer) => {
    const f = parseConvertProgress(b.toString('utf8'));
    if (f !== null) onFraction(f);
  });
  proc.stderr.on('data', (b: Buffer) => (errTail = (errTail + b.toString('utf8')).slice(-2000)));
  const { code, signal: sig } = await proc.exited;
  signal.removeEventListener('abort', onAbort);
  if (signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
  if (code !== 0) {
    const why = errTail.trim().split('\n').pop()?.replace(/^qemu-img: /, '') || (sig ? `signal ${sig}` : `exit ${code}`);
    throw new HangarError('IO_ERROR', `${what} failed: ${why}.`);
  }
}

/** A qcow2 overlay whose backing file is `base`: QEMU writes only to the overlay. Milliseconds, any size. */
export async function createOverlay(host: Host, qemuImg: string, base: string, baseFormat: ImageFormat, overlay: string): Promise<void> {
  await execOk(host, qemuImg, ['create', '-q', '-f', 'qcow2', '-F', baseFormat, '-b', base, overlay], { timeoutMs: 60000 });
}

/** A standalone copy of `base` as qcow2 (for "full copy" VMs). */
export async function fullCopy(host: Host, qemuImg: string, base: string, baseFormat: ImageFormat, dst: string): Promise<void> {
  await execOk(host, qemuImg, ['convert', '-f', baseFormat, '-O', 'qcow2', base, dst], { timeoutMs: 6 * 3600 * 1000 });
}
