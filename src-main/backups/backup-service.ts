import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { BackupInfo, ParsedInput, TaskInfo, VmInfo } from '../api/contract';
import { HangarError } from '../api/errors';
import { convertWithProgress } from '../images/qemu-img';
import { nowIso } from '../db/repositories/vms';
import { execOk, type Host } from '../hosts/host';
import { hashFile } from '../images/copy-hash';
import { QEMU_IMG, probeHost } from '../qemu/probe';
import type { BackupRepository } from './backup-repo';
import type { BackupPorts } from './ports';
import { bitmapsPresent, runBackupJobs, withStorageDaemon } from './qmp-backup';
import { planPrune } from './retention';

/**
 * Backups of VMs into backup folders as Tasks (see contract/backups.ts). The database row is
 * written only once every file is complete and hashed, so a crash leaves stray files but never a
 * backup that cannot be restored; an interrupted task removes its files at the next start.
 */
export class BackupService {
  constructor(
    readonly repo: BackupRepository,
    private readonly e: BackupPorts,
  ) {
    // an interrupted backup leaves files named after its id in the default folder's VM folder
    e.tasks.onInterrupted('backup.create', async (t) => {
      const host = this.e.hosts.get(String(t.result?.hostId ?? 'local'));
      const dir = path.join(await host.hangarHome(), 'backups', String(t.result?.vmId ?? 'none'));
      const id = String(t.result?.backupId ?? 'none');
      for (const f of await host.fs.readdir(dir).catch(() => [] as string[])) if (f.startsWith(`${id}-`)) await host.fs.rm(path.join(dir, f));
    });
  }

  list(vmRef?: string): BackupInfo[] {
    return this.repo.list(vmRef ? this.e.vms.resolve(vmRef).id : undefined);
  }

  private get(ref: string): BackupInfo {
    const b = this.repo.get(ref);
    if (!b) throw new HangarError('NOT_FOUND', `No backup with id "${ref}" (give the id, or its first characters, as "hangar backup list" shows it).`);
    return b;
  }

  private async qemuImg(host: Host): Promise<string> {
    return (await probeHost(host)).qemuImg?.binary ?? QEMU_IMG;
  }

  startCreate(input: ParsedInput<'backup.create'>): { task: TaskInfo; done: Promise<TaskInfo> } {
    const vm = this.e.vms.resolve(input.vm);
    const id = randomUUID();
    return this.e.tasks.start('backup.create', `Back up ${vm.name}`, (ctx) => this.runCreate(id, input, ctx.signal, ctx.progress), { meta: { vmId: vm.id, backupId: id, hostId: vm.hostId } });
  }

