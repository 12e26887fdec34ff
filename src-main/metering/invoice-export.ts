import type { Invoice, InvoiceLine } from '../api/contract';
import { formatMinor, formatMoney } from './money';

/** An invoice as CSV (one row per line item, then totals) and as a printable HTML page. */
const KIND_LABEL: Record<InvoiceLine['kind'], string> = {
  poweredOn: 'Powered on',
  vcpu: 'vCPU time',
  ram: 'Memory (GiB-hours)',
  transfer: 'Data transferred',
  disk: 'Disk allocated',
  flat: 'Monthly fee',
};

const csvCell = (v: string | number) => {
  const s = String(v);
  // quote always when needed; neutralise spreadsheet formulas in names
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

const digitsOf = (inv: Invoice, currency: string) => inv.totals.find((t) => t.currency === currency)?.minorDigits ?? 2;

export function invoiceCsv(inv: Invoice): string {
  const rows: Array<Array<string | number>> = [['customer', 'period', 'from', 'to', 'timezone', 'vm', 'plan', 'item', 'quantity', 'unit', 'rate', 'currency', 'amount', 'amount_minor', 'note']];
  for (const l of inv.lines) {
    rows.push([inv.customerName, inv.periodLabel, inv.from, inv.to, inv.timezone, l.vmName, l.planName, KIND_LABEL[l.kind], roundQty(l.quantity), l.unit, l.rate, l.currency, formatMinor(l.amountMinor, digitsOf(inv, l.currency)), l.amountMinor, l.notMeasured ? 'not measured' : '']);
  }
  for (const t of inv.totals) rows.push([inv.customerName, inv.periodLabel, inv.from, inv.to, inv.timezone, '', '', 'TOTAL', '', '', '', t.currency, formatMinor(t.amountMinor, t.minorDigits), t.amountMinor, '']);
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const roundQty = (q: number) => String(Math.round(q * 1e6) / 1e6);

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function invoiceHtml(inv: Invoice): string {
  const lines = inv.lines
    .map(
      (l) => `<tr><td>${esc(l.vmName)}</td><td>${esc(l.planName)}</td><td>${esc(KIND_LABEL[l.kind])}${l.notMeasured ? ' <em>(not measured)</em>' : ''}</td><td class="num">${esc(roundQty(l.quantity))} ${esc(l.unit)}</td><td class="num">${esc(l.rate)} ${esc(l.currency)}</td><td class="num">${esc(formatMoney(l.amountMinor, l.currency))}</td></tr>`,
    )
    .join('\n');
  const totals = inv.totals.map((t) => `<tr class="total"><td colspan="5">Total (${esc(t.currency)})</td><td class="num">${esc(formatMoney(t.amountMinor, t.currency))}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice ${esc(inv.customerName)} ${esc(inv.periodLabel)}</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; color: #111; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  .meta { color: #444; margin-bottom: 1.5rem; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #ddd; }
  th { background: #f3f3f3; }
  .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  tr.total td { font-weight: 700; border-top: 2px solid #111; }
  .rule { color: #555; font-size: .85rem; margin-top: 1.5rem; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11pt; }
    th { background: none; border-bottom: 1.5pt solid #000; }
    tr { page-break-inside: avoid; }
    .noprint { display: none; }
  }
</style></head>
<body>
<h1>Invoice — ${esc(inv.customerName)}</h1>
<div class="meta">Period ${esc(inv.periodLabel)} (${esc(inv.from)} to ${esc(inv.to)}, time zone ${esc(inv.timezone)})<br>Generated ${esc(inv.generatedAt)}</div>
<table>
<thead><tr><th>VM</th><th>Plan</th><th>Item</th><th class="num">Quantity</th><th class="num">Rate</th><th class="num">Amount</th></tr></thead>
<tbody>
${lines || '<tr><td colspan="6">No billable usage in this period.</td></tr>'}
${totals}
</tbody></table>
${inv.unbilledVms.length ? `<p>Not billed (no plan): ${esc(inv.unbilledVms.join(', '))}</p>` : ''}
<p class="rule">${esc(inv.roundingRule)}</p>
<p class="noprint rule">To print or save as PDF, use your browser's Print command.</p>
</body></html>
`;
}
