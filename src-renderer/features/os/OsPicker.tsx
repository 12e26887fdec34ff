import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OsDbStatus, OsEntry } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { Icon } from '../../components/Icon';
import { useHost } from '../host/store';
import { useWizard } from '../wizard/store';
import { openOsCatalog } from './catalog-store';
import { draftPatchFor, vendorMark } from './os-logic';
import './os.css';

/** A vendor's letter mark (we ship no vendor logos). */
export function VendorMark({ vendor }: { vendor: string }) {
  const m = vendorMark(vendor);
  return (
    <span className="os-vendor-mark" style={{ background: `hsl(${m.hue} 55% 42%)` }} aria-hidden="true">
      {m.letter}
    </span>
  );
}

/**
 * The wizard's OS picker over the whole of osinfo-db (the family list above stays as the
 * fallback, and is all there is without the database: then this says how to install it).
 */
export function OsPicker() {
  const { t } = useTranslation();
  const chosen = useWizard((s) => s.draft.osInfo ?? null);
  const [status, setStatus] = useState<OsDbStatus | null>(null);
  const [search, setSearch] = useState('');
  const [hits, setHits] = useState<OsEntry[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.call('os.status', {}).then(setStatus, (e: unknown) => setError(errorMessage(e)));
  }, []);
  useEffect(() => {
    if (!status?.available) return;
    const timer = setTimeout(() => {
      api.call('os.list', { search, limit: 30 }).then(setHits, (e: unknown) => setError(errorMessage(e)));
    }, 150);
    return () => clearTimeout(timer);
  }, [search, status]);

  const choose = (o: OsEntry) => {
    const { patch, firmwareDowngraded } = draftPatchFor(o, useHost.getState().caps);
    useWizard.setState((s) => ({ draft: { ...s.draft, ...patch }, firmwareDowngraded }));
  };

  if (status && !status.available)
    return (
      <div className="callout callout-info os-picker" data-testid="wizard-osinfo-missing">
        <Icon name="info" size={18} />
        <p>{t('osinfo.missing')}</p>
      </div>
    );
  return (
    <div className="os-picker field" data-testid="wizard-os-picker">
      <label className="field-label" htmlFor="wizard-os-search">
        {t('osinfo.pickLabel')}
      </label>
      <div className="os-picker-row">
        <input id="wizard-os-search" type="search" value={search} placeholder={t('osinfo.searchPlaceholder')} onChange={(e) => setSearch(e.target.value)} data-testid="wizard-os-search" />
        <button type="button" className="btn" onClick={openOsCatalog} data-testid="wizard-get-os">
          {t('osinfo.getAnOs')}
        </button>
      </div>
      {chosen && (
        <p className="os-chosen" data-testid="wizard-os-chosen">
          <VendorMark vendor={chosen.vendor} /> {t('osinfo.chosen', { name: chosen.name, id: chosen.id })}
        </p>
      )}
      {error && <p className="field-error">{error}</p>}
      <ul className="os-hits" role="listbox" aria-label={t('osinfo.pickLabel')}>
        {hits.map((o) => (
          <li key={o.id}>
            <button type="button" role="option" aria-selected={chosen?.id === o.id} className={`os-hit${chosen?.id === o.id ? ' selected' : ''}`} onClick={() => choose(o)} data-testid={`wizard-os-${o.id}`}>
              <VendorMark vendor={o.vendor} />
              <span className="os-hit-name">{o.name}</span>
              <span className="muted">{o.releaseDate?.slice(0, 4) ?? ''}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
