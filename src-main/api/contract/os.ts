import { z } from 'zod';
import { method } from './define';
import { absolutePath, empty, hostId } from './common';
import type { DISK_BUSES, FIRMWARES, MACHINE_TYPES, NIC_MODELS, OsFamily } from './vm';

/**
 * Operating systems as osinfo-db knows them (the database virt-manager and GNOME Boxes use),
 * read from its XML files by src-main/os/. Nothing here is a hand-written OS list: without the
 * database, Hangar falls back to the four families and says how to install it.
 */

/** Resources in Hangar's units; null where the database says nothing. */
export interface OsResources {
  cpus: number | null;
  memoryMiB: number | null;
  diskBytes: number | null;
}

/** An installable medium of an OS, with the ISO 9660 rules osinfo-db uses to recognise it. */
export interface OsMedia {
  arch: string;
  variant: string | null;
  url: string | null;
  sha256: string | null;
  live: boolean;
  volumeId: string | null;
  systemId: string | null;
  publisherId: string | null;
  applicationId: string | null;
}

/** What Hangar would give a new VM of this OS (every value overridable). */
export interface OsDefaults {
  cpus: number;
  memoryMiB: number;
  diskBytes: number;
  firmware: (typeof FIRMWARES)[number];
  secureBoot: boolean;
  tpm: boolean;
  machine: (typeof MACHINE_TYPES)[number];
  diskBus: (typeof DISK_BUSES)[number];
  nicModel: (typeof NIC_MODELS)[number];
  clock: 'utc' | 'localtime';
  hyperv: boolean;
  /** Display adapter: virtio-vga for Linux guests osinfo-db says drive virtio-gpu (1af4:1050), else std VGA. */
  video?: 'std' | 'virtio';
  /** Why each non-obvious choice was made, in words (shown in the wizard). */
  notes: string[];
}

export interface OsEntry {
  /** osinfo short id ("win11", "debian11", "ubuntu22.04"). */
  id: string;
  shortIds: string[];
  /** osinfo URI ("http://microsoft.com/win/11"). */
  uri: string;
  name: string;
  version: string;
  vendor: string;
  /** osinfo's family ("linux", "winnt", "freebsd", …). */
  osinfoFamily: string;
  family: OsFamily;
  distro: string;
  codename: string | null;
  releaseDate: string | null;
  eolDate: string | null;
  releaseStatus: string;
  minimum: OsResources;
  recommended: OsResources;
  uefiRequired: boolean;
  virtioDisk: boolean;
  virtioNet: boolean;
  defaults: OsDefaults;
}

export interface OsDetail extends OsEntry {
  media: OsMedia[];
  /** osinfo-db's unattended-install scripts for the OS (ids; inherited): guest/install-hints.ts. */
  installScripts?: string[];
}

export interface OsDbStatus {
  available: boolean;
  /** Where it was read from, and the database's VERSION. */
  dirs: string[];
  version: string | null;
  osCount: number;
  /** How the index was obtained this time and how long it took. */
  source: 'parsed' | 'cache' | 'none';
  loadMs: number;
  /** How to install it, when it is missing. */
  installHint: string | null;
}

/** What osinfo-db's media rules say an ISO is (as `osinfo-detect` does). */
export interface OsDetection {
  format: 'iso';
  volumeId: string;
  systemId: string;
  publisherId: string;
  applicationId: string;
  os: OsEntry | null;
  /** The medium that matched (arch, variant, live). */
  media: { arch: string; variant: string | null; live: boolean } | null;
}

/** A catalog row: one downloadable medium of one OS. */
export interface OsCatalogItem {
  os: OsEntry;
  media: OsMedia & { url: string; downloadUrl: string };
}

export const OsListInput = z
  .object({
    search: z.string().max(200).optional(),
    /** Include OSes that are past their end of life (default true). */
    includeEol: z.boolean().default(true),
    limit: z.number().int().min(1).max(5000).default(5000),
  })
  .strict();

export const osId = z.string({ error: 'Which OS? Give its osinfo short id, e.g. win11 or debian11.' }).min(1).max(100);

export const osMethods = {
  'os.status': method<OsDbStatus>()(empty, 'Whether osinfo-db is installed here, its version and size.'),
  'os.list': method<OsEntry[]>()(OsListInput, 'OSes osinfo-db knows, newest first; search matches name, id, vendor, codename.'),
  'os.get': method<OsDetail>()(z.object({ id: osId }).strict(), 'One OS by osinfo short id or URI, with its media and Hangar defaults.'),
  'os.detect': method<OsDetection>()(
    z.object({ hostId, path: absolutePath('ISO') }).strict(),
    'Read an ISO\u2019s primary volume descriptor and match it against osinfo-db\u2019s media rules.',
  ),
  'os.catalog': method<OsCatalogItem[]>()(
    z.object({ search: z.string().max(200).optional(), arch: z.string().max(16).default('x86_64') }).strict(),
    'Installable media with a download URL, by vendor and release (newest first).',
  ),
} as const;
