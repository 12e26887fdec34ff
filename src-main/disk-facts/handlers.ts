import type { VmDiskFacts } from '../api/contract/disk-facts';
import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';
import { imageInfo } from '../storage/qemu-img';

/**
 * Disk facts for the Details and Storage tabs (issue 12: they showed paths only, no sizes, and
 * install media as `…/images/<uuid>.iso`). qemu-img answers for the file on the VM's own host
 * (`-U`: a running guest holds the lock); the image library gives media their names.
 */
export function diskFactsHandlers(e: Engine) {
  return {
    'vm.diskFacts': async (i) => {
      const vm = e.vms.resolve(i.vm);
      const host = e.hosts.get(vm.hostId);
      const images = await e.call('image.list', {}).catch(() => []);
      const nameOf = (path: string) => images.find((img) => img.path === path && img.hostId === vm.hostId)?.name ?? null;
      const files = [...vm.spec.disks.map((d) => ({ id: d.id, path: d.path })), ...(vm.spec.cdrom ? [{ id: 'cdrom', path: vm.spec.cdrom }] : [])];
      return Promise.all(
        files.map(async (f): Promise<VmDiskFacts> => {
          const info = await imageInfo(host, f.path).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
          if (info instanceof Error) return { ...f, virtualBytes: null, usedBytes: null, imageName: nameOf(f.path), error: info.message };
          const backing = info.chain[1]?.path;
          return { ...f, virtualBytes: info.virtualBytes, usedBytes: info.actualBytes, imageName: nameOf(f.path) ?? (backing ? nameOf(backing) : null), error: null };
        }),
      );
    },
  } satisfies Partial<Handlers>;
}
