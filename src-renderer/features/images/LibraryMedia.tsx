import { useEffect } from 'react';
import { LabeledField } from '../../components/LabeledField';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../src-main/shared/units';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import type { FormApi } from '../wizard/form-api';
import { useImages } from './store';

/** The wizard's install-media step: pick one of the library's ISOs instead of typing a path. */
export function LibraryIsoPicker({ form, testPrefix }: { form: FormApi; testPrefix: string }) {
  const { t } = useTranslation();
  const images = useImages((s) => s.images);
  const loaded = useImages((s) => s.loaded);
  useEffect(() => {
    if (!loaded) void useImages.getState().load();
  }, [loaded]);
  const isos = images.filter((i) => i.format === 'iso' && i.status === 'ready');
  if (isos.length === 0) return null;
  const current = isos.find((i) => i.path === form.draft.isoPath)?.id ?? '';
  return (
    <LabeledField label={t('images.wizard.libraryIso')}>
      <select
        value={current}
        disabled={form.disabledReason !== undefined}
        onChange={(e) => {
          const iso = isos.find((i) => i.id === e.target.value);
          form.set(iso ? { isoPath: iso.path, media: 'iso' } : { isoPath: '' });
        }}
        data-testid={`${testPrefix}-library-iso`}
      >
        <option value="">{t('images.wizard.chooseIso')}</option>
        {isos.map((i) => (
          <option key={i.id} value={i.id}>
            {i.name}
            {i.os.version ? ` — ${i.os.version}` : ''} ({formatBytes(i.actualSize)})
          </option>
        ))}
      </select>
    </LabeledField>
  );
}

/** Shown when the VM boots from a library disk image: a linked clone, or a full copy. */
export function LibraryImageNotice({ form, testPrefix }: { form: FormApi; testPrefix: string }) {
  const { t } = useTranslation();
  const image = form.draft.image;
  if (!image) return null;
  return (
    <div className="callout" data-testid={`${testPrefix}-from-image`}>
      <Icon name="disc" size={20} />
      <div>
        <p>{t('images.wizard.fromImage', { name: image.name })}</p>
        <label className="checkbox">
          <input type="checkbox" checked={!!form.draft.fullCopy} onChange={(e) => form.set({ fullCopy: e.target.checked })} data-testid={`${testPrefix}-full-copy`} />
          {t('images.wizard.fullCopy')}
        </label>
        <Button variant="ghost" onClick={() => form.set({ image: null, fullCopy: false, diskEnabled: true })}>
          {t('images.wizard.noImage')}
        </Button>
      </div>
    </div>
  );
}
