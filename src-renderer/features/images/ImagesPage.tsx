import { useEffect, useState, type DragEvent } from 'react';
import { OpsTable } from '../../components/OpsTable';
import { useTranslation } from 'react-i18next';
import { IMAGE_FORMATS, OS_FAMILIES, type ImageInfo } from '../../../src-main/api/contract';
import { formatBytes } from '../../../src-main/shared/units';
import { api, errorMessage } from '../../api';
import { useUi } from '../../app/ui-store';
import { Button, IconButton } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { OsIcon } from '../../components/OsIcon';
import { toast } from '../../components/toast-store';
import { ImageDrawer } from './ImageDrawer';
import { ImportDialog } from './ImportDialog';
import { IMAGE_SORT_KEYS, allTags, filterImages, sortImages, type ImageSortKey } from './image-logic';
import { useImages } from './store';
import { UploadList } from './UploadList';
import { useUploads } from './upload-store';
import { formatDateTime } from '../../i18n/format';

function StatusBadge({ image }: { image: ImageInfo }) {
  const { t } = useTranslation();
  if (image.status === 'ready') return null;
  return (
    <span className="image-badge image-badge-corrupt" title={image.statusReason ?? undefined} data-testid={`image-corrupt-${image.name}`}>
      <Icon name="warning" size={14} /> {t(`images.status.${image.status}`)}
    </span>
  );
}

function ImageCard({ image, selected, onOpen }: { image: ImageInfo; selected: boolean; onOpen(): void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className={`image-card${selected ? ' selected' : ''}`} onClick={onOpen} aria-pressed={selected} data-testid={`image-card-${image.name}`}>
      <OsIcon family={image.os.family} size={40} title={t(`os.family.${image.os.family}`)} />
      <span className="image-card-text">
        <strong className="image-name">{image.name}</strong>
        <span className="muted small">
          {image.os.version || t(`os.family.${image.os.family}`)} · {image.arch}
        </span>
        <span className="image-card-meta">
          <span className="image-format">{image.format === 'iso' ? 'ISO' : image.format}</span>
          {image.cloudImage && <span className="chip chip-cloud" data-testid="image-cloud-chip">{t('cloud.cloudImage')}</span>}
          <span className="muted small">{formatBytes(image.format === 'iso' ? image.actualSize : image.virtualSize)}</span>
          {image.usedBy.length > 0 && <span className="muted small">{t('images.usedByCount', { count: image.usedBy.length })}</span>}
          <StatusBadge image={image} />
        </span>
      </span>
    </button>
  );
}

