import type { SharedFolder, SharesInfo, VmInfo } from '../api/contract';
import { HangarError } from '../api/errors';
import type { VmService } from '../compute/vm-service';
import type { HostRegistry } from '../hosts/registry';
import { probeVirtiofs, shareTransport } from './virtiofs';

/**
 * Shared folders: a folder of the VM's host (on a LAN host, a folder on THAT host) shared with a
 * Linux guest over virtio-9p (`-fsdev local` + `virtio-9p-pci`, guest/guest-argv.ts).
 *
 * Security model: mapped-xattr. QEMU runs as the user, not root, so "passthrough" (which chowns
 * host files to the guest's uids) would fail or need root; "none" would give the guest wrong
 * owners and modes. mapped-xattr keeps the guest's owner, group and mode in user.virtfs.* extended
 * attributes: the guest sees a normal POSIX file system, the host files stay owned by the user
 * (no setuid-root file can appear on the host), at the cost that host tools see mode 0600/0700
 * files. Needs a host file system with user xattrs (ext4, xfs, btrfs, tmpfs ≥ 6.6, overlayfs).
 *
 * virtiofs is used instead for read-write shares where the host can run virtiofsd (found, and
 * Hangar runs as root there: guest/virtiofs.ts); a share can ask to stay on 9p (`transport: '9p'`).
 * 9p devices cannot be hot-plugged (QMP has no fsdev_add): shares change while the VM is stopped.
 */

export class ShareService {
  constructor(
    private readonly vms: VmService,
    private readonly hosts: HostRegistry,
  ) {}

  async list(ref: string): Promise<SharesInfo> {
    const vm = this.vms.resolve(ref);
    const probe = await probeVirtiofs(this.hosts.get(vm.hostId));
    const shares = (vm.spec.sharedFolders ?? []).map(({ transport: requested, ...s }) => {
      const transport = shareTransport({ ...s, transport: requested }, probe.usable);
      return { ...s, transport, requested: requested ?? 'auto', mountCommand: mountCommand(s, transport), fstabLine: fstabLine(s, transport) };
    });
    const ninep =
      'virtio-9p with security_model=mapped-xattr: the guest keeps its own owners and modes in extended attributes, and the files on the host stay yours.';
    const note = probe.usable
      ? `virtiofs (${probe.binary}, one virtiofsd per share) for read-write shares: the guest sees the host's owners and modes, with the page cache. Read-only shares stay on ${ninep} (QEMU's C virtiofsd has no read-only option). While a virtiofs share is in use the VM cannot take a snapshot with memory or move live.`
      : `${ninep} virtiofs is not used: ${probe.reason}.`;
    return { vmId: vm.id, shares, transportNote: note, virtiofsd: probe.binary, virtiofsUsable: probe.usable };
  }

  async add(input: { vm: string; path: string; tag: string; readOnly: boolean; transport?: 'auto' | '9p' }): Promise<SharesInfo> {
    const vm = await this.stopped(input.vm, 'share a folder');
    const host = this.hosts.get(vm.hostId);
    const st = await host.fs.stat(input.path);
    if (!st?.isDirectory) throw new HangarError('NOT_FOUND', `${input.path} is not a folder on ${host.kind === 'local' ? 'this computer' : `the host "${vm.hostId}"`}.`, { field: 'path' });
    const current = vm.spec.sharedFolders ?? [];
    if (current.some((s) => s.tag === input.tag)) throw new HangarError('CONFLICT', `"${vm.name}" already shares a folder with the tag "${input.tag}".`, { field: 'tag' });
    if (current.length >= 8) throw new HangarError('RESOURCE_LIMIT', 'A VM can share at most 8 folders.');
    const share: SharedFolder = { tag: input.tag, path: input.path, readOnly: input.readOnly, ...(input.transport === '9p' && { transport: '9p' as const }) };
    await this.vms.saveSpec(vm, { ...vm.spec, sharedFolders: [...current, share] });
    return this.list(vm.id);
  }

  async remove(input: { vm: string; tag: string }): Promise<SharesInfo> {
    const vm = await this.stopped(input.vm, 'stop sharing a folder');
    const current = vm.spec.sharedFolders ?? [];
    if (!current.some((s) => s.tag === input.tag)) throw new HangarError('NOT_FOUND', `"${vm.name}" shares no folder with the tag "${input.tag}".`, { field: 'tag' });
    await this.vms.saveSpec(vm, { ...vm.spec, sharedFolders: current.filter((s) => s.tag !== input.tag) });
    return this.list(vm.id);
  }

  private async stopped(ref: string, what: string): Promise<VmInfo> {
    const vm = await this.vms.resolveFresh(ref);
    if (vm.state !== 'stopped' && vm.state !== 'crashed')
      throw new HangarError('INVALID_STATE', `Stop "${vm.name}" to ${what}: QEMU cannot add or remove a 9p or virtiofs share while the guest runs.`);
    return vm;
  }
}

/** What to type in the guest (as root) to mount a share. */
export function mountCommand(s: Omit<SharedFolder, 'transport'>, transport: '9p' | 'virtiofs' = '9p'): string {
  const dir = `/mnt/${s.tag}`;
  if (transport === 'virtiofs') return `mkdir -p ${dir} && mount -t virtiofs ${s.tag} ${dir}`;
  return `mkdir -p ${dir} && mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144${s.readOnly ? ',ro' : ''} ${s.tag} ${dir}`;
}

export function fstabLine(s: Omit<SharedFolder, 'transport'>, transport: '9p' | 'virtiofs' = '9p'): string {
  if (transport === 'virtiofs') return `${s.tag} /mnt/${s.tag} virtiofs nofail 0 0`;
  return `${s.tag} /mnt/${s.tag} 9p trans=virtio,version=9p2000.L,msize=262144,nofail${s.readOnly ? ',ro' : ''} 0 0`;
}
