import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../src-main/shared/units';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ProgressBar } from '../../components/ProgressBar';
import { useMachines } from '../machines/store';
import { useTasks } from '../tasks/store';
import { itemKey, useOsCatalog } from './catalog-store';
import { byVendor } from './os-logic';
import { VendorMark } from './OsPicker';
import './os.css';

/** The "Get an OS" page (its sidebar entry, CatalogNav.tsx, loads it when opened). */
export function CatalogPage() {
  const { t } = useTranslation();
  const s = useOsCatalog();
  const tasks = useTasks((x) => x.tasks);
  const select = useMachines((x) => x.select);
  const groups = useMemo(() => {
    const terms = s.search.toLowerCase().split(/\s+/).filter(Boolean);
    const rows = s.items.filter((i) => {
      const hay = `${i.os.id} ${i.os.name} ${i.os.vendor} ${i.os.codename ?? ''} ${i.media.variant ?? ''}`.toLowerCase();
      return terms.every((w) => hay.includes(w));
    });
    return byVendor(rows);
  }, [s.items, s.search]);

  return (
    <section className="details-pane os-catalog" aria-labelledby="os-catalog-title" data-testid="os-catalog">
      <header className="page-header">
        <h2 id="os-catalog-title">{t('osinfo.catalogTitle')}</h2>
        <p className="muted">{t('osinfo.catalogIntro', { count: new Set(s.items.map((i) => i.os.id)).size })}</p>
        <input type="search" className="os-catalog-search" value={s.search} placeholder={t('osinfo.searchPlaceholder')} onChange={(e) => s.setSearch(e.target.value)} aria-label={t('osinfo.searchPlaceholder')} data-testid="os-catalog-search" />
      </header>
      {s.error && <p className="field-error">{s.error}</p>}
      {s.available === false && <EmptyState title={t('osinfo.catalogEmpty')}>{<p className="muted">{t('osinfo.missing')}</p>}</EmptyState>}
      {s.loaded && s.available && groups.length === 0 && <EmptyState title={t('osinfo.noMatch')} />}
      <div className="os-catalog-groups">
        {groups.map(([vendor, rows]) => (
          <section key={vendor} className="os-vendor">
            <h3>
              <VendorMark vendor={vendor} /> {vendor}
            </h3>
            <ul>
              {rows.slice(0, 60).map((i) => {
                const key = itemKey(i);
                const g = s.getting[key];
                const task = g?.taskId ? tasks.find((x) => x.id === g.taskId) : undefined;
                const file = i.media.url.split('/').pop() ?? '';
                return (
                  <li key={key} className="os-media" data-testid={`os-media-${i.os.id}`}>
                    <div className="os-media-main">
                      <strong>{i.os.name}</strong>
                      <span className="muted">
                        {[i.os.releaseDate?.slice(0, 4), i.media.variant, i.media.live ? t('osinfo.live') : null, file].filter(Boolean).join(' · ')}
                      </span>
                      <span className="muted">
                        {t('osinfo.defaultsLine', { cpus: i.os.defaults.cpus, memory: formatBytes(i.os.defaults.memoryMiB * 1024 * 1024), disk: formatBytes(i.os.defaults.diskBytes), firmware: i.os.defaults.firmware.toUpperCase() })}
                      </span>
                    </div>
                    <div className="os-media-action">
                      {g?.phase === 'downloading' && <ProgressBar value={task?.progress ?? null} label={t('osinfo.downloading', { name: i.os.name })} />}
                      {g?.phase === 'downloading' && <span className="muted" data-testid="os-get-progress">{task?.message ?? t('osinfo.starting')}</span>}
                      {g?.phase === 'creating' && <span className="muted">{t('osinfo.creatingVm')}</span>}
                      {g?.phase === 'failed' && <span className="field-error">{g.message}</span>}
                      {g?.phase === 'done' && g.vmId ? (
                        <Button onClick={() => select(g.vmId)} data-testid="os-get-open">
                          {t('osinfo.openVm', { name: g.message ?? '' })}
                        </Button>
                      ) : (
                        <Button variant="primary" disabled={g?.phase === 'downloading' || g?.phase === 'creating'} onClick={() => void s.get(i)} data-testid={`os-get-${i.os.id}`}>
                          {t('osinfo.get')}
                        </Button>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
          </section>
        ))}
      </div>
    </section>
  );
}
