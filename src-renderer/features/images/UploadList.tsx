import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../src-main/shared/units';
import { Button } from '../../components/Button';
import { ProgressBar } from '../../components/ProgressBar';
import { useUploads } from './upload-store';

/** Browser uploads in flight: bytes sent, a progress bar and Cancel (which drops the partial file). */
export function UploadList() {
  const { t } = useTranslation();
  const { uploads, cancel } = useUploads();
  if (uploads.length === 0) return null;
  return (
    <ul className="upload-list" aria-label={t('images.upload.list')} data-testid="upload-list">
      {uploads.map((u) => (
        <li key={u.id} className="upload-item" data-testid={`upload-${u.name}`}>
          <div className="upload-head">
            <strong className="upload-name">{t('images.uploading', { name: u.name })}</strong>
            <span className="muted small" data-testid="upload-bytes">
              {t('images.upload.sent', { sent: formatBytes(u.loaded), total: formatBytes(u.total) })}
            </span>
            <Button className="btn-small" onClick={() => cancel(u.id)} data-testid="upload-cancel">
              {t('common.cancel')}
            </Button>
          </div>
          <ProgressBar value={u.total > 0 ? u.loaded / u.total : null} label={t('images.uploading', { name: u.name })} />
        </li>
      ))}
    </ul>
  );
}
