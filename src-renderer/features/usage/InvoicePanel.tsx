import { useState } from 'react';
import { OptionList } from '../../components/OptionList';
import { LabeledField } from '../../components/LabeledField';
import { useTranslation } from 'react-i18next';
import type { Invoice } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { toast } from '../../components/toast-store';
import { useUsage } from './store';
import { inZone, money } from './usage-format';

/** Save text as a file through a temporary link (works in the browser and in Electron). */
function download(filename: string, mimeType: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Print the invoice's HTML page (with its print CSS) from a hidden frame: no new window needed. */
function printHtml(html: string): void {
  const frame = document.createElement('iframe');
  frame.style.position = 'fixed';
  frame.style.width = '0';
  frame.style.height = '0';
  frame.style.border = '0';
  frame.setAttribute('aria-hidden', 'true');
  frame.srcdoc = html;
  frame.onload = () => {
    frame.contentWindow?.print();
    setTimeout(() => frame.remove(), 60000);
  };
  document.body.append(frame);
}

/** An invoice for a customer and the chosen month: line items per VM, totals, CSV and printable exports. */
export function InvoicePanel({ month, timezone }: { month: string; timezone: string }) {
  const { t, i18n } = useTranslation();
  const customers = useUsage((s) => s.customers);
  const [customer, setCustomer] = useState('');
  const [invoice, setInvoice] = useState<Invoice | null>(null);
  const [busy, setBusy] = useState(false);
  const input = () => ({ customer, period: month, ...(timezone ? { timezone } : {}) });

  const show = async () => {
    setBusy(true);
    try {
      setInvoice(await api.call('billing.invoice', input()));
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  const exportAs = async (format: 'csv' | 'html', print = false) => {
    try {
      const r = await api.call('billing.invoiceExport', { ...input(), format });
      if (print) printHtml(r.content);
      else download(r.filename, r.mimeType, r.content);
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    }
  };
  const digits = (c: string) => invoice?.totals.find((x) => x.currency === c)?.minorDigits ?? 2;

  return (
    <section aria-labelledby="invoice-title" data-testid="invoice-panel">
      <h2 id="invoice-title">{t('usage.invoice')}</h2>
      {customers.length === 0 ? (
        <p className="muted">{t('usage.invoiceNeedsCustomer')}</p>
      ) : (
        <div className="usage-filters">
          <LabeledField label={t('usage.customer')}>
            <select value={customer} onChange={(e) => setCustomer(e.target.value)} data-testid="invoice-customer">
              <option value="">{t('usage.chooseCustomer')}</option>
              <OptionList items={customers} value={(c) => c.id} label={(c) => c.name} />
            </select>
          </LabeledField>
          <Button variant="primary" disabled={!customer} busy={busy} onClick={() => void show()} data-testid="invoice-show">
            {t('usage.showInvoice', { month })}
          </Button>
          <Button icon="copy" disabled={!customer} onClick={() => void exportAs('csv')} data-testid="invoice-csv">
            {t('usage.exportCsv')}
          </Button>
          <Button icon="external" disabled={!customer} onClick={() => void exportAs('html')} data-testid="invoice-html">
            {t('usage.exportHtml')}
          </Button>
          <Button disabled={!customer} onClick={() => void exportAs('html', true)} data-testid="invoice-print">
            {t('usage.print')}
          </Button>
        </div>
      )}
      {invoice && invoice.customerId === customer && (
        <div className="usage-invoice" data-testid="invoice">
          <p className="muted small">{t('usage.periodLine', { from: inZone(invoice.from, invoice.timezone, i18n.language), to: inZone(invoice.to, invoice.timezone, i18n.language), tz: invoice.timezone })}</p>
          {invoice.lines.length === 0 ? (
            <p className="muted">{t('usage.noLines')}</p>
          ) : (
            <table className="ops-table">
              <thead>
                <tr>
                  <th>{t('usage.vm')}</th>
                  <th>{t('usage.plan')}</th>
                  <th>{t('usage.item')}</th>
                  <th className="num">{t('usage.quantity')}</th>
                  <th className="num">{t('usage.rate')}</th>
                  <th className="num">{t('usage.amount')}</th>
                </tr>
              </thead>
              <tbody>
                {invoice.lines.map((l, i) => (
                  <tr key={i}>
                    <td>{l.vmName}</td>
                    <td>{l.planName}</td>
                    <td>
                      {t(`usage.kind.${l.kind}`)}
                      {l.notMeasured && <span className="muted"> ({t('perf.notMeasured')})</span>}
                    </td>
                    <td className="num" data-testid={`invoice-qty-${l.vmName}-${l.kind}`} data-quantity={l.quantity}>
                      {(Math.round(l.quantity * 1000) / 1000).toLocaleString(i18n.language)} {l.unit}
                    </td>
                    <td className="num">
                      {l.rate} {l.currency}
                    </td>
                    <td className="num">{money(l.amountMinor, l.currency, digits(l.currency), i18n.language)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                {invoice.totals.map((x) => (
                  <tr key={x.currency} className="usage-total" data-testid={`invoice-total-${x.currency}`}>
                    <td colSpan={5}>{t('usage.total', { currency: x.currency })}</td>
                    <td className="num">{money(x.amountMinor, x.currency, x.minorDigits, i18n.language)}</td>
                  </tr>
                ))}
              </tfoot>
            </table>
          )}
          {invoice.unbilledVms.length > 0 && <p className="field-hint">{t('usage.unbilled', { names: invoice.unbilledVms.join(', ') })}</p>}
        </div>
      )}
    </section>
  );
}
