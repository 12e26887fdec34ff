import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useUi } from '../../app/ui-store';
import { Icon } from '../../components/Icon';
import { lanHosts, startHostsSync, useHosts } from './store';
import './hosts.css';

/** Sidebar entry to the Hosts page, with how many LAN hosts there are and whether any is offline. */
export function HostsNavButton() {
  const { t } = useTranslation();
  const open = useUi((s) => s.openDialog);
  const all = useHosts((s) => s.hosts); // select the stored array: a derived one would re-render for ever
  const hosts = lanHosts(all);
  useEffect(() => startHostsSync(), []);
  const offline = hosts.filter((h) => h.state !== 'online').length;
  return (
    <button type="button" className="hosts-nav" onClick={() => open({ kind: 'hosts' })} data-testid="hosts-nav" aria-label={t('hosts.open')}>
      <Icon name="network" size={16} />
      <span className="hosts-nav-label">{t('hosts.title')}</span>
      <span className="hosts-nav-count">{t('hosts.count', { count: hosts.length })}</span>
      {offline > 0 && (
        <span className="hosts-nav-offline" title={t('hosts.offlineCount', { count: offline })} data-testid="hosts-nav-offline">
          <Icon name="warning" size={13} />
          {offline}
        </span>
      )}
    </button>
  );
}
