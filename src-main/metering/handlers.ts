import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';
import { invoiceCsv, invoiceHtml } from './invoice-export';

/** Plans, customers, assignments, usage and invoices. */
export function billingHandlers(e: Engine) {
  return {
    'plan.list': async () => e.billing.store.plans(),
    'plan.create': async (i) => e.billing.createPlan(i),
    'plan.delete': async (i) => {
      e.billing.deletePlan(i.plan);
      return null;
    },
    'customer.list': async () => e.billing.store.customers(),
    'customer.create': async (i) => e.billing.createCustomer(i),
    'customer.update': async (i) => e.billing.updateCustomer(i),
    'customer.delete': async (i) => {
      e.billing.deleteCustomer(i.customer);
      return null;
    },
    'billing.assign': async (i) => e.billing.assign(i),
    'billing.vms': async () => e.billing.vmBilling(),
    'usage.report': async (i) => e.billing.usage(i),
    'billing.invoice': async (i) => e.billing.invoice(i),
    'billing.invoiceExport': async ({ format, ...rest }) => {
      const inv = await e.billing.invoice(rest);
      const base = `invoice-${inv.customerName.replace(/[^\p{L}\p{N}_-]+/gu, '-')}-${inv.periodLabel.replace(/[^0-9A-Za-z-]+/g, '_')}`;
      return format === 'csv'
        ? { filename: `${base}.csv`, mimeType: 'text/csv', content: invoiceCsv(inv) }
        : { filename: `${base}.html`, mimeType: 'text/html', content: invoiceHtml(inv) };
    },
  } satisfies Partial<Handlers>;
}
