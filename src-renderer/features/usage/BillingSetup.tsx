import { useState, type FormEvent } from 'react';
import { OptionList } from '../../components/OptionList';
import { LabeledField } from '../../components/LabeledField';
import { OpsTable } from '../../components/OpsTable';
import { useTranslation } from 'react-i18next';
import type { PlanRates } from '../../../src-main/api/contract';
import { ApiError, api, errorMessage } from '../../api';
import { Button, IconButton } from '../../components/Button';
import { toast } from '../../components/toast-store';
import { useUi } from '../../app/ui-store';
import { useUsage } from './store';

const RATE_KEYS: Array<keyof PlanRates> = ['perHourOn', 'perVcpuHour', 'perGibRamHour', 'perGbTransferred', 'perDiskGibHour', 'flatMonthly'];

/** Plans, customers, and who owns which VM with which plan (a VM's own plan overrides its customer's). */
export function BillingSetup({ onChanged }: { onChanged(): void }) {
  const { t } = useTranslation();
  const { plans, customers, vms, load } = useUsage();
  const changed = async () => {
    await load();
    onChanged();
  };
  const openDialog = useUi((s) => s.openDialog);
  /** Ask, then delete a plan or a customer; the engine refuses a plan still in use, with a sentence. */
  const remove = (kind: 'plan' | 'customer', id: string, name: string) =>
    openDialog({
      kind: 'confirm',
      title: t(`usage.delete_${kind}`, { name }),
      message: t(`usage.delete_${kind}Text`),
      confirmLabel: t('usage.delete'),
      onConfirm: () => {
        const call = kind === 'plan' ? api.call('plan.delete', { plan: id }) : api.call('customer.delete', { customer: id });
        call.then(
          () => void changed(),
          (e: unknown) => toast({ level: 'error', message: errorMessage(e) }),
        );
      },
    });
  const assign = async (vm: string, patch: { customer?: string | null; plan?: string | null }) => {
    try {
      await api.call('billing.assign', { vm, ...patch });
      await changed();
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    }
  };
  return (
    <section aria-labelledby="billing-setup" className="usage-setup">
      <h2 id="billing-setup">{t('usage.setup')}</h2>
      <div className="usage-setup-grid">
        <div>
          <h3>{t('usage.plans')}</h3>
          {plans.length === 0 ? (
            <p className="muted">{t('usage.noPlans')}</p>
          ) : (
            <OpsTable testId="plans-table" columns={[t('usage.plan'), t('usage.rates'), { hidden: t('usage.delete') }]}>
              {plans.map((p) => (
                <tr key={p.id}>
                  <td>
                    <strong>{p.name}</strong> <span className="muted">{p.currency}</span>
                  </td>
                  <td className="small">
                    {RATE_KEYS.filter((k) => p.rates[k] !== '0')
                      .map((k) => `${t(`usage.rate_${k}`)} ${p.rates[k]}`)
                      .join(' · ') || t('usage.free')}
                  </td>
                  <td className="ops-actions">
                    <IconButton icon="trash" label={t('usage.delete_plan', { name: p.name })} onClick={() => remove('plan', p.id, p.name)} data-testid={`plan-delete-${p.name}`} />
                  </td>
                </tr>
              ))}
            </OpsTable>
          )}
          <PlanForm onDone={() => void changed()} />
        </div>
        <div>
          <h3>{t('usage.customers')}</h3>
          {customers.length === 0 ? (
            <p className="muted">{t('usage.noCustomers')}</p>
          ) : (
            <OpsTable testId="customers-table" columns={[t('usage.customer'), t('usage.timezone'), t('usage.plan'), { hidden: t('usage.delete') }]}>
              {customers.map((c) => (
                <tr key={c.id}>
                  <td>
                    <strong>{c.name}</strong>
                  </td>
                  <td>{c.timezone}</td>
                  <td>{c.planName ?? <span className="muted">—</span>}</td>
                  <td className="ops-actions">
                    <IconButton icon="trash" label={t('usage.delete_customer', { name: c.name })} onClick={() => remove('customer', c.id, c.name)} data-testid={`customer-delete-${c.name}`} />
                  </td>
                </tr>
              ))}
            </OpsTable>
          )}
          <CustomerForm onDone={() => void changed()} />
        </div>
      </div>
      <h3>{t('usage.assignments')}</h3>
      {vms.length === 0 ? (
        <p className="muted">{t('usage.noVms')}</p>
      ) : (
        <OpsTable testId="assign-table" columns={[t('usage.vm'), t('usage.customer'), t('usage.ownPlan'), t('usage.effectivePlan')]}>
          {vms.map((v) => (
            <tr key={v.vmId} data-testid={`assign-${v.vmName}`}>
              <td>
                <strong>{v.vmName}</strong>
              </td>
              <td>
                <select aria-label={t('usage.customerOf', { name: v.vmName })} value={v.customerId ?? ''} onChange={(e) => void assign(v.vmId, { customer: e.target.value || null })}>
                  <option value="">{t('usage.unassigned')}</option>
                  <OptionList items={customers} value={(c) => c.id} label={(c) => c.name} />
                </select>
              </td>
              <td>
                <select aria-label={t('usage.planOf', { name: v.vmName })} value={v.planId ?? ''} onChange={(e) => void assign(v.vmId, { plan: e.target.value || null })}>
                  <option value="">{t('usage.customersPlan')}</option>
                  <OptionList items={plans} value={(p) => p.id} label={(p) => p.name} />
                </select>
              </td>
              <td>{v.effectivePlanName ?? <span className="muted">{t('usage.notBilled')}</span>}</td>
            </tr>
          ))}
        </OpsTable>
      )}
    </section>
  );
}