  private async runCreate(id: string, input: ParsedInput<'backup.create'>, signal: AbortSignal, progress: (f: number | null, m?: string) => void): Promise<Record<string, unknown>> {
    const vm = await this.e.vms.resolveFresh(input.vm);
    const host = this.e.hosts.get(vm.hostId);
    const disks = vm.spec.disks.filter((d) => !d.readOnly);
    if (disks.length === 0) throw new HangarError('INVALID_STATE', `"${vm.name}" has no writable disk to back up.`);
    const folder = input.folder ?? path.join(await host.hangarHome(), 'backups');
    const dir = path.join(folder, vm.id);
    await host.fs.mkdir(dir, 0o700).catch((e: Error) => {
      throw new HangarError('IO_ERROR', `Cannot create the backup folder "${dir}" on ${host.id === 'local' ? 'this computer' : `host "${host.id}"`}: ${e.message}`);
    });
    const running = vm.state === 'running' || vm.state === 'paused';
    if (!running && vm.state !== 'stopped' && vm.state !== 'crashed') throw new HangarError('INVALID_STATE', `"${vm.name}" is ${vm.state}; back it up once it is running or stopped.`);
    const bin = await this.qemuImg(host);
    const parent = this.repo.list(vm.id).find((b) => b.status === 'ready') ?? null;
    // the daemon's QMP socket goes in the VM's short runtime folder (UNIX socket paths max 108 bytes)
    const runDir = (await this.e.vms.paths(vm)).runDir;

    const session = <T>(fn: (qmp: Parameters<Parameters<typeof withStorageDaemon>[3]>[0]) => Promise<T>): Promise<T> =>
      running ? this.e.vms.withQmp(vm.id, (qmp) => fn(qmp)) : withStorageDaemon(host, runDir, disks.map((d) => ({ path: d.path, format: d.format })), fn);

    return session(async (qmp) => {
      // which disks sit at which node: argv.ts numbers every disk of the spec, writable or not
      const nodes = disks.map((d) => (running ? `disk${vm.spec.disks.indexOf(d)}` : `disk${disks.indexOf(d)}`));
      const present = await bitmapsPresent(qmp, nodes);
      let kind: 'full' | 'incremental' = input.mode === 'full' ? 'full' : 'incremental';
      let why = '';
      if (kind === 'incremental') {
        if (!parent) why = 'there is no earlier backup of this VM';
        else if (disks.some((d) => d.format !== 'qcow2')) why = 'a raw disk cannot keep a dirty bitmap';
        else if (parent.files.map((f) => f.diskId).join() !== disks.map((d) => d.id).join()) why = 'the VM\u2019s disks changed since the last backup';
        else if (nodes.some((n) => !present.get(n))) why = 'a disk lost its backup bitmap (restored or replaced)';
        if (why && input.mode === 'incremental') throw new HangarError('INVALID_STATE', `No incremental backup of "${vm.name}" is possible: ${why}. Make a full backup.`);
        if (why) kind = 'full';
      }
      const targets = disks.map((d, i) => path.join(dir, `${id}-disk${i}.qcow2`));
      for (const [i, d] of disks.entries()) {
        const size = (JSON.parse((await execOk(host, bin, ['info', '--output=json', '-U', d.path], { timeoutMs: 60000 })).stdout) as { 'virtual-size': number })['virtual-size'];
        const backing = kind === 'incremental' ? ['-b', parent!.files[i]!.file, '-F', 'qcow2'] : [];
        await execOk(host, bin, ['create', '-q', '-f', 'qcow2', ...backing, targets[i]!, String(size)], { timeoutMs: 60000 });
      }
      // quiesce: freeze the guest's file systems through its agent for the instant the jobs start
      let quiesced = false;
      const pointInTime = async (take: () => Promise<void>) => {
        if (vm.state !== 'running') return take();
        progress(0, 'Freezing the guest file systems');
        const frozen = await this.e.guest.freeze(vm).catch(() => null);
        try {
          await take();
        } finally {
          if (frozen) quiesced = await frozen.thaw();
        }
      };
      try {
        const label = kind === 'full' ? 'Full backup' : 'Incremental backup';
        await runBackupJobs(qmp, disks.map((_, i) => ({ node: nodes[i]!, target: targets[i]! })), kind, signal, (f) => progress(f * 0.9, `${label}${why ? ` (${why})` : ''}`), (input.bandwidthMiBs ?? 0) * 1024 * 1024, pointInTime);
        const out: BackupInfo['files'] = [];
        for (const [i, t] of targets.entries()) {
          const { sha256, bytes } = await hashFile(host, t, { signal });
          out.push({ diskId: disks[i]!.id, file: t, sha256, bytes });
          progress(0.9 + (0.1 * (i + 1)) / targets.length, 'Checksumming');
        }
        // a stopped VM has no writes in flight; a running one is consistent only when its agent froze it
        const consistency = !running || quiesced ? 'consistent' : 'crash-consistent';
        const info: BackupInfo = { id, vmId: vm.id, vmName: vm.name, hostId: host.id, kind, parentId: kind === 'incremental' ? parent!.id : null, folder: dir, createdAt: nowIso(), quiesced, consistency, bytes: 0, files: out, status: 'ready', verifiedAt: null };
        this.repo.insert(info, vm.spec);
        return { backupId: id, kind, bytes: out.reduce((s, f) => s + f.bytes, 0), consistency, quiesced, ...(why ? { fullBecause: why } : {}) };
      } catch (err) {
        for (const t of targets) await host.fs.rm(t).catch(() => undefined);
        throw err;
      }
    });
  }

  startRestore(input: ParsedInput<'backup.restore'>): { task: TaskInfo; done: Promise<TaskInfo> } {
    const b = this.get(input.backup);
    if (input.inPlace && !input.confirm) throw new HangarError('INVALID_INPUT', `Restoring in place overwrites the disks of "${b.vmName}": confirm it (confirm: true, or --in-place --yes).`, { field: 'confirm' });
    return this.e.tasks.start('backup.restore', `Restore ${b.vmName} (${b.createdAt.slice(0, 16).replace('T', ' ')})`, (ctx) => this.runRestore(b, input, ctx.signal, ctx.progress), { meta: { backupId: b.id } });
  }

