import type { ReactNode } from 'react';
import { DetailRows } from '../../components/DetailRows';
import { useTranslation } from 'react-i18next';
import type { VmInfo } from '../../../src-main/api/contract';
import { Icon } from '../../components/Icon';
import { useGuestInfo } from './store';

/** The details tab's "Guest" section: agent state, hostname, OS and addresses from qemu-guest-agent. */
export function GuestSection({ vm }: { vm: VmInfo }) {
  const { t } = useTranslation();
  const g = useGuestInfo(vm);
  const state = g ? t(`guest.agent.${g.agent}`) : vm.state === 'running' ? t('guest.asking') : t('guest.agent.off');
  const rows: Array<[string, ReactNode]> = [[t('guest.agentLabel'), <span data-testid="guest-agent-state" data-agent={g?.agent ?? 'unknown'}>{state}</span>]];
  if (g?.hostname) rows.push([t('guest.hostname'), g.hostname]);
  if (g?.os) rows.push([t('guest.os'), `${g.os.name}${g.os.kernel ? ` · ${g.os.kernel}` : ''}`]);
  if (g?.ips.length) rows.push([t('guest.ips'), <span data-testid="guest-ips">{g.ips.join(', ')}</span>]);
  if (g?.installHint) rows.push([t('guest.install'), <code className="path pre-wrap">{g.installHint}</code>]);
  return (
    <section className="detail-section" aria-label={t('guest.title')} data-testid="details-guest">
      <h3>
        <Icon name="plug" size={16} />
        {t('guest.title')}
      </h3>
      <DetailRows rows={rows} />
    </section>
  );
}

/** The first address, small, in a machine-list row. */
export function GuestIp({ vm }: { vm: VmInfo }) {
  const g = useGuestInfo(vm);
  const ip = g?.agent === 'connected' ? g.ips[0] : undefined;
  return ip ? (
    <span className="vm-row-ip muted" data-testid={`vm-ip-${vm.name}`}>
      {ip}
    </span>
  ) : null;
}
