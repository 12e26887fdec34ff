import { z } from 'zod';
import { method } from './define';
import { absolutePath, objectRef } from './common';
import type { GuestInfo, SharedFolder } from './vm';

/** Guest integration: the guest agent (qemu-ga) and shared folders. See src-main/guest/. */
export interface GuestExecResult {
  exitCode: number | null;
  /** The signal that ended the command, when one did. */
  signal: number | null;
  stdout: string;
  stderr: string;
  /** The agent cut the output (it keeps at most 16 MiB per stream). */
  truncated: boolean;
}

export interface SharesInfo {
  vmId: string;
  /** `transport` is the one the share uses on this host; the spec's choice stays in `requested`. */
  shares: Array<Omit<SharedFolder, 'transport'> & { transport: '9p' | 'virtiofs'; requested: 'auto' | '9p'; mountCommand: string; fstabLine: string }>;
  /** How folders are shared and why (9p security model, virtiofs availability). */
  transportNote: string;
  /** virtiofsd on the VM's host, when found (used only when Hangar may run it: see transportNote). */
  virtiofsd: string | null;
  /** Can Hangar run virtiofsd on that host (found, and root)? */
  virtiofsUsable?: boolean;
}

const vmRef = z.object({ vm: objectRef('VM') }).strict();
const tag = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$/, { error: 'A mount tag is 1–31 letters, digits, ".", "_" or "-", starting with a letter or digit.' });

export const guestMethods = {
  'guest.info': method<GuestInfo>()(
    z.object({ vm: objectRef('VM'), refresh: z.boolean().default(true) }).strict(),
    'What the guest agent says: IP addresses, hostname, OS; or why it does not answer.',
  ),
  'guest.exec': method<GuestExecResult>()(
    z
      .object({
        vm: objectRef('VM'),
        command: z.array(z.string().max(65536)).min(1, { error: 'Give the command to run in the guest.' }).max(1024),
        input: z.string().max(1024 * 1024).optional(),
        timeoutSec: z.number().int().min(1).max(3600).default(60),
      })
      .strict(),
    'Run a program in the guest through the agent (guest-exec) and return its output and exit code.',
  ),
  'guest.setTime': method<{ set: boolean }>()(vmRef, "Set the guest's clock to the host's time through the agent."),
  'guest.shares': method<SharesInfo>()(vmRef, "The VM's shared folders, with the command to mount each in the guest."),
  'guest.share': method<SharesInfo>()(
    z.object({ vm: objectRef('VM'), path: absolutePath('Shared folder'), tag, readOnly: z.boolean().default(false), transport: z.enum(['auto', '9p']).default('auto') }).strict(),
    'Share a folder of the VM\'s host with the guest (virtiofs where the host can run virtiofsd, else virtio-9p; the VM must be stopped).',
  ),
  'guest.unshare': method<SharesInfo>()(z.object({ vm: objectRef('VM'), tag }).strict(), 'Stop sharing a folder (the VM must be stopped).'),
} as const;

