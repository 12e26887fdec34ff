import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PoolDetails, PoolInfo, VolumeInfo } from '../../../src-main/api/contract';
import { formatBytes } from '../../../src-main/shared/units';
import { api, errorMessage } from '../../api';
import { Button, IconButton } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { toast } from '../../components/toast-store';
import { PoolDialog } from './PoolDialog';
import { useStorage } from './store';
import { filterVolumes, sortVolumes, usageFraction, VOLUME_SORT_KEYS, type VolumeSortKey } from './storage-logic';
import { VolumeDialog, type VolumeDialogMode } from './VolumeDialog';
import './storage.css';
import { formatDateTime } from '../../i18n/format';

/** A horizontal usage bar: filled part = used share; the label says it in words too. */
export function UsageBar({ used, total, label, testId }: { used: number; total: number; label: string; testId?: string }) {
  const f = usageFraction(used, total);
  const level = f > 0.9 ? ' danger' : f > 0.75 ? ' warning' : '';
  return (
    <div className="usage" data-testid={testId}>
      <div className="usage-bar" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(f * 100)}>
        <div className={`usage-fill${level}`} style={{ width: `${Math.round(f * 100)}%` }} />
      </div>
      <span className="usage-text">{label}</span>
    </div>
  );
}

function PoolCard({ pool, selected, onSelect }: { pool: PoolInfo; selected: boolean; onSelect(): void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className={`pool-card${selected ? ' selected' : ''}`} aria-pressed={selected} onClick={onSelect} data-testid={`pool-${pool.name}`}>
      <div className="pool-head">
        <Icon name="disk" size={18} />
        <strong>{pool.name}</strong>
        {pool.isDefault && <span className="chip">{t('storage.default')}</span>}
      </div>
      <code className="path">{pool.path}</code>
      {pool.problem ? (
        <p className="field-error">{pool.problem}</p>
      ) : (
        <>
          <UsageBar used={pool.usedBytes} total={pool.capacityBytes} label={t('storage.fsUsage', { used: formatBytes(pool.usedBytes), total: formatBytes(pool.capacityBytes), free: formatBytes(pool.freeBytes) })} />
          <p className="muted small">{t('storage.allocated', { allocated: formatBytes(pool.allocatedBytes), virtual: formatBytes(pool.virtualBytes), count: pool.volumeCount })}</p>
        </>
      )}
    </button>
  );
}

