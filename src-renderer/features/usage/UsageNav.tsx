import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import type { IconName } from '../../components/Icon';
import { NavEntry } from '../../components/NavEntry';
import { useUsage, type UsagePageName } from './store';
import '../schedules/ops.css';

// uPlot loads with the page that draws charts, not with the main window.
const UsagePage = lazy(() => import('./UsagePage').then((m) => ({ default: m.UsagePage })));
const HostOverview = lazy(() => import('../performance/HostOverview').then((m) => ({ default: m.HostOverview })));

/** Sidebar entries for the host overview and the Usage & Billing page (a second click closes). */
export function UsageNav() {
  const { t } = useTranslation();
  const page = useUsage((s) => s.page);
  const open = useUsage((s) => s.open);
  const entry = (which: Exclude<UsagePageName, null>, icon: IconName, label: string) => (
    <NavEntry active={page === which} icon={icon} label={label} onToggle={(on) => open(on ? which : null)} testId={`nav-${which}`} />
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
  if (page === 'host')
    return (
      <Suspense fallback={null}>
        <HostOverview />
      </Suspense>
    );
  if (page === 'usage')
    return (
      <Suspense fallback={null}>
        <UsagePage />
      </Suspense>
    );
  return <>{fallback}</>;
}
