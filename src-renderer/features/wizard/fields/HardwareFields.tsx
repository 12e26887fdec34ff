import { useTranslation } from 'react-i18next';
import { MACHINE_TYPES } from '../../../../src-main/api/contract/vm';
import { formatBytes, MiB } from '../../../../src-main/shared/units';
import { Field } from '../../../components/Field';
import { Slider } from '../../../components/Slider';
import type { FormApi } from '../form-api';
import { SecurityFields } from './SecurityFields';

/** CPUs and memory (sliders bounded by the host, numbers free so too-much gets explained), firmware, machine, display. */
export function HardwareFields({ form, testPrefix, firmwareDowngraded }: { form: FormApi; testPrefix: string; firmwareDowngraded?: boolean }) {
  const { t } = useTranslation();
  const { draft, set, error, caps } = form;
  const disabled = form.disabledReason !== undefined;
  const hostMiB = caps ? Math.floor(caps.memoryBytes / MiB) : 16384;
  const hostCpus = caps?.cpus ?? 16;
  const noOvmf = caps !== null && caps.ovmf === null;
  const memHint = Number.isFinite(draft.memoryMiB) && draft.memoryMiB > 0 ? t('hardware.memoryHint', { size: formatBytes(draft.memoryMiB * MiB), host: formatBytes(hostMiB * MiB) }) : null;
  return (
    <div className="form-grid">
      <Slider label={t('fields.cpus')} value={draft.cpus} min={1} max={hostCpus} onChange={(cpus) => set({ cpus })} error={error('cpus')} hint={t('hardware.cpusHint', { count: hostCpus })} disabled={disabled} testId={`${testPrefix}-cpus`} />
      <Slider label={t('fields.memory')} unit="MiB" value={draft.memoryMiB} min={16} max={hostMiB} step={1} onChange={(memoryMiB) => set({ memoryMiB })} error={error('memoryMiB')} hint={memHint} disabled={disabled} testId={`${testPrefix}-memory`} />
      <fieldset className="radio-group" disabled={disabled}>
        <legend className="field-label">{t('fields.firmware')}</legend>
        <label className="radio">
          <input type="radio" name={`${testPrefix}-firmware`} checked={draft.firmware === 'bios'} onChange={() => set({ firmware: 'bios' })} data-testid={`${testPrefix}-firmware-bios`} />
          {t('firmware.bios')}
        </label>
        <label className={`radio${noOvmf ? ' disabled' : ''}`} title={noOvmf ? t('hardware.noOvmf') : undefined}>
          <input type="radio" name={`${testPrefix}-firmware`} checked={draft.firmware === 'uefi'} disabled={noOvmf} onChange={() => set({ firmware: 'uefi' })} data-testid={`${testPrefix}-firmware-uefi`} />
          {t('firmware.uefi')}
        </label>
        {noOvmf && <p className="field-hint" data-testid={`${testPrefix}-uefi-reason`}>{firmwareDowngraded ? t('hardware.noOvmfDowngraded') : t('hardware.noOvmf')}</p>}
        {error('firmware') && (
          <p className="field-error" role="alert" data-testid={`${testPrefix}-firmware-error`}>
            {error('firmware')}
          </p>
        )}
      </fieldset>
      <SecurityFields form={form} testPrefix={testPrefix} />
      <div className="form-row">
        <Field label={t('fields.machine')} error={error('machine')} hint={t('hardware.machineHint')}>
          {(p) => (
            <select {...p} value={draft.machine} disabled={disabled} onChange={(e) => set({ machine: e.target.value as (typeof MACHINE_TYPES)[number] })} data-testid={`${testPrefix}-machine`}>
              {MACHINE_TYPES.map((m) => (
                <option key={m} value={m}>
                  {t(`machine.${m}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('fields.display')} error={error('display')}>
          {(p) => (
            <select {...p} value={draft.display} disabled={disabled} onChange={(e) => set({ display: e.target.value as 'vnc' | 'none' })} data-testid={`${testPrefix}-display`}>
              <option value="vnc">{t('display.vnc')}</option>
              <option value="none">{t('display.none')}</option>
            </select>
          )}
        </Field>
      </div>
    </div>
  );
}
