import { useTranslation } from 'react-i18next';
import { OS_FAMILIES, type OsFamily } from '../../../../src-main/api/contract/vm';
import { Field } from '../../../components/Field';
import { OsIcon } from '../../../components/OsIcon';
import type { FormApi } from '../form-api';
import { presetsFor, presetById, osVariantLabel } from '../presets';

/** Name, description and OS. `onChooseOs` lets the wizard apply the preset's hardware; settings only relabels. */
export function NameOsFields({ form, onChooseOs, testPrefix, autoFocus }: { form: FormApi; onChooseOs(family: OsFamily, variant: string): void; testPrefix: string; autoFocus?: boolean }) {
  const { t } = useTranslation();
  const { draft, set, error } = form;
  const disabled = form.disabledReason !== undefined;
  const variants = presetsFor(draft.family);
  const knownVariant = presetById(draft.variant)?.family === draft.family;
  return (
    <div className="form-grid">
      <Field label={t('fields.name')} error={error('name')} testId={`${testPrefix}-name`} hint={t('wizard.nameHint')}>
        {(p) => (
          <input {...p} type="text" value={draft.name} autoFocus={autoFocus} autoComplete="off" spellCheck={false} disabled={disabled} data-testid={`${testPrefix}-name`} onChange={(e) => set({ name: e.target.value })} />
        )}
      </Field>
      <div className="os-row">
        <OsIcon family={draft.family} size={40} />
        <Field label={t('fields.osFamily')} error={error('os')}>
          {(p) => (
            <select {...p} value={draft.family} disabled={disabled} data-testid={`${testPrefix}-os-family`} onChange={(e) => onChooseOs(e.target.value as OsFamily, presetsFor(e.target.value as OsFamily)[0]!.id)}>
              {OS_FAMILIES.map((f) => (
                <option key={f} value={f}>
                  {t(`os.family.${f}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('fields.osVersion')}>
          {(p) => (
            <select {...p} value={draft.variant} disabled={disabled} data-testid={`${testPrefix}-os-variant`} onChange={(e) => onChooseOs(draft.family, e.target.value)}>
              {!knownVariant && <option value={draft.variant}>{draft.variant || t('common.none')}</option>}
              {variants.map((v) => (
                <option key={v.id} value={v.id}>
                  {osVariantLabel(v.id, t)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label={t('fields.description')} error={error('description')}>
        {(p) => <textarea {...p} rows={3} value={draft.description} disabled={disabled} data-testid={`${testPrefix}-description`} onChange={(e) => set({ description: e.target.value })} />}
      </Field>
    </div>
  );
}
