import * as path from 'node:path';
import type { VmInfo, VmSpec } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Db } from '../db/database';
import { VmRepository } from '../db/repositories/vms';
import { runtimeRoot, vmPaths } from '../qemu/paths';
import { QEMU_IMG, probeHost } from '../qemu/probe';
import type { TaskContext } from '../tasks/task-manager';
import { formatBytes } from '../util/units';
import { copyBetweenHosts } from './copy-file';
import type { Host } from './host';
import { claimTargetDir, markLeftBehind } from './leftover';

/**
 * Offline move of a stopped VM to another host: every file of its folder is copied and
 * SHA-256-verified at the far end, the database row is switched (host, folder, disk paths) in one
 * transaction, and only then — if asked — the source folder is removed. Until the switch the VM
 * is untouched on its old host; a failure or cancel removes the half-made target folder.
 */

/** Files of a VM folder that describe a past run, not the VM: not carried over. */
const RUNTIME_FILES = new Set(['qemu.pid', 'exit-status', 'stop-intent', 'exit-status.tmp', 'swtpm.pid', '.lock']);
/** Sub-folders that belong to the VM and move with it: the TPM's state (tpm/tpm-service.ts). */
const VM_SUBFOLDERS = new Set(['tpm']);

export interface MoveDeps {
  db: Db;
  /** The VM as the database has it now (re-read before the switch). */
  current(): VmInfo;
  /** A host's name for sentences (its id when unknown). */
  hostName?: (id: string) => string;
}

export async function moveVm(vm: VmInfo, from: Host, to: Host, deleteSource: boolean, ctx: TaskContext, deps: MoveDeps): Promise<{ vmId: string; toHostId: string; dir: string; bytes: number; sourceKept: string | null }> {
  if (vm.state !== 'stopped' && vm.state !== 'crashed') throw new HangarError('INVALID_STATE', `Stop "${vm.name}" first: only a stopped VM can be moved (live migration is not available yet).`);
  if (from.id === to.id) throw new HangarError('INVALID_INPUT', `"${vm.name}" is already on that host.`, { field: 'toHostId' });

  // What the VM needs outside its folder must already exist on the target.
  for (const d of vm.spec.disks) {
    if (path.posix.dirname(d.path) !== vm.dir)
      throw new HangarError('UNSUPPORTED', `The disk ${d.path} is outside the VM's folder (a pool volume or an attached file): detach it, or copy it to the other host first.`);
  }
  for (const [what, file] of [
    ['ISO', vm.spec.cdrom],
    ['Kernel', vm.spec.kernel?.path],
    ['Initrd', vm.spec.kernel?.initrd],
  ] as const) {
    if (file && !(await to.fs.stat(file))) throw new HangarError('INVALID_INPUT', `${what} file ${file} does not exist on the target host: copy it there first (host.copyFile), at the same path.`);
  }
  const caps = await probeHost(to);
  if (!caps.qemu) throw new HangarError('MISSING_DEPENDENCY', `QEMU is not installed on the target host. ${caps.installHint ?? ''}`.trim());
  for (const d of vm.spec.disks.filter((x) => x.format === 'qcow2')) {
    const info = await from.exec(QEMU_IMG, ['info', '--output=json', d.path], { timeoutMs: 30000 });
    const backing = info.code === 0 ? (JSON.parse(info.stdout) as { 'backing-filename'?: string })['backing-filename'] : undefined;
    if (backing) throw new HangarError('UNSUPPORTED', `The disk ${d.path} is a linked clone of ${backing}: make it a full copy first (qemu-img convert), then move the VM.`);
  }

  const files: Array<{ name: string; size: number }> = [];
  for (const name of await from.fs.readdir(vm.dir)) {
    if (RUNTIME_FILES.has(name) || name.endsWith('.part') || name.endsWith('.tmp')) continue;
    const st = await from.fs.stat(path.posix.join(vm.dir, name));
    if (st?.isFile) files.push({ name, size: st.size });
    else if (st?.isDirectory && VM_SUBFOLDERS.has(name)) {
      for (const sub of await from.fs.readdir(path.posix.join(vm.dir, name))) {
        const sst = await from.fs.stat(path.posix.join(vm.dir, name, sub));
        if (sst?.isFile && !RUNTIME_FILES.has(sub)) files.push({ name: `${name}/${sub}`, size: sst.size });
      }
    } else if (st?.isDirectory) throw new HangarError('UNSUPPORTED', `The VM folder contains a sub-folder (${name}) that Hangar does not know how to move.`);
  }
  const total = files.reduce((n, f) => n + f.size, 0);
  const toHome = await to.hangarHome();
  const target = vmPaths(toHome, runtimeRoot(toHome, (await to.info()).uid), vm.id);
  // a folder this VM left there on an earlier move (kept source) is Hangar's own: set aside, replaced at the switch
  const claim = await claimTargetDir(to, target.dir, vm, deps.hostName?.(to.id) ?? 'the target host');
  const free = (await to.fs.statfs(toHome)).freeBytes;
  if (free < total) {
    await claim.rollback();
    throw new HangarError('RESOURCE_LIMIT', `The VM needs ${formatBytes(total)}; the target host has ${formatBytes(free)} free.`);
  }

  await to.fs.mkdir(target.dir, 0o700);
  for (const sub of new Set(files.filter((f) => f.name.includes('/')).map((f) => path.posix.dirname(f.name)))) await to.fs.mkdir(path.posix.join(target.dir, sub), 0o700);
  let done = 0;
  try {
    for (const f of files) {
      const sub: TaskContext = {
        signal: ctx.signal,
        progress: (fraction, message) => ctx.progress(total ? (done + (fraction ?? 0) * f.size) / total : null, `${f.name}: ${message ?? ''}`),
      };
      await copyBetweenHosts({ host: from, path: path.posix.join(vm.dir, f.name) }, { host: to, path: path.posix.join(target.dir, f.name) }, sub, false);
      done += f.size;
    }

    // The switch: nothing changed for the VM until here.
    const now = deps.current();
    if (now.state !== 'stopped' && now.state !== 'crashed') throw new HangarError('INVALID_STATE', `"${vm.name}" was started during the move: nothing was switched.`);
    const spec: VmSpec = { ...now.spec, disks: now.spec.disks.map((d) => ({ ...d, path: path.posix.join(target.dir, path.posix.basename(d.path)) })) };
    await to.fs.writeFileAtomic(target.vmJson, JSON.stringify(spec, null, 2) + '\n', 0o600);
    const switched = new VmRepository(deps.db).switchHostStopped(vm.id, { hostId: to.id, dir: target.dir, spec });
    if (!switched) throw new HangarError('INVALID_STATE', `"${vm.name}" changed during the move: nothing was switched.`);
  } catch (e) {
    await to.fs.rm(target.dir, { recursive: true }).catch(() => undefined);
    await claim.rollback().catch(() => undefined);
    throw e;
  }
  await claim.commit().catch(() => undefined);

  if (deleteSource) await from.fs.rm(vm.dir, { recursive: true });
  else await markLeftBehind(from, vm.dir, vm, to.id).catch(() => undefined);
  ctx.progress(1, `Moved ${formatBytes(total)}`);
  return { vmId: vm.id, toHostId: to.id, dir: target.dir, bytes: total, sourceKept: deleteSource ? null : vm.dir };
}
