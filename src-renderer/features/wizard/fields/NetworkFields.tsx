import { useTranslation } from 'react-i18next';
import { NIC_MODELS } from '../../../../src-main/api/contract/vm';
import { Button, IconButton } from '../../../components/Button';
import { Field } from '../../../components/Field';
import { newPortForwardRow, type PortForwardRow } from '../form-logic';
import type { FormApi } from '../form-api';
import type { NicModel } from '../presets';

const CELLS = ['hostAddress', 'hostPort', 'guestPort'] as const;

/** NAT networking with port-forward rows (protocol, host address, host port, guest port). */
export function NetworkFields({ form, testPrefix }: { form: FormApi; testPrefix: string }) {
  const { t } = useTranslation();
  const { draft, set, error } = form;
  const disabled = form.disabledReason !== undefined;
  const rows = draft.portForwards;
  const update = (i: number, patch: Partial<PortForwardRow>) => set({ portForwards: rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const tableError = error('nics.0.portForwards');
  return (
    <div className="form-grid">
      <div className="form-row">
        <Field label={t('fields.network')}>
          {(p) => (
            <select {...p} value={draft.network} disabled={disabled} onChange={(e) => set({ network: e.target.value as 'nat' | 'none' })} data-testid={`${testPrefix}-network`}>
              <option value="nat">{t('network.nat')}</option>
              <option value="none">{t('network.none')}</option>
            </select>
          )}
        </Field>
        {draft.network === 'nat' && (
          <Field label={t('fields.nicModel')} hint={t('network.modelHint')}>
            {(p) => (
              <select {...p} value={draft.nicModel} disabled={disabled} onChange={(e) => set({ nicModel: e.target.value as NicModel })} data-testid={`${testPrefix}-nic-model`}>
                {NIC_MODELS.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      {draft.network === 'nat' && (
        <fieldset className="pf-editor" disabled={disabled}>
          <legend className="field-label">{t('network.portForwards')}</legend>
          <p className="field-hint">{t('network.portForwardsHint')}</p>
          {rows.length > 0 && (
            <div className="pf-table">
              <div className="pf-row pf-head" aria-hidden="true">
                <span>{t('network.protocol')}</span>
                <span>{t('network.hostAddress')}</span>
                <span>{t('network.hostPort')}</span>
                <span>{t('network.guestPort')}</span>
                <span className="sr-only">
                  {t('common.remove')}
                </span>
              </div>
              {rows.map((row, i) => {
                const errors = CELLS.map((c) => error(`nics.0.portForwards.${i}.${c}`)).filter((e): e is string => !!e);
                const cellLabel = (col: string) => t('network.cellLabel', { column: col, row: i + 1 });
                return (
                  <div key={row.key} className="pf-row-wrap" data-testid={`${testPrefix}-pf-${i}`}>
                    <div className="pf-row">
                      <select aria-label={cellLabel(t('network.protocol'))} value={row.protocol} onChange={(e) => update(i, { protocol: e.target.value as 'tcp' | 'udp' })} data-testid={`${testPrefix}-pf-${i}-protocol`}>
                        <option value="tcp">TCP</option>
                        <option value="udp">UDP</option>
                      </select>
                      {CELLS.map((c) => (
                        <input
                          key={c}
                          type="text"
                          inputMode={c === 'hostAddress' ? 'decimal' : 'numeric'}
                          aria-label={cellLabel(t(`network.${c}`))}
                          aria-invalid={error(`nics.0.portForwards.${i}.${c}`) ? true : undefined}
                          value={row[c]}
                          placeholder={c === 'hostAddress' ? '127.0.0.1' : c === 'hostPort' ? '2222' : '22'}
                          onChange={(e) => update(i, { [c]: e.target.value })}
                          data-testid={`${testPrefix}-pf-${i}-${c}`}
                        />
                      ))}
                      <IconButton icon="trash" label={t('network.removeRow', { row: i + 1 })} onClick={() => set({ portForwards: rows.filter((_, j) => j !== i) })} data-testid={`${testPrefix}-pf-${i}-remove`} />
                    </div>
                    {errors.length > 0 && (
                      <p className="field-error" role="alert" data-testid={`${testPrefix}-pf-${i}-error`}>
                        {errors.join(' ')}
                      </p>
                    )}
                  </div>
                );
              })}
            </div>
          )}
          {tableError && (
            <p className="field-error" role="alert" data-testid={`${testPrefix}-pf-error`}>
              {tableError}
            </p>
          )}
          <Button icon="plus" onClick={() => set({ portForwards: [...rows, newPortForwardRow()] })} data-testid={`${testPrefix}-pf-add`}>
            {t('network.addForward')}
          </Button>
        </fieldset>
      )}
    </div>
  );
}
