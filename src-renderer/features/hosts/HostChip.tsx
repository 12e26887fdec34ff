import { useHosts } from './store';

/** The host of a VM in the machine list (nothing for this computer). */
export function HostChip({ hostId }: { hostId: string }) {
  const host = useHosts((s) => s.hosts.find((h) => h.id === hostId));
  if (hostId === 'local' || !host) return null;
  return (
    <span className={`host-chip host-chip-${host.state}`} title={host.stateReason ?? host.address ?? undefined} data-testid="vm-host">
      {host.name}
    </span>
  );
}
