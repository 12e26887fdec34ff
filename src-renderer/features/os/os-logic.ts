import type { HostCapabilities, OsEntry } from '../../../src-main/api/contract';
import type { DraftOs, VmDraft } from '../wizard/form-logic';

/**
 * From an osinfo-db OS (engine's os.list/os.get) to the wizard's draft, and what the hardware
 * step says about a value (under the minimum, in the recommended range). Pure; unit-tested.
 */
export function draftOsOf(o: OsEntry): DraftOs {
  return {
    id: o.id,
    name: o.name,
    vendor: o.vendor,
    minimum: o.minimum,
    recommended: o.recommended,
    secureBoot: o.defaults.secureBoot,
    tpm: o.defaults.tpm,
    rtc: o.defaults.clock,
    hyperv: o.defaults.hyperv,
    ...(o.defaults.video && { video: o.defaults.video }),
    notes: o.defaults.notes,
  };
}

const GiB = 1024 ** 3;

/** The OS's defaults for the draft, bounded by the host (no default the host cannot run). */
export function draftPatchFor(o: OsEntry, caps: Pick<HostCapabilities, 'cpus' | 'memoryBytes' | 'ovmf'> | null): { patch: Partial<VmDraft>; firmwareDowngraded: boolean } {
  const d = o.defaults;
  const hostMiB = caps ? Math.floor(caps.memoryBytes / (1024 * 1024)) : Infinity;
  const memoryCap = Number.isFinite(hostMiB) ? Math.max(64, Math.floor(hostMiB / 2 / 64) * 64) : Infinity;
  const firmwareDowngraded = d.firmware === 'uefi' && caps !== null && caps.ovmf === null;
  const gib = d.diskBytes / GiB;
  return {
    firmwareDowngraded,
    patch: {
      family: o.family,
      variant: '',
      osInfo: draftOsOf(o),
      cpus: Math.max(1, Math.min(d.cpus, caps?.cpus ?? d.cpus)),
      memoryMiB: Math.min(d.memoryMiB, memoryCap),
      firmware: firmwareDowngraded ? 'bios' : d.firmware,
      machine: d.machine,
      // the Security switches (wizard/fields/SecurityFields.tsx) start where the OS needs them
      secureBoot: o.defaults.secureBoot && !firmwareDowngraded,
      tpm: o.defaults.tpm,
      diskSize: Number.isInteger(gib) ? `${gib}G` : `${Math.ceil(d.diskBytes / 1024 / 1024)}M`,
      diskBus: d.diskBus,
      nicModel: d.nicModel,
    },
  };
}

export type Level = 'below' | 'ok' | 'recommended' | 'unknown';

/** Where a value stands against the OS's minimum and recommendation. */
export function levelOf(value: number, min: number | null, rec: number | null): Level {
  if (min === null && rec === null) return 'unknown';
  if (min !== null && value < min) return 'below';
  if (rec !== null && value >= rec) return 'recommended';
  return 'ok';
}

/** Groups catalog rows by vendor, keeping the engine's order (newest release first). */
export function byVendor<T extends { os: { vendor: string } }>(rows: readonly T[]): Array<[string, T[]]> {
  const m = new Map<string, T[]>();
  for (const r of rows) m.set(r.os.vendor, [...(m.get(r.os.vendor) ?? []), r]);
  return [...m.entries()];
}

/** A vendor's mark: the first letter of its name, coloured per vendor (no trademarked logos shipped). */
export function vendorMark(vendor: string): { letter: string; hue: number } {
  let h = 0;
  for (const c of vendor) h = (h * 31 + c.charCodeAt(0)) % 360;
  return { letter: (vendor.trim()[0] ?? '?').toUpperCase(), hue: h };
}
