import * as path from 'node:path';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';
import { QmpClient } from '../qemu/qmp';

/**
 * The QEMU side of a backup: one QMP `transaction` that starts a `blockdev-backup` job per disk
 * (sync=full, adding or clearing the persistent dirty bitmap in the same transaction so the
 * bitmap starts exactly at the backup point; or sync=incremental with that bitmap, which QEMU
 * clears only when the job succeeds), then the jobs are followed to the end with progress and
 * cancel. A running VM is reached through its own QMP socket; a stopped VM's disks are opened by
 * `qemu-storage-daemon`, which speaks the same QMP and stores the bitmap in the qcow2 when it quits.
 */
export const BITMAP = 'hangar-backup';

interface JobInfo {
  id: string;
  status: string;
  'current-progress': number;
  'total-progress': number;
  error?: string;
}

export interface DiskJob {
  /** Format node of the disk in QEMU (argv.ts names them disk0, disk1, ...). */
  node: string;
  /** The new qcow2 the job writes into (created beforehand; an incremental's backing is the previous file). */
  target: string;
}

/** Does each node carry the persistent backup bitmap? */
export async function bitmapsPresent(qmp: QmpClient, nodes: string[]): Promise<Map<string, boolean>> {
  const named = await qmp.command<Array<{ 'node-name': string; 'dirty-bitmaps'?: Array<{ name: string; persistent?: boolean }> }>>('query-named-block-nodes', { flat: true });
  return new Map(nodes.map((n) => [n, !!named.find((x) => x['node-name'] === n)?.['dirty-bitmaps']?.some((b) => b.name === BITMAP)]));
}

/**
 * `pointInTime` wraps the `transaction` that starts the jobs: blockdev-backup copies the disks as
 * they were at that instant, so the guest's file systems need to be frozen only around it
 * (backup-service.ts freezes and thaws through the guest agent there).
 */
export async function runBackupJobs(qmp: QmpClient, disks: DiskJob[], kind: 'full' | 'incremental', signal: AbortSignal, onFraction: (f: number) => void, speedBytes = 0, pointInTime: (take: () => Promise<void>) => Promise<void> = (take) => take()): Promise<void> {
  const present = await bitmapsPresent(qmp, disks.map((d) => d.node));
  const tag = Math.random().toString(36).slice(2, 8);
  const added: string[] = [];
  try {
    for (const [i, d] of disks.entries()) {
      await qmp.command('blockdev-add', { driver: 'qcow2', 'node-name': `hbk${i}-${tag}`, file: { driver: 'file', filename: d.target }, backing: null });
      added.push(`hbk${i}-${tag}`);
    }
    const actions: Array<Record<string, unknown>> = [];
    disks.forEach((d, i) => {
      if (kind === 'full') {
        actions.push(present.get(d.node) ? { type: 'block-dirty-bitmap-clear', data: { node: d.node, name: BITMAP } } : { type: 'block-dirty-bitmap-add', data: { node: d.node, name: BITMAP, persistent: true } });
        actions.push({ type: 'blockdev-backup', data: { 'job-id': `hbk${i}-${tag}`, device: d.node, target: `hbk${i}-${tag}`, sync: 'full', 'auto-dismiss': false, ...(speedBytes ? { speed: speedBytes } : {}) } });
      } else {
        if (!present.get(d.node)) throw new HangarError('INVALID_STATE', `Disk ${d.node} has no backup bitmap any more (restored or replaced?): make a full backup.`);
        actions.push({ type: 'blockdev-backup', data: { 'job-id': `hbk${i}-${tag}`, device: d.node, target: `hbk${i}-${tag}`, sync: 'incremental', bitmap: BITMAP, 'auto-dismiss': false, ...(speedBytes ? { speed: speedBytes } : {}) } });
      }
    });
    await pointInTime(async () => {
      await qmp.command('transaction', { actions });
    });
    const ids = disks.map((_, i) => `hbk${i}-${tag}`);
    let cancelled = false;
    for (;;) {
      if (signal.aborted && !cancelled) {
        cancelled = true;
        for (const id of ids) await qmp.command('job-cancel', { id }).catch(() => undefined);
      }
      const jobs = (await qmp.command<JobInfo[]>('query-jobs')).filter((j) => ids.includes(j.id));
      const total = jobs.reduce((s, j) => s + j['total-progress'], 0);
      if (total > 0) onFraction(jobs.reduce((s, j) => s + j['current-progress'], 0) / total);
      if (jobs.length === ids.length && jobs.every((j) => j.status === 'concluded')) {
        for (const id of ids) await qmp.command('job-dismiss', { id }).catch(() => undefined);
        if (signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
        const failed = jobs.find((j) => j.error);
        if (failed) throw new HangarError('QEMU_FAILED', `QEMU could not write the backup: ${failed.error}`);
        return;
      }
      if (jobs.length < ids.length) throw new HangarError('QEMU_FAILED', 'A backup job disappeared before it finished.');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    for (const n of added) await qmp.command('blockdev-del', { 'node-name': n }).catch(() => undefined);
  }
}

/**
 * A stopped VM's disks opened by qemu-storage-daemon with the node names QEMU would give them,
 * for `fn`; the daemon quits afterwards (writing persistent bitmaps into the qcow2 files).
 */
export async function withStorageDaemon<T>(host: Host, runDir: string, disks: Array<{ path: string; format: 'qcow2' | 'raw' }>, fn: (qmp: QmpClient) => Promise<T>): Promise<T> {
  await host.fs.mkdir(runDir, 0o700);
  const sock = path.join(runDir, `bk-${process.pid}-${Date.now() % 100000}.sock`);
  const args: string[] = [];
  disks.forEach((d, i) => {
    args.push('--blockdev', JSON.stringify({ driver: 'file', 'node-name': `disk${i}-file`, filename: d.path }));
    args.push('--blockdev', JSON.stringify({ driver: d.format, 'node-name': `disk${i}`, file: `disk${i}-file` }));
  });
  args.push('--chardev', `socket,id=m0,path=${sock},server=on,wait=off`, '--monitor', 'chardev=m0');
  const proc = host.spawn('qemu-storage-daemon', args);
  let errText = '';
  proc.stderr.on('data', (b: Buffer) => (errText = (errText + b.toString('utf8')).slice(-2000)));
  let exited = false;
  void proc.exited.then(() => (exited = true));
  let qmp: QmpClient | null = null;
  try {
    const deadline = Date.now() + 15000;
    while (!(await host.fs.stat(sock))) {
      if (exited) throw new HangarError('QEMU_FAILED', `qemu-storage-daemon could not open the disks: ${errText.trim().split('\n').pop() ?? 'it exited'}`);
      if (Date.now() > deadline) throw new HangarError('TIMEOUT', 'qemu-storage-daemon did not start within 15 s.');
      await new Promise((r) => setTimeout(r, 50));
    }
    qmp = await QmpClient.connect(await host.connectUnix(sock));
    return await fn(qmp);
  } finally {
    if (qmp) await qmp.command('quit').catch(() => undefined);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
    if (!qmp) proc.kill('SIGTERM');
    await proc.exited;
    clearTimeout(timer);
    await host.fs.rm(sock).catch(() => undefined);
  }
}
