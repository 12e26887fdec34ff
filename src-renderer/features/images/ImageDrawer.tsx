import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImageInfo } from '../../../src-main/api/contract';
import { formatBytes } from '../../../src-main/shared/units';
import { api, errorMessage } from '../../api';
import { useUi } from '../../app/ui-store';
import { Button, IconButton } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { OsIcon } from '../../components/OsIcon';
import { toast } from '../../components/toast-store';
import { useMachines } from '../machines/store';
import { openNewVmWizardFromImage } from '../wizard/store';
import { ImageEditForm } from './ImageEditForm';
import { useImages } from './store';
import { formatDateTime } from '../../i18n/format';

/** The details drawer: every field, the checksum to copy, who uses the image, and its actions. */
export function ImageDrawer({ image, onClose }: { image: ImageInfo; onClose(): void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLElement>(null);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    ref.current?.focus();
    setEditing(false);
  }, [image.id]);

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      toast({ level: 'success', message: t('images.copied') });
    } catch {
      toast({ level: 'error', message: t('images.copyFailed') });
    }
  };
  const run = async (fn: () => Promise<unknown>, done?: string) => {
    try {
      await fn();
      if (done) toast({ level: 'success', message: done });
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    }
  };
  const confirmDelete = () =>
    useUi.getState().openDialog({
      kind: 'confirm',
      title: t('images.delete.title', { name: image.name }),
      message: t('images.delete.message', { name: image.name, size: formatBytes(image.actualSize) }),
      confirmLabel: t('images.delete.ok'),
      onConfirm: () =>
        void run(async () => {
          await api.call('image.delete', { image: image.id, confirm: true });
          useImages.getState().select(null);
        }, t('images.delete.done', { name: image.name })),
    });
  const openVm = (id: string) => {
    useImages.getState().openPage(false);
    useMachines.getState().select(id);
  };

  const row = (label: string, value: React.ReactNode, testId?: string) => (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </>
  );

  return (
    <aside
      className="image-drawer"
      aria-label={t('images.details', { name: image.name })}
      tabIndex={-1}
      ref={ref}
      data-testid="image-drawer"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <header className="image-drawer-header">
        <OsIcon family={image.os.family} size={36} title={t(`os.family.${image.os.family}`)} />
        <h2>{image.name}</h2>
        <span className="toolbar-spacer" />
        <IconButton icon="close" label={t('common.close')} onClick={onClose} data-testid="image-drawer-close" />
      </header>
      {image.status === 'corrupt' && (
        <div className="callout callout-error" role="alert" data-testid="image-corrupt-callout">
          <Icon name="warning" size={20} />
          <p>{image.statusReason}</p>
        </div>
      )}
      <div className="image-drawer-actions">
        <Button variant="primary" icon="plus" onClick={() => openNewVmWizardFromImage(image)} data-testid="image-create-vm">
          {t('images.action.createVm')}
        </Button>
        <Button icon="check" onClick={() => void run(() => api.call('image.verify', { image: image.id }).then(() => useUi.getState().toggleTaskPanel(true)))} data-testid="image-verify">
          {t('images.action.verify')}
        </Button>
        <Button icon="sliders" aria-pressed={editing} onClick={() => setEditing(!editing)} data-testid="image-edit">
          {t('images.action.edit')}
        </Button>
        <Button variant="danger" icon="trash" disabled={image.usedBy.length > 0} title={image.usedBy.length > 0 ? t('images.inUse') : undefined} onClick={confirmDelete} data-testid="image-delete">
          {t('images.action.delete')}
        </Button>
      </div>
      {editing && <ImageEditForm image={image} onDone={() => setEditing(false)} />}
      <dl className="image-facts">
        {row(t('images.col.format'), image.sourceFormat !== image.format ? t('images.converted', { format: image.format, from: image.sourceFormat }) : image.format, 'image-format')}
        {row(t('images.col.status'), t(`images.status.${image.status}`))}
        {row(t('images.col.os'), image.format === 'iso' && image.osId === null && image.os.family === 'other' && !image.os.version ? t('osinfo.unknownOs') : `${t(`os.family.${image.os.family}`)}${image.os.version ? ` · ${image.os.version}` : ''}`)}
        {row(t('images.col.arch'), image.arch)}
        {image.volumeLabel && row(t('images.col.label'), <code>{image.volumeLabel}</code>, 'image-label')}
        {row(t('images.col.virtualSize'), formatBytes(image.virtualSize))}
        {row(t('images.col.actualSize'), formatBytes(image.actualSize))}
        {image.minDiskBytes > 0 && row(t('images.col.minDisk'), formatBytes(image.minDiskBytes))}
        {image.minMemoryMiB > 0 && row(t('images.col.minMemory'), `${image.minMemoryMiB} MiB`)}
        {row(
          t('images.col.sha256'),
          <span className="checksum">
            <code data-testid="image-sha256">{image.sha256}</code>
            <IconButton icon="copy" label={t('images.copyChecksum')} onClick={() => void copy(image.sha256)} data-testid="image-copy-sha" />
          </span>,
        )}
        {image.storedSha256 !== image.sha256 && row(t('images.col.storedSha256'), <code>{image.storedSha256}</code>)}
        {image.tags.length > 0 && row(t('images.col.tags'), image.tags.map((tag) => <span key={tag} className="image-tag">{tag}</span>))}
        {image.description && row(t('images.col.description'), image.description)}
        {row(t('images.col.source'), <code className="wrap">{image.source}</code>)}
        {row(t('images.col.path'), <code className="wrap">{image.path}</code>)}
        {row(t('images.col.createdAt'), formatDateTime(image.createdAt))}
        {row(t('images.col.verifiedAt'), image.verifiedAt ? formatDateTime(image.verifiedAt) : t('images.never'))}
      </dl>
      <h3>{t('images.usedBy')}</h3>
      {image.usedBy.length === 0 ? (
        <p className="muted" data-testid="image-unused">
          {t('images.unused')}
        </p>
      ) : (
        <ul className="image-users" data-testid="image-users">
          {image.usedBy.map((u) => (
            <li key={`${u.id}-${u.how}`}>
              <button type="button" className="link-button" onClick={() => openVm(u.id)}>
                {u.name}
              </button>{' '}
              <span className="muted small">{t(`images.how.${u.how}`)}</span>
              {u.how === 'backing' && u.path && (
                <div className="backing-chain" aria-label={t('images.chain')}>
                  <code className="wrap">{u.path}</code> <span aria-hidden="true">→</span> <code className="wrap">{image.path}</code>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
