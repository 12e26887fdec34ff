import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
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
      <button type="button" className={`ops-nav-entry${open ? ' active' : ''}`} aria-pressed={open} onClick={() => openPage(!open)} data-testid="nav-get-os">
        <Icon name="plus" size={18} />
        {t('osinfo.getAnOs')}
      </button>
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
