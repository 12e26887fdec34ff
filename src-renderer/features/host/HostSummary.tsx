import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../src-main/shared/units';
import { Icon } from '../../components/Icon';
import { HostShellButton } from '../consoles/HostShellButton';
import { useHost } from './store';
import { engineText } from '../../i18n/engine-text';

/** Sidebar footer: QEMU version, KVM or TCG (TCG as a visible warning with its reason), CPUs, memory, free disk. */
export function HostSummary() {
  const { t } = useTranslation();
  const caps = useHost((s) => s.caps);
  const error = useHost((s) => s.error);
  if (!caps) {
    return (
      <section className="host-summary" aria-label={t('host.title')}>
        <p className="muted">{error ?? t('host.loading')}</p>
      </section>
    );
  }
  const tcg = caps.accel === 'tcg';
  return (
    <section className="host-summary" aria-label={t('host.title')} data-testid="host-summary">
      <div className="host-line">
        <Icon name="server" size={16} />
        <strong className="host-name" title={caps.hostname}>
          {caps.hostname}
        </strong>
        <span className={`accel-badge ${tcg ? 'accel-tcg' : 'accel-kvm'}`} data-testid="host-accel" data-accel={caps.accel} title={tcg && caps.kvmUnavailableReason ? engineText(caps.kvmUnavailableReason) : undefined}>
          {tcg && <Icon name="warning" size={13} />}
          {tcg ? t('host.tcg') : t('host.kvm')}
        </span>
        <HostShellButton />
      </div>
      {tcg && (
        <p className="host-warning" data-testid="host-tcg-reason">
          {t('host.tcgWarning', { reason: caps.kvmUnavailableReason ? engineText(caps.kvmUnavailableReason) : t('host.unknownReason') })}
        </p>
      )}
      {!caps.qemu && (
        <p className="host-warning" role="alert">
          {t('host.noQemu')} {caps.installHint}
        </p>
      )}
      <dl className="host-facts">
        <div>
          <dt>{t('host.qemu')}</dt>
          <dd>{caps.qemu?.version ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('host.cpus')}</dt>
          <dd>{caps.cpus}</dd>
        </div>
        <div>
          <dt>{t('host.memory')}</dt>
          <dd>{formatBytes(caps.memoryBytes)}</dd>
        </div>
        <div>
          <dt>{t('host.diskFree')}</dt>
          <dd title={t('host.diskOf', { total: formatBytes(caps.diskTotalBytes) })}>{formatBytes(caps.diskFreeBytes)}</dd>
        </div>
      </dl>
    </section>
  );
}
