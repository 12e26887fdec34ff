import type { OsCatalogItem, OsDbStatus, OsDetail, OsDetection, OsEntry } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';
import { detection, matchIso, readIsoIds } from './os-detect';
import { loadOsIndex, type KnownDiskImage, type OsIndex } from './osinfo-db';

/**
 * The OS domain: osinfo-db's OSes (list, search, one OS with its defaults), ISO detection, and
 * the catalog of installable media. The index is loaded lazily on first use (cached, osinfo-db.ts).
 */
export class OsService {
  constructor(
    private readonly home: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private index(): OsIndex {
    return loadOsIndex(this.home, this.env);
  }

  status(): OsDbStatus {
    return this.index().status;
  }

  list(search?: string, includeEol = true, limit = 5000): OsEntry[] {
    const terms = (search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const today = new Date().toISOString().slice(0, 10);
    const out: OsEntry[] = [];
    for (const e of this.index().entries) {
      if (!includeEol && e.eolDate && e.eolDate < today) continue;
      if (terms.length && !terms.every((t) => haystack(e).includes(t))) continue;
      out.push(strip(e));
      if (out.length >= limit) break;
    }
    return out;
  }

  get(id: string): OsDetail {
    const e = this.find(id);
    if (!e) throw new HangarError('NOT_FOUND', this.status().available ? `osinfo-db knows no OS "${id}". "hangar os list --search TEXT" finds the short id.` : `No OS "${id}": ${this.status().installHint ?? ''}`, { field: 'osId' });
    return e;
  }

  find(id: string): OsDetail | null {
    return this.index().entries.find((e) => e.uri === id || e.shortIds.includes(id)) ?? null;
  }

  /** The disk image osinfo-db lists under this file name (a distribution's cloud image), or null. */
  knownDiskImage(fileName: string): KnownDiskImage | null {
    return this.index().diskImages.find((i) => i.fileName === fileName) ?? null;
  }

  async detect(host: Host, file: string): Promise<OsDetection> {
    const ids = await readIsoIds(host, file);
    return detection(ids, matchIso(this.index().entries, ids));
  }

  /**
   * Installable media with a URL. `HANGAR_OS_CATALOG_BASE_URL` (tests only: there is no internet
   * in CI) replaces each URL's origin, keeping its path; production uses the database's URLs.
   */
  catalog(search?: string, arch = 'x86_64'): OsCatalogItem[] {
    const base = this.env.HANGAR_OS_CATALOG_BASE_URL?.replace(/\/+$/, '');
    const items: OsCatalogItem[] = [];
    for (const e of this.index().entries) {
      if (search && !search.toLowerCase().split(/\s+/).filter(Boolean).every((t) => haystack(e).includes(t))) continue;
      for (const m of e.media) {
        if (!m.url || m.arch !== arch || !/^https?:\/\//.test(m.url)) continue;
        const downloadUrl = base ? base + new URL(m.url).pathname : m.url;
        items.push({ os: strip(e), media: { ...m, url: m.url, downloadUrl } });
      }
    }
    return items.sort((a, b) => a.os.vendor.localeCompare(b.os.vendor) || (b.os.releaseDate ?? '').localeCompare(a.os.releaseDate ?? ''));
  }
}

const hay = new WeakMap<OsEntry, string>();
function haystack(e: OsEntry): string {
  let h = hay.get(e);
  if (h === undefined) {
    h = [e.id, ...e.shortIds, e.name, e.vendor, e.distro, e.codename ?? '', e.version].join(' ').toLowerCase();
    hay.set(e, h);
  }
  return h;
}

function strip(e: OsDetail): OsEntry {
  const { media: _media, ...entry } = e;
  return entry;
}