  private async runRestore(b: BackupInfo, input: ParsedInput<'backup.restore'>, signal: AbortSignal, progress: (f: number | null, m?: string) => void): Promise<Record<string, unknown>> {
    const host = this.e.hosts.get(b.hostId);
    const bin = await this.qemuImg(host);
    const spec = this.repo.spec(b.id);
    for (const f of b.files) if (!(await host.fs.stat(f.file))) throw new HangarError('NOT_FOUND', `The backup file "${f.file}" is missing on ${host.id === 'local' ? 'this computer' : `host "${host.id}"`}.`);
    if (input.inPlace) {
      const vm = await this.e.vms.resolveFresh(b.vmId);
      if (vm.state !== 'stopped' && vm.state !== 'crashed') throw new HangarError('INVALID_STATE', `"${vm.name}" is ${vm.state}: shut it down before restoring over its disks.`);
      for (const [i, f] of b.files.entries()) {
        const disk = vm.spec.disks.find((d) => d.id === f.diskId);
        if (!disk) throw new HangarError('CONFLICT', `"${vm.name}" has no disk ${f.diskId} any more; restore as a new VM instead.`);
        const part = `${disk.path}.restore-part`;
        await convertWithProgress(host, bin, ['-O', disk.format, f.file, part], signal, (x) => progress((i + x) / b.files.length, `Restoring disk ${i + 1} of ${b.files.length}`), `Restoring "${disk.path}"`);
        await host.fs.rename(part, disk.path);
      }
      return { vmId: vm.id, vmName: vm.name, inPlace: true };
    }
    const name = input.name ?? `${b.vmName}-restored`;
    let vm: VmInfo | null = null;
    try {
      vm = await this.e.call('vm.create', {
        hostId: host.id, name, description: spec.description, os: spec.os, cpus: spec.cpus, memoryMiB: spec.memoryMiB, firmware: spec.firmware, machine: spec.machine, display: spec.display,
        // new MACs: the original VM may still be on the same network
        nics: spec.nics.map((n) => ({ model: n.model, mode: n.mode, ...(n.network ? { network: n.network } : {}), ...(n.bridge ? { bridge: n.bridge } : {}), portForwards: [] })),
        ...(spec.kernel ? { kernel: { path: spec.kernel.path, ...(spec.kernel.initrd ? { initrd: spec.kernel.initrd } : {}), append: spec.kernel.append } } : {}),
      });
      const disks: VmInfo['spec']['disks'] = [];
      for (const [i, f] of b.files.entries()) {
        const dst = path.join(vm.dir, `disk${i}.qcow2`);
        // converting the newest file of the chain reads through its backing files down to the full backup
        await convertWithProgress(host, bin, ['-O', 'qcow2', f.file, dst], signal, (x) => progress((i + x) / b.files.length, `Restoring disk ${i + 1} of ${b.files.length}`), `Restoring "${f.file}"`);
        disks.push({ id: f.diskId, path: dst, format: 'qcow2', bus: spec.disks.find((d) => d.id === f.diskId)?.bus ?? 'virtio', readOnly: false, owned: true });
      }
      const fresh = await this.e.call('vm.get', { vm: vm.id });
      vm = await this.e.vms.saveSpec(fresh, { ...fresh.spec, disks, bootOrder: spec.bootOrder });
      return { vmId: vm.id, vmName: vm.name, inPlace: false };
    } catch (err) {
      if (vm) await this.e.call('vm.delete', { vm: vm.id, deleteDisks: true }).catch(() => undefined);
      throw err;
    }
  }

  startVerify(ref: string): { task: TaskInfo; done: Promise<TaskInfo> } {
    const b = this.get(ref);
    return this.e.tasks.start('backup.verify', `Verify backup of ${b.vmName}`, async (ctx) => {
      const host = this.e.hosts.get(b.hostId);
      const bin = await this.qemuImg(host);
      const total = b.files.reduce((s, f) => s + f.bytes, 0) || 1;
      let before = 0;
      const problems: string[] = [];
      for (const f of b.files) {
        if (!(await host.fs.stat(f.file))) problems.push(`${path.basename(f.file)} is missing`);
        else {
          const { sha256 } = await hashFile(host, f.file, { signal: ctx.signal, onBytes: (n) => ctx.progress((before + n) / total, 'Checking checksums') });
          if (sha256 !== f.sha256) problems.push(`${path.basename(f.file)} changed (SHA-256 ${sha256.slice(0, 12)}…, expected ${f.sha256.slice(0, 12)}…)`);
          else {
            const check = await host.exec(bin, ['check', '-q', f.file], { timeoutMs: 600000 });
            if (check.code !== 0) problems.push(`${path.basename(f.file)} fails qemu-img check: ${(check.stderr || check.stdout).trim().split('\n').pop()}`);
          }
        }
        before += f.bytes;
      }
      this.repo.setStatus(b.id, problems.length ? 'corrupt' : 'ready', nowIso());
      if (problems.length) throw new HangarError('IO_ERROR', `The backup ${b.id.slice(0, 8)} of "${b.vmName}" is damaged: ${problems.join('; ')}.`);
      return { backupId: b.id, ok: true };
    });
  }

  async prune(input: ParsedInput<'backup.prune'>): Promise<{ deleted: string[]; kept: string[] }> {
    const vm = this.e.vms.resolve(input.vm);
    const all = this.repo.list(vm.id);
    const plan = planPrune(all, input.keepDaily, input.keepWeekly);
    if (input.dryRun) return { deleted: plan.remove, kept: plan.keep };
    const host = this.e.hosts.get(vm.hostId);
    // children before parents (the list is newest first), so a row never points at a removed parent
    for (const id of plan.remove) {
      const b = all.find((x) => x.id === id)!;
      for (const f of b.files) await host.fs.rm(f.file);
      this.repo.delete(id);
    }
    return { deleted: plan.remove, kept: plan.keep };
  }
}
