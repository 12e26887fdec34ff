import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api';
import { Button } from '../../../components/Button';
import { Field } from '../../../components/Field';
import { Icon } from '../../../components/Icon';
import type { FormApi } from '../form-api';
import { LibraryImageNotice, LibraryIsoPicker } from '../../images/LibraryMedia';

/** Install media: an ISO path (Browse… in Electron; a path on the host in the browser) or none, plus direct kernel boot. */
export function MediaFields({ form, testPrefix, withKernel }: { form: FormApi; testPrefix: string; withKernel: boolean }) {
  const { t } = useTranslation();
  const { draft, set, error } = form;
  const disabled = form.disabledReason !== undefined;
  const [advancedOpen, setAdvancedOpen] = useState(draft.kernelEnabled);
  const browse = async () => {
    const file = await api.pickFile?.({ title: t('media.pickTitle'), filters: [{ name: t('media.isoFilter'), extensions: ['iso', 'img'] }] });
    if (file) set({ isoPath: file, media: 'iso' });
  };
  return (
    <div className="form-grid">
      <LibraryImageNotice form={form} testPrefix={testPrefix} />
      <fieldset className="radio-group" disabled={disabled}>
        <legend className="field-label">{t('media.source')}</legend>
        <label className="radio">
          <input type="radio" name={`${testPrefix}-media`} checked={draft.media === 'iso'} onChange={() => set({ media: 'iso' })} data-testid={`${testPrefix}-media-iso`} />
          <Icon name="disc" size={16} /> {t('media.iso')}
        </label>
        <label className="radio">
          <input type="radio" name={`${testPrefix}-media`} checked={draft.media === 'none'} onChange={() => set({ media: 'none' })} data-testid={`${testPrefix}-media-none`} />
          {t('media.none')}
        </label>
      </fieldset>
      {draft.media === 'iso' && <LibraryIsoPicker form={form} testPrefix={testPrefix} />}
      {draft.media === 'iso' && (
        <Field label={t('fields.isoPath')} error={error('isoPath')} testId={`${testPrefix}-iso`} hint={api.kind === 'browser' ? t('media.browserNote') : undefined}>
          {(p) => (
            <div className="input-with-button">
              <input {...p} type="text" value={draft.isoPath} placeholder="/path/to/installer.iso" spellCheck={false} disabled={disabled} data-testid={`${testPrefix}-iso`} onChange={(e) => set({ isoPath: e.target.value })} />
              {api.pickFile && (
                <Button icon="folder" onClick={() => void browse()} disabled={disabled}>
                  {t('media.browse')}
                </Button>
              )}
            </div>
          )}
        </Field>
      )}
      {withKernel && (
        <details className="advanced" open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
          <summary data-testid={`${testPrefix}-kernel-toggle`}>{t('media.advanced')}</summary>
          <label className="checkbox">
            <input type="checkbox" checked={draft.kernelEnabled} onChange={(e) => set({ kernelEnabled: e.target.checked })} disabled={disabled} data-testid={`${testPrefix}-kernel-enabled`} />
            {t('media.kernelEnable')}
          </label>
          {draft.kernelEnabled && (
            <div className="form-grid">
              <Field label={t('fields.kernel')} error={error('kernel.path')} testId={`${testPrefix}-kernel`}>
                {(p) => <input {...p} type="text" value={draft.kernelPath} placeholder="/path/to/vmlinuz" spellCheck={false} data-testid={`${testPrefix}-kernel`} onChange={(e) => set({ kernelPath: e.target.value })} />}
              </Field>
              <Field label={t('fields.initrd')} error={error('kernel.initrd')} hint={t('common.optional')}>
                {(p) => <input {...p} type="text" value={draft.initrdPath} placeholder="/path/to/initrd.img" spellCheck={false} data-testid={`${testPrefix}-initrd`} onChange={(e) => set({ initrdPath: e.target.value })} />}
              </Field>
              <Field label={t('fields.append')} error={error('kernel.append')} hint={t('media.appendHint')}>
                {(p) => <input {...p} type="text" value={draft.append} placeholder="console=ttyS0" spellCheck={false} data-testid={`${testPrefix}-append`} onChange={(e) => set({ append: e.target.value })} />}
              </Field>
            </div>
          )}
        </details>
      )}
    </div>
  );
}
