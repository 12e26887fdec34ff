import type { SharedFolder, SharesInfo, VmInfo } from '../api/contract';
import { HangarError } from '../api/errors';
import type { VmService } from '../compute/vm-service';
import type { HostRegistry } from '../hosts/registry';

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
 * virtiofs would be faster, but needs virtiofsd (Debian 12 ships QEMU's C virtiofsd in
 * /usr/lib/qemu, which needs root) and shared guest memory: it is probed and reported, not used yet.
 * 9p devices cannot be hot-plugged (QMP has no fsdev_add): shares change while the VM is stopped.
 */
const VIRTIOFSD_CANDIDATES = ['/usr/libexec/virtiofsd', '/usr/lib/qemu/virtiofsd', '/usr/lib/virtiofsd'];

export class ShareService {
  constructor(
    private readonly vms: VmService,
    private readonly hosts: HostRegistry,
  ) {}

  async list(ref: string): Promise<SharesInfo> {
    const vm = this.vms.resolve(ref);
    const virtiofsd = await this.findVirtiofsd(vm.hostId);
    return {
      vmId: vm.id,
      shares: (vm.spec.sharedFolders ?? []).map((s) => ({ ...s, transport: '9p' as const, mountCommand: mountCommand(s), fstabLine: fstabLine(s) })),
      transportNote:
        'virtio-9p with security_model=mapped-xattr: the guest keeps its own owners and modes in extended attributes, and the files on the host stay yours.' +
        (virtiofsd ? ` virtiofsd was found (${virtiofsd}); Hangar does not use virtiofs yet.` : ' virtiofsd is not installed on this host, so virtiofs is not available.'),
      virtiofsd,
    };
  }

  async add(input: { vm: string; path: string; tag: string; readOnly: boolean }): Promise<SharesInfo> {
    const vm = await this.stopped(input.vm, 'share a folder');
    const host = this.hosts.get(vm.hostId);
    const st = await host.fs.stat(input.path);
    if (!st?.isDirectory) throw new HangarError('NOT_FOUND', `${input.path} is not a folder on ${host.kind === 'local' ? 'this computer' : `the host "${vm.hostId}"`}.`, { field: 'path' });
    const current = vm.spec.sharedFolders ?? [];
    if (current.some((s) => s.tag === input.tag)) throw new HangarError('CONFLICT', `"${vm.name}" already shares a folder with the tag "${input.tag}".`, { field: 'tag' });
    if (current.length >= 8) throw new HangarError('RESOURCE_LIMIT', 'A VM can share at most 8 folders.');
    const share: SharedFolder = { tag: input.tag, path: input.path, readOnly: input.readOnly };
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
      throw new HangarError('INVALID_STATE', `Stop "${vm.name}" to ${what}: QEMU cannot add or remove a 9p share while the guest runs.`);
    return vm;
  }

  private async findVirtiofsd(hostId: string): Promise<string | null> {
    const host = this.hosts.get(hostId);
    const inPath = await host.which('virtiofsd').catch(() => null);
    if (inPath) return inPath;
    for (const c of VIRTIOFSD_CANDIDATES) if ((await host.fs.stat(c).catch(() => null))?.isFile) return c;
    return null;
  }
}

/** What to type in the guest (as root) to mount a share. */
export function mountCommand(s: SharedFolder): string {
  const dir = `/mnt/${s.tag}`;
  return `mkdir -p ${dir} && mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144${s.readOnly ? ',ro' : ''} ${s.tag} ${dir}`;
}

export function fstabLine(s: SharedFolder): string {
  return `${s.tag} /mnt/${s.tag} 9p trans=virtio,version=9p2000.L,msize=262144,nofail${s.readOnly ? ',ro' : ''} 0 0`;
}
