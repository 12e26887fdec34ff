import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { ApplianceReview, ParsedInput, TaskInfo, VmInfo } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';
import { hashFile } from '../images/copy-hash';
import { convertWithProgress } from '../images/qemu-img';
import { QEMU_IMG, probeHost } from '../qemu/probe';
import { formatBytes } from '../util/units';
import { BUNDLE_FILE, openPackage, reviewOf, type Bundle, type OpenedPackage } from './package';
import { buildManifest, buildOvf, type ExportDisk } from './ovf-write';
import type { AppliancePorts } from './ports';
import { extractEntry, newHash, writeTar } from './tar';

/**
 * Import and export of appliances (OVA/OVF and Hangar bundles) as Tasks. Nothing is created before
 * the manifest has been checked; a failed or cancelled import leaves no VM and no staging files;
 * an export writes `<file>.part` and renames it only when complete.
 */

async function qemuImg(host: Host): Promise<string> {
  return (await probeHost(host)).qemuImg?.binary ?? QEMU_IMG;
}

/** A file's digest by the manifest's algorithm, streamed. */
async function hashWith(host: Host, file: string, alg: 'SHA1' | 'SHA256' | 'SHA512', signal: AbortSignal, onBytes: (n: number) => void): Promise<string> {
  const h = newHash(alg);
  const input = await host.fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 });
  let n = 0;
  try {
    for await (const c of input as AsyncIterable<Buffer>) {
      if (signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
      h.update(c);
      onBytes((n += c.length));
    }
  } finally {
    input.destroy();
  }
  return h.digest('hex');
}

export class ApplianceService {
  constructor(private readonly e: AppliancePorts) {}

  async inspect(hostId: string, file: string): Promise<ApplianceReview> {
    return reviewOf(await openPackage(this.e.hosts.get(hostId), file));
  }

  startImport(input: ParsedInput<'appliance.import'>): { task: TaskInfo; done: Promise<TaskInfo> } {
    return this.e.tasks.start('appliance.import', `Import ${path.basename(input.path)}`, (ctx) => this.runImport(input, ctx.signal, ctx.progress), { meta: { path: input.path } });
  }

