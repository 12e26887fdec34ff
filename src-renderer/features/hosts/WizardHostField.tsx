import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import type { HostCapabilities } from '../../../src-main/api/contract';
import { formatBytes } from '../../../src-main/shared/units';
import { api, errorMessage } from '../../api';
import { Field } from '../../components/Field';
import { startHostsSync, useHosts } from './store';

interface WizardHostState {
  hostId: string;
  caps: HostCapabilities | null;
  error: string | null;
  choose(hostId: string): Promise<void>;
  reset(): void;
}

/** Which host the New-VM wizard creates the machine on, with that host's capacity. */
export const useWizardHost = create<WizardHostState>()((set, get) => ({
  hostId: 'local',
  caps: null,
  error: null,
  async choose(hostId) {
    set({ hostId, caps: null, error: null });
    if (hostId === 'local') return;
    try {
      const caps = await api.call('host.capabilities', { hostId });
      if (get().hostId === hostId) set({ caps });
    } catch (e) {
      if (get().hostId === hostId) set({ error: errorMessage(e) });
    }
  },
  reset: () => set({ hostId: 'local', caps: null, error: null }),
}));

/** Shown in the wizard's first step only when LAN hosts exist. */
export function WizardHostField({ testId = 'wizard-host' }: { testId?: string }) {
  const { t } = useTranslation();
  const hosts = useHosts((s) => s.hosts);
  const { hostId, caps, error, choose } = useWizardHost();
  useEffect(() => startHostsSync(), []);
  if (!hosts.some((h) => h.kind === 'ssh')) return null;
  const hint = caps
    ? t('hosts.capacity', { cpus: caps.cpus, memory: formatBytes(caps.memoryBytes), disk: formatBytes(caps.diskFreeBytes) }) + (caps.qemu ? '' : ` ${caps.installHint ?? ''}`)
    : hostId === 'local'
      ? t('hosts.capacityLocal')
      : t('hosts.probing');
  return (
    <Field label={t('hosts.wizardLabel')} hint={hint} error={error} testId={testId}>
      {(p) => (
        <select {...p} value={hostId} onChange={(e) => void choose(e.target.value)} data-testid={testId}>
          {hosts.map((h) => (
            <option key={h.id} value={h.id} disabled={h.state !== 'online'}>
              {h.kind === 'local' ? t('hosts.thisComputer') : `${h.name}${h.state === 'online' ? '' : ` (${t(`hosts.state.${h.state}`)})`}`}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