/** Images: the library as a grid or a table, with search, filters, sort, import and a details drawer. */
export function ImagesPage() {
  const { t } = useTranslation();
  const { images, loaded, loadError, filters, sort, sortDescending, view, selectedId, setFilters, setSort, setView, select, load, openPage } = useImages();
  const [dialog, setDialog] = useState<'file' | 'url' | null>(null);
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    void load();
  }, [load]);

  const shown = sortImages(filterImages(images, filters), sort, sortDescending);
  const tags = allTags(images);
  const selected = images.find((i) => i.id === selectedId) ?? null;

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    for (const file of Array.from(e.dataTransfer.files)) {
      try {
        // Electron gives dropped files their path; a browser only has the bytes
        const hostPath = api.pathForFile?.(file);
        if (hostPath) await api.call('image.import', { path: hostPath });
        else if (!(await useUploads.getState().start(file))) continue; // cancelled: nothing to show
        useUi.getState().toggleTaskPanel(true);
      } catch (err) {
        toast({ level: 'error', message: errorMessage(err) });
      }
    }
  };

  return (
    <div
      className={`details-pane images-page${dragging ? ' dragging' : ''}`}
      data-testid="images-page"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => void onDrop(e)}
    >
      <header className="images-header">
        <IconButton icon="close" label={t('images.back')} onClick={() => openPage(false)} data-testid="images-back" />
        <h1>{t('images.title')}</h1>
        <span className="toolbar-spacer" />
        <Button icon="external" onClick={() => setDialog('url')} data-testid="image-download">
          {t('images.action.fromUrl')}
        </Button>
        <Button variant="primary" icon="plus" onClick={() => setDialog('file')} data-testid="image-import">
          {t('images.action.import')}
        </Button>
      </header>
      {loadError && (
        <div className="callout callout-error" role="alert">
          <Icon name="warning" size={20} />
          <p>{loadError}</p>
        </div>
      )}
      <div className="images-bar" role="toolbar" aria-label={t('images.filters')}>
        <input type="search" value={filters.text} onChange={(e) => setFilters({ text: e.target.value })} placeholder={t('images.search')} aria-label={t('images.search')} data-testid="image-search" />
        <select value={filters.format} onChange={(e) => setFilters({ format: e.target.value })} aria-label={t('images.col.format')} data-testid="image-filter-format">
          <option value="">{t('images.allFormats')}</option>
          {IMAGE_FORMATS.map((f) => (
            <option key={f} value={f}>
              {f === 'iso' ? 'ISO' : f}
            </option>
          ))}
        </select>
        <select value={filters.os} onChange={(e) => setFilters({ os: e.target.value })} aria-label={t('images.col.os')} data-testid="image-filter-os">
          <option value="">{t('images.allOs')}</option>
          {OS_FAMILIES.map((f) => (
            <option key={f} value={f}>
              {t(`os.family.${f}`)}
            </option>
          ))}
        </select>
        {tags.length > 0 && (
          <select value={filters.tag} onChange={(e) => setFilters({ tag: e.target.value })} aria-label={t('images.col.tags')} data-testid="image-filter-tag">
            <option value="">{t('images.allTags')}</option>
            {tags.map((tag) => (
              <option key={tag} value={tag}>
                {tag}
              </option>
            ))}
          </select>
        )}
        <select value={sort} onChange={(e) => setSort(e.target.value as ImageSortKey)} aria-label={t('images.sortBy')} data-testid="image-sort">
          {IMAGE_SORT_KEYS.map((k) => (
            <option key={k} value={k}>
              {t(`images.col.${k}`)}
            </option>
          ))}
        </select>
        <IconButton icon={sortDescending ? 'sortDesc' : 'sortAsc'} label={sortDescending ? t('images.descending') : t('images.ascending')} onClick={() => setSort(sort)} />
        <span className="toolbar-spacer" />
        <div className="image-view-toggle" role="group" aria-label={t('images.view')}>
          <button type="button" aria-pressed={view === 'grid'} className={view === 'grid' ? 'active' : ''} onClick={() => setView('grid')} data-testid="image-view-grid">
            {t('images.grid')}
          </button>
          <button type="button" aria-pressed={view === 'list'} className={view === 'list' ? 'active' : ''} onClick={() => setView('list')} data-testid="image-view-list">
            {t('images.list')}
          </button>
        </div>
      </div>
      <UploadList />
      {loaded && shown.length === 0 ? (
        <EmptyState title={images.length === 0 ? t('images.empty') : t('images.noMatch')} art={<Icon name="disc" size={40} />} testId="images-empty">
          {images.length === 0 && <p className="muted">{t('images.emptyHint')}</p>}
        </EmptyState>
      ) : view === 'grid' ? (
        <div className="image-grid" data-testid="image-grid">
          {shown.map((i) => (
            <ImageCard key={i.id} image={i} selected={i.id === selectedId} onOpen={() => select(i.id === selectedId ? null : i.id)} />
          ))}
        </div>
      ) : (
        <OpsTable className="data-table" testId="image-table" columns={[t('images.col.name'), t('images.col.format'), t('images.col.os'), t('images.col.virtualSize'), t('images.col.actualSize'), t('images.col.createdAt')]}>
          {shown.map((i) => (
            <tr key={i.id} className={i.id === selectedId ? 'selected' : ''} data-testid={`image-row-${i.name}`}>
              <td>
                <button type="button" className="link-button" onClick={() => select(i.id)}>
                  <OsIcon family={i.os.family} size={20} /> <strong>{i.name}</strong>
                </button>{' '}
                <StatusBadge image={i} />
                {i.cloudImage && <span className="chip chip-cloud">{t('cloud.cloudImage')}</span>}
              </td>
              <td>{i.format}</td>
              <td>{i.os.version || t(`os.family.${i.os.family}`)}</td>
              <td>{formatBytes(i.virtualSize)}</td>
              <td>{formatBytes(i.actualSize)}</td>
              <td>{formatDateTime(i.createdAt)}</td>
            </tr>
          ))}
        </OpsTable>
      )}
      <p className="muted small images-drop-hint">{t('images.dropHint')}</p>
      {selected && <ImageDrawer image={selected} onClose={() => select(null)} />}
      {dialog && <ImportDialog mode={dialog} onClose={() => setDialog(null)} />}
    </div>
  );
}
