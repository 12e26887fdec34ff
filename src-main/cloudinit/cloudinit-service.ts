import * as path from 'node:path';
import type { ParsedInput, SshCommand, SshStatus, VmInfo, VmSpec } from '../api/contract';
import { HangarError } from '../api/errors';
import type { VmService } from '../compute/vm-service';
import { execOk, type Host } from '../hosts/host';
import type { HostRegistry } from '../hosts/registry';
import { freeLoopbackPort, sshBanner } from '../hosts/ssh-probe';
import type { SshTarget } from '../hosts/ssh-host';
import type { ImageRecord } from '../images/image-repo';
import { formatBytes } from '../util/units';
import { makeSeedIso } from './seed-iso';
import { checkPublicKey, newInstanceId, seedFiles, toSpec, validateSettings } from './seed';
import { shellQuote } from './shell-quote';

/** What the cloud-init domain uses of the others (services take what they use). */
export interface CloudInitDeps {
  vms: VmService;
  hosts: HostRegistry;
  images: { resolve(ref: string): ImageRecord };
  /** The SSH coordinates of a LAN host (null for this computer). */
  sshTarget(hostId: string): SshTarget | null;
}

const SEED_DISK_ID = 'cidata';
const SEED_FILE = 'cidata.iso';

/**
 * VMs from cloud images: validate everything first (nothing is created on bad input), make the
 * NoCloud seed on this computer, create the VM through compute (linked clone), grow its disk, copy
 * the seed to the VM's host through the Host seam and attach it as a read-only virtio disk (Debian's
 * cloud kernel has virtio but no AHCI, so a q35 SATA CD-ROM would be invisible to it; every Linux
 * kernel with virtio sees a virtio disk), and forward a free loopback port to the guest's port 22.
 */
export class CloudInitService {
  constructor(private readonly deps: CloudInitDeps) {}

  private get local(): Host {
    return this.deps.hosts.get('local');
  }

  validate(input: ParsedInput<'cloudinit.validate'>): { ok: true } {
    validateSettings(input);
    return { ok: true };
  }

  async createVm(input: ParsedInput<'cloudinit.createVm'>): Promise<VmInfo> {
    const { cloudInit, ...vmInput } = input;
    const { keys } = validateSettings(cloudInit);
    const image = this.deps.images.resolve(input.image);
    if (image.format === 'iso') throw new HangarError('INVALID_INPUT', `"${image.name}" is an ISO, not a cloud image (a qcow2 or raw disk).`, { field: 'image' });
    const minimum = Math.max(image.minDiskBytes, image.virtualSize);
    const size = input.diskSizeBytes > 0 ? input.diskSizeBytes : minimum;
    if (size < minimum)
      throw new HangarError('INVALID_INPUT', `The disk (${formatBytes(size)}) is smaller than the minimum of the image "${image.name}" (${formatBytes(minimum)}): choose at least ${formatBytes(minimum)}.`, {
        field: 'diskSizeBytes',
        minDiskBytes: minimum,
      });
    if (this.deps.vms.list().some((v) => v.name.toLowerCase() === input.name.toLowerCase())) throw new HangarError('CONFLICT', `A VM named "${input.name}" already exists. Choose another name.`, { field: 'name' });

    const host = this.deps.hosts.get(input.hostId);
    const { nics, sshPort } = await this.withSshForward(host, vmInput.nics);
    const settings = toSpec(cloudInit, keys, SEED_DISK_ID, sshPort);
    const seed = await makeSeedIso(this.local, seedFiles(settings));

    const vm = await this.deps.vms.create({ ...vmInput, nics, diskSizeBytes: 0, startAfterCreate: false, fullCopy: vmInput.fullCopy ?? false });
    try {
      const disk0 = vm.spec.disks[0]!;
      if (size > image.virtualSize) await execOk(host, 'qemu-img', ['resize', '-q', '-f', disk0.format, disk0.path, String(size)], { timeoutMs: 60000 });
      const seedPath = path.join(vm.dir, SEED_FILE);
      await host.fs.writeFileAtomic(seedPath, seed, 0o600);
      const spec: VmSpec = {
        ...vm.spec,
        disks: [...vm.spec.disks, { id: SEED_DISK_ID, path: seedPath, format: 'raw', bus: 'virtio', readOnly: true, owned: true }],
        cloudInit: settings,
      };
      await this.deps.vms.saveSpec(vm, spec);
    } catch (e) {
      await this.deps.vms.delete(vm.id, true).catch(() => undefined);
      throw e;
    }
    return input.startAfterCreate ? this.deps.vms.start(vm.id) : this.deps.vms.resolve(vm.id);
  }

