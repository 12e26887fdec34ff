import { HangarError } from '../api/errors';
import type { HostRegistry } from '../hosts/registry';

const HOST_KEYS = new Set(['hostId', 'toHostId']);

/**
 * Every method that names a host by id refuses an unknown one (issue 12: metrics.watch,
 * metrics.hostHistory and pool.list accepted any string and answered as if it were a host).
 * Checked once for all methods, on the validated input, so a new method cannot forget it.
 */
export function assertKnownHosts(input: unknown, hosts: HostRegistry, depth = 0): void {
  if (depth > 3 || typeof input !== 'object' || input === null) return;
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (HOST_KEYS.has(key) && typeof value === 'string') {
      if (!hosts.all().some((h) => h.id === value)) {
        const known = hosts.all().map((h) => `"${h.id}"`).join(', ');
        throw new HangarError('NOT_FOUND', `No host with id "${value}". Known hosts: ${known}.`, { field: key });
      }
    } else if (typeof value === 'object') assertKnownHosts(value, hosts, depth + 1);
  }
}
