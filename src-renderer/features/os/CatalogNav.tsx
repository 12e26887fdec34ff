import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { NavEntry } from '../../components/NavEntry';
import { useOsCatalog } from './catalog-store';

// The page loads when opened (it reaches the wizard's store, with zod and YAML): not at start.
const CatalogPage = lazy(() => import('./CatalogPage').then((m) => ({ default: m.CatalogPage })));

/** Sidebar entry for the "Get an OS" page (a second click closes it). */
export function OsCatalogNav() {
  const { t } = useTranslation();
  const open = useOsCatalog((s) => s.pageOpen);
  const openPage = useOsCatalog((s) => s.openPage);
  return (
    <nav className="ops-nav" aria-label={t('osinfo.catalogTitle')}>
      <NavEntry active={open} icon="plus" label={t('osinfo.getAnOs')} onToggle={openPage} testId="nav-get-os" />
    </nav>
  );
}

export function OsCatalogPageOr({ fallback }: { fallback: React.ReactNode }) {
  const open = useOsCatalog((s) => s.pageOpen);
  return open ? (
    <Suspense fallback={null}>
      <CatalogPage />
    </Suspense>
  ) : (
    <>{fallback}</>
  );
}
