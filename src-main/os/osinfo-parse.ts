import { XMLParser } from 'fast-xml-parser';

/**
 * One osinfo-db OS file (`<libosinfo><os>…</os></libosinfo>`) → a plain record, as the database
 * says it (no inheritance yet: osinfo-db.ts resolves `derives-from`). Parsed with fast-xml-parser:
 * the database is XML, and a maintained parser handles entities (&#xB9C8;), comments and
 * attributes correctly where a regex would not.
 */
export interface RawMedia {
  arch: string;
  variant: string | null;
  url: string | null;
  volumeId: string | null;
  systemId: string | null;
  publisherId: string | null;
  applicationId: string | null;
  volumeSize: number | null;
  live: boolean;
  installer: boolean;
  sha256: string | null;
}

export interface RawResources {
  cpus: number | null;
  ramBytes: number | null;
  storageBytes: number | null;
}

export interface RawOs {
  uri: string;
  shortIds: string[];
  name: string;
  version: string;
  vendor: string;
  family: string;
  distro: string;
  codename: string | null;
  releaseDate: string | null;
  eolDate: string | null;
  releaseStatus: string;
  derivesFrom: string | null;
  /** arch ("x86_64", "all", …) → resources. */
  minimum: Record<string, RawResources>;
  recommended: Record<string, RawResources>;
  /** x86_64 firmware entries: type → supported. */
  firmware: Record<string, boolean>;
  /** PCI/USB/chipset device URIs with supported !== "false"; `unsupported` lists the others. */
  devices: string[];
  unsupportedDevices: string[];
  media: RawMedia[];
  /** Ready-made disk images (cloud images): `<image arch format cloud-init><url>`. */
  images: RawImage[];
  /** `<installer><script id>`: the OS's unattended-install scripts (install-script/*.xml ids). */
  installScripts: string[];
}

export interface RawImage {
  arch: string;
  format: string | null;
  cloudInit: boolean;
  url: string | null;
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
  processEntities: true,
  htmlEntities: false,
});

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const nodes = (n: Node | undefined, key: string): Node[] => arr(n?.[key]).map((x) => (typeof x === 'object' && x !== null ? (x as Node) : ({ '#text': String(x) } as Node)));
const text = (n: Node): string => (typeof n['#text'] === 'string' ? n['#text'] : Array.isArray(n['#text']) ? String(n['#text'][0]) : '');
const attr = (n: Node, name: string): string | null => {
  const v = n[`@_${name}`];
  return typeof v === 'string' ? v : null;
};

/** The untranslated value of a localised element (the one without xml:lang). */
function plain(n: Node | undefined, key: string): string | null {
  const all = nodes(n, key);
  const base = all.find((x) => attr(x, 'xml:lang') === null) ?? all[0];
  return base ? text(base) : null;
}

const num = (s: string | null): number | null => {
  if (s === null || s === '') return null;
  const v = Number(s);
  return Number.isFinite(v) && v > 0 ? v : null;
};

function resources(n: Node | undefined): RawResources {
  return { cpus: num(plain(n, 'n-cpus')), ramBytes: num(plain(n, 'ram')), storageBytes: num(plain(n, 'storage')) };
}

function media(m: Node): RawMedia {
  const iso = nodes(m, 'iso')[0];
  const checksum = nodes(m, 'checksum').find((c) => attr(c, 'type') === 'sha256');
  return {
    arch: attr(m, 'arch') ?? 'all',
    variant: nodes(m, 'variant').map((v) => attr(v, 'id'))[0] ?? null,
    url: plain(m, 'url'),
    volumeId: plain(iso, 'volume-id'),
    systemId: plain(iso, 'system-id'),
    publisherId: plain(iso, 'publisher-id'),
    applicationId: plain(iso, 'application-id'),
    volumeSize: num(plain(iso, 'volume-size')),
    live: attr(m, 'live') === 'true',
    installer: attr(m, 'installer') !== 'false',
    sha256: checksum ? text(checksum).toLowerCase() : null,
  };
}

export function parseOsinfoXml(xml: string): RawOs[] {
  const doc = parser.parse(xml) as Node;
  const root = nodes(doc, 'libosinfo')[0];
  return nodes(root, 'os').map((os) => {
    const minimum: Record<string, RawResources> = {};
    const recommended: Record<string, RawResources> = {};
    for (const r of nodes(os, 'resources')) {
      const arch = attr(r, 'arch') ?? 'all';
      const min = nodes(r, 'minimum')[0];
      const rec = nodes(r, 'recommended')[0];
      if (min) minimum[arch] = resources(min);
      if (rec) recommended[arch] = resources(rec);
    }
    const firmware: Record<string, boolean> = {};
    for (const f of nodes(os, 'firmware')) {
      const arch = attr(f, 'arch');
      const type = attr(f, 'type');
      if (type && (arch === 'x86_64' || arch === null)) firmware[type] = attr(f, 'supported') !== 'false';
    }
    const devices: string[] = [];
    const unsupportedDevices: string[] = [];
    for (const d of nodes(nodes(os, 'devices')[0], 'device')) {
      const id = attr(d, 'id');
      if (id) (attr(d, 'supported') === 'false' ? unsupportedDevices : devices).push(id);
    }
    return {
      uri: attr(os, 'id') ?? '',
      shortIds: nodes(os, 'short-id').map(text).filter(Boolean),
      name: plain(os, 'name') ?? '',
      version: plain(os, 'version') ?? '',
      vendor: plain(os, 'vendor') ?? '',
      family: plain(os, 'family') ?? '',
      distro: plain(os, 'distro') ?? '',
      codename: plain(os, 'codename'),
      releaseDate: plain(os, 'release-date'),
      eolDate: plain(os, 'eol-date'),
      releaseStatus: plain(os, 'release-status') ?? 'released',
      derivesFrom: attr(nodes(os, 'derives-from')[0] ?? {}, 'id') ?? (attr(nodes(os, 'clones')[0] ?? {}, 'id') || null),
      minimum,
      recommended,
      firmware,
      devices,
      unsupportedDevices,
      media: nodes(os, 'media').map(media),
      images: nodes(os, 'image').map((i) => ({ arch: attr(i, 'arch') ?? 'all', format: attr(i, 'format'), cloudInit: attr(i, 'cloud-init') === 'true', url: plain(i, 'url') })),
      installScripts: nodes(os, 'installer').flatMap((i) => nodes(i, 'script').map((s) => attr(s, 'id'))).filter((id): id is string => !!id),
    };
  });
}
