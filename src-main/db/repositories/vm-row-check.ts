import { VmSpecSchema, type VmSpec } from '../../api/contract';

/**
 * Reading a `vms` row defensively (issue 12): before, one malformed `spec_json` made `vm list`,
 * `image list`, `network list` and `hangar serve` fail with a JSON parse error, and the VM could not
 * even be deleted. Now such a row reads as a damaged VM with the reason. Pure.
 */
export function readStoredSpec(r: { spec_json: string; id: string }): { ok: true; spec: VmSpec } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(r.spec_json);
  } catch (e) {
    return { ok: false, reason: `its stored settings (vms.spec_json) are not valid JSON: ${(e as Error).message}` };
  }
  // only the shape every reader relies on: the full schema may gain fields that older rows lack
  const missing = shapeProblem(json);
  if (missing) return { ok: false, reason: `its stored settings (vms.spec_json) are incomplete: ${missing}` };
  const spec = json as VmSpec;
  if (spec.id !== r.id) return { ok: false, reason: `its stored settings (vms.spec_json) belong to another VM (${String(spec.id)})` };
  return { ok: true, spec };
}

function shapeProblem(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'not an object';
  const o = json as Record<string, unknown>;
  for (const k of ['id', 'name', 'firmware', 'machine']) if (typeof o[k] !== 'string') return `"${k}" is missing`;
  for (const k of ['cpus', 'memoryMiB']) if (typeof o[k] !== 'number') return `"${k}" is missing`;
  for (const k of ['disks', 'nics', 'bootOrder']) if (!Array.isArray(o[k])) return `"${k}" is missing`;
  if (typeof o.os !== 'object' || o.os === null) return '"os" is missing';
  return null;
}

/** A vm.json from a VM folder, checked against the full schema (repair and rebuild). */
export function parseVmJson(text: string): { ok: true; spec: VmSpec } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `vm.json is not valid JSON: ${(e as Error).message}` };
  }
  const parsed = VmSpecSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `vm.json is invalid at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'unknown problem'}` };
  }
  return { ok: true, spec: parsed.data };
}

/** A harmless stand-in spec for a damaged VM: no disks, no media, nothing to start. */
export function placeholderSpec(r: { id: string; name: string }): VmSpec {
  // through the schema, so every field a later spec version adds gets its default
  return VmSpecSchema.parse({
    version: 1,
    id: r.id,
    name: r.name,
    description: '',
    os: { family: 'other', variant: '' },
    cpus: 1,
    memoryMiB: 16,
    firmware: 'bios',
    machine: 'q35',
    disks: [],
    cdrom: null,
    kernel: null,
    nics: [],
    display: 'none',
    bootOrder: [],
    autostart: false,
    guestAgent: false,
  });
}

export function readSerialLines(text: string): string[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
