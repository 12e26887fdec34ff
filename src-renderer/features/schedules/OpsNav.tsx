import { useTranslation } from 'react-i18next';
import { NavEntry } from '../../components/NavEntry';
import { NetworksPage } from '../networks/NetworksPage';
import { SchedulesPage } from './SchedulesPage';
import { useOpsPage, type OpsPage } from './ops-page';
import './ops.css';

/** Sidebar entries for the Networks and Schedules pages (a second click closes the page). */
export function OpsNav() {
  const { t } = useTranslation();
  const page = useOpsPage((s) => s.page);
  const open = useOpsPage((s) => s.open);
  const entry = (which: Exclude<OpsPage, null>, icon: 'network' | 'clock', label: string) => (
    <NavEntry active={page === which} icon={icon} label={label} onToggle={(on) => open(on ? which : null)} testId={`nav-${which}`} />
  );
  return (
    <nav className="ops-nav" aria-label={t('ops.nav')}>
      {entry('networks', 'network', t('networks.title'))}
      {entry('schedules', 'clock', t('schedules.title'))}
    </nav>
  );
}

/** The open operations page, or `fallback` (the machine details) when none is open. */
export function OpsPageOr({ fallback }: { fallback: React.ReactNode }) {
  const page = useOpsPage((s) => s.page);
  if (page === 'networks') return <NetworksPage />;
  if (page === 'schedules') return <SchedulesPage />;
  return <>{fallback}</>;
}
