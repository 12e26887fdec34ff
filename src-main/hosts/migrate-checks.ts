import type { VmInfo } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from './host';

/**
 * Before a live migration starts a QEMU on the destination: can the destination's user open
 * every file that QEMU will open there (writable disks for writing, the rest for reading)? Found
 * in a LAN-host trial: a disk the far host could not read ended in "Internal error: Permission
 * denied". `test -r` cannot answer this (shells answer "yes" for root whatever the kernel says),
 * so the file is really opened: `head -c 0` for reading, `dd of=... conv=notrunc` with no input
 * for writing (opens it, writes nothing, truncates nothing).
 */
export async function checkDestinationAccess(vm: VmInfo, to: Host, hostName: string): Promise<void> {
  const user = 'target' in to ? (to as Host & { target: { user: string } }).target.user : 'this user';
  const files: Array<{ what: string; path: string; write: boolean }> = [
    ...vm.spec.disks.map((d) => ({ what: 'disk', path: d.path, write: !d.readOnly })),
    ...(vm.spec.cdrom ? [{ what: 'ISO', path: vm.spec.cdrom, write: false }] : []),
    ...(vm.spec.kernel?.path ? [{ what: 'kernel', path: vm.spec.kernel.path, write: false }] : []),
    ...(vm.spec.kernel?.initrd ? [{ what: 'initrd', path: vm.spec.kernel.initrd, write: false }] : []),
  ];
  for (const f of files) {
    const r = f.write
      ? await to.exec('dd', ['if=/dev/null', `of=${f.path}`, 'conv=notrunc,nocreat', 'status=none'], { timeoutMs: 30000 })
      : await to.exec('head', ['-c', '0', '--', f.path], { timeoutMs: 30000 });
    if (r.code === 0) continue;
    const raw = r.stderr.trim().split('\n').pop() ?? '';
    if (/no such file/i.test(raw)) continue; // the storage check says what is missing, in its own words
    const reason = (raw.split(': ').pop() || `exit ${r.code}`).toLowerCase();
    throw new HangarError(
      'IO_ERROR',
      `${hostName} cannot ${f.write ? 'open for writing' : 'read'} the ${f.what} ${f.path} (${reason} for the SSH user ${user}), so "${vm.name}" could not run there: give ${user} access to it on ${hostName}, or stop the VM and use the offline move. The VM keeps running on its old host.`,
      { host: hostName, path: f.path, reason },
    );
  }
}
