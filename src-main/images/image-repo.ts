import type { ImageFormat, ImageInfo, ImageStatus } from '../api/contract';
import type { Db } from '../db/database';

interface ImageRow {
  id: string;
  name: string;
  host_id: string;
  format: ImageFormat;
  source_format: ImageFormat;
  status: ImageStatus;
  status_reason: string | null;
  path: string;
  virtual_size: number;
  actual_size: number;
  sha256: string;
  stored_sha256: string;
  os_family: ImageInfo['os']['family'];
  os_version: string;
  arch: ImageInfo['arch'];
  volume_label: string | null;
  min_disk_bytes: number;
  min_memory_mib: number;
  tags_json: string;
  description: string;
  source: string;
  created_at: string;
  verified_at: string | null;
  os_id?: string | null;
  cloud_image: number;
}

export type ImageRecord = Omit<ImageInfo, 'usedBy'>;

const toRecord = (r: ImageRow): ImageRecord => ({
  id: r.id,
  name: r.name,
  hostId: r.host_id,
  format: r.format,
  sourceFormat: r.source_format,
  status: r.status,
  statusReason: r.status_reason,
  path: r.path,
  virtualSize: r.virtual_size,
  actualSize: r.actual_size,
  sha256: r.sha256,
  storedSha256: r.stored_sha256,
  os: { family: r.os_family, version: r.os_version },
  arch: r.arch,
  volumeLabel: r.volume_label,
  minDiskBytes: r.min_disk_bytes,
  minMemoryMiB: r.min_memory_mib,
  tags: JSON.parse(r.tags_json) as string[],
  description: r.description,
  source: r.source,
  createdAt: r.created_at,
  verifiedAt: r.verified_at,
  osId: r.os_id ?? null,
  cloudImage: r.cloud_image === 1,
});

/** The catalogue. Pending rows (imports in flight) are invisible to list/find. */
export class ImageRepository {
  constructor(private readonly db: Db) {}

  list(): ImageRecord[] {
    return (this.db.prepare("SELECT * FROM images WHERE status != 'pending' ORDER BY created_at DESC").all() as ImageRow[]).map(toRecord);
  }

  get(id: string): ImageRecord | null {
    const row = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** By id, name (case-insensitive), or a checksum prefix of at least 8 characters. */
  find(ref: string): ImageRecord | null {
    const row = (this.db.prepare("SELECT * FROM images WHERE status != 'pending' AND (id = ? OR name = ? COLLATE NOCASE)").get(ref, ref) ??
      (/^[0-9a-f]{8,64}$/i.test(ref) ? this.db.prepare("SELECT * FROM images WHERE status != 'pending' AND (sha256 LIKE ? OR id LIKE ?)").get(`${ref.toLowerCase()}%`, `${ref.toLowerCase()}%`) : undefined)) as
      | ImageRow
      | undefined;
    return row ? toRecord(row) : null;
  }

  bySha(hostId: string, sha256: string): ImageRecord | null {
    const row = this.db.prepare("SELECT * FROM images WHERE host_id = ? AND sha256 = ? AND status != 'pending'").get(hostId, sha256) as ImageRow | undefined;
    return row ? toRecord(row) : null;
  }

  nameTaken(hostId: string, name: string, exceptId?: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM images WHERE host_id = ? AND name = ? COLLATE NOCASE AND status != 'pending' AND id != ?").get(hostId, name, exceptId ?? '');
  }

  insertPending(r: { id: string; name: string; hostId: string; path: string; source: string; createdAt: string }): void {
    this.db
      .prepare("INSERT INTO images (id, name, host_id, format, source_format, status, path, source, created_at) VALUES (?, ?, ?, 'raw', 'raw', 'pending', ?, ?, ?)")
      .run(r.id, r.name, r.hostId, r.path, r.source, r.createdAt);
  }

  /** Fill in a pending row and make it ready, in one statement. */
  complete(r: ImageRecord): void {
    this.db
      .prepare(
        `UPDATE images SET name = ?, format = ?, source_format = ?, status = 'ready', status_reason = NULL, path = ?, virtual_size = ?, actual_size = ?,
         sha256 = ?, stored_sha256 = ?, os_family = ?, os_version = ?, arch = ?, volume_label = ?, min_disk_bytes = ?, min_memory_mib = ?,
         tags_json = ?, description = ?, source = ?, verified_at = ?, cloud_image = ? WHERE id = ?`,
      )
      .run(r.name, r.format, r.sourceFormat, r.path, r.virtualSize, r.actualSize, r.sha256, r.storedSha256, r.os.family, r.os.version, r.arch, r.volumeLabel, r.minDiskBytes, r.minMemoryMiB, JSON.stringify(r.tags), r.description, r.source, r.verifiedAt, r.cloudImage ? 1 : 0, r.id);
  }

  updateMeta(id: string, m: Pick<ImageRecord, 'name' | 'os' | 'arch' | 'minDiskBytes' | 'minMemoryMiB' | 'tags' | 'description' | 'cloudImage'>): void {
    this.db
      .prepare('UPDATE images SET name = ?, os_family = ?, os_version = ?, arch = ?, min_disk_bytes = ?, min_memory_mib = ?, tags_json = ?, description = ?, cloud_image = ? WHERE id = ?')
      .run(m.name, m.os.family, m.os.version, m.arch, m.minDiskBytes, m.minMemoryMiB, JSON.stringify(m.tags), m.description, m.cloudImage ? 1 : 0, id);
  }

  /** The osinfo short id detected on the ISO (migration 010), or null. */
  setOsId(id: string, osId: string | null): void {
    this.db.prepare('UPDATE images SET os_id = ? WHERE id = ?').run(osId, id);
  }

  setStatus(id: string, status: 'ready' | 'corrupt', reason: string | null, verifiedAt: string): void {
    this.db.prepare('UPDATE images SET status = ?, status_reason = ?, verified_at = ? WHERE id = ?').run(status, reason, verifiedAt, id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
  }

  pending(): ImageRecord[] {
    return (this.db.prepare("SELECT * FROM images WHERE status = 'pending'").all() as ImageRow[]).map(toRecord);
  }

  // ------------------------------------------------------------ VM disks made from images

  linkDisk(vmId: string, diskPath: string, imageId: string, linked: boolean): void {
    this.db.prepare('INSERT OR REPLACE INTO image_disks (vm_id, disk_path, image_id, linked) VALUES (?, ?, ?, ?)').run(vmId, diskPath, imageId, linked ? 1 : 0);
  }

  /** Live VMs with an overlay on this image (rows of deleted VMs drop out through the join). */
  overlayUsers(imageId: string): Array<{ id: string; name: string; specJson: string; diskPath: string }> {
    return this.db
      .prepare('SELECT v.id AS id, v.name AS name, v.spec_json AS specJson, d.disk_path AS diskPath FROM image_disks d JOIN vms v ON v.id = d.vm_id WHERE d.image_id = ? AND d.linked = 1')
      .all(imageId) as Array<{ id: string; name: string; specJson: string; diskPath: string }>;
  }

  /** VMs whose spec mentions this path (ISO as install media, or the file attached as it is). */
  vmsReferencing(imagePath: string): Array<{ id: string; name: string; specJson: string }> {
    return this.db.prepare('SELECT id, name, spec_json AS specJson FROM vms WHERE instr(spec_json, ?) > 0').all(JSON.stringify(imagePath)) as Array<{ id: string; name: string; specJson: string }>;
  }
}
