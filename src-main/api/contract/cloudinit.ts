import { z } from 'zod';
import { method } from './define';
import { objectRef } from './common';
import { VmCreateInput, type VmInfo } from './vm';
import { cloudHostname, cloudUser, PACKAGE_RE, TZ_RE } from './cloudinit-spec';

export { CloudInitSpecSchema, cloudHostname, cloudUser, type CloudInitSpec } from './cloudinit-spec';

/**
 * Cloud-init (NoCloud): what the user gives for a VM made from a cloud image, what Hangar keeps of
 * it in the VM spec (to re-make the seed with a new instance-id), and the SSH way in.
 */

/** What the wizard and `hangar vm create --user ...` give. */
export const CloudInitInput = z
  .object({
    user: cloudUser,
    hostname: cloudHostname,
    /** OpenSSH public keys, one per entry (the contents of ~/.ssh/id_*.pub). */
    sshKeys: z.array(z.string().max(16384)).max(32).default([]),
    /** Plain password: hashed (SHA-512 crypt) by the engine, never stored or written in clear. */
    password: z.string().min(1).max(1024).optional(),
    timezone: z.string().regex(TZ_RE, { error: 'A time zone is an IANA name such as Europe/Paris or UTC.' }).optional(),
    packages: z.array(z.string().regex(PACKAGE_RE, { error: 'Package names are lower-case letters, digits, "+", "-" and "." (Debian policy).' })).max(200).default([]),
    /** Free user-data (YAML, merged over what Hangar writes); validated before anything is saved. */
    userData: z.string().max(256 * 1024).default(''),
    /** Optional network-config (version 1 or 2 YAML); absent = DHCP on the first NIC. */
    networkConfig: z.string().max(64 * 1024).default(''),
  })
  .strict();
export type CloudInitInput = z.input<typeof CloudInitInput>;

export const CloudVmCreateInput = VmCreateInput.extend({
  image: objectRef('image'),
  cloudInit: CloudInitInput,
}).strict();

export interface SshStatus {
  vm: string;
  /** Loopback port forwarded to the guest's sshd (on the VM's host). */
  port: number | null;
  user: string | null;
  /** True when the port answered with an SSH banner. */
  ready: boolean;
  banner: string | null;
  /** Why it is not ready, in words. */
  reason: string | null;
}

export interface SshCommand {
  /** `ssh` and its arguments (spawn them; never through a shell). */
  argv: string[];
  /** The same, quoted for a POSIX shell, to copy. */
  command: string;
}

const vmRef = z.object({ vm: objectRef('VM') }).strict();

export const cloudInitMethods = {
  'cloudinit.createVm': method<VmInfo>()(
    CloudVmCreateInput,
    'Create a VM from a cloud image: a linked clone grown to diskSizeBytes (at least the image minimum), a NoCloud seed (user, keys, hostname, packages, user-data) and an SSH port forward.',
  ),
  'cloudinit.rerun': method<VmInfo>()(vmRef, 'Write the seed again with a new instance-id, so cloud-init runs again at the next boot.'),
  'cloudinit.validate': method<{ ok: true }>()(CloudInitInput, 'Check cloud-init settings (user-data YAML, keys, hostname) without creating anything.'),
  'cloudinit.sshStatus': method<SshStatus>()(vmRef, 'Probe the VM\u2019s SSH forward: ready when it answers with an SSH banner.'),
  'cloudinit.sshCommand': method<SshCommand>()(
    z.object({ vm: objectRef('VM'), identityFile: z.string().max(4096).optional(), command: z.array(z.string().max(65536)).max(1024).default([]) }).strict(),
    'The ssh command line that logs into the VM through its forward.',
  ),
  'cloudinit.sshKeys': method<Array<{ file: string; key: string; comment: string }>>()(
    z.object({}).strict(),
    'Public keys in ~/.ssh/*.pub of the user running the engine (to pick in the wizard).',
  ),
} as const;
