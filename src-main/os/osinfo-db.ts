import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import type { OsDbStatus, OsDetail, OsFamily, OsMedia, OsResources } from '../api/contract';
import { localExists, readLocalDir, readLocalText, statLocalFile, writeLocalFileAtomic } from '../hosts/local-fs';
import { defaultsFor } from './os-defaults';
import { parseOsinfoXml, type RawOs, type RawResources } from './osinfo-parse';

/**
 * osinfo-db read from its files on THIS computer (for LAN hosts too: the app's own database
 * describes the OSes, whatever host runs them). The same directories libosinfo reads:
 * $OSINFO_SYSTEM_DIR or /usr/share/osinfo, then /etc/osinfo and ~/.config/osinfo (local
 * additions). Parsing ~900 XML files takes about a second, so the resolved index is cached as JSON
 * in $HANGAR_HOME/cache, keyed by every file's path, size and mtime (a package upgrade
 * invalidates it), and kept in memory per process.
 */
export interface OsIndex {
  status: OsDbStatus;
  entries: OsDetail[];
  /** osinfo-db's ready-made disk images by file name (the last path segment of their URL). */
  diskImages: KnownDiskImage[];
}

/** A distribution's published disk image as osinfo-db lists it (e.g. debian-12-genericcloud-amd64.qcow2). */
export interface KnownDiskImage {
  fileName: string;
  osId: string;
  osName: string;
  family: OsFamily;
  cloudInit: boolean;
}

const INDEX_FORMAT = 3; // 3: defaults.video (virtio-gpu)
export const OSINFO_INSTALL_HINT = 'osinfo-db is not installed: Hangar knows only the OS families (Linux, Windows, BSD, other). Install it with "sudo apt install osinfo-db" (Debian/Ubuntu) or "sudo dnf install osinfo-db" (Fedora) for OS detection, per-OS defaults and the OS catalog.';

export function osinfoDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const system = env.OSINFO_SYSTEM_DIR || '/usr/share/osinfo';
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  // Tests point HANGAR_OSINFO_DIRS at a copy (or at nothing, to see Hangar without the database).
  if (env.HANGAR_OSINFO_DIRS !== undefined) return env.HANGAR_OSINFO_DIRS.split(':').filter(Boolean);
  return [system, '/etc/osinfo', path.join(config, 'osinfo')];
}

