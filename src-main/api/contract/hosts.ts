import { z } from 'zod';
import { method } from './define';
import { absolutePath, empty, objectName, objectRef } from './common';
import type { TaskInfo } from './tasks';
import type { HostCapabilities } from './vm';

/**
 * LAN hosts over SSH. Addresses, users and paths are data handed to ssh2 as values, never to
 * a shell; the schema still refuses anything that is not a plain host name or IP address.
 */
export const HOST_STATES = ['online', 'connecting', 'offline'] as const;
export type HostState = (typeof HOST_STATES)[number];

/** DNS names (letters, digits, dots, dashes), IPv4, or IPv6 (hex and colons). */
const HOSTNAME_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$|^[0-9A-Fa-f:]+(?:%[A-Za-z0-9]+)?$/;
/** POSIX user names as useradd accepts them. */
const USER_RE = /^[a-z_][a-z0-9_.-]{0,31}$/;
export const FINGERPRINT_RE = /^SHA256:[A-Za-z0-9+/]{43}$/;

export const hostAddress = z
  .string({ error: 'An address is required (a host name or an IP address).' })
  .min(1, { error: 'An address is required (a host name or an IP address).' })
  .max(253)
  .regex(HOSTNAME_RE, { error: 'The address must be a host name (letters, digits, "." and "-") or an IP address, with no spaces or shell characters.' });

export const HostAddInput = z
  .object({
    name: objectName('host'),
    address: hostAddress,
    port: z.number({ error: 'The SSH port must be a number.' }).int().min(1, { error: 'The SSH port must be 1–65535.' }).max(65535, { error: 'The SSH port must be 1–65535.' }).default(22),
    user: z.string().regex(USER_RE, { error: 'The user name may use lower-case letters, digits, "_", "." and "-" (as on Linux), up to 32 characters.' }),
    /** Private key on this computer; absent: the SSH agent. */
    keyPath: absolutePath('Key file').optional(),
    /** Asked for encrypted keys; used for this connection only and never stored. */
    passphrase: z.string().max(1024).optional(),
    /** Where Hangar keeps its files there; default ~/.local/share/hangar of that user. */
    remoteHome: absolutePath('Remote Hangar folder').optional(),
    /** The fingerprint the user saw and accepted (from the first `host.add` answer). */
    acceptFingerprint: z.string().regex(FINGERPRINT_RE, { error: 'A fingerprint looks like SHA256: followed by 43 base64 characters.' }).optional(),
  })
  .strict();

export interface HostSummary {
  id: string;
  name: string;
  kind: 'local' | 'ssh';
  state: HostState;
  stateReason: string | null;
  address: string | null;
  port: number | null;
  user: string | null;
  keyPath: string | null;
  fingerprint: string | null;
  /** The key file is encrypted and no passphrase was given since the engine started. */
  needsPassphrase: boolean;
  vmCount: number;
  createdAt: string;
}

export type HostAddResult =
  | { needsConfirmation: true; fingerprint: string; keyType: string; message: string }
  | { needsConfirmation: false; host: HostSummary; capabilities: HostCapabilities };

const hostRef = z.object({ host: objectRef('host') }).strict();
const fileOnHost = z.object({ hostId: z.string().min(1).max(64), path: absolutePath('File') }).strict();

export const hostMethods = {
  'host.list': method<HostSummary[]>()(empty, 'This computer and the LAN hosts, with their connection state.'),
  'host.add': method<HostAddResult>()(
    HostAddInput,
    'Add a LAN host over SSH. The first call returns the host key fingerprint to confirm; call again with acceptFingerprint to pin it.',
  ),
  'host.connect': method<HostSummary>()(
    z.object({ host: objectRef('host'), passphrase: z.string().max(1024).optional() }).strict(),
    'Connect (or test the connection) now; the passphrase of an encrypted key is kept in memory only.',
  ),
  'host.probe': method<HostCapabilities>()(hostRef, 'Probe a host again: QEMU version, KVM or TCG, CPUs, memory, disk.'),
  'host.remove': method<{ removed: string }>()(hostRef, 'Forget a LAN host (refused while it has VMs). Nothing on the host is deleted.'),
  'host.copyFile': method<TaskInfo>()(
    z.object({ from: fileOnHost, to: fileOnHost, overwrite: z.boolean().default(false) }).strict(),
    'Copy a file between hosts (streamed over SFTP), verified with SHA-256 at the far end. A task.',
  ),
  'host.moveVm': method<TaskInfo>()(
    z.object({ vm: objectRef('VM'), toHostId: z.string().min(1).max(64), deleteSource: z.boolean().default(false) }).strict(),
    'Move a stopped VM to another host (files copied and SHA-256-verified, then switched). The source folder is kept unless deleteSource. A task.',
  ),
  'host.migrateVm': method<TaskInfo>()(
    z
      .object({
        vm: objectRef('VM'),
        toHost: objectRef('host'),
        /** Mirror the disks in the VM's folder to the target while it runs (hosts/migrate-storage.ts). */
        copyStorage: z.boolean().default(false),
        /** After a successful move, remove the VM's old folder on the source host. */
        deleteSource: z.boolean().default(false),
      })
      .strict(),
    'Live-migrate a running VM between any two hosts (this computer or LAN hosts; the engine relays the stream): RAM and device state; disks on shared storage, or copied live with copyStorage. A task.',
  ),
} as const;
