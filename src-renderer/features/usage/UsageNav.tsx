import { useTranslation } from 'react-i18next';
import { Icon, type IconName } from '../../components/Icon';
import { HostOverview } from '../performance/HostOverview';
import { UsagePage } from './UsagePage';
import { useUsage, type UsagePageName } from './store';
import '../schedules/ops.css';

/** Sidebar entries for the host overview and the Usage & Billing page (a second click closes). */
export function UsageNav() {
  const { t } = useTranslation();
  const page = useUsage((s) => s.page);
  const open = useUsage((s) => s.open);
  const entry = (which: Exclude<UsagePageName, null>, icon: IconName, label: string) => (
    <button type="button" className={`ops-nav-entry${page === which ? ' active' : ''}`} aria-pressed={page === which} onClick={() => open(page === which ? null : which)} data-testid={`nav-${which}`}>
      <Icon name={icon} size={18} />
      {label}
    </button>
  );
  return (
    <nav className="ops-nav" aria-label={t('usage.nav')}>
      {entry('host', 'chart', t('perf.hostTitle'))}
      {entry('usage', 'tasks', t('usage.title'))}
    </nav>
  );
}

/** Our open page, or `fallback` when none is open. */
export function UsagePageOr({ fallback }: { fallback: React.ReactNode }) {
  const page = useUsage((s) => s.page);
  if (page === 'host') return <HostOverview />;
  if (page === 'usage') return <UsagePage />;
  return <>{fallback}</>;
}