/** Every OS file: <dir>/os/<vendor>/<name>.xml (the .d folders hold driver lists, not OSes). */
function osFiles(dirs: string[]): Array<{ file: string; size: number; mtimeMs: number }> {
  const out: Array<{ file: string; size: number; mtimeMs: number }> = [];
  for (const dir of dirs) {
    const osDir = path.join(dir, 'os');
    let vendors: string[];
    try {
      vendors = readLocalDir(osDir).sort();
    } catch {
      continue;
    }
    for (const v of vendors) {
      let names: string[];
      try {
        names = readLocalDir(path.join(osDir, v)).filter((n) => n.endsWith('.xml')).sort();
      } catch {
        continue;
      }
      for (const n of names) {
        const file = path.join(osDir, v, n);
        const st = statLocalFile(file);
        if (st) out.push({ file, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  }
  return out;
}

function readVersion(dirs: string[]): string | null {
  for (const d of dirs) {
    try {
      return readLocalText(path.join(d, 'VERSION')).trim() || null;
    } catch {
      // next
    }
  }
  return null;
}

export function hangarFamily(osinfoFamily: string): OsFamily {
  if (osinfoFamily === 'linux') return 'linux';
  if (/^win/.test(osinfoFamily)) return 'windows';
  if (/bsd$|^dragonfly/.test(osinfoFamily)) return 'bsd';
  return 'other';
}

const mib = (bytes: number | null) => (bytes === null ? null : Math.round(bytes / 1024 / 1024));
function pickResources(byArch: Record<string, RawResources>): RawResources | null {
  return byArch.x86_64 ?? byArch.all ?? null;
}
function toResources(r: RawResources | null): OsResources {
  return { cpus: r?.cpus ?? null, memoryMiB: mib(r?.ramBytes ?? null), diskBytes: r?.storageBytes ?? null };
}

/** Resolve derives-from: devices are inherited (libosinfo does the same); resources and firmware when the OS gives none. */
function resolve(raws: RawOs[]): OsDetail[] {
  const byUri = new Map(raws.map((r) => [r.uri, r]));
  const chain = (r: RawOs): RawOs[] => {
    const out: RawOs[] = [];
    const seen = new Set<string>();
    for (let cur: RawOs | undefined = r; cur && !seen.has(cur.uri); cur = cur.derivesFrom ? byUri.get(cur.derivesFrom) : undefined) {
      seen.add(cur.uri);
      out.push(cur);
    }
    return out;
  };
  return raws
    .filter((r) => r.uri && r.shortIds.length > 0)
    .map((r) => {
      const ancestors = chain(r);
      const devices = new Set<string>();
      // walk from the oldest ancestor, so a newer OS's supported="false" removes an inherited device
      for (const a of [...ancestors].reverse()) {
        a.devices.forEach((d) => devices.add(d));
        a.unsupportedDevices.forEach((d) => devices.delete(d));
      }
      const first = <T>(get: (a: RawOs) => T | null): T | null => {
        for (const a of ancestors) {
          const v = get(a);
          if (v !== null) return v;
        }
        return null;
      };
      // resources come as a whole from the nearest OS that states any (Windows 11 states only a
      // minimum: it must not inherit Windows 10's smaller "recommended")
      const own = ancestors.find((a) => pickResources(a.minimum) || pickResources(a.recommended));
      const minimum = toResources(own ? pickResources(own.minimum) : null);
      const rec = toResources(own ? pickResources(own.recommended) : null);
      const atLeast = (r: number | null, m: number | null) => (r === null ? null : m === null ? r : Math.max(r, m));
      const recommended = { cpus: atLeast(rec.cpus, minimum.cpus), memoryMiB: atLeast(rec.memoryMiB, minimum.memoryMiB), diskBytes: atLeast(rec.diskBytes, minimum.diskBytes) };
      const firmware = first((a) => (Object.keys(a.firmware).length ? a.firmware : null)) ?? {};
      const media: OsMedia[] = r.media.map((m) => ({
        arch: m.arch,
        variant: m.variant,
        url: m.url,
        sha256: m.sha256,
        live: m.live,
        volumeId: m.volumeId,
        systemId: m.systemId,
        publisherId: m.publisherId,
        applicationId: m.applicationId,
      }));
      const family = hangarFamily(r.family);
      const uefiRequired = firmware.bios === false;
      const has = (...ids: string[]) => ids.some((id) => devices.has(`http://pcisig.com/pci/${id}`));
      const facts = {
        family,
        osinfoFamily: r.family,
        minimum,
        recommended,
        uefiRequired,
        uefiSupported: firmware.efi === true,
        virtioDisk: has('1af4/1001', '1af4/1042'),
        virtioNet: has('1af4/1000', '1af4/1041'),
        e1000e: has('8086/10d3'),
        e1000: has('8086/100e'),
        q35: devices.has('http://qemu.org/chipset/x86/q35') || has('1af4/1041', '1af4/1042'),
        virtioGpu: has('1af4/1050'),
        virtioModern: has('1af4/1041', '1af4/1042'),
      };
      return {
        id: r.shortIds[0] ?? r.uri,
        shortIds: r.shortIds,
        uri: r.uri,
        name: r.name,
        version: r.version,
        vendor: r.vendor,
        osinfoFamily: r.family,
        family,
        distro: r.distro,
        codename: r.codename,
        releaseDate: r.releaseDate,
        eolDate: r.eolDate,
        releaseStatus: r.releaseStatus,
        minimum,
        recommended,
        uefiRequired,
        virtioDisk: facts.virtioDisk,
        virtioNet: facts.virtioNet,
        defaults: defaultsFor(facts),
        media,
        // the nearest OS that names install scripts (osinfo-db states them on a few ancestors)
        installScripts: first((a) => (a.installScripts.length ? a.installScripts : null)) ?? [],
      };
    })
    .sort((a, b) => (b.releaseDate ?? '').localeCompare(a.releaseDate ?? '') || a.name.localeCompare(b.name));
}

interface CacheFile {
  format: number;
  key: string;
  version: string | null;
  entries: OsDetail[];
  diskImages: KnownDiskImage[];
}

/** The file names of the disk images the database lists, with the OS and its cloud-init verdict. */
function diskImagesOf(raws: RawOs[]): KnownDiskImage[] {
  const out: KnownDiskImage[] = [];
  for (const r of raws) {
    for (const i of r.images) {
      const fileName = i.url?.split(/[?#]/)[0]!.split('/').pop();
      if (fileName) out.push({ fileName, osId: r.shortIds[0] ?? r.uri, osName: r.name, family: hangarFamily(r.family), cloudInit: i.cloudInit });
    }
  }
  return out;
}

let memo: { key: string; index: OsIndex } | null = null;

/** The index, from memory, the cache file, or by parsing the XML (then cached). */
export function loadOsIndex(home: string, env: NodeJS.ProcessEnv = process.env): OsIndex {
  const t0 = performance.now();
  const dirs = osinfoDirs(env).filter((d) => localExists(path.join(d, 'os')));
  const files = osFiles(dirs);
  const key = createHash('sha256')
    .update(JSON.stringify([INDEX_FORMAT, files]))
    .digest('hex');
  if (memo?.key === key) return memo.index;
  const status = (source: OsDbStatus['source'], n: number, version: string | null): OsDbStatus => ({
    available: n > 0,
    dirs,
    version,
    osCount: n,
    source,
    loadMs: Math.round((performance.now() - t0) * 10) / 10,
    installHint: n > 0 ? null : OSINFO_INSTALL_HINT,
  });
  if (files.length === 0) {
    const index = { status: status('none', 0, null), entries: [], diskImages: [] };
    memo = { key, index };
    return index;
  }
  const cacheFile = path.join(home, 'cache', 'osinfo-index.json');
  try {
    const cached = JSON.parse(readLocalText(cacheFile)) as CacheFile;
    if (cached.format === INDEX_FORMAT && cached.key === key) {
      const index = { status: status('cache', cached.entries.length, cached.version), entries: cached.entries, diskImages: cached.diskImages };
      memo = { key, index };
      return index;
    }
  } catch {
    // no cache or unreadable: parse
  }
  const raws: RawOs[] = [];
  for (const f of files) {
    try {
      raws.push(...parseOsinfoXml(readLocalText(f.file)));
    } catch {
      // one broken file must not hide the rest of the database
    }
  }
  // a later directory (local additions) overrides an OS of the same URI
  const byUri = new Map<string, RawOs>();
  for (const r of raws) byUri.set(r.uri, r);
  const entries = resolve([...byUri.values()]);
  const diskImages = diskImagesOf([...byUri.values()]);
  const version = readVersion(dirs);
  try {
    writeLocalFileAtomic(cacheFile, JSON.stringify({ format: INDEX_FORMAT, key, version, entries, diskImages } satisfies CacheFile));
  } catch {
    // a read-only home still works, only slower
  }
  const index = { status: status('parsed', entries.length, version), entries, diskImages };
  memo = { key, index };
  return index;
}

/** Forget the in-memory copy (tests measure the cold paths). */
export function forgetOsIndex(): void {
  memo = null;
}
