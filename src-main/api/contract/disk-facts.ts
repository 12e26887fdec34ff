import { z } from 'zod';
import { method } from './define';
import { objectRef } from './common';

/** Sizes of one of a VM's disks (or its CD-ROM medium), from qemu-img, and the library name of its medium. */
export interface VmDiskFacts {
  /** The disk id ("disk0", "hp1"), or "cdrom". */
  id: string;
  path: string;
  /** Guest-visible size; null when the file cannot be read. */
  virtualBytes: number | null;
  /** Space the file takes on the host (sparse and qcow2 files take less). */
  usedBytes: number | null;
  /** The image library's name for this file (an ISO or a base image), when it is one. */
  imageName: string | null;
  /** Why the sizes are missing, in words. */
  error: string | null;
}

export const diskFactsMethods = {
  'vm.diskFacts': method<VmDiskFacts[]>()(z.object({ vm: objectRef('VM') }).strict(), "Virtual and used size of each of a VM's disks and its CD-ROM medium, with library names."),
} as const;
