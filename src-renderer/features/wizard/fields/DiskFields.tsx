import { useTranslation } from 'react-i18next';
import { DISK_BUSES } from '../../../../src-main/api/contract/vm';
import { formatBytes } from '../../../../src-main/shared/units';
import { Field } from '../../../components/Field';
import { diskBytes } from '../form-logic';
import type { FormApi } from '../form-api';
import type { DiskBus } from '../presets';

/** The new virtual disk: size with units ("20G", "512M"), format and bus. */
export function DiskFields({ form, testPrefix }: { form: FormApi; testPrefix: string }) {
  const { t } = useTranslation();
  const { draft, set, error, caps } = form;
  const bytes = diskBytes(draft);
  const sizeHint = typeof bytes === 'number' && bytes > 0 ? t('disk.sizeHint', { size: formatBytes(bytes), free: caps ? formatBytes(caps.diskFreeBytes) : '—' }) : t('disk.unitsHint');
  return (
    <div className="form-grid">
      <label className="checkbox">
        <input type="checkbox" checked={draft.diskEnabled} onChange={(e) => set({ diskEnabled: e.target.checked })} data-testid={`${testPrefix}-disk-enabled`} />
        {t('disk.create')}
      </label>
      {!draft.diskEnabled && <p className="field-hint">{t('disk.noneHint')}</p>}
      {draft.diskEnabled && (
        <>
          <Field label={t('fields.diskSize')} error={error('diskSizeBytes')} testId={`${testPrefix}-disk-size`} hint={sizeHint}>
            {(p) => <input {...p} type="text" value={draft.diskSize} inputMode="decimal" spellCheck={false} data-testid={`${testPrefix}-disk-size`} onChange={(e) => set({ diskSize: e.target.value })} />}
          </Field>
          <div className="form-row">
            <Field label={t('fields.diskFormat')} error={error('diskFormat')} hint={draft.diskFormat === 'qcow2' ? t('disk.qcow2Hint') : t('disk.rawHint')}>
              {(p) => (
                <select {...p} value={draft.diskFormat} onChange={(e) => set({ diskFormat: e.target.value as 'qcow2' | 'raw' })} data-testid={`${testPrefix}-disk-format`}>
                  <option value="qcow2">qcow2</option>
                  <option value="raw">raw</option>
                </select>
              )}
            </Field>
            <Field label={t('fields.diskBus')} error={error('diskBus')}>
              {(p) => (
                <select {...p} value={draft.diskBus} onChange={(e) => set({ diskBus: e.target.value as DiskBus })} data-testid={`${testPrefix}-disk-bus`}>
                  {DISK_BUSES.map((b) => (
                    <option key={b} value={b}>
                      {b}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </>
      )}
    </div>
  );
}