function PlanForm({ onDone }: { onDone(): void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [rates, setRates] = useState<Record<keyof PlanRates, string>>({ perHourOn: '', perVcpuHour: '', perGibRamHour: '', perGbTransferred: '', perDiskGibHour: '', flatMonthly: '' });
  const [error, setError] = useState<string | null>(null);
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    try {
      const filled = Object.fromEntries(Object.entries(rates).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));
      await api.call('plan.create', { name: name.trim(), currency: currency.trim().toUpperCase(), rates: filled });
      toast({ level: 'success', message: t('usage.planCreated', { name: name.trim() }) });
      setName('');
      setCurrency('EUR');
      setRates({ perHourOn: '', perVcpuHour: '', perGibRamHour: '', perGbTransferred: '', perDiskGibHour: '', flatMonthly: '' });
      setError(null);
      onDone();
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
      else toast({ level: 'error', message: errorMessage(e) });
    }
  };
  return (
    <form className="ops-form usage-form" onSubmit={(e) => void submit(e)} aria-label={t('usage.addPlan')} data-testid="plan-form">
      <LabeledField label={t('usage.planName')}>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} required data-testid="plan-name" />
      </LabeledField>
      <LabeledField label={t('usage.currency')}>
        <input type="text" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} required data-testid="plan-currency" />
      </LabeledField>
      {RATE_KEYS.map((k) => (
        <label className="field" key={k}>
          <span className="field-label">{t(`usage.rate_${k}`)}</span>
          <input type="text" inputMode="decimal" value={rates[k]} placeholder="0" onChange={(e) => setRates({ ...rates, [k]: e.target.value })} data-testid={`plan-${k}`} />
        </label>
      ))}
      {error && (
        <p className="field-error ops-form-wide" role="alert">
          {error}
        </p>
      )}
      <div className="ops-form-actions">
        <Button type="submit" variant="primary" icon="plus" disabled={!name.trim()} data-testid="plan-create">
          {t('usage.addPlan')}
        </Button>
      </div>
    </form>
  );
}

function CustomerForm({ onDone }: { onDone(): void }) {
  const { t } = useTranslation();
  const plans = useUsage((s) => s.plans);
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState('UTC');
  const [plan, setPlan] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    try {
      await api.call('customer.create', { name: name.trim(), timezone: timezone.trim() || 'UTC', ...(plan ? { plan } : {}) });
      toast({ level: 'success', message: t('usage.customerCreated', { name: name.trim() }) });
      setName('');
      setError(null);
      onDone();
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
      else toast({ level: 'error', message: errorMessage(e) });
    }
  };
  return (
    <form className="ops-form usage-form" onSubmit={(e) => void submit(e)} aria-label={t('usage.addCustomer')} data-testid="customer-form">
      <LabeledField label={t('usage.customerName')}>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} required data-testid="customer-name" />
      </LabeledField>
      <LabeledField label={t('usage.timezone')}>
        <input type="text" value={timezone} onChange={(e) => setTimezone(e.target.value)} placeholder="Europe/Paris" data-testid="customer-tz" />
      </LabeledField>
      <LabeledField label={t('usage.plan')}>
        <select value={plan} onChange={(e) => setPlan(e.target.value)} data-testid="customer-plan">
          <option value="">—</option>
          <OptionList items={plans} value={(p) => p.id} label={(p) => p.name} />
        </select>
      </LabeledField>
      {error && (
        <p className="field-error ops-form-wide" role="alert">
          {error}
        </p>
      )}
      <div className="ops-form-actions">
        <Button type="submit" variant="primary" icon="plus" disabled={!name.trim()} data-testid="customer-create">
          {t('usage.addCustomer')}
        </Button>
      </div>
    </form>
  );
}
