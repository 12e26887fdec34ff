import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SubmitForm } from '../../components/SubmitForm';
import { OS_FAMILIES, type ImageInfo, type OsFamily } from '../../../src-main/api/contract';
import { api, ApiError, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { Field } from '../../components/Field';
import { toast } from '../../components/toast-store';

/** Edit what the file cannot tell: name, OS, tags, description, minimum memory (image.update). */
export function ImageEditForm({ image, onDone }: { image: ImageInfo; onDone(): void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(image.name);
  const [family, setFamily] = useState<OsFamily>(image.os.family);
  const [version, setVersion] = useState(image.os.version);
  const [tags, setTags] = useState(image.tags.join(' '));
  const [description, setDescription] = useState(image.description);
  const [minMemory, setMinMemory] = useState(String(image.minMemoryMiB || ''));
  const [cloudImage, setCloudImage] = useState(image.cloudImage);
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    setIssues({});
    try {
      await api.call('image.update', {
        image: image.id,
        name: name.trim(),
        os: { family, version: version.trim() },
        tags: tags.split(/[\s,]+/).filter(Boolean),
        description,
        minMemoryMiB: minMemory.trim() ? Number(minMemory) : 0,
        ...(image.format !== 'iso' ? { cloudImage } : {}),
      });
      onDone();
    } catch (e) {
      const field = e instanceof ApiError ? e.field?.split('.')[0] : null;
      if (field) setIssues({ [field]: errorMessage(e) });
      else toast({ level: 'error', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <SubmitForm className="form-grid image-edit" data-testid="image-edit-form" onSubmit={save}>
      <Field label={t('images.col.name')} error={issues.name} testId="image-edit-name">
        {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} data-testid="image-edit-name" />}
      </Field>
      <Field label={t('images.col.os')} error={issues.os}>
        {(p) => (
          <select {...p} value={family} onChange={(e) => setFamily(e.target.value as OsFamily)}>
            {OS_FAMILIES.map((f) => (
              <option key={f} value={f}>
                {t(`os.family.${f}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('images.edit.version')} hint={t('common.optional')}>
        {(p) => <input {...p} type="text" value={version} onChange={(e) => setVersion(e.target.value)} />}
      </Field>
      <Field label={t('images.col.tags')} error={issues.tags} hint={t('images.edit.tagsHint')} testId="image-edit-tags">
        {(p) => <input {...p} type="text" value={tags} onChange={(e) => setTags(e.target.value)} data-testid="image-edit-tags" />}
      </Field>
      <Field label={t('images.col.minMemory')} error={issues.minMemoryMiB} hint="MiB">
        {(p) => <input {...p} type="number" min={0} value={minMemory} onChange={(e) => setMinMemory(e.target.value)} />}
      </Field>
      {image.format !== 'iso' && (
        <label className="check-row" title={t('cloud.cloudImageHint')}>
          <input type="checkbox" checked={cloudImage} onChange={(e) => setCloudImage(e.target.checked)} data-testid="image-edit-cloud" /> {t('cloud.cloudImage')}
          <span className="muted small"> — {t('cloud.cloudImageHint')}</span>
        </label>
      )}
      <Field label={t('images.col.description')} error={issues.description}>
        {(p) => <textarea {...p} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <div className="image-drawer-actions">
        <Button variant="primary" type="submit" busy={busy} data-testid="image-edit-save">
          {t('common.save')}
        </Button>
        <Button onClick={onDone}>{t('common.cancel')}</Button>
      </div>
    </SubmitForm>
  );
}