  /** The first NAT NIC gets a forward of a free loopback port to 22 (unless it already has one). */
  private async withSshForward(host: Host, nics: ParsedInput<'vm.create'>['nics']): Promise<{ nics: ParsedInput<'vm.create'>['nics']; sshPort: number | null }> {
    const i = nics.findIndex((n) => (n.mode ?? 'user') === 'user');
    if (i < 0) return { nics, sshPort: null };
    const existing = nics[i]!.portForwards.find((f) => f.guestPort === 22 && f.protocol === 'tcp');
    if (existing) return { nics, sshPort: existing.hostPort };
    const used = new Set(this.deps.vms.list().flatMap((v) => v.spec.nics.flatMap((n) => n.portForwards.map((f) => f.hostPort))));
    const port = await freeLoopbackPort(host, used);
    const out = nics.map((n, j) => (j === i ? { ...n, portForwards: [...n.portForwards, { protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: port, guestPort: 22 }] } : n));
    return { nics: out, sshPort: port };
  }

  /** A new instance-id in a new seed: cloud-init runs again at the next start. */
  async rerun(ref: string): Promise<VmInfo> {
    const vm = await this.deps.vms.resolveFresh(ref);
    const c = vm.spec.cloudInit;
    if (!c) throw new HangarError('INVALID_INPUT', `"${vm.name}" was not made from a cloud image: it has no cloud-init seed.`, { field: 'vm' });
    if (vm.state !== 'stopped' && vm.state !== 'crashed') throw new HangarError('INVALID_STATE', `Stop "${vm.name}" first: the guest reads its cloud-init seed when it starts.`);
    const settings = { ...c, instanceId: newInstanceId() };
    const seed = await makeSeedIso(this.local, seedFiles(settings));
    const disk = vm.spec.disks.find((d) => d.id === c.seedDiskId);
    const seedPath = disk?.path ?? path.join(vm.dir, SEED_FILE);
    await this.deps.hosts.get(vm.hostId).fs.writeFileAtomic(seedPath, seed, 0o600);
    const disks = disk ? vm.spec.disks : [...vm.spec.disks, { id: c.seedDiskId, path: seedPath, format: 'raw' as const, bus: 'virtio' as const, readOnly: true, owned: true }];
    // new host keys come with the new instance: forget the old ones
    await this.local.fs.rm(await this.knownHostsFile(vm.id));
    return this.deps.vms.saveSpec(vm, { ...vm.spec, disks, cloudInit: settings });
  }

  async sshStatus(ref: string): Promise<SshStatus> {
    const vm = this.deps.vms.resolve(ref);
    const c = vm.spec.cloudInit;
    const base = { vm: vm.id, port: c?.sshPort ?? null, user: c?.user ?? null };
    if (!c) return { ...base, ready: false, banner: null, reason: 'Not made from a cloud image.' };
    if (c.sshPort === null) return { ...base, ready: false, banner: null, reason: 'No NAT network card, so no SSH forward.' };
    if (vm.state !== 'running') return { ...base, ready: false, banner: null, reason: 'The VM is not running.' };
    const banner = await sshBanner(this.deps.hosts.get(vm.hostId), c.sshPort).catch(() => null);
    return { ...base, ready: banner !== null, banner, reason: banner ? null : 'sshd in the guest does not answer yet.' };
  }

  async sshCommand(ref: string, identityFile: string | undefined, command: string[]): Promise<SshCommand> {
    const vm = this.deps.vms.resolve(ref);
    const c = vm.spec.cloudInit;
    if (!c || c.sshPort === null) throw new HangarError('INVALID_INPUT', `"${vm.name}" has no SSH forward (it was not made from a cloud image with a NAT network card).`, { field: 'vm' });
    const knownHosts = await this.knownHostsFile(vm.id);
    await this.local.fs.mkdir(path.dirname(knownHosts), 0o700);
    const target = this.deps.sshTarget(vm.hostId);
    const argv = [
      'ssh',
      '-p',
      String(c.sshPort),
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      ...(identityFile ? ['-i', identityFile, '-o', 'IdentitiesOnly=yes'] : []),
      // a LAN host's forward listens on its loopback: jump through the host
      ...(target ? ['-J', `${target.user}@${target.address}:${target.port}`] : []),
      `${c.user}@127.0.0.1`,
      ...(command.length > 0 ? ['--', ...command] : []),
    ];
    return { argv, command: argv.map(shellQuote).join(' ') };
  }

  /** The VM's host keys, apart from the user's own known_hosts (ports are reused by other VMs). */
  private async knownHostsFile(vmId: string): Promise<string> {
    return path.join(await this.local.hangarHome(), 'cloudinit', `${vmId}.known_hosts`);
  }

  /** ~/.ssh/*.pub of the user running the engine, the valid ones. */
  async sshKeys(): Promise<Array<{ file: string; key: string; comment: string }>> {
    const dir = path.join((await this.local.info()).homeDir, '.ssh');
    const names = (await this.local.fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.pub')).sort();
    const out: Array<{ file: string; key: string; comment: string }> = [];
    for (const name of names) {
      try {
        const key = checkPublicKey((await this.local.fs.readFile(path.join(dir, name))).toString('utf8'));
        out.push({ file: path.join(dir, name), key, comment: key.split(' ').slice(2).join(' ') });
      } catch {
        // not a public key: not offered
      }
    }
    return out;
  }
}