function Orphans({ poolId }: { poolId: string }) {
  const { t } = useTranslation();
  const [details, setDetails] = useState<PoolDetails | null>(null);
  const volumes = useStorage((s) => s.volumes);
  useEffect(() => {
    let live = true;
    api.call('pool.get', { pool: poolId }).then((d) => live && setDetails(d), (e: unknown) => toast({ level: 'error', message: errorMessage(e) }));
    return () => {
      live = false;
    };
  }, [poolId, volumes]);
  if (!details) return null;
  return (
    <section className="orphans" aria-label={t('storage.orphans')} data-testid="orphans">
      <h3>{t('storage.orphans')}</h3>
      {details.orphans.length === 0 ? (
        <p className="muted">{t('storage.noOrphans')}</p>
      ) : (
        <>
          <p className="muted">{t('storage.orphansHint')}</p>
          <ul>
            {details.orphans.map((o) => (
              <li key={o.path}>
                <code className="path">{o.path}</code> <span className="muted">{formatBytes(o.sizeBytes)} · {formatDateTime(o.modifiedAt)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function SortHeader({ k, label }: { k: VolumeSortKey; label: string }) {
  const sort = useStorage((s) => s.sort);
  const desc = useStorage((s) => s.sortDescending);
  const setSort = useStorage((s) => s.setSort);
  const active = sort === k;
  return (
    <th aria-sort={active ? (desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="th-sort" onClick={() => setSort(k)} data-testid={`sort-${k}`}>
        {label}
        {active && <span aria-hidden="true">{desc ? ' ▼' : ' ▲'}</span>}
      </button>
    </th>
  );
}

/** Storage: pools with usage, the volumes table (sort, filter, actions), orphan files. */
export function StoragePage() {
  const { t } = useTranslation();
  const { pools, volumes, loaded, loadError, filter, sort, sortDescending, setFilter, load, openPage } = useStorage();
  const [poolId, setPoolId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ mode: VolumeDialogMode; volume: VolumeInfo | null } | 'pool' | null>(null);
  useEffect(() => {
    void load();
  }, [load]);

  const pool = pools.find((p) => p.id === poolId) ?? null;
  const shown = sortVolumes(filterVolumes(volumes.filter((v) => !pool || v.poolId === pool.id), filter), sort, sortDescending);

  const removePool = async (p: PoolInfo) => {
    try {
      await api.call('pool.remove', { pool: p.id });
      setPoolId(null);
      toast({ level: 'success', message: t('storage.done.poolRemove', { name: p.name }) });
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    }
  };

  return (
    <div className="details-pane storage-page" data-testid="storage-page">
      <header className="storage-header">
        <IconButton icon="close" label={t('storage.back')} onClick={() => openPage(false)} data-testid="storage-back" />
        <h1>{t('storage.title')}</h1>
        <span className="toolbar-spacer" />
        <Button icon="folder" onClick={() => setDialog('pool')} data-testid="pool-add">
          {t('storage.action.poolAdd')}
        </Button>
        <Button variant="primary" icon="plus" onClick={() => setDialog({ mode: 'create', volume: null })} data-testid="volume-create">
          {t('storage.action.create')}
        </Button>
      </header>
      {loadError && (
        <div className="callout callout-error" role="alert">
          <Icon name="warning" size={20} />
          <div>
            <p>{loadError}</p>
          </div>
        </div>
      )}
      <div className="pool-grid" aria-label={t('storage.pools')}>
        {pools.map((p) => (
          <PoolCard key={p.id} pool={p} selected={p.id === poolId} onSelect={() => setPoolId(p.id === poolId ? null : p.id)} />
        ))}
      </div>
      <div className="volumes-bar">
        <h2>{pool ? t('storage.volumesIn', { pool: pool.name }) : t('storage.volumes')}</h2>
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('storage.filter')} aria-label={t('storage.filter')} data-testid="volume-filter" />
        {pool && !pool.isDefault && (
          <Button variant="ghost" icon="trash" onClick={() => void removePool(pool)} data-testid="pool-remove">
            {t('storage.action.poolRemove')}
          </Button>
        )}
      </div>
      {loaded && shown.length === 0 ? (
        <EmptyState title={volumes.length === 0 ? t('storage.empty') : t('storage.noMatch')} art={<Icon name="disk" size={40} />} testId="volumes-empty">
          {volumes.length === 0 && <p className="muted">{t('storage.emptyHint')}</p>}
        </EmptyState>
      ) : (
        <table className="data-table" data-testid="volumes-table">
          <thead>
            <tr>
              {VOLUME_SORT_KEYS.map((k) => (
                <SortHeader key={k} k={k} label={t(`storage.col.${k}`)} />
              ))}
              <th>{t('storage.col.format')}</th>
              <th>
                <span className="sr-only">{t('storage.col.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((v) => (
              <tr key={v.id} data-testid={`volume-row-${v.name}`}>
                <td>
                  <strong>{v.name}</strong>
                  {v.backingChain.length > 1 && <div className="muted small">{t('storage.backing', { path: v.backingChain.slice(1).map((l) => l.path).join(' → ') })}</div>}
                </td>
                <td>{v.poolName}</td>
                <td>{formatBytes(v.virtualBytes)}</td>
                <td>{v.actualBytes === null ? <span className="field-error">{t('storage.missing')}</span> : formatBytes(v.actualBytes)}</td>
                <td>{v.attachedTo ? `${v.attachedTo.vmName} (${t(`state.${v.attachedTo.vmState}`)})` : <span className="muted">—</span>}</td>
                <td>{v.format}</td>
                <td className="row-actions">
                  <IconButton icon="expand" label={t('storage.action.resize')} onClick={() => setDialog({ mode: 'resize', volume: v })} data-testid={`resize-${v.name}`} />
                  <IconButton icon="copy" label={t('storage.action.clone')} onClick={() => setDialog({ mode: 'clone', volume: v })} data-testid={`clone-${v.name}`} />
                  <IconButton icon="sliders" label={t('storage.action.rename')} onClick={() => setDialog({ mode: 'rename', volume: v })} data-testid={`rename-${v.name}`} />
                  <IconButton icon="trash" label={v.attachedTo ? t('storage.detachFirst') : t('storage.action.delete')} disabled={!!v.attachedTo} onClick={() => setDialog({ mode: 'delete', volume: v })} data-testid={`delete-${v.name}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pool && <Orphans poolId={pool.id} />}
      {dialog === 'pool' && <PoolDialog onClose={() => setDialog(null)} />}
      {dialog && dialog !== 'pool' && <VolumeDialog mode={dialog.mode} volume={dialog.volume} pools={pools} onClose={() => setDialog(null)} />}
    </div>
  );
}
