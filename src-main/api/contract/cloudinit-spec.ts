import { z } from 'zod';

/**
 * The cloud-init part of a VM spec (`spec.cloudInit`) and the field rules shared with the input
 * schemas of contract/cloudinit.ts. Its own file so that vm.ts can use it without an import cycle.
 */

/** A Linux user name as useradd accepts it by default (Debian's NAME_REGEX), not "root". */
const USER_RE = /^[a-z_][a-z0-9_-]{0,31}$/;
/** RFC 1123 host name: labels of letters, digits and inner dashes, dots between them. */
const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** Debian package names (policy 5.6.1), optionally with =version. */
export const PACKAGE_RE = /^[a-z0-9][a-z0-9+.-]+(?:=[A-Za-z0-9.+~:-]+)?$/;
/** An IANA zone such as Europe/Paris or UTC. */
export const TZ_RE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/;

export const cloudUser = z
  .string({ error: 'A user name is required.' })
  .regex(USER_RE, { error: 'A user name is lower-case letters, digits, "_" and "-", starting with a letter or "_", at most 32 characters.' })
  .refine((u) => u !== 'root', { error: 'Use a normal user name: root logs in through sudo from it.' });

export const cloudHostname = z
  .string({ error: 'A host name is required.' })
  .regex(HOSTNAME_RE, { error: 'A host name is letters, digits and "-" (dots between labels), with no spaces, at most 63 characters per label.' });

/** What the VM spec keeps (`spec.cloudInit`): enough to write the seed again. No clear password. */
export const CloudInitSpecSchema = z
  .object({
    instanceId: z.string().min(1).max(128),
    user: cloudUser,
    hostname: cloudHostname,
    sshKeys: z.array(z.string().max(16384)).max(32),
    passwordHash: z.string().max(512).nullable(),
    timezone: z.string().max(64).nullable(),
    packages: z.array(z.string().max(128)).max(200),
    userData: z.string().max(256 * 1024),
    networkConfig: z.string().max(64 * 1024),
    /** The id of the seed disk in spec.disks (a read-only virtio disk: the cloud kernel has no AHCI). */
    seedDiskId: z.string().min(1).max(32),
    /** Host port (on the VM host's loopback) forwarded to the guest's port 22; null without NAT. */
    sshPort: z.number().int().min(1).max(65535).nullable(),
  })
  .strict();
export type CloudInitSpec = z.infer<typeof CloudInitSpecSchema>;

