import { z } from 'zod';
import { method } from './define';
import { absolutePath, empty, hostId, objectName, objectRef } from './common';
import type { TaskInfo } from './tasks';
import { OS_FAMILIES } from './vm';

/** Formats the library recognises (qemu-img's names; `iso` is found by its ISO 9660 signature). */
export const IMAGE_FORMATS = ['iso', 'qcow2', 'raw', 'vmdk', 'vdi', 'vhdx', 'vpc'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];
/** `pending` rows are imports in flight (never shown as usable); `corrupt` failed verification. */
export const IMAGE_STATUSES = ['pending', 'ready', 'corrupt'] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];
export const IMAGE_ARCHES = ['x86_64', 'aarch64', 'i686', 'other'] as const;

const SHA256_RE = /^[0-9a-f]{64}$/i;
export const sha256Hex = z.string().regex(SHA256_RE, { error: 'A SHA-256 checksum is 64 hexadecimal characters.' }).transform((s) => s.toLowerCase());

const tag = z.string().min(1).max(32).regex(/^[\p{L}\p{N}._-]+$/u, { error: 'Tags are single words: letters, digits, ".", "_" and "-".' });

/** Metadata the user may give at import (what the file cannot tell us) or change later. */
const ImageMeta = {
  name: objectName('image').optional(),
  os: z.object({ family: z.enum(OS_FAMILIES), version: z.string().max(64).default('') }).strict().optional(),
  arch: z.enum(IMAGE_ARCHES).optional(),
  minDiskBytes: z.number().int().min(0).max(64 * 1024 ** 4).optional(),
  minMemoryMiB: z.number().int().min(0).max(16 * 1024 * 1024).optional(),
  tags: z.array(tag).max(32).optional(),
  description: z.string().max(4000).optional(),
  /** A cloud image (cloud-init inside): VMs from it get a NoCloud seed. Default: guessed at import. */
  cloudImage: z.boolean().optional(),
};

export const ImageImportInput = z
  .object({
    hostId,
    path: absolutePath('Image'),
    /** Convert vmdk, vdi, vhdx and vpc disks to qcow2 (raw stays raw unless this is true). */
    convertToQcow2: z.boolean().optional(),
    /** Remove the source file afterwards, whatever happens: only for files staged by the server's upload route. */
    removeSource: z.boolean().default(false),
    ...ImageMeta,
  })
  .strict();

export const ImageDownloadInput = z
  .object({
    hostId,
    url: z
      .string()
      .max(4096)
      .refine((u) => /^https?:\/\/[^\s]+$/i.test(u), { error: 'Only http:// and https:// URLs can be downloaded.' }),
    /** The checksum the publisher gives; the download is refused when it differs. */
    sha256: sha256Hex.optional(),
    /** Or a SHA256SUMS file listing the file's checksum. */
    sha256SumsUrl: z
      .string()
      .max(4096)
      .refine((u) => /^https?:\/\/[^\s]+$/i.test(u), { error: 'The SHA256SUMS address must be an http:// or https:// URL.' })
      .optional(),
    convertToQcow2: z.boolean().optional(),
    ...ImageMeta,
  })
  .strict();

export const ImageUpdateInput = z.object({ image: objectRef('image'), ...ImageMeta }).strict();

const imageRef = z.object({ image: objectRef('image') }).strict();

export interface ImageInfo {
  id: string;
  name: string;
  hostId: string;
  format: ImageFormat;
  status: ImageStatus;
  /** Why it is corrupt, in words. */
  statusReason: string | null;
  path: string;
  virtualSize: number;
  actualSize: number;
  /** SHA-256 of the file as imported (what `sha256sum` of the original prints). */
  sha256: string;
  /** SHA-256 of the stored file (differs from `sha256` when the import converted it). */
  storedSha256: string;
  /** The format of the original file when the import converted it. */
  sourceFormat: ImageFormat;
  os: { family: (typeof OS_FAMILIES)[number]; version: string };
  /** The osinfo-db short id detected on the ISO at import ("win11", "debian11"), or null. */
  osId: string | null;
  arch: (typeof IMAGE_ARCHES)[number];
  /** The ISO volume label, when there is one. */
  volumeLabel: string | null;
  minDiskBytes: number;
  minMemoryMiB: number;
  tags: string[];
  description: string;
  /** Where it came from: a path or a URL. */
  source: string;
  createdAt: string;
  verifiedAt: string | null;
  /** A cloud image: the wizard asks for cloud-init settings (user, keys, host name). */
  cloudImage: boolean;
  /** VMs whose disk is an overlay on this image, or that use this ISO as install media. */
  usedBy: Array<{ id: string; name: string; how: 'backing' | 'cdrom' | 'disk'; path: string | null }>;
}

/** What import/download/verify return at once: the task to follow (the image comes in its result). */
export interface ImageTaskStart {
  task: TaskInfo;
}

export const imageMethods = {
  'image.list': method<ImageInfo[]>()(empty, 'Every image of the library, newest first.'),
  'image.get': method<ImageInfo>()(imageRef, 'One image by name, id or checksum prefix.'),
  'image.import': method<ImageTaskStart>()(ImageImportInput, 'Import a local file (ISO, qcow2, raw, vmdk, vdi, vhdx) as a task.'),
  'image.download': method<ImageTaskStart>()(ImageDownloadInput, 'Download an image by URL as a task (resumable, checksum-verified).'),
  'image.update': method<ImageInfo>()(ImageUpdateInput, 'Change an image\u2019s name and metadata.'),
  'image.verify': method<ImageTaskStart>()(imageRef, 'Re-hash the image (and qemu-img check a qcow2); mark it corrupt when it fails.'),
  'image.delete': method<{ deleted: string }>()(
    z.object({ image: objectRef('image'), confirm: z.boolean().default(false) }).strict(),
    'Delete an image and its file (needs confirm: true). Refused while a VM uses it.',
  ),
} as const;
