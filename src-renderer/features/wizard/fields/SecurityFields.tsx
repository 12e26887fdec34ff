import { useTranslation } from 'react-i18next';
import type { FormApi } from '../form-api';

/**
 * Secure Boot and TPM 2.0 switches (wizard hardware step and Settings → System, while stopped).
 * Secure Boot needs UEFI + q35 and the host's Secure Boot OVMF; TPM needs swtpm on the host.
 */
export function SecurityFields({ form, testPrefix }: { form: FormApi; testPrefix: string }) {
  const { t } = useTranslation();
  const { draft, set, error, caps } = form;
  const disabled = form.disabledReason !== undefined;
  const noSbFirmware = caps !== null && !caps.secureBootFirmware;
  const noSwtpm = caps !== null && !caps.swtpm;
  const sbBlocked = noSbFirmware || draft.firmware !== 'uefi' || draft.machine !== 'q35';
  const sbHint = noSbFirmware ? t('security.noFirmware') : draft.firmware !== 'uefi' || draft.machine !== 'q35' ? t('security.needsUefiQ35') : t('security.secureBootHint');
  return (
    <fieldset className="radio-group" disabled={disabled} data-testid={`${testPrefix}-security`}>
      <legend className="field-label">{t('security.title')}</legend>
      <label className={`radio${sbBlocked && !draft.secureBoot ? ' disabled' : ''}`}>
        <input type="checkbox" checked={!!draft.secureBoot} disabled={sbBlocked && !draft.secureBoot} onChange={(e) => set({ secureBoot: e.target.checked })} data-testid={`${testPrefix}-secure-boot`} />
        {t('security.secureBoot')}
      </label>
      <p className="field-hint">{sbHint}</p>
      {error('secureBoot') && (
        <p className="field-error" role="alert" data-testid={`${testPrefix}-secure-boot-error`}>
          {error('secureBoot')}
        </p>
      )}
      <label className={`radio${noSwtpm && !draft.tpm ? ' disabled' : ''}`}>
        <input type="checkbox" checked={!!draft.tpm} disabled={noSwtpm && !draft.tpm} onChange={(e) => set({ tpm: e.target.checked })} data-testid={`${testPrefix}-tpm`} />
        {t('security.tpm')}
      </label>
      <p className="field-hint">{noSwtpm ? t('security.noSwtpm') : t('security.tpmHint')}</p>
      {error('tpm') && (
        <p className="field-error" role="alert" data-testid={`${testPrefix}-tpm-error`}>
          {error('tpm')}
        </p>
      )}
    </fieldset>
  );
}
