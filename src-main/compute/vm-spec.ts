import { randomBytes, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { NicInput, VmSpecSchema, type Nic, type VmSpec } from '../api/contract';

/** A random MAC in QEMU's locally administered range; kept in the spec so it never changes. */
export function generateMac(): string {
  const b = randomBytes(3);
  return `52:54:00:${[...b].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
}

export function newVmId(): string {
  return randomUUID();
}

/** NIC inputs → NICs: keep given MACs, generate missing ones, keep existing ones by position. */
export function nicsFrom(inputs: Array<z.output<typeof NicInput>>, existing: Nic[] = []): Nic[] {
  return inputs.map((n, i) => ({
    id: `nic${i}`,
    mode: n.mode ?? ('user' as const),
    ...(n.network !== undefined && { network: n.network }),
    ...(n.bridge !== undefined && { bridge: n.bridge }),
    model: n.model,
    mac: n.mac ?? existing[i]?.mac ?? generateMac(),
    portForwards: n.portForwards,
  }));
}

/** Parse a stored spec, upgrading older versions when there are any. */
export function parseStoredSpec(json: unknown): VmSpec {
  return VmSpecSchema.parse(json);
}