  private async runImport(input: ParsedInput<'appliance.import'>, signal: AbortSignal, progress: (f: number | null, m?: string) => void): Promise<Record<string, unknown>> {
    const host = this.e.hosts.get(input.hostId);
    const pkg = await openPackage(host, input.path);
    const review = reviewOf(pkg);
    const name = input.name ?? review.name;
    if (this.e.vms.list().some((v) => v.name === name)) throw new HangarError('CONFLICT', `A VM named "${name}" already exists: give the import another name (--name).`, { field: 'name' });
    const staging = path.join(await host.hangarHome(), 'appliances', `import-${randomUUID()}`);
    await host.fs.mkdir(staging, 0o700);
    let vm: VmInfo | null = null;
    try {
      // 1. every disk out of the package (OVA) or in place (OVF, bundle), hashed on the way
      const sources = await this.stageAndVerify(host, pkg, staging, signal, (f, m) => progress(f * 0.4, m));
      // 2. the VM, then its disks converted into its folder
      vm = await this.e.call('vm.create', {
        hostId: host.id,
        name,
        description: review.description.slice(0, 4000),
        os: { family: review.os.family, variant: review.os.osinfo },
        cpus: input.cpus ?? review.cpus,
        memoryMiB: input.memoryMiB ?? review.memoryMiB,
        firmware: review.firmware,
        machine: review.machine,
        nics: review.nics.map((n) => ({ model: n.model, ...(n.mac ? { mac: n.mac } : {}), portForwards: [] })),
        display: 'vnc',
      });
      const bin = await qemuImg(host);
      const disks: VmInfo['spec']['disks'] = [];
      for (const [i, src] of sources.entries()) {
        if (signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
        const dst = path.join(vm.dir, `disk${i}.qcow2`);
        const label = `Converting disk ${i + 1} of ${sources.length} to qcow2`;
        await convertWithProgress(host, bin, ['-O', 'qcow2', src, dst], signal, (f) => progress(0.4 + (0.6 * (i + f)) / sources.length, label), `Converting "${path.basename(src)}" to qcow2`);
        disks.push({ id: `disk${i}`, path: dst, format: 'qcow2', bus: review.disks[i]?.bus ?? 'virtio', readOnly: false, owned: true });
      }
      const fresh = await this.e.call('vm.get', { vm: vm.id });
      vm = await this.e.vms.saveSpec(fresh, { ...fresh.spec, disks, ...(pkg.bundle ? { bootOrder: pkg.bundle.spec.bootOrder } : {}) });
      return { vmId: vm.id, vmName: vm.name, disks: disks.length, notes: review.notes.length };
    } catch (err) {
      if (vm) await this.e.call('vm.delete', { vm: vm.id, deleteDisks: true }).catch(() => undefined);
      throw err;
    } finally {
      await host.fs.rm(staging, { recursive: true }).catch(() => undefined);
    }
  }

  /**
   * Hash every member the manifest lists (and extract an OVA's disks into `staging`); refuse on
   * the first mismatch, before anything is created. Returns the disk files in the VM's disk order.
   */
  private async stageAndVerify(host: Host, pkg: OpenedPackage, staging: string, signal: AbortSignal, progress: (f: number, m: string) => void): Promise<string[]> {
    const diskNames = pkg.bundle ? pkg.bundle.disks.map((d) => d.file) : (pkg.ovf?.disks ?? []).flatMap((d) => (d.href ? [d.href] : []));
    const mf = pkg.manifest;
    const wanted = new Set([...diskNames, ...(mf ? [...mf.files.keys()] : [])]);
    const total = [...wanted].reduce((s, n) => s + (pkg.members.get(n)?.size ?? 0), 0) || 1;
    let before = 0;
    const out = new Map<string, string>();
    for (const name of wanted) {
      const m = pkg.members.get(name);
      if (!m) throw new HangarError('INVALID_INPUT', `The manifest lists "${name}", which is not in the package: refusing to import an incomplete appliance.`);
      const hash = mf ? newHash(mf.algorithm) : null;
      const msg = `Checking ${name} (${formatBytes(m.size)})`;
      if (m.entry && diskNames.includes(name)) {
        const dst = path.join(staging, `m${out.size}-${path.basename(name).replace(/[^\w.-]/g, '_')}`);
        await extractEntry(host, pkg.path, m.entry, dst, hash, signal, (n) => progress((before + n) / total, msg));
        out.set(name, dst);
      } else if (m.entry) {
        // the descriptor (or another small member) is hashed from the archive without a copy
        if (hash && name === pkg.ovfName && pkg.ovfBytes) hash.update(pkg.ovfBytes);
        else if (hash) {
          const scratch = path.join(staging, `h-${out.size}`);
          await extractEntry(host, pkg.path, m.entry, scratch, hash, signal, () => undefined);
          await host.fs.rm(scratch);
        }
      } else if (m.file) {
        if (mf) this.check(name, mf.files.get(name), await hashWith(host, m.file, mf.algorithm, signal, (n) => progress((before + n) / total, msg)), mf.algorithm);
        if (diskNames.includes(name)) out.set(name, m.file);
      }
      if (hash && m.entry) this.check(name, mf!.files.get(name), hash.digest('hex'), mf!.algorithm);
      before += m.size;
    }
    return diskNames.map((n) => out.get(n)!);
  }

  private check(name: string, expected: string | undefined, actual: string, alg: string): void {
    if (expected === undefined) throw new HangarError('INVALID_INPUT', `"${name}" is not listed in the appliance's manifest: refusing to import a file nobody vouched for.`);
    if (expected !== actual)
      throw new HangarError('INVALID_INPUT', `The ${alg} checksum of "${name}" does not match the manifest (expected ${expected.slice(0, 16)}…, got ${actual.slice(0, 16)}…): the appliance is damaged or was changed. Nothing was imported.`, { field: 'path' });
  }

  // ------------------------------------------------------------------ export

  startExport(input: ParsedInput<'appliance.export'>): { task: TaskInfo; done: Promise<TaskInfo> } {
    const vm = this.e.vms.resolve(input.vm);
    return this.e.tasks.start('appliance.export', `Export ${vm.name} as ${input.format === 'ova' ? 'OVA' : 'a bundle'}`, (ctx) => this.runExport(input, ctx.signal, ctx.progress), { meta: { vmId: vm.id, path: input.path } });
  }

  /**
   * The checks an export makes before any work: the VM is stopped, the path is free and its folder
   * writable. The handler runs them before the task starts too, so a bad path comes back from the
   * call itself with `field: 'path'` (the Export dialog shows it at the field); the task repeats them.
   */
  async checkExport(input: ParsedInput<'appliance.export'>): Promise<{ vm: VmInfo; host: Host }> {
    const vm = await this.e.vms.resolveFresh(input.vm);
    if (vm.state !== 'stopped' && vm.state !== 'crashed') throw new HangarError('INVALID_STATE', `"${vm.name}" is ${vm.state}: shut it down before exporting, so its disks are consistent.`);
    const host = this.e.hosts.get(vm.hostId);
    const exists = await host.fs.stat(input.path);
    if (exists && !input.overwrite) throw new HangarError('CONFLICT', `"${input.path}" already exists on ${host.id === 'local' ? 'this computer' : `host "${host.id}"`}; choose another path${input.format === 'ova' ? ' or overwrite it' : ''}.`, { field: 'path' });
    if (exists && input.format === 'bundle') throw new HangarError('CONFLICT', `The bundle folder "${input.path}" already exists; choose a new folder.`, { field: 'path' });
    const parent = path.dirname(input.path);
    if (!(await host.fs.access(parent, 'w'))) throw new HangarError('IO_ERROR', `Cannot write to "${parent}" on ${host.id === 'local' ? 'this computer' : `host "${host.id}"`}: permission denied or no such folder.`, { field: 'path' });
    return { vm, host };
  }

  private async runExport(input: ParsedInput<'appliance.export'>, signal: AbortSignal, progress: (f: number | null, m?: string) => void): Promise<Record<string, unknown>> {
    const { vm, host } = await this.checkExport(input);
    const bin = await qemuImg(host);
    const disks = vm.spec.disks.filter((d) => !d.readOnly);
    if (input.format === 'bundle') return this.exportBundle(host, bin, vm, disks, input.path, signal, progress);

    const staging = `${input.path}.parts`;
    await host.fs.rm(staging, { recursive: true }).catch(() => undefined);
    await host.fs.mkdir(staging, 0o700);
    try {
      const base = vm.name.replace(/[^\w.-]+/g, '_');
      const exported: Array<ExportDisk & { file: string; sha256: string }> = [];
      for (const [i, d] of disks.entries()) {
        const href = `${base}-disk${String(i + 1).padStart(3, '0')}.vmdk`;
        const file = path.join(staging, href);
        const label = `Converting disk ${i + 1} of ${disks.length} to streamOptimized VMDK`;
        await convertWithProgress(host, bin, ['-f', d.format, '-O', 'vmdk', '-o', 'subformat=streamOptimized', d.path, file], signal, (f) => progress((0.7 * (i + f)) / disks.length, label), `Converting "${d.path}" to VMDK`);
        const info = JSON.parse((await host.exec(bin, ['info', '--output=json', '-U', d.path], { timeoutMs: 60000 })).stdout) as { 'virtual-size': number };
        const { sha256, bytes } = await hashFile(host, file, { signal });
        exported.push({ href, file, sha256, fileBytes: bytes, capacityBytes: info['virtual-size'], bus: d.bus });
      }
      const ovfName = `${base}.ovf`;
      const ovf = buildOvf(vm.spec, exported);
      await host.fs.writeFileAtomic(path.join(staging, ovfName), ovf);
      const ovfSha = (await hashFile(host, path.join(staging, ovfName), { signal })).sha256;
      const mfName = `${base}.mf`;
      await host.fs.writeFileAtomic(path.join(staging, mfName), buildManifest([{ name: ovfName, sha256: ovfSha }, ...exported.map((d) => ({ name: d.href, sha256: d.sha256 }))]));
      const total = exported.reduce((s, d) => s + d.fileBytes, 0) || 1;
      const part = `${input.path}.part`;
      // DSP0243: descriptor first, then the manifest, then the files in References order
      await writeTar(host, part, [{ name: ovfName, file: path.join(staging, ovfName) }, { name: mfName, file: path.join(staging, mfName) }, ...exported.map((d) => ({ name: d.href, file: d.file }))], signal, (n) => progress(0.7 + (0.3 * Math.min(n, total)) / total, 'Writing the OVA'));
      await host.fs.rename(part, input.path);
      const st = await host.fs.stat(input.path);
      return { path: input.path, bytes: st?.size ?? 0, disks: exported.length };
    } catch (err) {
      await host.fs.rm(`${input.path}.part`).catch(() => undefined);
      throw err;
    } finally {
      await host.fs.rm(staging, { recursive: true }).catch(() => undefined);
    }
  }

  private async exportBundle(host: Host, bin: string, vm: VmInfo, disks: VmInfo['spec']['disks'], dir: string, signal: AbortSignal, progress: (f: number | null, m?: string) => void): Promise<Record<string, unknown>> {
    const part = `${dir}.part`;
    await host.fs.rm(part, { recursive: true }).catch(() => undefined);
    await host.fs.mkdir(part, 0o755);
    try {
      const entries: Bundle['disks'] = [];
      for (const [i, d] of disks.entries()) {
        const file = `disk${i}.qcow2`;
        // convert, not copy: a disk that is an overlay on a library image becomes standalone
        await convertWithProgress(host, bin, ['-f', d.format, '-O', 'qcow2', d.path, path.join(part, file)], signal, (f) => progress((0.8 * (i + f)) / disks.length, `Copying disk ${i + 1} of ${disks.length}`), `Copying "${d.path}"`);
        entries.push({ id: d.id, file, sha256: (await hashFile(host, path.join(part, file), { signal })).sha256 });
        progress((0.8 + (0.2 * (i + 1)) / disks.length), 'Checksumming');
      }
      const spec = { ...vm.spec, disks: disks.map((d, i) => ({ ...d, path: `/bundle/${entries[i]!.file}`, format: 'qcow2' as const, owned: true })), cdrom: null, kernel: null };
      const bundle: Bundle = { format: 'hangar-bundle', version: 1, spec, disks: entries };
      await host.fs.writeFileAtomic(path.join(part, BUNDLE_FILE), JSON.stringify(bundle, null, 2) + '\n');
      await host.fs.rename(part, dir);
      return { path: dir, disks: entries.length };
    } catch (err) {
      await host.fs.rm(part, { recursive: true }).catch(() => undefined);
      throw err;
    }
  }
}
