import { useEffect, useState } from 'react';
import { OptionList } from '../../components/OptionList';
import { LabeledField } from '../../components/LabeledField';
import { useTranslation } from 'react-i18next';
import { SubmitForm } from '../../components/SubmitForm';
import type { UsageReport } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { BillingSetup } from './BillingSetup';
import { InvoicePanel } from './InvoicePanel';
import { useUsage } from './store';
import { currentMonth, formatBytesOrMissing, hours, inZone } from './usage-format';
import './usage.css';
import '../schedules/ops.css';
import { PageHeader } from '../../app/pages';
import { useMachines } from '../machines/store';

/** Usage & Billing: metered usage per customer and per VM for a month, invoices, and the billing setup. */
export function UsagePage() {
  const { t } = useTranslation();
  const { customers, load } = useUsage();
  const [month, setMonth] = useState(currentMonth());
  const [timezone, setTimezone] = useState('');
  const [customer, setCustomer] = useState('');
  const [report, setReport] = useState<UsageReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = async () => {
    setBusy(true);
    try {
      setReport(await api.call('usage.report', { period: month, ...(timezone.trim() ? { timezone: timezone.trim() } : {}), ...(customer ? { customer } : {}) }));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    void refresh();
    // re-run when the period or the filter changes
    // (refresh reads the latest state through its closure)
  }, [month, customer]);

  return (
    <div className="ops-page usage-page" data-testid="usage-page">
      <PageHeader icon="tasks" title={t('usage.title')} hint={t('usage.intro')} />
      <SubmitForm className="usage-filters" onSubmit={refresh} aria-label={t('usage.filters')}>
        <LabeledField label={t('usage.month')}>
          <input type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} data-testid="usage-month" />
        </LabeledField>
        <LabeledField label={t('usage.timezone')}>
          <input type="text" value={timezone} placeholder={t('usage.timezoneDefault')} onChange={(e) => setTimezone(e.target.value)} data-testid="usage-tz" />
        </LabeledField>
        <LabeledField label={t('usage.customer')}>
          <select value={customer} onChange={(e) => setCustomer(e.target.value)} data-testid="usage-customer">
            <option value="">{t('usage.allCustomers')}</option>
            <OptionList items={customers} value={(c) => c.id} label={(c) => c.name} />
          </select>
        </LabeledField>
        <Button type="submit" icon="reset" busy={busy} data-testid="usage-refresh">
          {t('usage.refresh')}
        </Button>
      </SubmitForm>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {report && <UsageTables report={report} />}
      <InvoicePanel month={month} timezone={timezone.trim()} />
      <BillingSetup onChanged={() => void refresh()} />
      <p className="ops-hint" data-testid="rounding-rule">
        <Icon name="info" size={14} /> {t('usage.roundingRule')}
      </p>
    </div>
  );
}

function UsageTables({ report }: { report: UsageReport }) {
  const { t, i18n } = useTranslation();
  if (report.rows.length === 0) {
    return (
      <EmptyState title={t('usage.emptyTitle')} testId="usage-empty">
        <p className="muted">{t('usage.emptyText')}</p>
      </EmptyState>
    );
  }
  const head = (
    <>
      <th className="num">{t('usage.hoursOn')}</th>
      <th className="num">{t('usage.vcpuHours')}</th>
      <th className="num">{t('usage.ramHours')}</th>
      <th className="num">{t('usage.diskHours')}</th>
      <th className="num">{t('usage.netIn')}</th>
      <th className="num">{t('usage.netOut')}</th>
    </>
  );
  // a VM without a network card has no traffic to measure: say so rather than "0 B"
  const noNic = (vmId: string | undefined) => vmId !== undefined && useMachines.getState().byId[vmId]?.spec.nics.length === 0;
  const cells = (u: { vmId?: string; poweredOnSec: number; vcpuSec: number; gibRamSec: number; diskGibHours: number; netRxBytes: number | null; netTxBytes: number | null }) => (
    <>
      <td className="num">{hours(u.poweredOnSec)}</td>
      <td className="num">{hours(u.vcpuSec)}</td>
      <td className="num">{hours(u.gibRamSec)}</td>
      <td className="num">{u.diskGibHours.toFixed(2)}</td>
      <td className="num">{noNic(u.vmId) ? <span className="muted">{t('newUser.noNic')}</span> : formatBytesOrMissing(u.netRxBytes, t('perf.notMeasured'))}</td>
      <td className="num">{noNic(u.vmId) ? <span className="muted">{t('newUser.noNic')}</span> : formatBytesOrMissing(u.netTxBytes, t('perf.notMeasured'))}</td>
    </>
  );
  return (
    <>
      <section aria-labelledby="usage-by-customer">
        <h2 id="usage-by-customer">{t('usage.byCustomer')}</h2>
        <p className="muted small">{t('usage.periodLine', { from: inZone(report.from, report.timezone, i18n.language), to: inZone(report.to, report.timezone, i18n.language), tz: report.timezone })}</p>
        <table className="ops-table" data-testid="usage-customers">
          <thead>
            <tr>
              <th>{t('usage.customer')}</th>
              <th className="num">{t('usage.vms')}</th>
              {head}
            </tr>
          </thead>
          <tbody>
            {report.totalsByCustomer.map((c) => (
              <tr key={c.customerId ?? 'none'}>
                <td>{c.customerName ?? <span className="muted">{t('usage.unassigned')}</span>}</td>
                <td className="num">{c.vms}</td>
                {cells(c)}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="usage-by-vm">
        <h2 id="usage-by-vm">{t('usage.byVm')}</h2>
        <table className="ops-table" data-testid="usage-vms">
          <thead>
            <tr>
              <th>{t('usage.vm')}</th>
              <th>{t('usage.customer')}</th>
              {head}
            </tr>
          </thead>
          <tbody>
            {report.rows.map((u) => (
              <tr key={`${u.vmId}-${u.from}`} data-testid={`usage-row-${u.vmName}`}>
                <td>
                  <strong>{u.vmName}</strong>
                </td>
                <td>{u.customerName ?? <span className="muted">{t('usage.unassigned')}</span>}</td>
                {cells(u)}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
